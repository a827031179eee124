import { afterEach, describe, expect, it } from 'vitest';
import { scim } from '../../../connectors/scim/index.js';
import { scimDataFromSample, scimRoutes } from '../../../connectors/scim/simulator.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { errorText, rejection } from './helpers.js';

const TOKEN = 'sk_scim_live_Zq81VbT0x9LmW2cR7yHn4Pk6';
const org = sampleOrg({ size: 30, today: '2026-06-01' });
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(mutate?: (d: ReturnType<typeof scimDataFromSample>) => void) {
  const data = scimDataFromSample(org, { token: TOKEN });
  mutate?.(data);
  sim = await startSimulator(scimRoutes(data));
  const lines: string[] = [];
  const logger = {
    debug: (m: string, meta?: unknown) => lines.push(m, JSON.stringify(meta)),
    info: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
    error: (m: string) => lines.push(m),
  };
  const connect = (extra: Record<string, unknown> = {}) =>
    scim({
      baseUrl: `${sim!.url}/scim/v2`,
      token: TOKEN,
      pageSize: 10,
      http: {
        retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 },
        logger,
        onProgress: (e: unknown) => lines.push(JSON.stringify(e)),
      },
      ...extra,
    });
  return { data, connect, lines };
}

/** A server that echoes the credential back (misconfigured proxies and debug modes do). */
const echoToken = (status: number) => ({
  type: 'status' as const,
  status,
  body: {
    schemas: [ERROR],
    status: String(status),
    detail: `Token ${TOKEN} rejected; request had Authorization: Bearer ${TOKEN}`,
  },
});

describe('the SCIM bearer token never leaks', () => {
  it('not from a 401 whose detail echoes the token', async () => {
    const { connect, lines } = await start();
    sim!.inject({ match: '/ServiceProviderConfig', fault: echoToken(401) });
    const err = await rejection(takeSnapshot(connect()));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('[REDACTED]'); // the echo is there, the token is not
    expect(errorText(err)).not.toContain(TOKEN);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('not from a 500 (retried, then incomplete) that echoes the Authorization header, nor its cause chain', async () => {
    const { connect, lines } = await start();
    sim!.inject({ match: '/Users', times: Infinity, fault: echoToken(500) });
    const err = await rejection(takeSnapshot(connect()));
    expect(err.kind).toBe('incomplete');
    expect(err.message).toContain('[REDACTED]');
    expect(errorText(err)).not.toContain(TOKEN);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('not from an incremental read rejected with the token in the detail', async () => {
    const { connect } = await start();
    sim!.inject({ match: 'filter=', fault: echoToken(400) });
    const err = await rejection(connect().readChanges!(new Date('2026-05-01T00:00:00Z')));
    expect(err.kind).toBe('vendor');
    expect(err.cause).toBeDefined();
    expect(errorText(err)).not.toContain(TOKEN);
  });

  it('not into a snapshot, even when a record carries it and raw records are kept', async () => {
    const { connect, lines } = await start((d) => {
      d.users[3]!['title'] = `Pasted ${TOKEN} here`;
      d.users[4]!['externalId'] = TOKEN;
    });
    const snap = await takeSnapshot(connect({ includeRemoteData: true }));
    expect(snap.employees).toHaveLength(30);
    expect(JSON.stringify(snap)).not.toContain(TOKEN);
    expect(JSON.stringify(snap)).toContain('[REDACTED]');
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('not from option errors', () => {
    for (const bad of [
      { baseUrl: 'http://idp.example.com/scim/v2', token: TOKEN },
      { baseUrl: 'not a url', token: TOKEN },
      { token: TOKEN },
    ]) {
      let caught: unknown;
      try {
        scim(bad as never);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeDefined();
      expect(errorText(caught)).not.toContain(TOKEN);
    }
  });
});
