import { afterEach, describe, expect, it } from 'vitest';
import { scim } from '../../../connectors/scim/index.js';
import {
  costCenterOf,
  ENGINEERING_TEAMS,
  scimDataFromSample,
  scimGroupId,
  scimRoutes,
  scimUserId,
  type ScimDataOptions,
  type ScimRoutesOptions,
} from '../../../connectors/scim/simulator.js';
import { OrgsyncError } from '../../../src/errors.js';
import type { OrgSnapshot } from '../../../src/model.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { rejection } from './helpers.js';

const TODAY = '2026-06-01';
const NOW = new Date(`${TODAY}T00:00:00Z`);
const org = sampleOrg({ size: 160, today: TODAY });
const fast = { retry: { baseDelayMs: 2, maxDelayMs: 10 }, rateLimit: { requests: Infinity, concurrency: 4 } };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(
  dataOpts: ScimDataOptions = {},
  routeOpts: ScimRoutesOptions = {},
  simOpts: SimulatorOptions = {},
) {
  const data = scimDataFromSample(org, dataOpts);
  sim = await startSimulator(scimRoutes(data, routeOpts), simOpts);
  const connect = (extra: Record<string, unknown> = {}) =>
    scim({ baseUrl: `${sim!.url}${data.basePath}`, token: data.token, pageSize: 25, http: fast, ...extra });
  return { data, sim, connect };
}

const userRequests = () => sim!.log.filter((l) => l.path.includes('/Users'));
const startIndexes = () =>
  userRequests().map((l) => Number(new URL(l.path, 'http://x').searchParams.get('startIndex')));

/** What every full read of the sample company must contain, whatever the server's quirks. */
function expectSampleCompany(snap: OrgSnapshot) {
  expect(snap.employees).toHaveLength(org.people.length);
  expect(new Set(snap.employees.map((e) => e.id)).size).toBe(org.people.length);
  const byId = new Map(snap.employees.map((e) => [e.id, e]));
  for (const p of org.people) {
    const e = byId.get(scimUserId(p.key))!;
    expect(e, `person ${p.key}`).toBeDefined();
    expect(e.managerId).toBe(p.managerKey ? scimUserId(p.managerKey) : null);
    expect(e.workEmail).toBe(p.workEmail);
    expect(e.personalEmail).toBe(p.personalEmail);
    expect(e.employeeNumber).toBe(p.employeeNumber);
    expect(e.employmentStatus).toBe(p.status === 'terminated' || p.status === 'pending' ? 'TERMINATED' : 'ACTIVE');
    expect(e.groupIds).toContain(`department:${p.department}`);
    expect(e.groupIds).toContain(`division:${p.division}`);
    expect(e.groupIds).toContain(`costCenter:${costCenterOf(org, p.department)}`);
    if (p.team) expect(e.groupIds).toContain(scimGroupId(p.team));
    expect(e.groupIds).not.toContain(scimGroupId(ENGINEERING_TEAMS)); // only ever an indirect membership
  }
  expect(snap.warnings).toEqual([]);
}

describe('SCIM against the local simulator', () => {
  it('takes a full snapshot of 160 people over several pages', async () => {
    const { connect } = await start();
    const snap = await takeSnapshot(connect(), { now: NOW });
    expectSampleCompany(snap);
    expect(startIndexes()).toEqual([1, 26, 51, 76, 101, 126, 151]);
    const types = Object.fromEntries(
      ['CONTRACTOR', 'PART_TIME', 'INTERN', 'TEMPORARY'].map((t) => [
        t,
        snap.employees.filter((e) => e.employmentType === t).length,
      ]),
    );
    expect(types).toEqual({
      CONTRACTOR: org.people.filter((p) => p.type === 'contractor').length,
      PART_TIME: org.people.filter((p) => p.type === 'part_time').length,
      INTERN: org.people.filter((p) => p.type === 'intern').length,
      TEMPORARY: org.people.filter((p) => p.type === 'temporary').length,
    });
    expect(types.CONTRACTOR).toBeGreaterThan(0);
    const groups = new Map(snap.groups.map((g) => [g.id, g]));
    expect(groups.get(scimGroupId('Platform'))).toMatchObject({
      name: 'Platform',
      type: 'OTHER',
      parentId: scimGroupId(ENGINEERING_TEAMS),
    });
    expect(groups.get(scimGroupId('Enterprise Sales'))!.parentId).toBeNull();
    expect(groups.get('department:Sales')).toMatchObject({ type: 'DEPARTMENT', parentId: 'division:Go To Market' });
  });

  it('caps the page size at filter.maxResults', async () => {
    const { connect } = await start({ maxResults: 40 });
    const snap = await takeSnapshot(connect({ pageSize: 100 }), { now: NOW });
    expect(snap.employees).toHaveLength(160);
    expect(userRequests().every((l) => l.path.includes('count=40'))).toBe(true);
    expect(startIndexes()).toEqual([1, 41, 81, 121]);
  });

  it('stringly booleans ("True"/"False") read the same as JSON booleans', async () => {
    const { connect } = await start({ stringBooleans: true });
    const snap = await takeSnapshot(connect(), { now: NOW });
    expectSampleCompany(snap);
    expect(new Set(snap.employees.map((e) => e.employmentStatusRaw))).toEqual(new Set(['True', 'False']));
  });

  it('manager as a plain id string (Entra) resolves like {value, $ref}', async () => {
    const { connect } = await start({ managerAsString: true });
    expectSampleCompany(await takeSnapshot(connect(), { now: NOW }));
  });

  it('a server labelling pages from startIndex 0 is read completely', async () => {
    const { connect } = await start({}, { zeroBased: true });
    expectSampleCompany(await takeSnapshot(connect(), { now: NOW }));
    expect(sim!.log.filter((l) => l.path.includes('/Users')).length).toBe(7);
  });

  it('a strictly 0-based server (startIndex=1 skips the first person) fails as incomplete: no snapshot', async () => {
    const { connect } = await start({}, { zeroBased: 'strict' });
    const err = await rejection(takeSnapshot(connect(), { now: NOW }));
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('incomplete');
  });

  it('a server that ignores count is walked by the records it returns', async () => {
    const { connect } = await start({}, { ignoreCount: 7 });
    expectSampleCompany(await takeSnapshot(connect(), { now: NOW }));
    expect(startIndexes().slice(0, 4)).toEqual([1, 8, 15, 22]);
  });

  it('wrap-around past the end: stops on totalResults without ever asking past it', async () => {
    const { connect } = await start({}, { wrapAround: true });
    expectSampleCompany(await takeSnapshot(connect(), { now: NOW }));
    expect(Math.max(...startIndexes())).toBeLessThanOrEqual(160);
  });

  it('wrap-around without totalResults: stops on the repeated page, no duplicates', async () => {
    const { connect } = await start({}, { wrapAround: true, omitTotalResults: true });
    const snap = await takeSnapshot(connect({ pageSize: 20 }), { now: NOW });
    expectSampleCompany(snap);
    expect(startIndexes()).toEqual([1, 21, 41, 61, 81, 101, 121, 141, 161]); // 161 wrapped to page one: the end
  });

  it('wrap-around with an inflated totalResults: incomplete, never a short snapshot', async () => {
    const { connect } = await start({}, { wrapAround: true, totalResultsOffset: 3 });
    const err = await rejection(takeSnapshot(connect({ pageSize: 20 }), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    // /Groups is walked first (5 groups announced as 8): it stops there.
    expect(err.message).toMatch(/paging \/Groups ended after 5 distinct records of the 8/);
  });

  it('itemsPerPage that echoes count (the default here) and a last short page', async () => {
    const { connect } = await start({}, { itemsPerPageEchoesCount: true });
    const snap = await takeSnapshot(connect({ pageSize: 50 }), { now: NOW });
    expect(snap.employees).toHaveLength(160);
    expect(startIndexes()).toEqual([1, 51, 101, 151]);
  });

  it('a Users-only server (/Groups 404) still syncs, with memberships from User.groups and a warning', async () => {
    const { connect } = await start({}, { groupsNotImplemented: true });
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(snap.employees).toHaveLength(160);
    const engineer = org.people.find((p) => p.team === 'Platform')!;
    expect(snap.employees.find((e) => e.id === scimUserId(engineer.key))!.groupIds).toContain(scimGroupId('Platform'));
    expect(snap.warnings[0]).toMatch(/\/Groups is not implemented/);
  });

  it('429 + Retry-After on a page, then success', async () => {
    const { connect } = await start();
    sim!.inject({
      match: 'startIndex=51',
      fault: {
        type: 'status',
        status: 429,
        headers: { 'Retry-After': '1' },
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: 'slow down' },
      },
    });
    const started = Date.now();
    const snap = await takeSnapshot(connect(), { now: NOW });
    expect(snap.employees).toHaveLength(160);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(sim!.log.filter((l) => l.status === 429)).toHaveLength(1);
  });

  it('server-side rate limiting (429 + Retry-After from the token bucket) is survived', async () => {
    const { connect } = await start({}, {}, { rateLimit: { requestsPerSecond: 20, burst: 3 } });
    const snap = await takeSnapshot(connect({ pageSize: 40 }), { now: NOW });
    expect(snap.employees).toHaveLength(160);
  });

  it('500 forever: incomplete after the configured retries, and no snapshot', async () => {
    const { connect } = await start();
    sim!.inject({
      match: '/Users',
      times: Infinity,
      fault: {
        type: 'status',
        status: 500,
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '500', detail: 'db down' },
      },
    });
    const err = await rejection(
      takeSnapshot(connect({ http: { ...fast, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } } }), { now: NOW }),
    );
    expect(err.kind).toBe('incomplete');
    expect(err.status).toBe(500);
    expect(userRequests()).toHaveLength(3);
  });

  it('401 is an auth error and is not retried', async () => {
    const { data, connect } = await start({}, { errorStatusAsNumber: true });
    const err = await rejection(takeSnapshot(connect({ token: `${data.token}-wrong` }), { now: NOW }));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('the bearer token is missing, invalid or expired');
    expect(sim!.log).toHaveLength(1);
  });

  it('a malformed body is retried; malformed on every attempt is incomplete', async () => {
    const { connect } = await start();
    sim!.inject({ match: 'startIndex=26', fault: { type: 'malformed' } });
    expect((await takeSnapshot(connect(), { now: NOW })).employees).toHaveLength(160);
    sim!.inject({ match: 'startIndex=26', times: Infinity, fault: { type: 'malformed' } });
    const err = await rejection(
      takeSnapshot(connect({ http: { ...fast, retry: { retries: 1, baseDelayMs: 1 } } }), { now: NOW }),
    );
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('malformed_body');
  });

  it('a failed middle page (503 forever) is incomplete: the pages before it never become a snapshot', async () => {
    const { connect } = await start();
    sim!.inject({ match: 'startIndex=76', times: Infinity, fault: { type: 'status', status: 503 } });
    const err = await rejection(
      takeSnapshot(connect({ http: { ...fast, retry: { retries: 1, baseDelayMs: 1 } } }), { now: NOW }),
    );
    expect(err.kind).toBe('incomplete');
    expect(err.status).toBe(503);
  });

  it('an HTML page instead of a middle page is incomplete', async () => {
    const { connect } = await start();
    sim!.inject({ match: 'startIndex=51', times: Infinity, fault: { type: 'html' } });
    const err = await rejection(takeSnapshot(connect(), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('unexpected_content_type');
  });

  it('a middle page that repeats page one is incomplete', async () => {
    const { connect, data } = await start();
    sim!.inject({
      match: 'startIndex=51',
      fault: {
        type: 'transform',
        fn: (r) => ({ ...r, body: { ...(r.body as object), startIndex: 51, Resources: data.users.slice(0, 25) } }),
      },
    });
    const err = await rejection(takeSnapshot(connect(), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.message).toContain('50 distinct records of the 160');
  });

  it('records that move between pages (total changes mid-walk): the walk starts again, or is incomplete', async () => {
    const { connect } = await start();
    const clean = await takeSnapshot(connect(), { now: NOW });
    // Once: the walk starts again from page one and completes with everyone, once.
    sim!.inject({
      match: 'startIndex=101',
      fault: { type: 'transform', fn: (r) => ({ ...r, body: { ...(r.body as object), totalResults: 161 } }) },
    });
    expect((await takeSnapshot(connect(), { now: NOW })).employees).toEqual(clean.employees);
    // On every walk: incomplete after the bounded re-walks.
    sim!.inject({
      match: 'startIndex=101',
      times: Infinity,
      fault: { type: 'transform', fn: (r) => ({ ...r, body: { ...(r.body as object), totalResults: 161 } }) },
    });
    const err = await rejection(takeSnapshot(connect(), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('total_changed');
  });

  it('incremental: only users modified since the watermark, deletions not reported', async () => {
    const { connect } = await start();
    const since = new Date(`2026-05-20T00:00:00Z`);
    const changes = await connect().readChanges!(since);
    const expected = org.people.filter((p) => Date.parse(p.updatedAt) > since.getTime()).map((p) => scimUserId(p.key));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(160);
    expect(changes.employees.map((e) => e.id).sort()).toEqual(expected.sort());
    expect(changes.deletedIds).toEqual([]);
    expect(
      userRequests().every((l) =>
        decodeURIComponent(l.path.replace(/\+/g, ' ')).includes('filter=meta.lastModified gt "2026-05-20T00:00:00Z"'),
      ),
    ).toBe(true);
  });

  it('renders 100,000 people, in time linear in the company size', () => {
    const small = sampleOrg({ size: 25_000, today: TODAY });
    const big = sampleOrg({ size: 100_000, today: TODAY });
    const time = (o: typeof org) => {
      const t = process.hrtime.bigint();
      const d = scimDataFromSample(o);
      return { ms: Number(process.hrtime.bigint() - t) / 1e6, d };
    };
    time(small); // warm up
    const a = time(small);
    const b = time(big);
    expect(b.d.users).toHaveLength(100_000);
    expect(new Set(b.d.users.map((u) => u['id'])).size).toBe(100_000);
    // 4x the people: linear is ~4x the time; quadratic would be ~16x.
    expect(b.ms / a.ms).toBeLessThan(10);
  });
});
