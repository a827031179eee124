/**
 * Contract tests: the Gusto connector against recorded-style fixtures served by nock. Exact paths,
 * query parameters and headers; a full read checked field by field.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { gusto, GustoOptionsSchema } from '../../../connectors/gusto/index.js';
import { OrgsyncError } from '../../../src/errors.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import {
  API_VERSION,
  BASE,
  CO,
  DEPT,
  E,
  errorReply,
  FILES,
  fixture,
  fixtureHeaders,
  gustoHeaders,
  LOC,
  TOKEN,
  type ErrorFixture,
  type Row,
} from './helpers.js';

const TODAY = new Date('2026-11-26T12:00:00Z');
/** No client-side budget (tests share one token) and short retry delays. */
const quick = { rateLimit: { requests: Infinity }, retry: { baseDelayMs: 5, maxDelayMs: 20 } };
const make = (extra: Record<string, unknown> = {}) =>
  gusto({ companyUuid: CO, accessToken: TOKEN, http: quick, ...extra });

interface Bodies {
  departments?: unknown;
  company?: unknown;
  locations?: unknown;
  page1?: unknown;
  page2?: unknown;
}

/** Mock the five requests of a full read with the fixtures (or replacements). */
function mockGusto(b: Bodies = {}, o: { version?: string; employeeQuery?: Record<string, string> } = {}) {
  const version = o.version ?? API_VERSION;
  const q = o.employeeQuery ?? { sort_by: 'created_at' };
  const s = nock(BASE);
  gustoHeaders(s.get(`/v1/companies/${CO}/departments`), TOKEN, version).reply(
    200,
    (b.departments ?? fixture(FILES.departments)) as nock.Body,
    fixtureHeaders(FILES.departments),
  );
  gustoHeaders(s.get(`/v1/companies/${CO}`), TOKEN, version).reply(
    200,
    (b.company ?? fixture(FILES.company)) as nock.Body,
    fixtureHeaders(FILES.company),
  );
  gustoHeaders(s.get(`/v1/companies/${CO}/locations`).query({ page: '1', per: '100' }), TOKEN, version).reply(
    200,
    (b.locations ?? fixture(FILES.locations)) as nock.Body,
    fixtureHeaders(FILES.locations),
  );
  gustoHeaders(s.get(`/v1/companies/${CO}/employees`).query({ ...q, page: '1', per: '100' }), TOKEN, version).reply(
    200,
    (b.page1 ?? fixture(FILES.employees1)) as nock.Body,
    fixtureHeaders(FILES.employees1),
  );
  gustoHeaders(s.get(`/v1/companies/${CO}/employees`).query({ ...q, page: '2', per: '100' }), TOKEN, version).reply(
    200,
    (b.page2 ?? fixture(FILES.employees2)) as nock.Body,
    fixtureHeaders(FILES.employees2),
  );
  return s;
}

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  // The mapper compares dates with "today": pin it (time still advances so timers and backoff work).
  vi.useFakeTimers({ toFake: ['Date'], now: TODAY, shouldAdvanceTime: true });
});
afterEach(() => {
  vi.useRealTimers();
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('Gusto contract (nock, recorded-style fixtures)', () => {
  it('reads departments, company, locations and two pages of employees into a valid snapshot', async () => {
    const scope = mockGusto();
    const snap = await takeSnapshot(make());
    expect(scope.isDone()).toBe(true);
    expect(snap.connector).toBe('gusto');
    expect(snap.complete).toBe(true);
    expect(snap.company).toEqual({ id: CO, name: 'Bluebird Coffee', legalName: 'Bluebird Coffee Roasters, LLC' });
    expect(snap.employees).toHaveLength(15);
    expect(snap.warnings).toEqual([]);

    const byId = new Map(snap.employees.map((e) => [e.id, e]));
    const maggie = byId.get(E.maggie)!;
    expect(maggie).toEqual({
      id: E.maggie,
      employeeNumber: null,
      firstName: 'Margaret',
      lastName: 'Okonkwo',
      preferredName: 'Maggie',
      displayName: 'Maggie Okonkwo',
      workEmail: 'maggie@bluebirdcoffee.example',
      personalEmail: 'm.okonkwo@fastmail.example',
      jobTitle: 'Chief Executive Officer',
      managerId: null,
      groupIds: [DEPT.executive],
      locationId: LOC.portland,
      employmentStatus: 'ACTIVE',
      employmentStatusRaw: 'onboarding_completed',
      employmentType: 'FULL_TIME',
      employmentTypeRaw: 'full_time',
      startDate: '2017-04-03',
      terminationDate: null,
      customFields: { middle_initial: 'A' },
      updatedAt: null,
    });
    // Sensitive payroll/identity fields never leak into the normalized record.
    expect(JSON.stringify(maggie)).not.toMatch(/1979-02-11|185000|5035550142|Direct Deposit/);
    // The raw row is only kept on request.
    expect(maggie).not.toHaveProperty('remoteData');
  });

  it('resolves every manager_uuid to an employee of the snapshot, across pages', async () => {
    mockGusto();
    const snap = await takeSnapshot(make());
    const ids = new Set(snap.employees.map((e) => e.id));
    const m = (id: string) => snap.employees.find((e) => e.id === id)!.managerId;
    expect(m(E.tomas)).toBe(E.maggie);
    expect(m(E.priya)).toBe(E.tomas);
    expect(m(E.luis)).toBe(E.aiko);
    // Sam is on page 1, his manager Marcus on page 2.
    expect(m(E.sam)).toBe(E.marcus);
    // Reporting to a terminated manager still resolves (the manager is in the snapshot).
    expect(m(E.ines)).toBe(E.jonah);
    expect(m(E.riley)).toBeNull();
    for (const e of snap.employees) if (e.managerId) expect(ids.has(e.managerId)).toBe(true);
  });

  it('maps statuses: terminated, scheduled termination, pending onboarding, future hire, rehire, historical', async () => {
    mockGusto();
    const snap = await takeSnapshot(make());
    const s = (id: string) => snap.employees.find((e) => e.id === id)!;
    expect(s(E.jonah)).toMatchObject({
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'onboarding_completed / terminated',
      terminationDate: '2026-06-30',
    });
    // terminated:false + a future, inactive termination: still ACTIVE, with the date.
    expect(s(E.luis)).toMatchObject({
      employmentStatus: 'ACTIVE',
      terminationDate: '2027-01-15',
      employmentType: 'PART_TIME',
      employmentTypeRaw: 'part_time_under_twenty_hours',
    });
    // Invited, not onboarded, starts in the future.
    expect(s(E.kwame)).toMatchObject({
      employmentStatus: 'PENDING',
      employmentStatusRaw: 'self_onboarding_invited',
      startDate: '2026-12-07',
      workEmail: null,
      personalEmail: 'kwame.asante@mail.example',
    });
    // Admin onboarding incomplete, no jobs, no employment status.
    expect(s(E.riley)).toMatchObject({
      employmentStatus: 'PENDING',
      employmentStatusRaw: 'admin_onboarding_incomplete',
      jobTitle: null,
      startDate: null,
      employmentType: null,
      employmentTypeRaw: null,
      groupIds: [],
      locationId: null,
    });
    // Rehired after an old termination: the termination before the current hire date is history.
    expect(s(E.dana)).toMatchObject({ employmentStatus: 'ACTIVE', terminationDate: null, startDate: '2025-04-14' });
    expect(s(E.greta)).toMatchObject({
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'onboarding_completed / terminated / historical',
      terminationDate: '2026-02-13',
      locationId: LOC.tacoma,
    });
    const counts = snap.employees.reduce<Record<string, number>>(
      (a, e) => ((a[e.employmentStatus] = (a[e.employmentStatus] ?? 0) + 1), a),
      {},
    );
    expect(counts).toEqual({ ACTIVE: 11, TERMINATED: 2, PENDING: 2 });
  });

  it('maps employment types from current_employment_status, keeping the raw value', async () => {
    mockGusto();
    const snap = await takeSnapshot(make());
    const t = (id: string) => {
      const e = snap.employees.find((x) => x.id === id)!;
      return [e.employmentType, e.employmentTypeRaw];
    };
    expect(t(E.tomas)).toEqual(['FULL_TIME', 'full_time']);
    expect(t(E.priya)).toEqual(['PART_TIME', 'part_time_twenty_plus_hours']);
    expect(t(E.noah)).toEqual(['PART_TIME', 'part_time_under_twenty_hours']);
    expect(t(E.chloe)).toEqual(['TEMPORARY', 'seasonal']);
    expect(t(E.sam)).toEqual(['OTHER', 'variable']);
  });

  it('takes title, hire date and location from the primary job, emails and names as Gusto means them', async () => {
    mockGusto();
    const snap = await takeSnapshot(make());
    const s = (id: string) => snap.employees.find((e) => e.id === id)!;
    // Aiko's first job is a secondary one (primary:false, hired later).
    expect(s(E.aiko)).toMatchObject({ jobTitle: 'Café Manager', startDate: '2019-05-06', locationId: LOC.seattle });
    // work_email is lower-cased; `email` is the personal address.
    expect(s(E.priya)).toMatchObject({
      workEmail: 'priya.raman@bluebirdcoffee.example',
      personalEmail: 'priya.r@mail.example',
    });
    // A job without location_uuid (as in real demo traffic): no location.
    expect(s(E.marcus)).toMatchObject({ jobTitle: 'Wholesale Lead', locationId: null });
    // An empty preferred_first_name is no preferred name.
    expect(s(E.noah)).toMatchObject({ preferredName: null, displayName: 'Noah Bennett' });
    expect(s(E.tomas)).toMatchObject({ firstName: 'Tomás', lastName: 'Álvarez', displayName: 'Tomás Álvarez' });
    expect(s(E.sam).displayName).toBe("Sam O'Neill");
  });

  it('maps departments to DEPARTMENT groups, including an employee that only carries the department title', async () => {
    mockGusto();
    const snap = await takeSnapshot(make());
    expect(snap.groups).toHaveLength(6);
    expect(snap.groups.find((g) => g.id === DEPT.finance)).toEqual({
      id: DEPT.finance,
      name: 'Finance & Admin',
      type: 'DEPARTMENT',
      typeRaw: 'department',
      parentId: null,
    });
    // A department with no employees is still a group.
    expect(snap.groups.some((g) => g.id === DEPT.rnd && g.name === 'Research & Development')).toBe(true);
    const s = (id: string) => snap.employees.find((e) => e.id === id)!;
    // Sam has department "Wholesale" but department_uuid null: resolved by title.
    expect(s(E.sam).groupIds).toEqual([DEPT.wholesale]);
    expect(s(E.luis).groupIds).toEqual([DEPT.retail]);
    const groupIds = new Set(snap.groups.map((g) => g.id));
    for (const e of snap.employees) for (const g of e.groupIds) expect(groupIds.has(g)).toBe(true);
  });

  it('maps locations with composed names, alpha-2 countries, and keeps inactive ones', async () => {
    mockGusto();
    const snap = await takeSnapshot(make());
    expect(snap.locations).toHaveLength(3);
    expect(snap.locations.find((l) => l.id === LOC.portland)).toEqual({
      id: LOC.portland,
      name: '1120 SE Clinton St, Portland, OR',
      address: {
        line1: '1120 SE Clinton St',
        line2: 'Roastery',
        city: 'Portland',
        region: 'OR',
        postalCode: '97202',
        country: 'US',
      },
      timezone: null,
    });
    // Tacoma is inactive (deleted) but Greta's job still points at it.
    expect(snap.locations.find((l) => l.id === LOC.tacoma)?.name).toBe('2302 Pacific Ave, Tacoma, WA');
    for (const e of snap.employees)
      if (e.locationId) expect(snap.locations.some((l) => l.id === e.locationId)).toBe(true);
  });

  it('unknown enum values fall back (type OTHER, status PENDING/UNKNOWN) with the raw value kept', async () => {
    const page1 = fixture<Row[]>(FILES.employees1);
    const page2 = fixture<Row[]>(FILES.employees2);
    const tomas = page1.find((r) => r['uuid'] === E.tomas)!;
    tomas['current_employment_status'] = 'per_diem';
    const priya = page1.find((r) => r['uuid'] === E.priya)!;
    priya['onboarding_status'] = 'self_onboarding_awaiting_background_check';
    const noah = page2.find((r) => r['uuid'] === E.noah)!;
    delete noah['onboarded'];
    noah['onboarding_status'] = null;
    mockGusto({ page1, page2 });
    const snap = await takeSnapshot(make());
    const s = (id: string) => snap.employees.find((e) => e.id === id)!;
    expect(s(E.tomas)).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentType: 'OTHER',
      employmentTypeRaw: 'per_diem',
    });
    // An onboarding status Gusto adds later is "not completed": PENDING, never ACTIVE.
    expect(s(E.priya)).toMatchObject({
      employmentStatus: 'PENDING',
      employmentStatusRaw: 'self_onboarding_awaiting_background_check',
    });
    // Nothing to decide from: UNKNOWN (neither access nor deprovisioning).
    expect(s(E.noah)).toMatchObject({ employmentStatus: 'UNKNOWN', employmentStatusRaw: null });
  });

  it('a scheduled termination whose date has passed is TERMINATED even while `terminated` is still false', async () => {
    vi.setSystemTime(new Date('2027-01-16T08:00:00Z'));
    mockGusto();
    const snap = await takeSnapshot(make());
    expect(snap.employees.find((e) => e.id === E.luis)).toMatchObject({
      employmentStatus: 'TERMINATED',
      terminationDate: '2027-01-15',
    });
    // ...and the future hire has started by then.
    expect(snap.employees.find((e) => e.id === E.kwame)!.employmentStatus).toBe('PENDING'); // still onboarding
  });

  it('custom fields: include=custom_fields is sent when asked and the values land in customFields', async () => {
    const page1 = fixture<Row[]>(FILES.employees1);
    page1[0]!['custom_fields'] = [
      {
        id: '3f1d6e2a-aaaa-4bbb-8ccc-000000000001',
        company_custom_field_id: '9a8b7c6d-1111-4222-8333-444455556666',
        name: 'T-Shirt Size',
        type: 'radio',
        description: 'For swag',
        value: 'M',
        selection_options: ['S', 'M', 'L'],
      },
    ];
    const scope = mockGusto({ page1 }, { employeeQuery: { sort_by: 'created_at', include: 'custom_fields' } });
    const snap = await takeSnapshot(make({ customFields: true }));
    expect(scope.isDone()).toBe(true);
    expect(snap.employees.find((e) => e.id === E.maggie)!.customFields).toEqual({
      middle_initial: 'A',
      'T-Shirt Size': 'M',
    });
  });

  it('employee_code (2025-06-15 spec) becomes employeeNumber; employee-level title/hired_at are fallbacks', async () => {
    const page1 = fixture<Row[]>(FILES.employees1);
    const riley = page1.find((r) => r['uuid'] === E.riley)!;
    Object.assign(riley, { employee_code: '4f1a2c', title: 'Office Coordinator', hired_at: '2026-11-02' });
    mockGusto({ page1 });
    const snap = await takeSnapshot(make());
    expect(snap.employees.find((e) => e.id === E.riley)).toMatchObject({
      employeeNumber: '4f1a2c',
      jobTitle: 'Office Coordinator',
      startDate: '2026-11-02',
      employmentStatus: 'PENDING',
    });
  });

  it('includeRemoteData keeps the raw rows', async () => {
    mockGusto();
    const snap = await takeSnapshot(make({ includeRemoteData: true }));
    const maggie = snap.employees.find((e) => e.id === E.maggie)!;
    expect((maggie.remoteData as Row)['jobs'][0]['title']).toBe('Chief Executive Officer');
    expect((snap.groups[0]!.remoteData as Row)['uuid']).toBe(snap.groups[0]!.id);
  });

  it('sends the apiVersion given and the production or overridden base URL', async () => {
    const scope = mockGusto({}, { version: '2024-10-01' });
    const snap = await takeSnapshot(make({ apiVersion: '2024-10-01' }));
    expect(scope.isDone()).toBe(true);
    expect(snap.employees).toHaveLength(15);

    const demo = nock('https://api.gusto-demo.com')
      .get(`/v1/companies/${CO}/departments`)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(...errorReply(fixture<ErrorFixture>('401_invalid_token.json')));
    const err = await takeSnapshot(make({ baseUrl: 'https://api.gusto-demo.com' })).catch((e) => e);
    expect(demo.isDone()).toBe(true);
    expect(err.kind).toBe('auth');
  });

  it('departments are read without paging parameters, following X-Total-Pages if Gusto forces pages', async () => {
    const depts = fixture<Row[]>(FILES.departments);
    const s = nock(BASE);
    // First request: no page/per (the endpoint documents none). Gusto answers page 1 of 2 anyway.
    gustoHeaders(s.get(`/v1/companies/${CO}/departments`)).reply(200, depts.slice(0, 4) as nock.Body, {
      'x-page': '1',
      'x-per-page': '4',
      'x-total-pages': '2',
      'x-total-count': '6',
    });
    gustoHeaders(s.get(`/v1/companies/${CO}/departments`).query({ page: '2' })).reply(
      200,
      depts.slice(4) as nock.Body,
      { 'x-page': '2', 'x-per-page': '4', 'x-total-pages': '2', 'x-total-count': '6' },
    );
    const groups = await make().groups();
    expect(s.isDone()).toBe(true);
    expect(groups.map((g) => g.id).sort()).toEqual(Object.values(DEPT).sort());
  });

  it('declares what it can do and the documented budget', () => {
    const def = gusto.definition;
    expect(def.id).toBe('gusto');
    expect(def.capabilities).toEqual({
      groups: true,
      locations: true,
      incremental: false,
      incrementalDeletions: false,
      webhooks: true,
      includesTerminated: true,
    });
    expect(def.secrets).toEqual(['accessToken']);
    // Gusto allows 200 requests per rolling minute per token; the default budget stays below it.
    expect(def.rateLimit.requests * (60_000 / def.rateLimit.intervalMs)).toBeLessThan(200);
    expect(Object.keys(GustoOptionsSchema.shape)).toEqual(['companyUuid', 'accessToken', 'apiVersion', 'customFields']);
    expect(def.incremental).toBeUndefined();
  });

  describe('errors', () => {
    it("401: auth error, not retried, with Gusto's category and a hint about token expiry", async () => {
      const scope = nock(BASE)
        .get(`/v1/companies/${CO}/departments`)
        .reply(...errorReply(fixture<ErrorFixture>('401_invalid_token.json')));
      const err = await takeSnapshot(make()).catch((e) => e);
      expect(scope.isDone()).toBe(true);
      expect(nock.pendingMocks()).toEqual([]);
      expect(err).toBeInstanceOf(OrgsyncError);
      expect(err).toMatchObject({ kind: 'auth', status: 401, retryable: false, code: 'invalid_token' });
      expect(err.message).toMatch(
        /Gusto rejected the access token for company '7c3f1a52-9d4e-4b8a-a1f6-2e0d5c9b8a31' \(401 invalid_token\)/,
      );
      expect(err.message).toMatch(/The access token is invalid, expired/);
      expect(err.message).toMatch(/expire after 2 hours/);
    });

    it('403 on departments: auth error naming the missing scope', async () => {
      nock(BASE)
        .get(`/v1/companies/${CO}/departments`)
        .reply(...errorReply(fixture<ErrorFixture>('403_missing_scope.json')));
      const err = await takeSnapshot(make()).catch((e) => e);
      expect(err).toMatchObject({ kind: 'auth', status: 403, retryable: false });
      expect(err.message).toMatch(/departments:read scope/);
      expect(err.message).toMatch(/does not have the departments:read scope/);
    });

    it('404 on the company path: config error about the company UUID', async () => {
      const other = '00000000-0000-4000-8000-000000000000';
      nock(BASE)
        .get(`/v1/companies/${other}/departments`)
        .reply(...errorReply(fixture<ErrorFixture>('404_company_not_found.json')));
      const err = await takeSnapshot(gusto({ companyUuid: other, accessToken: TOKEN, http: quick })).catch((e) => e);
      expect(err).toMatchObject({ kind: 'config', status: 404, retryable: false, code: 'not_found' });
      expect(err.message).toMatch(new RegExp(`no company with UUID '${other}'`));
      expect(err.message).toMatch(/not_found: The requested resource was not found/);
      expect(err.message).toMatch(/token_info/);
    });

    it('406 invalid_api_version: config error naming the header and the value sent', async () => {
      const scope = nock(BASE)
        .get(`/v1/companies/${CO}/departments`)
        .matchHeader('x-gusto-api-version', '2023-01-01')
        .reply(...errorReply(fixture<ErrorFixture>('406_invalid_api_version.json')));
      const err = await takeSnapshot(make({ apiVersion: '2023-01-01' })).catch((e) => e);
      expect(scope.isDone()).toBe(true);
      expect(err).toMatchObject({ kind: 'config', status: 406, retryable: false, code: 'invalid_api_version' });
      expect(err.message).toMatch(/X-Gusto-API-Version header: the value sent was '2023-01-01'/);
      expect(err.message).toMatch(/invalid_api_version: Invalid API Version/);
    });

    it("406 in the documented {name, message} shape: also a config error with Gusto's text", async () => {
      nock(BASE)
        .get(`/v1/companies/${CO}/departments`)
        .reply(...errorReply(fixture<ErrorFixture>('406_invalid_api_version_legacy.json')));
      const err = await takeSnapshot(make({ apiVersion: '2023-09-01' })).catch((e) => e);
      expect(err.kind).toBe('config');
      expect(err.message).toMatch(/'2023-09-01'/);
      expect(err.message).toMatch(/Invalid X-Gusto-API-Version Header: Invalid API Version `2023-09-01`/);
    });

    it('a malformed apiVersion is refused before any request', () => {
      expect(() => make({ apiVersion: '2025-6-15' })).toThrowError(/apiVersion: must be a Gusto API version date/);
      expect(() => make({ apiVersion: '2025-6-15' })).toThrowError(OrgsyncError);
      expect(() => gusto({ companyUuid: `${CO}/../other`, accessToken: TOKEN })).toThrowError(/companyUuid/);
      expect(() => gusto({ companyUuid: CO, accessToken: '' })).toThrowError(/accessToken: required secret/);
    });

    it("422 body: Gusto's errors surface in the typed error message", async () => {
      const s = nock(BASE);
      gustoHeaders(s.get(`/v1/companies/${CO}/departments`)).reply(200, fixture(FILES.departments) as nock.Body);
      gustoHeaders(s.get(`/v1/companies/${CO}`)).reply(200, fixture(FILES.company) as nock.Body);
      gustoHeaders(s.get(`/v1/companies/${CO}/locations`).query(true)).reply(
        200,
        fixture(FILES.locations) as nock.Body,
        fixtureHeaders(FILES.locations),
      );
      gustoHeaders(s.get(`/v1/companies/${CO}/employees`).query(true)).reply(
        ...errorReply(fixture<ErrorFixture>('422_invalid_operation.json')),
      );
      const err = await takeSnapshot(make()).catch((e) => e);
      expect(s.isDone()).toBe(true);
      expect(err.kind).toBe('incomplete');
      expect(err.status).toBe(422);
      expect(err.message).toMatch(/invalid_attribute_value sort_by: sort_by cannot be used together with search_term/);
    });

    it('429 with Retry-After, then success', async () => {
      const f = fixture<ErrorFixture>('429_rate_limited.json');
      // The first employees page is throttled once (registered first, so it answers first).
      const throttled = nock(BASE)
        .get(`/v1/companies/${CO}/employees`)
        .query({ sort_by: 'created_at', page: '1', per: '100' })
        .reply(...errorReply(f));
      const s = mockGusto();
      const events: Array<{ type: string; delayMs?: number }> = [];
      const started = Date.now();
      // Its own client-side budget (a different limiter): the 429 pauses the budget it was seen on.
      const http = {
        ...quick,
        rateLimit: { requests: Infinity, concurrency: 3 },
        onProgress: (e: { type: string }) => events.push(e),
      };
      const snap = await takeSnapshot(make({ http }));
      expect(throttled.isDone()).toBe(true);
      expect(s.isDone()).toBe(true);
      expect(snap.employees).toHaveLength(15);
      const retry = events.find((e) => e.type === 'retry');
      expect(retry?.delayMs).toBe(1000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    });

    it('a page that keeps failing: incomplete error after retries, no snapshot', async () => {
      const s = nock(BASE);
      gustoHeaders(s.get(`/v1/companies/${CO}/departments`)).reply(200, fixture(FILES.departments) as nock.Body);
      gustoHeaders(s.get(`/v1/companies/${CO}`)).reply(200, fixture(FILES.company) as nock.Body);
      gustoHeaders(s.get(`/v1/companies/${CO}/locations`).query(true)).reply(
        200,
        fixture(FILES.locations) as nock.Body,
        fixtureHeaders(FILES.locations),
      );
      gustoHeaders(
        s.get(`/v1/companies/${CO}/employees`).query({ sort_by: 'created_at', page: '1', per: '100' }),
      ).reply(200, fixture(FILES.employees1) as nock.Body, fixtureHeaders(FILES.employees1));
      gustoHeaders(s.get(`/v1/companies/${CO}/employees`).query({ sort_by: 'created_at', page: '2', per: '100' }))
        .times(3)
        .reply(502, '<html><body>Bad Gateway</body></html>', { 'content-type': 'text/html' });
      const err = await takeSnapshot(
        make({ http: { ...quick, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } } }),
      ).catch((e) => e);
      expect(s.isDone()).toBe(true);
      expect(err).toBeInstanceOf(OrgsyncError);
      expect(err.kind).toBe('incomplete');
      expect(err.status).toBe(502);
      expect(err.message).toMatch(/no snapshot was produced/);
    });

    it('a body that is not an array: vendor shape error, no snapshot', async () => {
      mockGusto({ page2: { employees: [] } });
      const err = await takeSnapshot(make()).catch((e) => e);
      expect(err.kind).toBe('incomplete');
      expect(err.code).toBe('unexpected_shape');
      expect(err.message).toMatch(
        /page 2 of employees did not have the expected shape \(expected a JSON array of employees, got object\)/,
      );
    });

    it('an employee row without uuid: validation error naming the row, no snapshot', async () => {
      const page2 = fixture<Row[]>(FILES.employees2);
      delete page2[1]!['uuid'];
      mockGusto({ page2 });
      const err = await takeSnapshot(make()).catch((e) => e);
      expect(err.kind).toBe('validation');
      expect(err.message).toMatch(/employees record \(#12\b/);
      expect(err.message).toMatch(/uuid/);
    });

    it('X-Total-Count says 16 but only 15 arrive: incomplete', async () => {
      const h2 = { ...fixtureHeaders(FILES.employees2), 'x-total-count': '16' };
      const h1 = { ...fixtureHeaders(FILES.employees1), 'x-total-count': '16' };
      const s = nock(BASE);
      gustoHeaders(s.get(`/v1/companies/${CO}/departments`)).reply(200, fixture(FILES.departments) as nock.Body);
      gustoHeaders(s.get(`/v1/companies/${CO}`)).reply(200, fixture(FILES.company) as nock.Body);
      gustoHeaders(s.get(`/v1/companies/${CO}/locations`).query(true)).reply(
        200,
        fixture(FILES.locations) as nock.Body,
        fixtureHeaders(FILES.locations),
      );
      s.get(`/v1/companies/${CO}/employees`)
        .query({ sort_by: 'created_at', page: '1', per: '100' })
        .reply(200, fixture(FILES.employees1) as nock.Body, h1);
      s.get(`/v1/companies/${CO}/employees`)
        .query({ sort_by: 'created_at', page: '2', per: '100' })
        .reply(200, fixture(FILES.employees2) as nock.Body, h2);
      const err = await takeSnapshot(make()).catch((e) => e);
      expect(err.kind).toBe('incomplete');
      expect(err.code).toBe('short_walk');
      expect(err.message).toMatch(/ended after 15 of 16/);
    });
  });
});
