/**
 * Auth strategies of the pipeline (src/http/auth.ts) against a real HTTPS server on 127.0.0.1 that
 * requires a client certificate (requestCert + rejectUnauthorized): OAuth2 client credentials
 * (token endpoint, cache until expiry, one token request for concurrent calls, refresh once on 401,
 * token endpoint errors as typed errors, secrets nowhere) and mutual TLS on every call, the token
 * request included. The CA, server and client certificates are issued at test time (openssl CLI).
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, type HttpClientConfig } from '../../src/http/client.js';
import { clearTokenCache } from '../../src/http/auth.js';
import { OrgsyncError } from '../../src/errors.js';
import { hasOpenssl, testPki, type TestPki } from '../../src/simulator/tls.js';

const CLIENT_ID = 'orgsync-test-client';
const SECRET = 'cs_live_Q29ubmVjdG9yU2VjcmV0LTQ4MjE5';

interface Behaviour {
  /** Status and body of the token endpoint (default: a token). */
  tokenReply?: () => { status: number; body: unknown; headers?: Record<string, string> };
  tokenDelayMs?: number;
  expiresIn?: number;
  /** Tokens the API no longer accepts. */
  revoked: Set<string>;
  /** The API answers 401 to every token. */
  rejectAll?: boolean;
}

interface Seen {
  tokenCalls: Array<{ cn: string | undefined; authorization: string | undefined; body: string }>;
  apiCalls: Array<{ cn: string | undefined; authorization: string | undefined }>;
}

let pki: TestPki;
let server: https.Server;
let base: string;
let behaviour: Behaviour;
let seen: Seen;
let issued = 0;
let tmp: string;

const skip = !hasOpenssl();
// Skipped with a message on a machine without openssl; in CI (where .ci/run installs it) its absence is a failure.
if (skip && process.env['CI']) throw new Error('CI: the openssl CLI is missing; the mutual-TLS auth tests need it');
if (skip) console.warn('auth tests skipped: the openssl CLI is needed to issue the test certificates');

beforeAll(async () => {
  if (skip) return;
  pki = testPki();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-auth-test-'));
  server = https.createServer(
    { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const cn = (req.socket as TLSSocket).getPeerCertificate()?.subject?.CN as string | undefined;
        const body = Buffer.concat(chunks).toString('utf8');
        const json = (status: number, b: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(b));
        };
        if (req.url === '/oauth/token' && req.method === 'POST') {
          seen.tokenCalls.push({ cn, authorization: req.headers.authorization, body });
          const reply = () => {
            const r = behaviour.tokenReply?.();
            if (r) return json(r.status, r.body, r.headers);
            const ok =
              req.headers.authorization === `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}` &&
              /grant_type=client_credentials/.test(body);
            if (!ok) return json(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
            return json(200, {
              access_token: `at-${++issued}-${'x'.repeat(24)}`,
              token_type: 'Bearer',
              expires_in: behaviour.expiresIn ?? 3600,
            });
          };
          if (behaviour.tokenDelayMs) setTimeout(reply, behaviour.tokenDelayMs);
          else reply();
          return;
        }
        seen.apiCalls.push({ cn, authorization: req.headers.authorization });
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!token || !token.startsWith('at-') || behaviour.rejectAll || behaviour.revoked.has(token))
          return json(401, { message: 'invalid token' });
        json(200, { path: req.url, ok: true });
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (skip) return;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  behaviour = { revoked: new Set() };
  seen = { tokenCalls: [], apiCalls: [] };
  clearTokenCache();
});

let n = 0;
function client(
  extra: Partial<HttpClientConfig> = {},
  auth: Partial<Extract<HttpClientConfig['auth'], { type: 'oauth2-client-credentials' }>> = {},
): HttpClient {
  return new HttpClient({
    vendor: `mtls${++n}`,
    vendorName: 'Vendor',
    baseUrl: `${base}/api`,
    auth: {
      type: 'oauth2-client-credentials',
      tokenUrl: `${base}/oauth/token`,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      ...auth,
    },
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
    defaultRateLimit: { requests: Infinity, intervalMs: 1000, concurrency: 8 },
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    timeoutMs: 5_000,
    ...extra,
  });
}

/** Everything an error exposes when printed, serialized or inspected. */
const allText = (e: unknown) =>
  `${String(e)} ${JSON.stringify(e)} ${inspect(e, { depth: 8 })} ${(e as Error).stack ?? ''}`;

describe.skipIf(skip)('OAuth2 client credentials + mutual TLS against a local HTTPS server', () => {
  it('presents the client certificate on every call, the token request included, and caches the token', async () => {
    const c = client();
    for (let i = 0; i < 3; i++) expect((await c.request<{ ok: boolean }>({ path: `/people/${i}` })).data.ok).toBe(true);
    expect(seen.tokenCalls).toHaveLength(1);
    expect(seen.tokenCalls[0]!.cn).toBe('orgsync test client');
    expect(seen.tokenCalls[0]!.body).toBe('grant_type=client_credentials');
    expect(seen.apiCalls.map((a) => a.cn)).toEqual([
      'orgsync test client',
      'orgsync test client',
      'orgsync test client',
    ]);
    expect(new Set(seen.apiCalls.map((a) => a.authorization))).toEqual(
      new Set([`Bearer at-${issued}-${'x'.repeat(24)}`]),
    );
    // A second client with the same credentials (another connector instance) reuses the cached token.
    await client().request({ path: '/again' });
    expect(seen.tokenCalls).toHaveLength(1);
  });

  it('sends scope and extra params, or the credentials in the form body when asked', async () => {
    behaviour.tokenReply = () => ({
      status: 200,
      body: { access_token: 'at-form-token-0123456789', token_type: 'bearer', expires_in: '3600' },
    });
    await client({}, { scope: 'WebLinkAPI', clientAuth: 'body', params: { audience: 'hr' } }).request({ path: '/x' });
    const call = seen.tokenCalls[0]!;
    expect(call.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(call.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'WebLinkAPI',
      audience: 'hr',
      client_id: CLIENT_ID,
      client_secret: SECRET,
    });
  });

  it('concurrent calls share one in-flight token request', async () => {
    behaviour.tokenDelayMs = 150;
    const c = client();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => c.request({ path: `/p/${i}` })));
    expect(results).toHaveLength(12);
    expect(seen.tokenCalls).toHaveLength(1);
    expect(seen.apiCalls).toHaveLength(12);
  });

  it('renews the token when it expires (minus the skew)', async () => {
    behaviour.expiresIn = 1; // 1 s; with the default 60 s skew it is kept for half its life
    const c = client();
    await c.request({ path: '/a' });
    await c.request({ path: '/b' });
    expect(seen.tokenCalls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 600));
    await c.request({ path: '/c' });
    expect(seen.tokenCalls).toHaveLength(2);
    expect(seen.apiCalls.at(-1)!.authorization).toBe(`Bearer at-${issued}-${'x'.repeat(24)}`);
  });

  it('a 401 from the API fetches a new token once and repeats the call', async () => {
    const c = client();
    await c.request({ path: '/a' });
    const first = issued;
    behaviour.revoked.add(`at-${first}-${'x'.repeat(24)}`);
    const res = await c.request<{ ok: boolean }>({ path: '/b' });
    expect(res.data.ok).toBe(true);
    expect(seen.tokenCalls).toHaveLength(2);
    expect(seen.apiCalls.map((a) => a.authorization?.split('-')[1])).toEqual([
      String(first),
      String(first),
      String(first + 1),
    ]);
  });

  it('a second 401 is a typed auth error: one refresh, no retries', async () => {
    behaviour.rejectAll = true;
    const err = await client()
      .request({ path: '/a' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err).toMatchObject({ kind: 'auth', status: 401, retryable: false });
    expect(seen.tokenCalls).toHaveLength(2);
    expect(seen.apiCalls).toHaveLength(2);
    expect(allText(err)).not.toContain(`at-${issued}-`);
    expect(allText(err)).not.toContain(`at-${issued - 1}-`);
  });

  it('token endpoint errors are typed, not retried when they cannot heal, and never show the secret', async () => {
    behaviour.tokenReply = () => ({
      status: 400,
      body: { error: 'invalid_client', error_description: `client secret ${SECRET} is not valid` },
    });
    const logs: string[] = [];
    const logger = {
      debug: (m: string) => logs.push(m),
      warn: (m: string) => logs.push(m),
      info: (m: string) => logs.push(m),
      error: (m: string) => logs.push(m),
    };
    const err = await client({ logger })
      .request({ path: '/a' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      kind: 'auth',
      code: 'invalid_client',
      status: 400,
      retryable: false,
      endpoint: 'POST /oauth/token',
    });
    expect((err as Error).message).toMatch(/rejected the client credentials \(400 invalid_client\)/);
    expect(seen.tokenCalls).toHaveLength(1);
    expect(seen.apiCalls).toHaveLength(0);
    const text = allText(err) + logs.join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64'));
    expect(text).toContain('[REDACTED]');

    seen.tokenCalls = [];
    behaviour.tokenReply = () => ({ status: 400, body: { error: 'invalid_scope' } });
    expect(
      await client()
        .request({ path: '/a' })
        .catch((e: unknown) => e),
    ).toMatchObject({ kind: 'config', code: 'invalid_scope' });
    behaviour.tokenReply = () => ({ status: 200, body: { token_type: 'Bearer' } });
    expect(
      await client()
        .request({ path: '/a' })
        .catch((e: unknown) => e),
    ).toMatchObject({ kind: 'vendor', code: 'token_response_invalid' });
    behaviour.tokenReply = () => ({ status: 404, body: {} });
    expect(
      await client()
        .request({ path: '/a' })
        .catch((e: unknown) => e),
    ).toMatchObject({ kind: 'config', code: 'token_404' });
  });

  it('wrong client credentials against the real check: auth error', async () => {
    const err = await client({}, { clientSecret: 'cs_wrong_secret_value_000' })
      .request({ path: '/a' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'auth', code: 'invalid_client', status: 401 });
    expect(allText(err)).not.toContain('cs_wrong_secret_value_000');
  });

  it('a failing token endpoint (503, then a token) is retried like any call', async () => {
    let calls = 0;
    behaviour.tokenReply = () =>
      ++calls === 1
        ? { status: 503, body: { error: 'temporarily_unavailable' } }
        : { status: 200, body: { access_token: 'at-after-503-abcdefghijkl', expires_in: 60 } };
    const res = await client().request<{ ok: boolean }>({ path: '/a' });
    expect(res.data.ok).toBe(true);
    expect(seen.tokenCalls).toHaveLength(2);
  });

  it('without a client certificate the handshake fails: a typed auth error, not retried', async () => {
    const err = await client({ tls: { ca: pki.ca } })
      .request({ path: '/a' })
      .catch((e: unknown) => e);
    // The token request is the first call: it fails in the handshake too.
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err).toMatchObject({ kind: 'auth', code: 'client_certificate_rejected', retryable: false });
    expect((err as Error).message).toMatch(/requires a client certificate/);
    expect(seen.tokenCalls).toHaveLength(0);
  });

  it('with a certificate from another CA the server refuses it: a typed auth error', async () => {
    const err = await client({ tls: { cert: pki.stranger.cert, key: pki.stranger.key, ca: pki.ca } })
      .request({ path: '/a' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err).toMatchObject({ kind: 'auth', code: 'client_certificate_rejected' });
    expect(allText(err)).not.toContain(pki.stranger.key.split('\n')[1]!);
    expect(seen.tokenCalls).toHaveLength(0);
  });

  it('a server certificate from an unknown CA is a config error', async () => {
    const err = await client({ tls: { cert: pki.client.cert, key: pki.client.key } })
      .request({ path: '/a' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'config', code: 'server_certificate_untrusted' });
  });

  it('certificates as file paths, encrypted keys with a passphrase', async () => {
    const write = (name: string, text: string) => {
      const f = path.join(tmp, name);
      fs.writeFileSync(f, text);
      return f;
    };
    const tlsFiles = {
      cert: write('client.crt', pki.client.cert),
      key: write('client-enc.key', pki.encryptedClient.key),
      passphrase: pki.encryptedClient.passphrase,
      ca: write('ca.crt', pki.ca),
    };
    expect((await client({ tls: tlsFiles }).request<{ ok: boolean }>({ path: '/files' })).data.ok).toBe(true);
    expect(seen.apiCalls[0]!.cn).toBe('orgsync test client');
  });

  it('unusable certificates are config errors when the client is created, without key material', () => {
    const make = (tls: HttpClientConfig['tls']) => {
      try {
        client({ tls });
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const mismatch = make({ cert: pki.client.cert, key: pki.stranger.key });
    expect(mismatch).toMatchObject({ kind: 'config', code: 'client_certificate_invalid' });
    expect((mismatch as Error).message).toMatch(/does not belong to the client certificate/);
    expect(
      make({ cert: pki.client.cert, key: pki.encryptedClient.key, passphrase: 'not-the-passphrase' }),
    ).toMatchObject({
      kind: 'config',
      message: expect.stringMatching(/private key could not be read \(wrong passphrase/),
    });
    const missing = make({ cert: path.join(tmp, 'nope.crt'), key: pki.client.key });
    expect(missing).toMatchObject({
      kind: 'config',
      code: 'client_certificate_unreadable',
      message: expect.stringContaining('nope.crt'),
    });
    const keyNotPem = make({
      cert: pki.client.cert,
      key: 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg-not-a-file',
    });
    expect(keyNotPem).toMatchObject({ kind: 'config', code: 'client_certificate_unreadable' });
    expect(allText(keyNotPem)).not.toContain('MIGHAgEAMBMGByqGSM49');
  });

  it('the rate limiter is keyed by the credential, not by the rotating token', async () => {
    const a = client({ vendor: 'shared-vendor' });
    const b = client({ vendor: 'shared-vendor' });
    const other = client({ vendor: 'shared-vendor' }, { clientId: 'another-client' });
    expect((a as any).limiter).toBe((b as any).limiter);
    expect((a as any).limiter).not.toBe((other as any).limiter);
    // Inspecting or serializing the client shows no credential.
    expect(`${inspect(a)} ${JSON.stringify(a)}`).not.toContain(SECRET);
  });
});

describe.skipIf(skip)('the simulator server over mutual TLS with a client-credentials token endpoint', () => {
  it('serves HTTPS, requires the client certificate and issues tokens; revoked tokens are refreshed once', async () => {
    const { startSimulator } = await import('../../src/simulator/server.js');
    const { SimTokenIssuer } = await import('../../src/simulator/oauth2.js');
    const issuer = new SimTokenIssuer({ clientId: 'sim-client', clientSecret: 'sim-secret-0123456789', scope: 'read' });
    const sim = await startSimulator(
      {
        vendor: 'simtls',
        route: (p) => p,
        handle: (req) =>
          req.path === '/token'
            ? issuer.handle(req)
            : issuer.authorized(req)
              ? { status: 200, body: { ok: true } }
              : { status: 401, body: { error: 'invalid_token' } },
      },
      { tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca } },
    );
    try {
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
      const c = new HttpClient({
        vendor: 'simtls',
        vendorName: 'Sim',
        baseUrl: sim.url,
        auth: {
          type: 'oauth2-client-credentials',
          tokenUrl: `${sim.url}/token`,
          clientId: 'sim-client',
          clientSecret: 'sim-secret-0123456789',
          scope: 'read',
        },
        tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
        defaultRateLimit: { requests: Infinity, intervalMs: 1000, concurrency: 4 },
        retry: { retries: 1, baseDelayMs: 1 },
      });
      expect((await c.request<{ ok: boolean }>({ path: '/a' })).data.ok).toBe(true);
      issuer.revokeAll();
      expect((await c.request<{ ok: boolean }>({ path: '/b' })).data.ok).toBe(true);
      expect(issuer.requests).toBe(2);
      expect(sim.log.map((l) => `${l.path} ${l.status}`)).toEqual([
        '/token 200',
        '/a 200',
        '/b 401',
        '/token 200',
        '/b 200',
      ]);
      const scopeless = new HttpClient({
        ...(c as any).config,
        vendor: 'simtls2',
        auth: { ...(c as any).config.auth, scope: undefined },
      });
      expect(await scopeless.request({ path: '/c' }).catch((e: unknown) => e)).toMatchObject({
        kind: 'config',
        code: 'invalid_scope',
      });
    } finally {
      await sim.close();
    }
  });
});
