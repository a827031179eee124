/**
 * Integration tests: the real Gusto connector against the local Gusto simulator (loopback HTTP),
 * serving the vendor-neutral sample company, with paging, throttling and injected faults.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gusto } from '../../../connectors/gusto/index.js';
import {
  gustoDataFromSample,
  gustoEmployeeId,
  gustoRoutes,
  type GustoRoutesOptions,
  type GustoSimData,
} from '../../../connectors/gusto/simulator.js';
import { OrgsyncError } from '../../../src/errors.js';
import { sampleOrg, type SampleOrg } from '../../../src/simulator/sample-org.js';
import { startSimulator, type SimResponse, type Simulator } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';

const org: SampleOrg = sampleOrg({ size: 40 });
const today = new Date().toISOString().slice(0, 10);
const fast = { rateLimit: { requests: Infinity }, retry: { baseDelayMs: 5, maxDelayMs: 20 } };

let sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function start(
  routeOpts: GustoRoutesOptions = { maxPerPage: 10 },
  o: { org?: SampleOrg; data?: GustoSimData } = {},
) {
  const data = o.data ?? gustoDataFromSample(o.org ?? org);
  const sim = await startSimulator(gustoRoutes(data, routeOpts));
  sims.push(sim);
  const connect = (extra: Record<string, unknown> = {}) =>
    gusto({ companyUuid: data.companyUuid, accessToken: data.accessToken, baseUrl: sim.url, http: fast, ...extra });
  return { sim, data, connect };
}

const employeeRequests = (sim: Simulator) => sim.log.filter((l) => l.path.includes('/employees'));

describe('Gusto simulator: full reads', () => {
  it('reads the sample company over several pages into a snapshot that matches the sample people', async () => {
    const { sim, data, connect } = await start();
    const snap = await takeSnapshot(connect());

    expect(snap.warnings).toEqual([]);
    expect(snap.company).toEqual({ id: data.companyUuid, name: 'Acme Robotics', legalName: 'Acme Robotics, Inc.' });
    expect(snap.employees).toHaveLength(org.people.length);
    // 40 people, pages capped at 10 by the server: 4 pages, following X-Total-Pages.
    expect(employeeRequests(sim).map((l) => l.path.replace(/^.*\?/, ''))).toEqual(
      [1, 2, 3, 4].map((p) => `sort_by=created_at&per=100&page=${p}`),
    );
    // Departments are not paged (no page/per sent).
    expect(sim.log.find((l) => l.path.endsWith('/departments'))).toBeDefined();

    const byId = new Map(snap.employees.map((e) => [e.id, e]));
    const groupName = new Map(snap.groups.map((g) => [g.id, g.name]));
    const locationName = new Map(snap.locations.map((l) => [l.id, l.name]));
    const expectedType = {
      full_time: 'FULL_TIME',
      part_time: 'PART_TIME',
      contractor: 'OTHER',
      intern: 'PART_TIME',
      temporary: 'TEMPORARY',
    } as const;
    for (const p of org.people) {
      const e = byId.get(gustoEmployeeId(p.key));
      expect(e, `person ${p.key}`).toBeDefined();
      expect(e!.managerId).toBe(p.managerKey ? gustoEmployeeId(p.managerKey) : null);
      expect(e!.employeeNumber).toBe(p.employeeNumber);
      expect(e!.jobTitle).toBe(p.title);
      expect(e!.startDate).toBe(p.hireDate);
      expect(e!.terminationDate).toBe(p.terminationDate);
      expect(e!.personalEmail).toBe(p.personalEmail);
      expect(e!.workEmail).toBe(p.status === 'pending' ? null : p.workEmail);
      expect(e!.employmentType).toBe(expectedType[p.type]);
      // Gusto has no leave of absence: people on leave read as ACTIVE.
      const status = p.status === 'terminated' ? 'TERMINATED' : p.status === 'pending' ? 'PENDING' : 'ACTIVE';
      expect(e!.employmentStatus, `person ${p.key} (${p.status})`).toBe(status);
      expect(e!.groupIds.map((g) => groupName.get(g))).toEqual([p.department]);
      expect(locationName.get(e!.locationId!)).toContain(org.locations.find((l) => l.name === p.location)!.city);
    }
    // The sample has each case at least once.
    const statuses = new Set(snap.employees.map((e) => e.employmentStatus));
    expect([...statuses].sort()).toEqual(['ACTIVE', 'PENDING', 'TERMINATED']);
    expect(
      snap.employees.some((e) => e.employmentStatus === 'ACTIVE' && e.terminationDate && e.terminationDate > today),
    ).toBe(true);
    expect(snap.groups.map((g) => g.name).sort()).toEqual(org.departments.map((d) => d.name).sort());
    expect(snap.locations).toHaveLength(org.locations.length);
    expect(snap.locations.find((l) => l.name.includes('London'))?.address?.country).toBe('GB');
  });

  it('pages with per=100 when the server honours it (250 people: 3 pages)', async () => {
    const big = sampleOrg({ size: 250 });
    const { sim, connect } = await start({}, { org: big });
    const snap = await takeSnapshot(connect());
    expect(snap.employees).toHaveLength(250);
    expect(employeeRequests(sim)).toHaveLength(3);
    const ids = new Set(snap.employees.map((e) => e.id));
    for (const e of snap.employees) if (e.managerId) expect(ids.has(e.managerId)).toBe(true);
  });

  it('reads custom fields when asked (include=custom_fields)', async () => {
    const { sim, connect } = await start();
    const snap = await takeSnapshot(connect({ customFields: true }));
    expect(employeeRequests(sim).every((l) => l.path.includes('include=custom_fields'))).toBe(true);
    const withTeam = org.people.find((p) => p.team)!;
    expect(snap.employees.find((e) => e.id === gustoEmployeeId(withTeam.key))!.customFields).toEqual({
      Team: withTeam.team,
    });
  });

  it('works without paging headers by walking to an empty page', async () => {
    const { sim, connect } = await start();
    sim.inject({
      match: '/employees',
      times: Infinity,
      fault: {
        type: 'transform',
        fn: (res: SimResponse) => ({
          ...res,
          headers: Object.fromEntries(
            Object.entries(res.headers ?? {}).filter(([k]) => !k.startsWith('x-total') && k !== 'x-page'),
          ),
        }),
      },
    });
    const snap = await takeSnapshot(connect());
    expect(snap.employees).toHaveLength(40);
    // 4 full-or-short pages, then the empty 5th page that ends the walk.
    expect(employeeRequests(sim)).toHaveLength(5);
  });
});

describe('Gusto simulator: throttling and faults', () => {
  it('429 with Retry-After, then success', async () => {
    const { sim, connect } = await start();
    sim.inject({
      match: '/employees',
      after: 1,
      fault: {
        type: 'status',
        status: 429,
        headers: { 'Retry-After': '1', 'content-type': 'application/json' },
        body: { errors: [{ error_key: 'request', category: 'rate_limit_exceeded', message: 'Rate limit exceeded' }] },
      },
    });
    const started = Date.now();
    const snap = await takeSnapshot(connect());
    expect(snap.employees).toHaveLength(40);
    expect(sim.log.filter((l) => l.status === 429)).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('500 on every attempt of a middle page: incomplete, no snapshot, retried then given up', async () => {
    const { sim, connect } = await start();
    sim.inject({
      match: 'page=2',
      times: Infinity,
      fault: {
        type: 'status',
        status: 500,
        body: { errors: [{ error_key: 'base', category: 'internal_error', message: 'Something went wrong' }] },
      },
    });
    const err = await takeSnapshot(
      connect({ http: { ...fast, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 } } }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('incomplete');
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/Gusto failed on GET \/v1\/companies\/[^ ]+\/employees \(500\)/);
    expect(err.message).toMatch(/internal_error: Something went wrong/);
    expect(err.message).toMatch(/no snapshot was produced/);
    expect(sim.log.filter((l) => l.path.includes('page=2') && l.path.includes('/employees'))).toHaveLength(3);
    // Nothing after the failed page was read, but for the one page asked for ahead (page 3: X-Total-Pages
    // names it, see `following` in connectors/gusto/paging.ts), which is cancelled or dropped.
    expect(sim.log.some((l) => /[?&]page=(?:[4-9]|\d\d)/.test(l.path))).toBe(false);
  });

  it('a middle page failing after earlier pages succeeded: incomplete', async () => {
    const { connect, sim } = await start();
    sim.inject({ match: '/employees', after: 2, times: Infinity, fault: { type: 'status', status: 503 } });
    const err = await takeSnapshot(connect({ http: { ...fast, retry: { retries: 1, baseDelayMs: 5 } } })).catch(
      (e) => e,
    );
    expect(err.kind).toBe('incomplete');
    expect(err.status).toBe(503);
  });

  it('401: auth error, sent once and not retried', async () => {
    const { sim, data } = await start();
    const err = await takeSnapshot(
      gusto({ companyUuid: data.companyUuid, accessToken: 'expired-token-0000000000', baseUrl: sim.url, http: fast }),
    ).catch((e) => e);
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(sim.log).toHaveLength(1);
  });

  it('403 for a token without departments:read: auth error naming the scope', async () => {
    const { sim, data } = await start();
    const err = await takeSnapshot(
      gusto({ companyUuid: data.companyUuid, accessToken: data.limitedToken!, baseUrl: sim.url, http: fast }),
    ).catch((e) => e);
    expect(err).toMatchObject({ kind: 'auth', status: 403 });
    expect(err.message).toMatch(/departments:read/);
    expect(sim.log).toHaveLength(1);
  });

  it('404 for another company UUID: config error, not retried', async () => {
    const { sim, data } = await start();
    const err = await takeSnapshot(
      gusto({
        companyUuid: 'f0e1d2c3-0000-4000-8000-000000000000',
        accessToken: data.accessToken,
        baseUrl: sim.url,
        http: fast,
      }),
    ).catch((e) => e);
    expect(err).toMatchObject({ kind: 'config', status: 404 });
    expect(err.message).toMatch(/no company with UUID 'f0e1d2c3-0000-4000-8000-000000000000'/);
    expect(sim.log).toHaveLength(1);
  });

  it('406 for an API version the application does not accept: config error naming header and value', async () => {
    const { sim, connect } = await start();
    const err = await takeSnapshot(connect({ apiVersion: '2019-06-01' })).catch((e) => e);
    expect(err).toMatchObject({ kind: 'config', status: 406, code: 'invalid_api_version' });
    expect(err.message).toMatch(/X-Gusto-API-Version header: the value sent was '2019-06-01'/);
    expect(sim.log).toHaveLength(1);
  });

  it('malformed JSON once: retried and the sync completes', async () => {
    const { sim, connect } = await start();
    sim.inject({ match: 'page=3', fault: { type: 'malformed' } });
    const snap = await takeSnapshot(connect());
    expect(snap.employees).toHaveLength(40);
    expect(sim.stats.faults).toBe(1);
  });

  it('malformed JSON every time: incomplete, code malformed_body', async () => {
    const { sim, connect } = await start();
    sim.inject({ match: 'page=3', times: Infinity, fault: { type: 'truncate' } });
    const err = await takeSnapshot(connect({ http: { ...fast, retry: { retries: 1, baseDelayMs: 5 } } })).catch(
      (e) => e,
    );
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('malformed_body');
  });

  it('a dropped connection once: retried and the sync completes', async () => {
    const { sim, connect } = await start();
    sim.inject({ match: 'page=2', fault: { type: 'reset' } });
    const snap = await takeSnapshot(connect());
    expect(snap.employees).toHaveLength(40);
  });

  it('an HTML page instead of JSON: incomplete, pointing at the base URL', async () => {
    const { sim, connect } = await start();
    sim.inject({ match: '/departments', fault: { type: 'html' } });
    const err = await takeSnapshot(connect()).catch((e) => e);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('unexpected_content_type');
  });

  it('records moving between pages (X-Total-Count changes mid-walk): walked again, or incomplete', async () => {
    const { sim, connect } = await start();
    const clean = await takeSnapshot(connect());
    const moved = (res: SimResponse) => ({
      ...res,
      headers: { ...res.headers, 'x-total-count': '41', 'x-total-pages': '5' },
    });
    // Once: the walk starts again from page one and completes with everyone, once.
    sim.inject({ match: 'page=3', fault: { type: 'transform', fn: moved } });
    expect((await takeSnapshot(connect())).employees).toEqual(clean.employees);
    // On every walk: incomplete after the bounded re-walks.
    sim.inject({ match: 'page=3', times: Infinity, fault: { type: 'transform', fn: moved } });
    const err = await takeSnapshot(connect()).catch((e) => e);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('total_changed');
  });

  it('a server that ignores `page` (same page again): incomplete, never a silent partial list', async () => {
    const data = gustoDataFromSample(org);
    const { sim, connect } = await start({ maxPerPage: 10 }, { data });
    sim.inject({
      match: 'page=2',
      fault: {
        type: 'transform',
        fn: (res: SimResponse) => ({
          ...res,
          body: data.employees.slice(0, 10),
          headers: { ...res.headers, 'x-page': '2' },
        }),
      },
    });
    const err = await takeSnapshot(connect()).catch((e) => e);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('repeated_page');
  });

  it('an empty page before X-Total-Pages is reached: incomplete', async () => {
    const { sim, connect } = await start();
    sim.inject({ match: 'page=2', fault: { type: 'transform', fn: (res: SimResponse) => ({ ...res, body: [] }) } });
    const err = await takeSnapshot(connect()).catch((e) => e);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('empty_page');
  });

  it('X-Page disagreeing with the page asked for: incomplete', async () => {
    const { sim, connect } = await start();
    sim.inject({
      match: 'page=2',
      fault: { type: 'transform', fn: (res: SimResponse) => ({ ...res, headers: { ...res.headers, 'x-page': '1' } }) },
    });
    const err = await takeSnapshot(connect()).catch((e) => e);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('page_mismatch');
  });

  it('server-side rate limiting with the default client budget: the sync still completes', async () => {
    const data = gustoDataFromSample(org);
    const sim = await startSimulator(gustoRoutes(data, { maxPerPage: 20 }), {
      rateLimit: { requestsPerSecond: 4, burst: 3 },
    });
    sims.push(sim);
    // Default budget (190/min, burst 4) plus the server's own 429 + Retry-After.
    const snap = await takeSnapshot(
      gusto({
        companyUuid: data.companyUuid,
        accessToken: data.accessToken,
        baseUrl: sim.url,
        http: { retry: { baseDelayMs: 5, maxDelayMs: 20 } },
      }),
    );
    expect(snap.employees).toHaveLength(40);
    expect(sim.stats.throttled).toBeGreaterThan(0);
    expect(sim.log.filter((l) => l.status === 429).length).toBe(sim.stats.throttled);
  });
});

describe('Gusto: auxiliary metadata never fails a sync (issue 12 §1)', () => {
  it('a department and a location without uuid are skipped with warnings naming them; employees stay strict', async () => {
    const { sim, connect } = await start();
    const clean = await takeSnapshot(connect());
    const dropUuid = (path: string) => (res: SimResponse) => {
      const body = structuredClone(res.body) as Array<Record<string, unknown>>;
      if (path === 'departments') body[0] = { ...body[0], uuid: undefined };
      else body[0] = { ...body[0], uuid: null };
      return { ...res, body };
    };
    sim.inject({ match: '/departments', fault: { type: 'transform', fn: dropUuid('departments') } });
    sim.inject({ match: '/locations', fault: { type: 'transform', fn: dropUuid('locations') } });
    const snap = await takeSnapshot(connect());
    expect(snap.employees.map((e) => e.id)).toEqual(clean.employees.map((e) => e.id));
    expect(snap.warnings.some((w) => /skipped departments record #1/.test(w) && /uuid/.test(w))).toBe(true);
    expect(snap.warnings.some((w) => /skipped locations record #1/.test(w) && /uuid/.test(w))).toBe(true);
    expect(snap.locations).toHaveLength(clean.locations.length - 1);
    // A person's row without uuid is still fatal.
    sim.inject({
      match: '/employees',
      fault: {
        type: 'transform',
        fn: (res: SimResponse) => ({
          ...res,
          body: (res.body as Array<Record<string, unknown>>).map((e, i) => (i === 0 ? { ...e, uuid: null } : e)),
        }),
      },
    });
    const err = await takeSnapshot(connect()).catch((e) => e);
    expect(err.kind).toBe('validation');
  });
});
