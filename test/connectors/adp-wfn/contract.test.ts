/**
 * The ADP connector end to end against a local HTTPS server that requires the client certificate
 * (mutual TLS) and serves the fixtures: the token request (Basic client auth, client certificate),
 * the workers request ($top/$skip/$count, roleCode, Bearer token), the snapshot it yields, and the
 * failures: no or a foreign certificate, a rejected client, a 403 (not entitled), a 400 confirmMessage.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adpWfn } from '../../../connectors/adp-wfn/index.js';
import { clearTokenCache } from '../../../src/http/auth.js';
import { startSimulator, type SimRequest, type SimResponse, type Simulator } from '../../../src/simulator/server.js';
import { hasOpenssl, testPki, type TestPki } from '../../../src/simulator/tls.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { errorText } from '../../../src/testing/conformance.js';
import { AOID, fixture } from './helpers.js';

const SECRET = 'adp-fixture-client-secret-7d41e0';
const skip = !hasOpenssl();
// Skipped with a message on a machine without openssl; in CI (where .ci/run installs it) its absence is a failure.
if (skip && process.env['CI']) throw new Error('CI: the openssl CLI is missing; the ADP contract tests need it');
if (skip) console.warn('ADP contract tests skipped: the openssl CLI is needed to issue the test certificates');

let pki: TestPki;
let sim: Simulator;
let requests: SimRequest[] = [];
let reply: ((req: SimRequest) => SimResponse | undefined) | undefined;
const now = new Date('2026-06-01T12:00:00Z');

const errorReply = (name: string): SimResponse => {
  const f = fixture(name);
  return { status: f.status, headers: f.headers, body: f.body };
};

beforeAll(async () => {
  if (skip) return;
  pki = testPki();
  sim = await startSimulator(
    {
      vendor: 'adp-wfn',
      route: (p) => p,
      handle: (req) => {
        requests.push(req);
        const custom = reply?.(req);
        if (custom) return custom;
        if (req.path === '/auth/oauth/v2/token') {
          const ok = req.headers.authorization === `Basic ${Buffer.from(`client-1:${SECRET}`).toString('base64')}`;
          return ok
            ? { status: 200, body: fixture('POST_auth_oauth_v2_token.json') }
            : errorReply('POST_auth_oauth_v2_token_401_invalid_client.json');
        }
        if (req.headers.authorization !== `Bearer ${fixture('POST_auth_oauth_v2_token.json').access_token}`)
          return errorReply('401_invalid_token.json');
        if (req.path === '/hr/v2/workers')
          return {
            status: 200,
            headers: fixture('GET_hr_v2_workers.headers.json'),
            body: fixture('GET_hr_v2_workers.json'),
          };
        return { status: 404, body: '' };
      },
    },
    { tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca } },
  );
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  requests = [];
  reply = undefined;
  clearTokenCache();
});

const options = (extra: Record<string, unknown> = {}) => ({
  clientId: 'client-1',
  clientSecret: SECRET,
  clientCert: pki.client.cert,
  clientKey: pki.client.key,
  caCert: pki.ca,
  tokenUrl: `${sim.url}/auth/oauth/v2/token`,
  baseUrl: sim.url,
  companyName: 'Acme Robotics',
  http: { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 } },
  ...extra,
});

describe.skipIf(skip)('ADP Workforce Now against a mutual-TLS server serving the fixtures', () => {
  it('sends the documented requests and reads the fixture company', async () => {
    const s = await takeSnapshot(adpWfn(options()), { now });
    const [token, workers, ...rest] = requests;
    expect(rest).toEqual([]);
    expect(token!.method).toBe('POST');
    expect(Object.fromEntries(new URLSearchParams(token!.body))).toEqual({ grant_type: 'client_credentials' });
    expect(workers!.path).toBe('/hr/v2/workers');
    expect(Object.fromEntries(workers!.query)).toEqual({ $count: 'true', $top: '100', $skip: '0' });
    expect(workers!.headers['rolecode']).toBe('practitioner');

    expect(s.company).toMatchObject({ id: 'adp-wfn:client-1', name: 'Acme Robotics' });
    const e = (id: string) => s.employees.find((x) => x.id === id)!;
    expect(s.employees).toHaveLength(7);
    expect(e(AOID.rehire).managerId).toBe(AOID.ceo); // resolved from reportsTo[].workerID
    expect(e(AOID.leave).managerId).toBe(AOID.engMgr);
    expect(s.employees.map((x) => [x.id, x.employmentStatus])).toEqual(
      expect.arrayContaining([
        [AOID.leave, 'LEAVE'],
        [AOID.terminated, 'TERMINATED'],
        [AOID.futureHire, 'PENDING'],
        [AOID.inactive, 'UNKNOWN'],
      ]),
    );
    expect(s.groups.map((g) => g.id).sort()).toEqual(
      [
        'Business Unit:CORP',
        'Business Unit:GTM',
        'Business Unit:PE',
        'Department:CS',
        'Department:ENG',
        'Department:EXEC',
        'Department:PPL',
        'Department:PROD',
        'Department:SALES',
      ].sort(),
    );
    expect(s.locations.map((l) => l.id).sort()).toEqual(['HQ', 'REMOTE']);
    expect(JSON.stringify(s)).not.toContain(SECRET);
  });

  it('the certificate is required; a foreign one fails in the TLS handshake: an auth error before any HTTP request', () => {
    let err: unknown;
    try {
      adpWfn(options({ clientCert: undefined, clientKey: undefined }));
    } catch (x) {
      err = x;
    }
    expect(err).toMatchObject({ kind: 'config' });
    expect(String((err as Error).message)).toMatch(/clientCert/);
  });

  it('a certificate from another CA fails in the TLS handshake: an auth error before any HTTP request', async () => {
    const foreign = await takeSnapshot(
      adpWfn(options({ clientCert: pki.stranger.cert, clientKey: pki.stranger.key })),
      { now },
    ).catch((x: unknown) => x);
    expect(foreign).toMatchObject({ kind: 'auth', code: 'client_certificate_rejected' });
    expect(requests).toEqual([]);
    expect(errorText(foreign)).not.toContain(pki.stranger.key.split('\n')[1]!);
  });

  it('a rejected client is an auth error from the token endpoint, without the secret', async () => {
    const err = await takeSnapshot(adpWfn(options({ clientSecret: 'wrong-adp-secret-123456' })), { now }).catch(
      (x: unknown) => x,
    );
    expect(err).toMatchObject({ kind: 'auth', code: 'invalid_client', status: 401 });
    expect(requests).toHaveLength(1);
    expect(errorText(err)).not.toContain('wrong-adp-secret-123456');
  });

  it('403 (API product or data-access consent missing) is an auth error quoting ADP', async () => {
    reply = (req) => (req.path === '/hr/v2/workers' ? errorReply('403_not_entitled.json') : undefined);
    const err = await takeSnapshot(adpWfn(options()), { now }).catch((x: unknown) => x);
    expect(err).toMatchObject({ kind: 'auth', status: 403 });
    expect((err as Error).message).toMatch(
      /Requested resource is not authorized for the requester.*data-access consent/,
    );
  });

  it('400 confirmMessage: a vendor error quoting the message', async () => {
    reply = (req) => (req.path === '/hr/v2/workers' ? errorReply('400_invalid_query.json') : undefined);
    const err = await takeSnapshot(adpWfn(options()), { now }).catch((x: unknown) => x);
    const kind =
      (err as { kind: string }).kind === 'incomplete'
        ? (err as { cause: { kind: string } }).cause.kind
        : (err as { kind: string }).kind;
    expect(kind).toBe('vendor');
    expect(errorText(err)).toContain('queryParameter is invalid.');
  });

  it('a page without a workers list fails the read (never an empty company)', async () => {
    reply = (req) => (req.path === '/hr/v2/workers' ? { status: 200, body: { meta: { totalNumber: 0 } } } : undefined);
    const err = await takeSnapshot(adpWfn(options()), { now }).catch((x: unknown) => x);
    expect(err).toMatchObject({ kind: 'incomplete' });
  });
});
