/**
 * Streaming JSON in the request pipeline (`RequestSpec.stream`): a loopback server sends bodies in
 * small pieces (a pause between pieces, so they arrive as separate chunks) and the pipeline must
 * give the same data as a whole-body parse, find a secret split across two chunks, and fail a cut
 * off or malformed body with the same typed errors as before (retried, then `malformed_body`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type HttpClientConfig, type RawResponse } from '../../src/http/client.js';
import { OrgsyncError } from '../../src/errors.js';

const SECRET = 'sk_stream_5e1f0c9a7b3d2e4f';

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** The body, sent in these pieces (a short pause between them). */
  pieces: Buffer[];
}

/** Pieces of `text` of `size` bytes (cuts through multi-byte characters and tokens alike). */
function pieces(text: string | Buffer, size: number): Buffer[] {
  const b = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

let server: http.Server;
let base: string;
/** Replies by path, used in order (the last one repeats). */
const replies = new Map<string, Reply[]>();
const hits = new Map<string, number>();

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const list = replies.get(path) ?? [];
    const n = hits.get(path) ?? 0;
    hits.set(path, n + 1);
    const r = list[Math.min(n, list.length - 1)];
    if (!r) return void res.writeHead(404).end();
    res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...(r.headers ?? {}) });
    for (const p of r.pieces) {
      res.write(p);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let n = 0;
function client(extra: Partial<HttpClientConfig> = {}): HttpClient {
  return new HttpClient({
    vendor: `s${++n}`,
    vendorName: 'Vendor',
    baseUrl: base,
    auth: { type: 'bearer', token: `${SECRET}-${n}` },
    secrets: [SECRET],
    defaultRateLimit: { requests: Infinity, intervalMs: 1000, concurrency: 4 },
    retry: { baseDelayMs: 1, maxDelayMs: 5, retries: 2 },
    ...extra,
  });
}

const body = {
  title: 'report',
  fields: [{ id: 'name', name: 'Näme' }],
  employees: [
    { id: '1', name: 'Zoë "Z" Ünal', note: 'a\\b \u2028 {[' },
    { id: '2', name: 'José', tags: ['x', { y: [1, 2.5e3, -0, null, true] }] },
    { id: '3', name: '雪', emoji: '𝄞🎉' },
  ],
  end: true,
};
const text = JSON.stringify(body, null, 1);
/** What a whole-body parse gives (-0 is written as 0). */
const expected = JSON.parse(text) as typeof body;
const stream = { records: ['employees'] };

function serve(path: string, ...list: Reply[]): string {
  replies.set(path, list);
  hits.set(path, 0);
  return path;
}

describe('streamed JSON bodies', () => {
  it('give the data a whole-body parse gives, whatever the chunks, and hand each record over with its text', async () => {
    for (const size of [1, 3, 16, 4096]) {
      const path = serve(`/a${size}`, { pieces: pieces(text, size) });
      const seen: Array<[unknown, string]> = [];
      const res = await client().request({
        path,
        stream: { ...stream, onRecord: (record, t) => void seen.push([record, t]) },
      });
      expect(res.data).toStrictEqual(expected);
      expect(JSON.stringify(res.data)).toBe(JSON.stringify(expected));
      expect(seen.map(([r]) => r)).toStrictEqual(expected.employees);
      for (const [r, t] of seen) expect(JSON.parse(t)).toStrictEqual(r);
      // Off: the same data, no records handed over.
      const off = await client({ streamJson: false }).request({
        path: serve(`/off${size}`, { pieces: pieces(text, size) }),
        stream: { ...stream, onRecord: () => seen.push([0, '']) },
      });
      expect(off.data).toStrictEqual(expected);
      expect(seen).toHaveLength(3);
    }
  });

  it('decompress gzip, deflate and br as the body arrives', async () => {
    const encoded = {
      gzip: zlib.gzipSync(text),
      deflate: zlib.deflateSync(text),
      br: zlib.brotliCompressSync(text),
    };
    for (const [encoding, bytes] of Object.entries(encoded)) {
      let records = 0;
      const path = serve(`/z-${encoding}`, { headers: { 'content-encoding': encoding }, pieces: pieces(bytes, 7) });
      const res = await client().request({ path, stream: { ...stream, onRecord: () => records++ } });
      expect(res.data).toStrictEqual(expected);
      expect(records).toBe(3);
      expect(res.headers['content-encoding']).toBeUndefined();
    }
  });

  it('find a secret echoed across a chunk boundary, in a record and in the rest of the body', async () => {
    const inRecord = JSON.stringify({ employees: [{ id: '1', note: `key=${SECRET}` }] });
    const cut = inRecord.indexOf(SECRET) + 5;
    const c1 = client();
    await c1.request({
      path: serve('/secret1', { pieces: [Buffer.from(inRecord.slice(0, cut)), Buffer.from(inRecord.slice(cut))] }),
      stream,
    });
    expect(c1.sawSecretInResponse).toBe(true);

    const inOutline = JSON.stringify({ echo: SECRET.toUpperCase(), employees: [{ id: '1' }] });
    const c2 = client();
    await c2.request({ path: serve('/secret2', { pieces: pieces(inOutline, 4) }), stream });
    expect(c2.sawSecretInResponse).toBe(true);

    const clean = client();
    await clean.request({ path: serve('/secret3', { pieces: pieces(text, 5) }), stream });
    expect(clean.sawSecretInResponse).toBe(false);
  });

  it('retry a body cut off mid-record, then succeed', async () => {
    const path = serve(
      '/cut-once',
      { pieces: pieces(text.slice(0, text.indexOf('"José"') + 3), 9) },
      { pieces: pieces(text, 9) },
    );
    const res = await client().request({ path, stream });
    expect(res.data).toStrictEqual(expected);
    expect(hits.get(path)).toBe(2);
  });

  const failure = async (path: string, extra: Partial<HttpClientConfig> = {}) => {
    const err = await client(extra)
      .request({ path, stream })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    return err as OrgsyncError;
  };

  it('fail a body that stays cut off, malformed inside or between records, or has bytes after the end, as malformed_body', async () => {
    const broken = {
      cut: text.slice(0, text.indexOf('"José"')),
      inRecord: text.replace('"José"', 'José'),
      between: text.replace(/\}\s*,\s*\{\s*"id": "3"/, '} {"id": "3"'),
      after: `${text} {}`,
      outline: text.replace('"title"', 'title'),
    };
    for (const [what, t] of Object.entries(broken)) {
      const path = serve(`/broken-${what}`, { pieces: pieces(t, 11) });
      const err = await failure(path);
      expect(err.kind, what).toBe('transient');
      expect(err.code, what).toBe('malformed_body');
      expect(err.message).toMatch(/returned malformed JSON for GET \/broken-/);
      expect(hits.get(path), what).toBe(3); // retried, as a whole body that does not parse is
      // The whole-body path says the same.
      const whole = await failure(serve(`/broken-whole-${what}`, { pieces: pieces(t, 11) }), { streamJson: false });
      expect([whole.kind, whole.code]).toEqual(['transient', 'malformed_body']);
    }
  });

  it('read error bodies whole and classify them as before', async () => {
    const seen: RawResponse[] = [];
    const err = await failure(
      serve('/err', { status: 400, pieces: pieces(JSON.stringify({ message: 'bad filter', employees: [1] }), 3) }),
      {
        classify: (r) => {
          seen.push(r);
          return undefined;
        },
      },
    );
    expect(err.status).toBe(400);
    expect(err.kind).toBe('vendor');
    expect(err.message).toContain('Vendor said: "bad filter"');
    expect(seen[0]!.text).toBe(JSON.stringify({ message: 'bad filter', employees: [1] }));
  });

  it('let classify see the parsed body and the outline of a streamed success', async () => {
    const seen: RawResponse[] = [];
    const c = client({
      classify: (r) => {
        seen.push(r);
        const j = r.json as { error?: { code?: number } };
        return j?.error?.code === 429 ? { kind: 'rate_limited', retryable: false, message: 'throttled' } : undefined;
      },
    });
    await c.request({ path: serve('/cls', { pieces: pieces(text, 50) }), stream });
    expect(seen[0]!.json).toStrictEqual(expected);
    expect(JSON.parse(seen[0]!.text)).toStrictEqual({ ...expected, employees: [] });
    const err = await c
      .request({ path: serve('/cls429', { pieces: pieces('{"error":{"code":429}}', 4) }), stream })
      .catch((e: unknown) => e);
    expect((err as OrgsyncError).kind).toBe('rate_limited');
  });

  it('keep the size limit', async () => {
    const err = await failure(serve('/big', { pieces: pieces(text, 64) }), { maxResponseBytes: 100 });
    expect(err.code).toBe('response_too_large');
    const gz = await failure(
      serve('/big-gz', { headers: { 'content-encoding': 'gzip' }, pieces: pieces(zlib.gzipSync(text), 16) }),
      { maxResponseBytes: 200 },
    );
    expect(gz.code).toBe('response_too_large'); // the decoded size counts
  });

  it('give undefined data for an empty body, as a whole body does', async () => {
    const res = await client().request({ path: serve('/empty', { pieces: [] }), stream });
    expect(res.data).toBeUndefined();
  });
});
