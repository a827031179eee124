import { afterEach, describe, expect, it } from 'vitest';
import { rippling } from '../../../connectors/rippling/index.js';
import {
  ripplingId,
  startRipplingSimulator,
  type RipplingRoutesOptions,
} from '../../../connectors/rippling/simulator.js';
import type { EmploymentStatus, EmploymentType, OrgSnapshot } from '../../../src/model.js';
import { sampleOrg, type SamplePerson } from '../../../src/simulator/sample-org.js';
import type { Simulator, SimulatorOptions } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { fast, failure } from './helpers.js';

const TODAY = '2026-03-02';
const NOW = new Date(`${TODAY}T12:00:00Z`);
const org = sampleOrg({ size: 40, today: TODAY });

let running: Simulator[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

async function start(
  api: 'rest' | 'legacy',
  routes: RipplingRoutesOptions = { pageSize: 7 },
  simulator?: SimulatorOptions,
) {
  const r = await startRipplingSimulator(org, { api, routes, ...(simulator ? { simulator } : {}) });
  running.push(r.sim);
  return r;
}

const expectedStatus = (p: SamplePerson): EmploymentStatus =>
  p.status === 'terminated' ? 'TERMINATED' : p.status === 'pending' ? 'PENDING' : 'ACTIVE'; // no leave state in Rippling
const expectedType: Record<SamplePerson['type'], EmploymentType> = {
  full_time: 'FULL_TIME',
  part_time: 'PART_TIME',
  contractor: 'CONTRACTOR',
  intern: 'INTERN',
  temporary: 'TEMPORARY',
};

function expectSampleCompany(snap: OrgSnapshot): void {
  expect(snap.employees).toHaveLength(org.people.length);
  expect(snap.warnings).toEqual([]);
  expect(snap.company).toMatchObject({ name: 'Acme Robotics', legalName: 'Acme Robotics, Inc.' });
  const byId = new Map(snap.employees.map((e) => [e.id, e]));
  const groupName = new Map(snap.groups.map((g) => [g.id, g.name]));
  const locationName = new Map(snap.locations.map((l) => [l.id, l.name]));
  for (const p of org.people) {
    const e = byId.get(ripplingId(p.key))!;
    expect(e, `person ${p.key}`).toBeDefined();
    expect(e.managerId).toBe(p.managerKey ? ripplingId(p.managerKey) : null);
    expect(e).toMatchObject({
      employeeNumber: p.employeeNumber,
      firstName: p.firstName,
      lastName: p.lastName,
      preferredName: p.preferredName,
      workEmail: p.workEmail,
      personalEmail: p.personalEmail,
      jobTitle: p.title,
      employmentStatus: expectedStatus(p),
      employmentType: expectedType[p.type],
      startDate: p.hireDate,
      terminationDate: p.terminationDate,
      updatedAt: new Date(p.updatedAt).toISOString(),
    });
    expect(groupName.get(e.groupIds[0]!)).toBe(p.department);
    expect(locationName.get(e.locationId!)).toBe(p.location);
  }
  // The mix is there: the assertions above covered each kind at least once.
  const statuses = new Set(snap.employees.map((e) => e.employmentStatus));
  expect([...statuses].sort()).toEqual(['ACTIVE', 'PENDING', 'TERMINATED']);
  expect(
    snap.employees.some((e) => e.employmentStatus === 'ACTIVE' && e.terminationDate && e.terminationDate > TODAY),
  ).toBe(true);
}

describe('Rippling against the local simulator: REST API', () => {
  it('reads the sample company over several pages (relative and absolute next_links)', async () => {
    const { sim, options } = await start('rest');
    const snap = await takeSnapshot(rippling({ ...options, http: fast }), { now: NOW });
    expectSampleCompany(snap);
    const workerPages = sim.log.filter((l) => l.path.startsWith('/workers/'));
    expect(workerPages).toHaveLength(Math.ceil(40 / 7));
    expect(workerPages.every((l) => l.status === 200 && /expand=user/.test(l.path))).toBe(true);
    const team = snap.groups.find((g) => g.type === 'TEAM' && g.name === 'Platform')!;
    expect(snap.employees.filter((e) => e.groupIds.includes(team.id)).length).toBeGreaterThan(0);
  });

  it('429 with Retry-After on a middle page, then success', async () => {
    const { sim, options } = await start('rest');
    sim.inject({
      match: '/workers/',
      after: 2,
      times: 1,
      fault: {
        type: 'status',
        status: 429,
        headers: { 'Retry-After': '1', 'content-type': 'application/json' },
        body: { detail: 'Request was throttled. Expected available in 1 second.' },
      },
    });
    const started = Date.now();
    const snap = await takeSnapshot(rippling({ ...options, http: fast }), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(sim.log.filter((l) => l.status === 429)).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('server-side throttling (429 + Retry-After) is absorbed', async () => {
    const { sim, options } = await start('rest', { pageSize: 10 }, { rateLimit: { requestsPerSecond: 8, burst: 4 } });
    const snap = await takeSnapshot(rippling({ ...options, http: fast }), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(sim.stats.throttled).toBeGreaterThan(0);
  });

  it('500 forever: incomplete after retries+1 attempts, no snapshot', async () => {
    const { sim, options } = await start('rest');
    sim.inject({
      match: '/workers/',
      times: Infinity,
      fault: { type: 'status', status: 500, body: { detail: 'A server error occurred.' } },
    });
    const err = await failure(
      takeSnapshot(rippling({ ...options, http: { ...fast, retry: { ...fast.retry, retries: 2 } } }), { now: NOW }),
    );
    expect(err.kind).toBe('incomplete');
    expect(sim.log.filter((l) => l.status === 500)).toHaveLength(3);
  });

  it('a failed middle page: incomplete, nothing that looks like people leaving', async () => {
    const { sim, options } = await start('rest');
    sim.inject({ match: '/workers/', after: 3, times: Infinity, fault: { type: 'status', status: 502 } });
    const err = await failure(
      takeSnapshot(rippling({ ...options, http: { ...fast, retry: { ...fast.retry, retries: 1 } } }), { now: NOW }),
    );
    expect(err.kind).toBe('incomplete');
    expect(err.status).toBe(502);
    expect(sim.log.filter((l) => l.path.startsWith('/workers/') && l.status === 200)).toHaveLength(3);
  });

  it('401 for a wrong token: auth error, one request, no retry', async () => {
    const { sim, options } = await start('rest');
    const err = await failure(
      takeSnapshot(rippling({ ...options, apiToken: 'not-the-token', http: fast }), { now: NOW }),
    );
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('Invalid token');
    expect(sim.log).toHaveLength(1);
  });

  it('a malformed body once is retried; a truncated body every time ends as incomplete', async () => {
    const { sim, options } = await start('rest');
    sim.inject({ match: 'cursor=', times: 1, fault: { type: 'malformed' } });
    expect((await takeSnapshot(rippling({ ...options, http: fast }), { now: NOW })).employees).toHaveLength(40);
    sim.clearFaults();
    sim.inject({ match: 'cursor=', times: Infinity, fault: { type: 'truncate' } });
    const err = await failure(
      takeSnapshot(rippling({ ...options, http: { ...fast, retry: { ...fast.retry, retries: 1 } } }), { now: NOW }),
    );
    expect(err.kind).toBe('incomplete');
  });

  it('a connection dropped mid-body is retried', async () => {
    const { sim, options } = await start('rest');
    sim.inject({ match: '/workers/', after: 1, times: 1, fault: { type: 'reset' } });
    expect((await takeSnapshot(rippling({ ...options, http: fast }), { now: NOW })).employees).toHaveLength(40);
  });

  it('an HTML page instead of JSON: incomplete, pointing at the base URL', async () => {
    const { sim, options } = await start('rest');
    sim.inject({ match: '/workers/', times: Infinity, fault: { type: 'html' } });
    const err = await failure(takeSnapshot(rippling({ ...options, http: fast }), { now: NOW }));
    expect(err.kind).toBe('incomplete');
    expect(err.message).toMatch(/HTML page.*base URL/);
  });

  it('a relative next_link without the trailing slash is followed through the redirect', async () => {
    const { sim, options } = await start('rest', { pageSize: 7, nextLink: 'relative' });
    sim.inject({
      match: /^\/workers\/\?expand=user&order_by=id$/,
      fault: {
        type: 'transform',
        fn: (res) => ({
          ...res,
          body: {
            ...(res.body as object),
            next_link: String((res.body as { next_link: string }).next_link).replace('/workers/?', '/workers?'),
          },
        }),
      },
    });
    const snap = await takeSnapshot(rippling({ ...options, http: fast }), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(sim.log.some((l) => l.status === 301 && l.path.startsWith('/workers?'))).toBe(true);
  });

  it('next_links that carry only the cursor still get expand=user', async () => {
    const { options } = await start('rest', { pageSize: 7, bareNextLink: true });
    expectSampleCompany(await takeSnapshot(rippling({ ...options, http: fast }), { now: NOW }));
  });

  it('workers without their user (expand ignored): names joined from /users/, read once', async () => {
    const { sim, options } = await start('rest', { pageSize: 7, ignoreExpand: true });
    const expanded = await takeSnapshot(rippling({ ...(await start('rest')).options, http: fast }), { now: NOW });
    const before = sim.log.length;
    const snap = await takeSnapshot(rippling({ ...options, http: fast }), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(snap.employees.map((e) => [e.id, e.firstName, e.lastName, e.displayName, e.workEmail])).toEqual(
      expanded.employees.map((e) => [e.id, e.firstName, e.lastName, e.displayName, e.workEmail]),
    );
    expect(snap.employees.every((e) => e.firstName !== null)).toBe(true);
    // One walk of /users/ (several pages at this page size), not one per page of workers.
    expect(
      sim.log.slice(before).filter((l) => l.path.startsWith('/users/') && !l.path.includes('cursor=')),
    ).toHaveLength(1);
  });

  it('a token without users/employment-types access: the sync completes without names or types, and logs why', async () => {
    const { data, options } = await start('rest');
    const warnings: string[] = [];
    const snap = await takeSnapshot(
      rippling({
        ...options,
        apiToken: data.restrictedToken,
        http: { ...fast, logger: { warn: (m) => warnings.push(m) } },
      }),
      { now: NOW },
    );
    expect(snap.employees).toHaveLength(40);
    expect(snap.employees.every((e) => e.employmentType === null && e.workEmail !== null)).toBe(true);
    expect(warnings).toHaveLength(2); // employment types and users
    expect(snap.warnings).toEqual(warnings);
  });
});

describe('Rippling against the local simulator: legacy API', () => {
  it('reads the sample company over several limit/offset pages', async () => {
    const { sim, options } = await start('legacy');
    const snap = await takeSnapshot(rippling({ ...options, pageSize: 7, http: fast }), { now: NOW });
    expectSampleCompany(snap);
    const pages = sim.log.filter((l) => l.path.startsWith('/platform/api/employees/include_terminated'));
    // Each later page starts one record early (limit 7, step 6): the core's check for records that moved.
    const offsets = pages.map((l) => new URLSearchParams(l.path.split('?')[1]).get('offset'));
    expect(offsets.length).toBeGreaterThanOrEqual(6);
    expect(offsets).toEqual(offsets.map((_, i) => String(i * 6)));
    expect(sim.log.some((l) => /\/employees\?/.test(l.path))).toBe(false);
  });

  it('only names and addresses (no department/work location ids) resolve to the same snapshot', async () => {
    const withIds = await start('legacy');
    const withoutIds = await start('legacy', { legacyOmitIds: true });
    const a = await takeSnapshot(rippling({ ...withIds.options, pageSize: 7, http: fast }), { now: NOW });
    const b = await takeSnapshot(rippling({ ...withoutIds.options, pageSize: 7, http: fast }), { now: NOW });
    // "San Francisco HQ" and "Remote (US)" share one street address: an address alone cannot tell
    // them apart, so those people get no location rather than a guessed one.
    const shared = new Set(snapLocations(a, ['San Francisco HQ', 'Remote (US)']));
    expect(shared.size).toBe(2);
    const ambiguous = a.employees.filter((e) => shared.has(e.locationId!)).map((e) => e.id);
    expect(ambiguous.length).toBeGreaterThan(0);
    for (const e of b.employees) if (ambiguous.includes(e.id)) expect(e.locationId).toBeNull();
    const clear = (s: OrgSnapshot) => ({
      ...s,
      employees: s.employees.map((e) => (ambiguous.includes(e.id) ? { ...e, locationId: null } : e)),
    });
    expect(clear(b)).toEqual(clear(a));
    expect(b.employees.filter((e) => e.locationId !== null).length).toBe(40 - ambiguous.length);
  });

  it('a server that ignores limit sends everything on the first page', async () => {
    const { sim, options } = await start('legacy', { legacyIgnoreLimit: true });
    const snap = await takeSnapshot(rippling({ ...options, pageSize: 7, http: fast }), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(sim.log.filter((l) => l.path.includes('include_terminated'))).toHaveLength(1);
  });

  it('429 on a middle page, then success', async () => {
    const { sim, options } = await start('legacy');
    sim.inject({
      match: 'offset=12',
      times: 1,
      fault: {
        type: 'status',
        status: 429,
        headers: { 'Retry-After': '1' },
        body: { detail: 'Request was throttled. Expected available in 1 second.' },
      },
    });
    const snap = await takeSnapshot(rippling({ ...options, pageSize: 7, http: fast }), { now: NOW });
    expect(snap.employees).toHaveLength(40);
    expect(sim.log.filter((l) => l.status === 429)).toHaveLength(1);
  });

  it('a failed middle page: incomplete, no snapshot', async () => {
    const { sim, options } = await start('legacy');
    sim.inject({
      match: 'include_terminated?limit=7&offset=18',
      times: Infinity,
      fault: {
        type: 'status',
        status: 504,
        body: '<html><body>504 Gateway Time-out</body></html>',
        headers: { 'content-type': 'text/html' },
      },
    });
    const err = await failure(
      takeSnapshot(rippling({ ...options, pageSize: 7, http: { ...fast, retry: { ...fast.retry, retries: 1 } } }), {
        now: NOW,
      }),
    );
    expect(err.kind).toBe('incomplete');
    expect(err.status).toBe(504);
    expect(err.message).toMatch(/lower the page size/);
  });

  it('401: auth error, not retried', async () => {
    const { sim, options } = await start('legacy');
    const err = await failure(
      takeSnapshot(rippling({ ...options, apiToken: 'wrong-token-000', http: fast }), { now: NOW }),
    );
    expect(err.kind).toBe('auth');
    expect(sim.log).toHaveLength(1);
  });
});

function snapLocations(s: OrgSnapshot, names: string[]): string[] {
  return s.locations.filter((l) => names.includes(l.name)).map((l) => l.id);
}
