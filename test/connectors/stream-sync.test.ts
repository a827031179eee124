/**
 * Streaming JSON end to end (`RequestSpec.stream`, declared by BambooHR's report and SCIM's lists):
 * the same snapshot with streaming on and off on the vendor simulators, bodies large enough to
 * arrive in many chunks; a cut-off page after earlier pages were handed over still gives no
 * snapshot; the fingerprints taken from record text collapse a repeated record as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bamboohr } from '../../connectors/bamboohr/index.js';
import { bambooDataFromSample, bamboohrRoutes } from '../../connectors/bamboohr/simulator.js';
import { scim } from '../../connectors/scim/index.js';
import { scimDataFromSample, scimRoutes } from '../../connectors/scim/simulator.js';
import { OrgsyncError } from '../../src/errors.js';
import type { ProgressEvent, RequestSpec } from '../../src/http/client.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { sync } from '../../src/sync.js';

const TODAY = '2026-06-01';
const NOW = new Date(`${TODAY}T00:00:00Z`);
// ~2,000 people: BambooHR's report is ~2 MB and SCIM pages of 500 ~0.9 MB, so bodies arrive in many chunks.
const org = sampleOrg({ size: 2000, today: TODAY });
const fast = {
  retry: { baseDelayMs: 2, maxDelayMs: 10, retries: 2 },
  rateLimit: { requests: Infinity, concurrency: 4 },
};

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('BambooHR: one report, streamed', () => {
  async function start() {
    const data = bambooDataFromSample(org);
    sim = await startSimulator(bamboohrRoutes(data));
    return (streamJson: boolean) =>
      bamboohr({ subdomain: 'acme', apiKey: data.apiKey, baseUrl: `${sim!.url}/api`, http: { ...fast, streamJson } });
  }

  it('gives the same snapshot with streaming on and off', async () => {
    const connect = await start();
    const on = await takeSnapshot(connect(true), { now: NOW });
    const off = await takeSnapshot(connect(false), { now: NOW });
    expect(on.employees).toHaveLength(2000);
    expect(on).toEqual(off);
    expect(JSON.stringify(on)).toBe(JSON.stringify(off));
  });

  it('a report cut off once is read again; cut off on every attempt gives no snapshot', async () => {
    const connect = await start();
    sim!.inject({ match: '/reports/custom', fault: { type: 'truncate' } });
    expect((await takeSnapshot(connect(true), { now: NOW })).employees).toHaveLength(2000);
    sim!.inject({ match: '/reports/custom', times: Infinity, fault: { type: 'truncate' } });
    const err = await takeSnapshot(connect(true), { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).code).toBe('malformed_body');
    expect((err as OrgsyncError).kind).toBe('incomplete');
  });

  it('a report cut off at any byte, then read whole, gives exactly the uncut snapshot (staged work of the cut attempt leaves no trace)', async () => {
    // Records are validated, mapped and built as they arrive (staged per attempt); the cut attempt
    // carries other job titles, so anything of it that reached the snapshot would show.
    const connect = await start();
    const whole = await takeSnapshot(connect(true), { now: NOW });
    const stale = (res: { status: number; body?: unknown }) => {
      const body = res.body as { employees: Array<Record<string, unknown>> };
      return JSON.stringify({ ...body, employees: body.employees.map((e) => ({ ...e, jobTitle: 'Stale' })) });
    };
    let length = 0;
    sim!.inject({
      match: '/reports/custom',
      fault: { type: 'transform', fn: (res) => ((length = stale(res).length), res) },
    });
    await takeSnapshot(connect(true), { now: NOW });
    expect(length).toBeGreaterThan(500_000);
    const offsets = [1, 40, 200, 1001, 65_536, 65_537, length >> 2, length >> 1, length - 2000, length - 3, length - 1];
    for (const at of offsets) {
      sim!.inject({
        match: '/reports/custom',
        fault: { type: 'transform', fn: (res) => ({ ...res, body: stale(res).slice(0, at) }) },
      });
      const again = await takeSnapshot(connect(true), { now: NOW });
      expect(JSON.stringify(again), `cut at byte ${at}`).toBe(JSON.stringify(whole));
    }
    // Cut off on every attempt (after most records were staged): no snapshot.
    sim!.inject({
      match: '/reports/custom',
      times: Infinity,
      fault: { type: 'transform', fn: (res) => ({ ...res, body: stale(res).slice(0, length - 3) }) },
    });
    const err = await takeSnapshot(connect(true), { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).code).toBe('malformed_body');
  });

  it('a row that does not validate while staged fails the sync with its index, as an unstaged one does', async () => {
    const connect = await start();
    sim!.inject({
      match: '/reports/custom',
      times: Infinity,
      fault: {
        type: 'transform',
        fn: (res) => {
          const body = res.body as { employees: Array<Record<string, unknown>> };
          return {
            ...res,
            body: { ...body, employees: body.employees.map((e, i) => (i === 1499 ? { ...e, id: { no: 1 } } : e)) },
          };
        },
      },
    });
    const on = await takeSnapshot(connect(true), { now: NOW }).catch((e: unknown) => e);
    const off = await takeSnapshot(connect(false), { now: NOW }).catch((e: unknown) => e);
    expect(on).toBeInstanceOf(OrgsyncError);
    expect((on as OrgsyncError).code).toBe('vendor_row_invalid');
    expect((on as OrgsyncError).message).toContain('#1500');
    expect((on as OrgsyncError).message).toBe((off as OrgsyncError).message);
  });

  it('a row listed twice collapses when its text is the same, and fails duplicate_id when it differs', async () => {
    const connect = await start();
    const twice = (change: boolean) =>
      sim!.inject({
        match: '/reports/custom',
        fault: {
          type: 'transform',
          fn: (res) => {
            const body = res.body as { employees: Array<Record<string, unknown>> };
            const first = body.employees[0]!;
            return {
              ...res,
              body: { ...body, employees: [...body.employees, change ? { ...first, jobTitle: 'Changed' } : first] },
            };
          },
        },
      });
    twice(false);
    expect((await takeSnapshot(connect(true), { now: NOW })).employees).toHaveLength(2000);
    twice(true);
    const err = await takeSnapshot(connect(true), { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).code).toBe('duplicate_id');
  });

  it('an incremental sync (the report filtered by lastChanged, streamed) equals the full read', async () => {
    const connect = await start();
    const previous = await takeSnapshot(connect(true), { now: NOW });
    const result = await sync(connect(true), { previous, now: new Date(NOW.getTime() + 60_000) });
    expect(result.snapshot.employees).toEqual(previous.employees);
  });
});

describe('SCIM: pages of Resources, streamed', () => {
  it('streams pages of 500 records or more, reads pages of 100 whole', () => {
    const request = scim.definition.employees.request as (ctx: { pageSize: number }, o: unknown) => RequestSpec;
    expect(request({ pageSize: 100 }, {}).stream).toBeUndefined();
    expect(request({ pageSize: 499 }, {}).stream).toBeUndefined();
    expect(request({ pageSize: 500 }, {}).stream).toEqual({ records: ['Resources'], ignoreCase: true });
  });

  async function start() {
    const data = scimDataFromSample(org, { maxResults: 1000 });
    sim = await startSimulator(scimRoutes(data));
    return (streamJson: boolean, onProgress?: (e: ProgressEvent) => void) =>
      scim({
        baseUrl: `${sim!.url}${data.basePath}`,
        token: data.token,
        pageSize: 500,
        http: { ...fast, streamJson, ...(onProgress ? { onProgress } : {}) },
      });
  }

  it('gives the same snapshot with streaming on and off', async () => {
    const connect = await start();
    const on = await takeSnapshot(connect(true), { now: NOW });
    const off = await takeSnapshot(connect(false), { now: NOW });
    expect(on.employees).toHaveLength(2000);
    expect(JSON.stringify(on)).toBe(JSON.stringify(off));
  });

  it('a page cut off on every attempt after earlier pages were handed over gives no snapshot', async () => {
    const connect = await start();
    sim!.inject({ match: 'startIndex=1501', times: Infinity, fault: { type: 'truncate' } });
    const pages: number[] = [];
    const err = await takeSnapshot(
      connect(true, (e) => {
        if (e.type === 'page' && e.resource === 'employees') pages.push(e.items);
      }),
      { now: NOW },
    ).catch((e: unknown) => e);
    expect(pages).toEqual([500, 500, 500]); // three pages went to the mapper before the fourth failed
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).kind).toBe('incomplete');
    expect((err as OrgsyncError).code).toBe('malformed_body');
  });
});
