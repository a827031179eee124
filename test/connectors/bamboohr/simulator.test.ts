import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bamboohr } from '../../../connectors/bamboohr/index.js';
import { bambooDataFromSample, bamboohrRoutes, bambooId } from '../../../connectors/bamboohr/simulator.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { OrgsyncError } from '../../../src/errors.js';
import { errorText } from '../../../src/testing/conformance.js';

const org = sampleOrg({ size: 60, today: '2026-06-01' });
const data = bambooDataFromSample(org);
let sim: Simulator;
const fast = { retry: { baseDelayMs: 2, maxDelayMs: 10 } };
const connector = (extra: Record<string, unknown> = {}) =>
  bamboohr({
    subdomain: 'acme',
    apiKey: data.apiKey,
    baseUrl: `${sim.url}/api/gateway.php/acme`,
    http: fast,
    ...extra,
  });

beforeAll(async () => {
  sim = await startSimulator(bamboohrRoutes(data, { throttleStatus: 503 }));
});
afterAll(() => sim.close());
beforeEach(() => sim.clearFaults());

describe('BambooHR against the local simulator', () => {
  it('reads the whole sample company on both base URL forms with identical results', async () => {
    const a = await takeSnapshot(connector(), { now: new Date('2026-06-01T00:00:00Z') });
    const b = await takeSnapshot(connector({ baseUrl: `${sim.url}/api` }), { now: new Date('2026-06-01T00:00:00Z') });
    expect(a).toEqual(b);
    expect(a.employees).toHaveLength(60);
    const expectTerminated = org.people.filter((p) => p.status === 'terminated').length;
    expect(a.employees.filter((e) => e.employmentStatus === 'TERMINATED')).toHaveLength(expectTerminated);
    // Every manager reference (given as employee numbers) resolved to the manager's id.
    for (const p of org.people) {
      const e = a.employees.find((x) => x.id === bambooId(p.key))!;
      expect(e.managerId).toBe(p.managerKey ? bambooId(p.managerKey) : null);
      expect(e.workEmail).toBe(p.workEmail);
    }
    expect(a.warnings).toEqual([]);
  });

  it('503 with Retry-After (BambooHR throttling before Sept 2026), then success', async () => {
    sim.inject({ match: '/reports/custom', fault: { type: 'status', status: 503, headers: { 'Retry-After': '1' } } });
    const started = Date.now();
    const snap = await takeSnapshot(connector());
    expect(snap.employees).toHaveLength(60);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950); // honoured the server's 1 s
  });

  it('429 with Retry-After as an HTTP date, then success', async () => {
    sim.inject({
      match: '/meta/lists',
      fault: { type: 'status', status: 429, headers: { 'Retry-After': new Date(Date.now() + 1000).toUTCString() } },
    });
    const snap = await takeSnapshot(connector());
    expect(snap.employees).toHaveLength(60);
    expect(sim.log.some((l) => l.status === 429)).toBe(true);
  });

  it('a connection dropped mid-body is retried', async () => {
    sim.inject({ match: '/reports/custom', fault: { type: 'reset' } });
    const snap = await takeSnapshot(connector());
    expect(snap.employees).toHaveLength(60);
  });

  it('a body truncated on every attempt ends as incomplete with no snapshot', async () => {
    sim.inject({ match: '/reports/custom', times: Infinity, fault: { type: 'truncate' } });
    const err = await takeSnapshot(connector({ http: { retry: { retries: 2, baseDelayMs: 1 } } })).catch((e) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('malformed_body');
  });

  it('500 forever: incomplete after the configured retries', async () => {
    const before = sim.stats.requests;
    sim.inject({ match: '/meta/lists', times: Infinity, fault: { type: 'status', status: 500 } });
    const err = await takeSnapshot(connector({ http: { retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 2 } } })).catch(
      (e) => e,
    );
    expect(err.kind).toBe('incomplete');
    expect(err.status).toBe(500);
    expect(sim.stats.requests - before).toBe(4);
  });

  it('a timeout is retried, then succeeds', async () => {
    sim.inject({ match: '/company_information', fault: { type: 'delay', ms: 400 } });
    const snap = await takeSnapshot(connector({ http: { timeoutMs: 150, retry: { baseDelayMs: 1 } } }));
    expect(snap.company.name).toBe('Acme Robotics');
  });

  it('a key without report access gets a 403 auth error', async () => {
    const err = await takeSnapshot(connector({ apiKey: data.restrictedKey })).catch((e) => e);
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(403);
  });

  it('an unknown subdomain in the gateway URL is a config error', async () => {
    const err = await takeSnapshot(
      bamboohr({ subdomain: 'nosuch', apiKey: data.apiKey, baseUrl: `${sim.url}/api/gateway.php/nosuch`, http: fast }),
    ).catch((e) => e);
    expect(err.kind).toBe('config');
    expect(err.status).toBe(404);
  });

  it('never leaks the API key or the Basic header into errors, causes or snapshots', async () => {
    const basic = Buffer.from(`${data.apiKey}:x`).toString('base64');
    const failures: unknown[] = [];
    failures.push(await takeSnapshot(connector({ apiKey: `${data.apiKey}-wrong` })).catch((e) => e));
    sim.inject({
      match: '/reports/custom',
      times: Infinity,
      fault: { type: 'status', status: 500, body: { error: { message: `echo ${data.apiKey} Basic ${basic}` } } },
    });
    failures.push(await takeSnapshot(connector({ http: { retry: { retries: 1, baseDelayMs: 1 } } })).catch((e) => e));
    sim.clearFaults();
    sim.inject({
      match: '/reports/custom',
      fault: {
        type: 'transform',
        fn: (r) => ({ ...r, body: JSON.stringify(r.body).replace('"Acme', `"${data.apiKey}`) }),
      },
    });
    const snap = await takeSnapshot(connector());
    for (const f of failures) {
      expect(f).toBeInstanceOf(OrgsyncError);
      const text = errorText(f);
      expect(text).not.toContain(data.apiKey);
      expect(text).not.toContain(basic);
    }
    expect(JSON.stringify(snap)).not.toContain(data.apiKey);
  });
});

describe('a connector object', () => {
  it('prints and serializes without its credentials', async () => {
    const { inspect } = await import('node:util');
    const c = connector();
    expect(inspect(c, { depth: 5 })).not.toContain(data.apiKey);
    expect(JSON.stringify(c)).not.toContain(data.apiKey);
    expect(JSON.stringify(c)).toContain('bamboohr');
    expect(inspect(c.http, { depth: 5 })).not.toContain(data.apiKey);
    expect(inspect({ wrapped: c }, { depth: 5 })).not.toContain(data.apiKey);
  });
});
