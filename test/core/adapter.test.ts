/**
 * The pipeline's axios adapter (src/http/adapter.ts) on a loopback server: bodies as text and
 * buffers, compressed bodies (gzip, zlib and raw deflate, br), the body limit on the decoded size,
 * cut-off bodies, cancellation, the idle timeout, error statuses through `validateStatus`, request
 * bodies, and the requests it leaves to axios' own adapter.
 */
import axios, { AxiosError } from 'axios';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpAdapter } from '../../src/http/client.js';

const payload = JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => ({ id: `e${i}`, name: 'Ada ✓' })) });
let server: http.Server;
let base = '';
const seen: Array<{ url: string; method: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url!, method: req.method!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const path = req.url!.split('?')[0];
      const json = { 'Content-Type': 'application/json' };
      if (path === '/plain') return res.writeHead(200, json).end(`\ufeff${payload}`);
      if (path === '/gzip')
        return res.writeHead(200, { ...json, 'Content-Encoding': 'gzip' }).end(zlib.gzipSync(payload));
      if (path === '/deflate')
        return res.writeHead(200, { ...json, 'Content-Encoding': 'deflate' }).end(zlib.deflateSync(payload));
      if (path === '/rawdeflate')
        return res.writeHead(200, { ...json, 'Content-Encoding': 'deflate' }).end(zlib.deflateRawSync(payload));
      if (path === '/br')
        return res.writeHead(200, { ...json, 'Content-Encoding': 'br' }).end(zlib.brotliCompressSync(payload));
      if (path === '/cut') {
        res.writeHead(200, { ...json, 'Content-Length': String(payload.length) });
        res.write(payload.slice(0, 1000));
        return setTimeout(() => res.destroy(), 20);
      }
      if (path === '/slow') return setTimeout(() => res.writeHead(200).end('late'), 2000);
      if (path === '/status') return res.writeHead(503, json).end('{"error":"busy"}');
      if (path === '/echo')
        return res.writeHead(200, json).end(JSON.stringify({ got: Buffer.concat(chunks).toString() }));
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const ax = axios.create({
  adapter: nodeHttpAdapter,
  responseType: 'text',
  transformResponse: [(d: unknown) => d],
  validateStatus: () => true,
  maxRedirects: 0,
  proxy: false,
  timeout: 10_000,
});

describe('nodeHttpAdapter', () => {
  it('returns the body as text (BOM stripped) and as a buffer', async () => {
    const res = await ax.get<string>(`${base}/plain`);
    expect(res.status).toBe(200);
    expect(res.data).toBe(payload);
    expect(res.headers['content-type']).toBe('application/json');
    const buf = await ax.get<Buffer>(`${base}/plain`, { responseType: 'arraybuffer' });
    expect(Buffer.isBuffer(buf.data)).toBe(true);
    expect(buf.data.toString('utf8')).toBe(`\ufeff${payload}`);
    expect(seen.at(-1)!.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('decodes gzip, deflate (zlib-wrapped and raw) and br', async () => {
    for (const p of ['/gzip', '/deflate', '/rawdeflate', '/br']) {
      const res = await ax.get<string>(base + p);
      expect(res.data, p).toBe(payload);
      expect(res.headers['content-encoding'], p).toBeUndefined();
    }
  });

  it('applies maxContentLength to the decoded body as well as to the bytes received', async () => {
    const small = zlib.gzipSync(payload).length;
    expect(small).toBeLessThan(payload.length / 4);
    const err = await ax.get(`${base}/gzip`, { maxContentLength: small * 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AxiosError);
    expect((err as AxiosError).message).toMatch(/maxContentLength/);
    const err2 = await ax.get(`${base}/plain`, { maxContentLength: 100 }).catch((e: unknown) => e);
    expect((err2 as AxiosError).message).toMatch(/maxContentLength/);
    expect((await ax.get<string>(`${base}/gzip`, { maxContentLength: Buffer.byteLength(payload) })).data).toBe(payload);
  });

  it('reports a body cut off mid-way as an error, never as a short body', async () => {
    const err = await ax.get(`${base}/cut`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AxiosError);
    expect((err as AxiosError).code).toMatch(/ERR_BAD_RESPONSE|ECONNRESET/);
  });

  it('cancels with the signal (ERR_CANCELED) and times out when idle (ECONNABORTED)', async () => {
    const ac = new AbortController();
    const p = ax.get(`${base}/slow`, { signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 50);
    expect(((await p) as AxiosError).code).toBe('ERR_CANCELED');
    const already = await ax.get(`${base}/plain`, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((already as AxiosError).code).toBe('ERR_CANCELED');
    const t = await ax.get(`${base}/slow`, { timeout: 100 }).catch((e: unknown) => e);
    expect((t as AxiosError).code).toBe('ECONNABORTED');
    expect((t as AxiosError).message).toMatch(/timeout of 100ms exceeded/);
  });

  it('passes statuses through validateStatus as axios does', async () => {
    expect((await ax.get(`${base}/status`)).status).toBe(503);
    const strict = await ax
      .get(`${base}/status`, { validateStatus: (s) => s < 400 })
      .catch((e: unknown) => e as AxiosError);
    expect((strict as AxiosError).code).toBe('ERR_BAD_RESPONSE');
    expect((strict as AxiosError).response?.status).toBe(503);
  });

  it('sends string bodies with their length, and leaves other requests to axios (params)', async () => {
    const res = await ax.post<string>(`${base}/echo`, 'a=1&b=✓', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(JSON.parse(res.data)).toEqual({ got: 'a=1&b=✓' });
    expect(seen.at(-1)!.headers['content-length']).toBe(String(Buffer.byteLength('a=1&b=✓')));
    const withParams = await ax.get<string>(`${base}/plain`, { params: { q: 'x y' } });
    expect(withParams.data).toBe(payload);
    expect(seen.at(-1)!.url).toBe('/plain?q=x+y');
    expect(seen.at(-1)!.headers['user-agent']).toMatch(/^axios\//);
  });
});
