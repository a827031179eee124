import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scim } from '../../../connectors/scim/index.js';
import { OrgsyncError } from '../../../src/errors.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { fixture, rejection, SCIM_HEADERS, type ErrorFixture } from './helpers.js';

const ORIGIN = 'https://idp.example.com';
const BASE_URL = `${ORIGIN}/scim/v2`;
const TOKEN = 'scim-7Qx9v2LmP4kR8sT1wY6zAb3Cd5Ef';
const BEARER = `Bearer ${TOKEN}`;
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 }, rateLimit: { requests: Infinity } };

const U = (n: number) => `5b0f9c1e-3a7d-4e21-9c4b-7d2e8f1a00${String(n).padStart(2, '0')}`;
const G = (n: number) => `c7e1d2a4-0b5f-4a3c-8e9d-2f6a1b3c000${n}`;

const connector = (extra: Record<string, unknown> = {}) =>
  scim({ baseUrl: BASE_URL, token: TOKEN, pageSize: 4, http: fast, ...extra });

function mockSpc(scope: nock.Scope, body: unknown = fixture('GET_ServiceProviderConfig.json')) {
  return scope
    .get('/scim/v2/ServiceProviderConfig')
    .matchHeader('authorization', BEARER)
    .matchHeader('accept', /^application\/scim\+json/)
    .reply(200, body as nock.Body, SCIM_HEADERS);
}

function mockGroups(scope: nock.Scope, count = '4', body: unknown = fixture('GET_Groups_startIndex_1.json')) {
  return scope
    .get('/scim/v2/Groups')
    .query({ count, startIndex: '1' })
    .matchHeader('authorization', BEARER)
    .matchHeader('accept', /^application\/scim\+json/)
    .reply(200, body as nock.Body, SCIM_HEADERS);
}

function mockUsers(scope: nock.Scope) {
  for (const start of ['1', '5', '9']) {
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: start })
      .matchHeader('authorization', BEARER)
      .matchHeader('accept', /^application\/scim\+json/)
      .reply(200, fixture(`GET_Users_startIndex_${start}.json`), {
        ...SCIM_HEADERS,
        'x-request-id': `req-users-${start}`,
      });
  }
  return scope;
}

/** All ten fixture users, for tests that serve them with other page sizes. */
const allUsers = (): Array<Record<string, unknown>> =>
  ['1', '5', '9'].flatMap((s) => fixture(`GET_Users_startIndex_${s}.json`).Resources);

/** Serve `/Users` from a list like a conformant server would, recording each request's query. */
function serveUsers(scope: nock.Scope, users: unknown[], seen: Array<Record<string, string>>) {
  return scope
    .get('/scim/v2/Users')
    .query(true)
    .times(50)
    .reply(function (uri) {
      const q = Object.fromEntries(new URL(uri, ORIGIN).searchParams);
      seen.push(q);
      const start = Math.max(1, Number(q['startIndex'] ?? 1));
      const count = Number(q['count'] ?? 100);
      const page = users.slice(start - 1, start - 1 + count);
      return [
        200,
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
          totalResults: users.length,
          itemsPerPage: page.length,
          startIndex: start,
          Resources: page,
        },
        SCIM_HEADERS,
      ];
    });
}

const errorReply = (f: ErrorFixture) => [f.status, f.body as nock.Body, f.headers] as const;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('SCIM contract (nock, recorded-style fixtures)', () => {
  it('reads ServiceProviderConfig, Groups and three pages of Users into a valid snapshot', async () => {
    const scope = mockUsers(mockGroups(mockSpc(nock(ORIGIN))));
    const snap = await takeSnapshot(connector(), { now: new Date('2026-11-26T12:00:00Z') });
    expect(scope.isDone()).toBe(true);
    expect(snap.connector).toBe('scim');
    expect(snap.company).toEqual({ id: 'idp.example.com/scim/v2', name: 'idp.example.com', legalName: null });
    expect(snap.employees).toHaveLength(10);
    const e = new Map(snap.employees.map((x) => [x.id, x]));

    expect(e.get(U(1))).toMatchObject({
      employeeNumber: '1001',
      firstName: 'Maya',
      lastName: 'Okafor',
      preferredName: null,
      displayName: 'Maya Okafor',
      workEmail: 'maya.okafor@northwind.example',
      personalEmail: 'maya.okafor@fastmail.example',
      jobTitle: 'Chief Executive Officer',
      managerId: null,
      employmentStatus: 'ACTIVE',
      employmentStatusRaw: 'true',
      employmentType: null, // "Employee" says nothing about full or part time
      employmentTypeRaw: 'Employee',
      startDate: null,
      terminationDate: null,
      locationId: null,
      updatedAt: '2026-09-14T10:02:11.000Z',
      customFields: {
        userName: 'maya.okafor@northwind.example',
        externalId: 'hr-1001',
        organization: 'Northwind Labs',
      },
    });
    // Membership from both Group.members and User.groups, deduplicated; enterprise strings as groups.
    expect(e.get(U(1))!.groupIds).toEqual(['department:Executive', 'division:Corporate', 'costCenter:CC-100', G(1)]);
    // Lars is in Leadership only through Group.members (no groups attribute on his record).
    expect(e.get(U(2))).toMatchObject({ managerId: U(1), workEmail: 'lars.johansson@northwind.example' });
    expect(e.get(U(2))!.groupIds).toContain(G(1));
    // "True" as a string; trailing space in the department; the "indirect" Engineering group is not a direct membership.
    expect(e.get(U(3))).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentStatusRaw: 'True',
      preferredName: 'Sofi',
      managerId: U(2),
      personalEmail: 'sofi.g@mail.example',
    });
    expect(e.get(U(3))!.groupIds).toEqual([
      'department:Engineering',
      'division:Product & Engineering',
      'costCenter:CC-200',
      G(2),
    ]);
    // "False" as a string; manager as a plain id string (Entra); an untyped group member; name composed.
    expect(e.get(U(4))).toMatchObject({
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'False',
      managerId: U(3),
      displayName: 'Kenji Tanaka',
      workEmail: 'kenji.tanaka@northwind.example',
    });
    expect(e.get(U(4))!.groupIds).toContain(G(2));
    expect(e.get(U(5))).toMatchObject({
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'false',
      managerId: U(3),
    });
    expect(e.get(U(5))!.groupIds).toContain(G(3));
    // No `active` at all: UNKNOWN, never ACTIVE; manager given by userName resolves to Sofía.
    expect(e.get(U(6))).toMatchObject({ employmentStatus: 'UNKNOWN', employmentStatusRaw: null, managerId: U(3) });
    // Capitalised attribute names (Active, Title, UserType, Emails, Manager); untyped primary email.
    expect(e.get(U(7))).toMatchObject({
      displayName: 'Zoë Müller',
      jobTitle: 'Security Consultant',
      employmentStatus: 'ACTIVE',
      employmentType: 'CONTRACTOR',
      employmentTypeRaw: 'Contractor',
      workEmail: 'zoe.muller@contractors.example',
      employeeNumber: 'C-2207',
      managerId: U(2),
    });
    // Non-standard enterprise managerId holding an employee number.
    expect(e.get(U(8))).toMatchObject({ employmentType: 'INTERN', managerId: U(2) });
    // Numeric id, no enterprise extension, unknown userType, an unrendered template for active.
    expect(e.get('4711')).toMatchObject({
      displayName: 'Kwame Mensah (Partner)',
      firstName: null,
      workEmail: null,
      employmentStatus: 'UNKNOWN',
      employmentStatusRaw: '{$user.active}',
      employmentType: 'OTHER',
      employmentTypeRaw: 'Vendor Partner',
      groupIds: [],
      managerId: null,
    });
    // The work email wins over a primary home email; a manager reference that matches nobody is no manager, with a warning.
    expect(e.get(U(10))).toMatchObject({
      workEmail: 'amara.silva@northwind.example',
      personalEmail: 'amara.home@mail.example',
      employmentType: 'PART_TIME',
    });
    expect(e.get(U(10))!.managerId).toBeNull();
    expect(snap.warnings).toEqual([
      `employee ${U(10)}: manager reference matched 0 employees (by id, userName, externalId, employeeNumber, workEmail); managerId left empty`,
    ]);
    for (const x of snap.employees) if (x.managerId) expect(e.has(x.managerId)).toBe(true);

    const g = new Map(snap.groups.map((x) => [x.id, x]));
    expect(g.get(G(1))).toEqual({ id: G(1), name: 'Leadership', type: 'OTHER', typeRaw: 'Group', parentId: null });
    expect(g.get(G(2))!.parentId).toBe(G(3)); // Platform is a member (type Group) of Engineering
    expect(g.get(G(4))).toMatchObject({ name: 'Alumni', parentId: null });
    expect(g.get('department:Engineering')).toEqual({
      id: 'department:Engineering',
      name: 'Engineering',
      type: 'DEPARTMENT',
      typeRaw: 'department',
      parentId: 'division:Product & Engineering',
    });
    expect(g.get('department:Customer Success')!.parentId).toBe('division:Go To Market');
    expect(g.get('division:Corporate')).toMatchObject({ type: 'DIVISION', parentId: null });
    expect(g.get('costCenter:CC-300')).toMatchObject({ type: 'COST_CENTER', name: 'CC-300' });
    expect(snap.groups.map((x) => x.id).sort()).toEqual(
      [
        G(1),
        G(2),
        G(3),
        G(4),
        'costCenter:CC-100',
        'costCenter:CC-200',
        'costCenter:CC-300',
        'costCenter:CC-400',
        'department:Customer Success',
        'department:Engineering',
        'department:Executive',
        'department:Product',
        'division:Corporate',
        'division:Go To Market',
        'division:Product & Engineering',
      ].sort(),
    );
    expect(snap.locations).toEqual([]);
  });

  it('sizes pages by min(pageSize, filter.maxResults) and walks by startIndex', async () => {
    const spc = fixture('GET_ServiceProviderConfig.json');
    spc.filter.maxResults = 3;
    const seen: Array<Record<string, string>> = [];
    const scope = nock(ORIGIN);
    mockSpc(scope, spc);
    mockGroups(scope, '3');
    serveUsers(scope, allUsers(), seen);
    const snap = await takeSnapshot(connector({ pageSize: 50 }));
    expect(snap.employees).toHaveLength(10);
    expect(seen).toEqual(['1', '4', '7', '10'].map((startIndex) => ({ count: '3', startIndex })));
  });

  it('defaults to 100 per page when neither pageSize nor maxResults limit it', async () => {
    const spc = fixture('GET_ServiceProviderConfig.json');
    delete spc.filter.maxResults;
    const seen: Array<Record<string, string>> = [];
    const scope = nock(ORIGIN);
    mockSpc(scope, spc);
    mockGroups(scope, '100');
    serveUsers(scope, allUsers(), seen);
    const snap = await takeSnapshot(connector({ pageSize: undefined }));
    expect(snap.employees).toHaveLength(10);
    expect(seen).toEqual([{ count: '100', startIndex: '1' }]);
  });

  it('accepts a ListResponse without Resources when totalResults is 0', async () => {
    const scope = mockUsers(mockGroups(mockSpc(nock(ORIGIN)), '4', fixture('GET_Groups_empty.json')));
    const snap = await takeSnapshot(connector());
    expect(scope.isDone()).toBe(true);
    expect(snap.groups.every((g) => g.type !== 'OTHER')).toBe(true);
    // Memberships named by User.groups stay, and point at groups the server did not list.
    expect(snap.employees.find((x) => x.id === U(1))!.groupIds).toContain(G(1));
    expect(snap.warnings).toContain(`employee ${U(1)}: group ${G(1)} is not in the snapshot`);
  });

  it('refuses a ListResponse that announces records but has no Resources', async () => {
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope
      .get('/scim/v2/Users')
      .query(true)
      .reply(
        200,
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
          totalResults: 10,
          startIndex: 1,
          itemsPerPage: 4,
        },
        SCIM_HEADERS,
      );
    const err = await rejection(takeSnapshot(connector()));
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('unexpected_shape');
    expect(err.message).toContain('Resources is missing');
  });

  it('tolerates servers without /ServiceProviderConfig or /Groups (404), with warnings', async () => {
    const seen: Array<Record<string, string>> = [];
    const scope = nock(ORIGIN);
    scope.get('/scim/v2/ServiceProviderConfig').reply(...errorReply(fixture('404.json')));
    scope
      .get('/scim/v2/Groups')
      .query({ count: '100', startIndex: '1' })
      .reply(...errorReply(fixture('404.json')));
    serveUsers(scope, allUsers(), seen);
    const snap = await takeSnapshot(connector({ pageSize: undefined }));
    expect(snap.employees).toHaveLength(10);
    expect(seen[0]).toEqual({ count: '100', startIndex: '1' });
    expect(snap.warnings.filter((w) => /ServiceProviderConfig was not available \(404\)/.test(w))).toHaveLength(1);
    expect(snap.warnings.filter((w) => /\/Groups is not implemented by this server \(404\)/.test(w))).toHaveLength(1);
    expect(snap.groups.some((g) => g.type === 'OTHER')).toBe(false);
  });

  it('401 is an auth error with the server detail, and is not retried', async () => {
    const scope = nock(ORIGIN)
      .get('/scim/v2/ServiceProviderConfig')
      .once()
      .reply(...errorReply(fixture('401.json')));
    const err = await rejection(takeSnapshot(connector()));
    expect(scope.isDone()).toBe(true);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(401);
    expect(err.requestId).toBe('3c1f6f0e-52b8-4b0c-a4e1-6f0b9a1d2e01');
    expect(err.message).toContain('rejected the bearer token (401)');
    expect(err.message).toContain('Authorization failure. The authorization header is invalid or missing.');
  });

  it('403 on /Users is an auth error that quotes the server', async () => {
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope
      .get('/scim/v2/Users')
      .query(true)
      .once()
      .reply(...errorReply(fixture('403.json')));
    const err = await rejection(takeSnapshot(connector()));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('lacks permission');
    expect(err.message).toContain('scim:users:read');
  });

  it('404 on /Users (status as a JSON number) is a config error about the base URL', async () => {
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope
      .get('/scim/v2/Users')
      .query(true)
      .once()
      .reply(...errorReply(fixture('404.json')));
    const err = await rejection(takeSnapshot(connector()));
    expect(err.kind).toBe('config');
    expect(err.status).toBe(404);
    expect(err.message).toContain('SCIM service root');
    expect(err.message).toContain('Endpoint Not Found');
  });

  it('429 with Retry-After on a middle page: waits, then completes', async () => {
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: '1' })
      .reply(200, fixture('GET_Users_startIndex_1.json'), SCIM_HEADERS);
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: '5' })
      .reply(...errorReply(fixture('429_retry_after.json')));
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: '5' })
      .reply(200, fixture('GET_Users_startIndex_5.json'), SCIM_HEADERS);
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: '9' })
      .reply(200, fixture('GET_Users_startIndex_9.json'), SCIM_HEADERS);
    const started = Date.now();
    const snap = await takeSnapshot(connector());
    expect(scope.isDone()).toBe(true);
    expect(snap.employees).toHaveLength(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('an Error body inside a 200 (status 503 as a number) is retried like a 503', async () => {
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: '1' })
      .reply(...errorReply(fixture('200_error_body.json')));
    mockUsers(scope);
    const snap = await takeSnapshot(connector());
    expect(scope.isDone()).toBe(true);
    expect(snap.employees).toHaveLength(10);
  });

  it('500 on every attempt: incomplete, no snapshot, after the configured retries', async () => {
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope
      .get('/scim/v2/Users')
      .query(true)
      .times(3)
      .reply(...errorReply(fixture('500.json')));
    const err = await rejection(
      takeSnapshot(connector({ http: { ...fast, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } } })),
    );
    expect(scope.isDone()).toBe(true);
    expect(err.kind).toBe('incomplete');
    expect(err.status).toBe(500);
    expect(err.message).toContain('An unexpected error occurred while reading the directory.');
  });

  it('a user record without an id fails validation and names the record', async () => {
    const page = fixture('GET_Users_startIndex_5.json');
    delete page.Resources[1].id;
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: '1' })
      .reply(200, fixture('GET_Users_startIndex_1.json'), SCIM_HEADERS);
    scope.get('/scim/v2/Users').query({ count: '4', startIndex: '5' }).reply(200, page, SCIM_HEADERS);
    const err = await rejection(takeSnapshot(connector()));
    expect(err.kind).toBe('validation');
    expect(err.message).toContain('record (#6, userName omar.haddad@northwind.example)');
    expect(err.message).toContain('id');
  });

  it('includeRemoteData keeps the raw record, without any password a server leaks', async () => {
    const page = fixture('GET_Users_startIndex_1.json');
    page.Resources[0].password = 't0p-s3cret-pass';
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope.get('/scim/v2/Users').query({ count: '4', startIndex: '1' }).reply(200, page, SCIM_HEADERS);
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: '5' })
      .reply(200, fixture('GET_Users_startIndex_5.json'), SCIM_HEADERS);
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: '9' })
      .reply(200, fixture('GET_Users_startIndex_9.json'), SCIM_HEADERS);
    const snap = await takeSnapshot(connector({ includeRemoteData: true }));
    const maya = snap.employees.find((x) => x.id === U(1))!;
    expect((maya.remoteData as Record<string, unknown>)['userName']).toBe('maya.okafor@northwind.example');
    expect(JSON.stringify(snap)).not.toContain('t0p-s3cret-pass');
  });
});

describe('SCIM incremental reads', () => {
  it('lists users changed since the watermark with a meta.lastModified filter', async () => {
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope
      .get('/scim/v2/Users')
      .query({ count: '4', startIndex: '1', filter: 'meta.lastModified gt "2026-11-20T00:00:00Z"' })
      .matchHeader('authorization', BEARER)
      .reply(200, fixture('GET_Users_filter_lastModified.json'), SCIM_HEADERS);
    const changes = await connector().readChanges!(new Date('2026-11-20T00:00:00.750Z'));
    expect(scope.isDone()).toBe(true);
    expect(changes.deletedIds).toEqual([]);
    expect(changes.employees.map((x) => [x.id, x.employmentStatus])).toEqual([
      [U(4), 'TERMINATED'],
      [U(10), 'ACTIVE'],
    ]);
    expect(changes.employees[0]!.managerRef).toEqual({ value: U(3) });
  });

  it('a server that cannot filter (400 invalidFilter) gives a vendor error that says so', async () => {
    const scope = mockGroups(mockSpc(nock(ORIGIN)));
    scope
      .get('/scim/v2/Users')
      .query(true)
      .once()
      .reply(...errorReply(fixture('400_invalid_filter.json')));
    const err = await rejection(connector().readChanges!(new Date('2026-11-20T00:00:00Z')));
    expect(scope.isDone()).toBe(true);
    expect(err.kind).toBe('vendor');
    expect(err.code).toBe('invalidFilter');
    expect(err.message).toContain('(invalidFilter): "Filtering on attribute \'meta.lastModified\' is not supported."');
    expect(err.message).toContain('take full snapshots instead');
  });

  it('filter.supported=false: no request is made, a config error explains', async () => {
    const spc = fixture('GET_ServiceProviderConfig.json');
    spc.filter.supported = 'false';
    const scope = mockGroups(mockSpc(nock(ORIGIN), spc));
    const err = await rejection(connector().readChanges!(new Date('2026-11-20T00:00:00Z')));
    expect(scope.isDone()).toBe(true);
    expect(err.kind).toBe('config');
    expect(err.code).toBe('filter_unsupported');
  });
});

describe('SCIM options', () => {
  it('requires baseUrl and a token, and never echoes the token', () => {
    expect(() => scim({ token: TOKEN } as never)).toThrow(/baseUrl is required/);
    try {
      scim({ baseUrl: BASE_URL, token: '' });
      expect.unreachable();
    } catch (e) {
      expect((e as OrgsyncError).kind).toBe('config');
      expect((e as Error).message).toContain('token: required secret is missing or invalid');
    }
  });

  it('refuses to send the token over plain http except to loopback, and credentials in the URL', () => {
    expect(() => scim({ baseUrl: 'http://idp.example.com/scim/v2', token: TOKEN })).toThrow(/must use https/);
    expect(() => scim({ baseUrl: 'https://u:p@idp.example.com/scim/v2', token: TOKEN })).toThrow(
      /must not contain credentials/,
    );
    expect(scim({ baseUrl: 'http://127.0.0.1:8080/scim/v2', token: TOKEN }).id).toBe('scim');
    expect(scim({ baseUrl: 'http://localhost:8080/scim/v2', token: TOKEN }).id).toBe('scim');
  });

  it('exposes its options schema to the CLI (flags --base-url, --token, --page-size)', () => {
    expect(Object.keys(scim.definition.options.shape)).toEqual(['baseUrl', 'token', 'pageSize']);
    expect(scim.definition.secrets).toEqual(['token']);
  });
});
