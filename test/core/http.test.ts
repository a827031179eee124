import nock from 'nock';
import { getEventListeners } from 'node:events';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type HttpClientConfig } from '../../src/http/client.js';
import { currentDeadline, runWithDeadline } from '../../src/http/deadline.js';
import { OrgsyncError } from '../../src/errors.js';

const BASE = 'https://api.vendor.example';
const TOKEN = 'tok_live_9f8e7d6c5b4a39281706';
let n = 0;
function client(extra: Partial<HttpClientConfig> = {}): HttpClient {
  // A distinct token per client: rate limiters are shared per vendor x credential.
  return new HttpClient({
    vendor: `t${++n}`,
    vendorName: 'Vendor',
    baseUrl: BASE,
    auth: { type: 'bearer', token: `${TOKEN}-${n}` },
    defaultRateLimit: { requests: Infinity, intervalMs: 1000, concurrency: 4 },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('request pipeline', () => {
  it('sends auth and Accept headers and parses JSON', async () => {
    const c = client();
    nock(BASE)
      .get('/v1/things')
      .query({ a: '1', b: 'x y' })
      .matchHeader('authorization', `Bearer ${TOKEN}-${n}`)
      .matchHeader('accept', 'application/json')
      .reply(200, { ok: true }, { 'x-request-id': 'r1' });
    const res = await c.request({ path: '/v1/things', query: { a: 1, b: 'x y', skip: undefined } });
    expect(res.data).toEqual({ ok: true });
    expect(res.requestId).toBe('r1');
  });

  for (const status of [400, 401, 403, 404, 422]) {
    it(`never retries ${status}`, async () => {
      const scope = nock(BASE).get('/x').reply(status, { message: 'nope' });
      const err = await client()
        .request({ path: '/x' })
        .catch((e) => e);
      expect(scope.isDone()).toBe(true);
      expect(err).toBeInstanceOf(OrgsyncError);
      expect(err.status).toBe(status);
      expect(err.retryable).toBe(false);
      expect(err.kind).toBe(status === 401 || status === 403 ? 'auth' : status === 404 ? 'config' : 'vendor');
      expect(err.message).toContain('Vendor said: "nope"');
      expect(nock.pendingMocks()).toEqual([]);
    });
  }

  for (const status of [408, 429, 500, 502, 503, 504]) {
    it(`retries ${status} and then succeeds`, async () => {
      nock(BASE).get('/x').reply(status, '').get('/x').reply(200, { ok: 1 });
      const res = await client().request({ path: '/x' });
      expect(res.data).toEqual({ ok: 1 });
    });
  }

  it('gives up after the configured retries with the last error', async () => {
    const scope = nock(BASE).get('/x').times(3).reply(502, '');
    const err = await client({ retry: { retries: 2, baseDelayMs: 1 } })
      .request({ path: '/x' })
      .catch((e) => e);
    expect(scope.isDone()).toBe(true);
    expect(err.kind).toBe('transient');
    expect(err.status).toBe(502);
  });

  it('honours Retry-After in seconds and X-RateLimit-Reset', async () => {
    nock(BASE).get('/x').reply(429, '', { 'retry-after': '1' }).get('/x').reply(200, { ok: 1 });
    const delays: number[] = [];
    await client({ onProgress: (e) => e.type === 'retry' && delays.push(e.delayMs) }).request({ path: '/x' });
    expect(delays).toEqual([1000]);
    nock(BASE)
      .get('/y')
      .reply(429, '', { 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) })
      .get('/y')
      .reply(200, { ok: 1 });
    const d2: number[] = [];
    await client({ onProgress: (e) => e.type === 'retry' && d2.push(e.delayMs) }).request({ path: '/y' });
    expect(d2[0]).toBeGreaterThan(0);
    expect(d2[0]).toBeLessThanOrEqual(2000);
  });

  it('refuses to wait longer than maxRetryAfterMs and says so', async () => {
    nock(BASE).get('/x').reply(429, '', { 'retry-after': '3600' });
    const err = await client({ retry: { maxRetryAfterMs: 10_000 } })
      .request({ path: '/x' })
      .catch((e) => e);
    expect(err.kind).toBe('rate_limited');
    expect(err.message).toMatch(/asked to wait 3600 s, more than the configured maximum of 10 s/);
  });

  it('caps the total wait across retries', async () => {
    nock(BASE).get('/x').times(5).reply(503, '', { 'retry-after': '1' });
    const started = Date.now();
    const err = await client({ retry: { retries: 4, maxTotalWaitMs: 1500 } })
      .request({ path: '/x' })
      .catch((e) => e);
    expect(err.kind).toBe('transient');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('does not retry non-idempotent POSTs unless marked idempotent', async () => {
    const s1 = nock(BASE).post('/p').reply(503, '');
    const e1 = await client()
      .request({ method: 'POST', path: '/p', body: {} })
      .catch((e) => e);
    expect(e1.status).toBe(503);
    expect(s1.isDone()).toBe(true);
    nock(BASE).post('/p').reply(503, '').post('/p').reply(200, { ok: 1 });
    const r = await client().request({ method: 'POST', path: '/p', body: {}, idempotent: true });
    expect(r.data).toEqual({ ok: 1 });
  });

  it('classifies an HTML page instead of JSON, with its title', async () => {
    nock(BASE)
      .get('/x')
      .reply(200, '<html><head><title>Sign in</title></head></html>', { 'content-type': 'text/html' });
    const err = await client()
      .request({ path: '/x' })
      .catch((e) => e);
    expect(err.kind).toBe('vendor');
    expect(err.message).toMatch(/HTML page \("Sign in"\) instead of JSON/);
  });

  it('lets a connector reclassify a response (vendor quirk hook)', async () => {
    nock(BASE)
      .get('/x')
      .reply(200, { error: { code: 429, message: 'Over rate limit' } });
    const err = await client({
      classify: (r) => ((r.json as any)?.error?.code === 429 ? { kind: 'vendor', message: 'quirk seen' } : undefined),
    })
      .request({ path: '/x' })
      .catch((e) => e);
    expect(err.message).toBe('quirk seen');
  });

  it('follows same-origin redirects with credentials and drops them for another host', async () => {
    const c = client();
    nock(BASE).get('/old').reply(302, '', { location: '/new' });
    nock(BASE)
      .get('/new')
      .matchHeader('authorization', /^Bearer /)
      .reply(200, { here: 1 });
    expect((await c.request({ path: '/old' })).data).toEqual({ here: 1 });
    nock(BASE).get('/away').reply(302, '', { location: 'https://evil.example/steal' });
    let sawAuth: string | undefined = 'unset';
    nock('https://evil.example')
      .get('/steal')
      .reply(function () {
        sawAuth = this.req.headers['authorization'] as string | undefined;
        return [200, { stolen: false }];
      });
    await c.request({ path: '/away' });
    expect(sawAuth).toBeUndefined();
  });

  it('refuses paging links to another host', async () => {
    const err = await client()
      .request({ path: 'https://evil.example/next?page=2' })
      .catch((e) => e);
    expect(err.code).toBe('foreign_link');
  });

  it('redacts the token from vendor messages, URLs and error JSON', async () => {
    const c = client();
    const token = `${TOKEN}-${n}`;
    nock(BASE)
      .get('/x')
      .reply(400, { message: `bad token ${token} in Authorization: Bearer ${token}` });
    const err = await c.request({ path: '/x' }).catch((e) => e);
    const text = `${err.message} ${JSON.stringify(err)} ${err.stack}`;
    expect(text).not.toContain(token);
    expect(text).toContain('[REDACTED]');
  });

  it('cancels with an AbortSignal', async () => {
    const ac = new AbortController();
    nock(BASE).get('/slow').delay(2000).reply(200, {});
    const p = client({ signal: ac.signal })
      .request({ path: '/slow' })
      .catch((e) => e);
    setTimeout(() => ac.abort(), 50);
    const err = await p;
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.code).toBe('aborted');
  });

  it("links the caller's, the client's and the sync's signals per request, and leaves no listener behind", async () => {
    // 30 requests in flight on one client signal inside one sync deadline: no MaxListenersExceededWarning,
    // every link removed once they settle, and the client's abort still reaches every request in flight.
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const ac = new AbortController();
      const c = client({
        signal: ac.signal,
        defaultRateLimit: { requests: Infinity, intervalMs: 1000, concurrency: 64 },
      });
      nock(BASE).get('/ok').times(30).delay(20).reply(200, { ok: true });
      let deadlineSignal: AbortSignal | undefined;
      await runWithDeadline(
        60_000,
        async () => {
          deadlineSignal = currentDeadline()!.signal;
          const own = new AbortController();
          const all = await Promise.all(
            Array.from({ length: 30 }, () => c.request({ path: '/ok', signal: own.signal })),
          );
          expect(all.every((r) => (r.data as { ok: boolean }).ok)).toBe(true);
          expect(getEventListeners(own.signal, 'abort')).toHaveLength(0);
        },
        () => new OrgsyncError({ kind: 'incomplete', message: 'deadline' }),
      );
      expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
      expect(getEventListeners(deadlineSignal!, 'abort')).toHaveLength(0);

      nock(BASE).get('/slow').times(20).delay(5000).reply(200, {});
      const pending = Array.from({ length: 20 }, () => c.request({ path: '/slow' }).catch((e: unknown) => e));
      await new Promise((r) => setTimeout(r, 50));
      expect(getEventListeners(ac.signal, 'abort').length).toBeGreaterThanOrEqual(20);
      ac.abort();
      const errors = await Promise.all(pending);
      expect(errors.every((e) => e instanceof OrgsyncError && e.code === 'aborted')).toBe(true);
      expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('rejects an invalid base URL as a config error', () => {
    expect(() => client({ baseUrl: 'not a url' })).toThrowError(/not a valid URL/);
    expect(() => client({ baseUrl: 'ftp://x.example' })).toThrowError(/must be http/);
  });
});
