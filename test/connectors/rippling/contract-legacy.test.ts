import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rippling } from '../../../connectors/rippling/index.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import {
  COMPANY,
  D,
  errorFixture,
  errorReply,
  fast,
  L,
  LEGACY,
  LEGACY_ORIGIN,
  legacyEmployees,
  legacyPages,
  mockLegacyEmployees,
  mockLegacyLookups,
  NOW,
  rf,
  T,
  W,
  failure,
} from './helpers.js';

const TOKEN = 'rpl_legacy_contract_2b7d0c9e4f1a6358';
const base = `${LEGACY_ORIGIN}${LEGACY}`;
const legacy = (extra: Record<string, unknown> = {}) =>
  rippling({ apiToken: TOKEN, api: 'legacy', pageSize: 4, http: fast, ...extra });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('Rippling legacy platform API contract (nock, recorded-style fixtures)', () => {
  it('reads /employees/include_terminated with limit/offset until a short page, into a valid snapshot', async () => {
    const scope = mockLegacyEmployees(TOKEN, mockLegacyLookups(TOKEN));
    const connector = legacy();
    expect(connector.capabilities.incremental).toBe(false);
    expect(connector.readChanges).toBeUndefined();
    const snap = await takeSnapshot(connector, { now: NOW });
    expect(scope.isDone()).toBe(true); // offsets 0, 3, 6, 9 (one record of overlap); the plain /employees (active only) is never used
    expect(snap.connector).toBe('rippling');
    expect(snap.company).toEqual({ id: COMPANY, name: 'Lumen Freight', legalName: 'Lumen Freight Holdings, Inc.' });
    expect(snap.employees).toHaveLength(11);
    const e = new Map(snap.employees.map((x) => [x.id, x]));

    // `manager` holds the manager's employee id; "null" (a string, as in the spec's examples) is no manager.
    expect(e.get(W(1))!.managerId).toBeNull();
    expect(e.get(W(2))!.managerId).toBe(W(1));
    expect(e.get(W(8))!.managerId).toBe(W(4));
    expect(e.get(W(11))!.managerId).toBe(W(7));
    for (const x of snap.employees) if (x.managerId) expect(e.has(x.managerId)).toBe(true);

    expect(e.get(W(1))).toEqual({
      id: W(1),
      employeeNumber: '1',
      firstName: 'Marisol',
      lastName: 'Ortega',
      preferredName: null,
      displayName: 'Marisol Ortega',
      workEmail: 'marisol@lumenfreight.example',
      personalEmail: 'marisol.ortega@mail.example',
      jobTitle: 'Chief Executive Officer',
      managerId: null,
      groupIds: [D(1)],
      locationId: L(1),
      employmentStatus: 'ACTIVE',
      employmentStatusRaw: 'ACTIVE',
      employmentType: 'FULL_TIME',
      employmentTypeRaw: 'Salaried, full-time',
      startDate: '2019-04-01',
      terminationDate: null,
      customFields: { 'T-shirt size': 'M', 'Badge number': 'HQ-0001' },
      updatedAt: '2026-01-05T08:30:00.000Z',
    });
    expect(e.get(W(2))).toMatchObject({
      preferredName: 'Kate',
      displayName: 'Kate Brennan',
      updatedAt: '2026-02-20T16:45:12.000Z',
    });
    // The legacy employee has no team membership (not in the spec): only the department.
    expect(e.get(W(2))!.groupIds).toEqual([D(2)]);
  });

  it('maps role states and employment types like the REST API', async () => {
    mockLegacyEmployees(TOKEN, mockLegacyLookups(TOKEN));
    const snap = await takeSnapshot(legacy(), { now: NOW });
    const e = (n: number) => snap.employees.find((x) => x.id === W(n))!;
    expect(e(3)).toMatchObject({ employmentStatus: 'TERMINATED', terminationDate: '2026-01-16' });
    expect(e(4)).toMatchObject({ employmentStatus: 'ACTIVE', terminationDate: '2026-03-31' });
    expect(e(5)).toMatchObject({ employmentStatus: 'PENDING', employmentStatusRaw: 'ACCEPTED' });
    expect(e(6)).toMatchObject({ employmentType: 'CONTRACTOR', employmentTypeRaw: 'CONTRACTOR' }); // no companyEmploymentType: the code is the raw value
    expect(e(7)).toMatchObject({ employmentType: 'PART_TIME', employmentTypeRaw: 'Hourly, part-time' });
    expect(e(8)).toMatchObject({ employmentType: 'INTERN', employmentTypeRaw: 'Summer Intern' }); // base code HOURLY_FT, label wins
    expect(e(9)).toMatchObject({
      employmentStatus: 'UNKNOWN',
      employmentStatusRaw: 'SUSPENDED',
      employmentType: 'OTHER',
      employmentTypeRaw: 'Board Advisor',
    });
    // TERMINATED before the start date (a withdrawn hire; the legacy API has no termination type).
    expect(e(10)).toMatchObject({ employmentStatus: 'TERMINATED', startDate: '2026-03-23' });
    expect(e(11)).toMatchObject({
      firstName: 'Siobhán',
      lastName: "O'Connell",
      employmentStatus: 'ACTIVE',
      employmentType: 'TEMPORARY',
      employmentTypeRaw: 'TEMP',
      terminationDate: '2026-06-30',
    });
  });

  it('resolves a department given only by name and a work location given only by address', async () => {
    mockLegacyEmployees(TOKEN, mockLegacyLookups(TOKEN));
    const snap = await takeSnapshot(legacy(), { now: NOW });
    const e = (n: number) => snap.employees.find((x) => x.id === W(n))!;
    expect(e(7).groupIds).toEqual([D(5)]); // "Customer Support", no departmentId
    expect(e(5).locationId).toBe(L(3)); // the New York address, no workLocationId
    expect(e(6).locationId).toBeNull(); // remote contractor: workLocation null
    expect(snap.warnings).toEqual([]);
  });

  it('an unresolvable department name keeps a name-derived id and the snapshot warns', async () => {
    const all = legacyEmployees();
    all[7].department = 'Skunkworks';
    delete all[7].departmentId;
    mockLegacyEmployees(
      TOKEN,
      mockLegacyLookups(TOKEN),
      legacyPages(all).map((p) => p.body),
    );
    const snap = await takeSnapshot(legacy(), { now: NOW });
    expect(snap.employees.find((x) => x.id === W(8))!.groupIds).toEqual(['department:Skunkworks']);
    expect(snap.warnings.some((w) => w.includes(W(8)) && w.includes('department:Skunkworks'))).toBe(true);
  });

  it('reads departments over two pages, drops a self-parent, lists teams and work locations', async () => {
    mockLegacyEmployees(TOKEN, mockLegacyLookups(TOKEN));
    const snap = await takeSnapshot(legacy(), { now: NOW });
    const g = new Map(snap.groups.map((x) => [x.id, x]));
    expect(snap.groups).toHaveLength(8);
    expect(g.get(D(3))).toEqual({
      id: D(3),
      name: 'Go To Market',
      type: 'DEPARTMENT',
      typeRaw: 'department',
      parentId: null,
    });
    expect(g.get(D(5))).toMatchObject({ name: 'Customer Support', parentId: D(3) });
    expect(g.get(T(2))).toMatchObject({ type: 'TEAM', parentId: T(1) });
    expect(snap.locations.find((l) => l.id === L(2))).toEqual({
      id: L(2),
      name: 'Portland Office',
      address: {
        line1: '1120 NW Couch St',
        line2: 'Suite 400',
        city: 'Portland',
        region: 'OR',
        postalCode: '97209',
        country: 'US',
      },
      timezone: null,
    });
  });

  it('uses limit=100 by default', async () => {
    const all = [0, 4, 8].flatMap((o) => rf<unknown[]>(`legacy/GET_employees_include_terminated_offset${o}.json`));
    const scope = nock(LEGACY_ORIGIN)
      .get(`${LEGACY}/departments`)
      .query({ limit: '100', offset: '0' })
      .reply(200, [
        ...rf<unknown[]>('legacy/GET_departments_offset0.json'),
        ...rf<unknown[]>('legacy/GET_departments_offset4.json'),
      ])
      .get(`${LEGACY}/teams`)
      .query({ limit: '100', offset: '0' })
      .reply(200, rf('legacy/GET_teams.json'))
      .get(`${LEGACY}/work_locations`)
      .query({ limit: '100', offset: '0' })
      .reply(200, rf('legacy/GET_work_locations.json'))
      .get(`${LEGACY}/companies/current`)
      .reply(200, rf('legacy/GET_companies_current.json'))
      .get(`${LEGACY}/employees/include_terminated`)
      .query({ limit: '100', offset: '0' })
      .reply(200, all);
    const snap = await takeSnapshot(rippling({ apiToken: TOKEN, api: 'legacy', http: fast }), { now: NOW });
    expect(scope.isDone()).toBe(true);
    expect(snap.employees).toHaveLength(11);
  });

  describe('paging guards', () => {
    it('a first page longer than limit (limit ignored) is the whole list', async () => {
      const all = [0, 4, 8].flatMap((o) => rf<unknown[]>(`legacy/GET_employees_include_terminated_offset${o}.json`));
      const scope = mockLegacyEmployees(TOKEN, mockLegacyLookups(TOKEN), [all]);
      const snap = await takeSnapshot(legacy(), { now: NOW });
      expect(scope.isDone()).toBe(true);
      expect(snap.employees).toHaveLength(11);
    });

    it('a later page longer than limit: incomplete', async () => {
      const p0 = rf<unknown[]>('legacy/GET_employees_include_terminated_offset0.json');
      const p1 = legacyEmployees().slice(3); // starts with the overlap record, then 7 more
      mockLegacyEmployees(TOKEN, mockLegacyLookups(TOKEN), [p0, p1]);
      const err = await failure(takeSnapshot(legacy(), { now: NOW }));
      expect(err.kind).toBe('incomplete');
      expect(err.code).toBe('page_size_changed');
    });

    it('offset ignored (page one again): incomplete, not a duplicate-free loop', async () => {
      const p0 = rf<unknown[]>('legacy/GET_employees_include_terminated_offset0.json');
      mockLegacyEmployees(TOKEN, mockLegacyLookups(TOKEN), [p0, p0]);
      const err = await failure(takeSnapshot(legacy(), { now: NOW }));
      expect(err.kind).toBe('incomplete');
      expect(err.code).toBe('repeated_page');
    });

    it('an object instead of an array: incomplete, never an empty company', async () => {
      mockLegacyEmployees(TOKEN, mockLegacyLookups(TOKEN), [{ employees: [] }]);
      const err = await failure(takeSnapshot(legacy(), { now: NOW }));
      expect(err.kind).toBe('incomplete');
      expect(err.code).toBe('unexpected_shape');
    });
  });

  describe('errors', () => {
    it('401: auth error, not retried', async () => {
      let calls = 0;
      nock(base)
        .get('/departments')
        .query(true)
        .times(5)
        .reply(() => {
          calls++;
          return errorReply(errorFixture('401.json')) as unknown as [number, nock.Body, Record<string, string>];
        });
      const err = await failure(takeSnapshot(legacy(), { now: NOW }));
      expect(err.kind).toBe('auth');
      expect(calls).toBe(1);
    });

    it('403 on employees: auth error naming the employee scope', async () => {
      mockLegacyLookups(TOKEN);
      nock(base)
        .get('/employees/include_terminated')
        .query(true)
        .reply(...errorReply(errorFixture('403.json')));
      const err = await failure(takeSnapshot(legacy(), { now: NOW }));
      expect(err.kind).toBe('auth');
      expect(err.message).toContain("'employee (plus the employee:* field scopes)' scope");
    });

    it('404 (REST base URL with the legacy api, or the reverse): config error', async () => {
      nock(base)
        .get('/departments')
        .query(true)
        .reply(...errorReply(errorFixture('404.json')));
      const err = await failure(takeSnapshot(legacy(), { now: NOW }));
      expect(err.kind).toBe('config');
      expect(err.message).toContain('legacy API');
    });

    it('504 on every attempt: incomplete, with the advice to lower pageSize', async () => {
      mockLegacyLookups(TOKEN);
      nock(base)
        .get('/employees/include_terminated')
        .query(true)
        .times(3)
        .reply(...errorReply(errorFixture('504_gateway_timeout.json')));
      const err = await failure(
        takeSnapshot(legacy({ http: { ...fast, retry: { ...fast.retry, retries: 2 } } }), { now: NOW }),
      );
      expect(err.kind).toBe('incomplete');
      expect(err.status).toBe(504);
      expect(err.message).toMatch(/lower the page size/);
    });

    it('429 with Retry-After on a middle page, then success', async () => {
      const token = `${TOKEN}-429`;
      const p = legacyPages(legacyEmployees()).map((x) => x.body);
      mockLegacyLookups(token);
      const scope = nock(LEGACY_ORIGIN)
        .get(`${LEGACY}/employees/include_terminated`)
        .query({ limit: '4', offset: '0' })
        .reply(200, p[0])
        .get(`${LEGACY}/employees/include_terminated`)
        .query({ limit: '4', offset: '3' })
        .reply(...errorReply(errorFixture('429_retry_after.json')))
        .get(`${LEGACY}/employees/include_terminated`)
        .query({ limit: '4', offset: '3' })
        .reply(200, p[1])
        .get(`${LEGACY}/employees/include_terminated`)
        .query({ limit: '4', offset: '6' })
        .reply(200, p[2])
        .get(`${LEGACY}/employees/include_terminated`)
        .query({ limit: '4', offset: '9' })
        .reply(200, p[3]);
      const started = Date.now();
      const snap = await takeSnapshot(rippling({ apiToken: token, api: 'legacy', pageSize: 4, http: fast }), {
        now: NOW,
      });
      expect(scope.isDone()).toBe(true);
      expect(snap.employees).toHaveLength(11);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });
  });
});
