import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bamboohr } from '../../../connectors/bamboohr/index.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { OrgsyncError } from '../../../src/errors.js';
import { fixture, type ErrorFixture } from '../../helpers/fixtures.js';

const BASE = 'https://acme.bamboohr.com';
const KEY = 'b4c0ffee5ecret0api0key0000000001';
const basic = `Basic ${Buffer.from(`${KEY}:x`).toString('base64')}`;
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

function mockAccount(scope = nock(BASE)) {
  return scope
    .get('/api/v1/meta/lists')
    .matchHeader('authorization', basic)
    .matchHeader('accept', 'application/json')
    .reply(200, fixture('bamboohr', 'GET_v1_meta_lists.json'), { 'content-type': 'application/json' })
    .get('/api/v1/company_information')
    .matchHeader('authorization', basic)
    .reply(200, fixture('bamboohr', 'GET_v1_company_information.json'), { 'content-type': 'application/json' });
}

function mockReport(scope: nock.Scope, body: unknown = fixture('bamboohr', 'POST_v1_reports_custom.json')) {
  return scope
    .post(
      '/api/v1/reports/custom',
      (b: { fields?: string[] }) =>
        Array.isArray(b.fields) &&
        b.fields.includes('supervisorId') &&
        b.fields.includes('status') &&
        b.fields.includes('terminationDate'),
    )
    .query({ format: 'JSON', onlyCurrent: 'false' })
    .matchHeader('content-type', /^application\/json$/)
    .matchHeader('authorization', basic)
    .reply(200, body as nock.Body, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req-123' });
}

const errorReply = (f: ErrorFixture) => [f.status, f.body as string, f.headers] as const;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('BambooHR contract (nock, recorded-style fixtures)', () => {
  it('reads the custom report, lists and company into a valid snapshot', async () => {
    const scope = mockReport(mockAccount());
    const snap = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY }), {
      now: new Date('2026-11-26T12:00:00Z'),
    });
    expect(scope.isDone()).toBe(true);
    expect(snap.connector).toBe('bamboohr');
    expect(snap.company).toEqual({ id: 'acme', name: 'Efficient Office', legalName: 'Efficient Office, LLC' });
    expect(snap.employees).toHaveLength(14);
    const byId = new Map(snap.employees.map((e) => [e.id, e]));

    // supervisorId is an employee NUMBER: number 6 is Jennifer (id 9), number 1 is Charlotte (id 4), number 7 is Eric (id 10).
    expect(byId.get('4')!.managerId).toBe('9');
    expect(byId.get('6')!.managerId).toBe('4');
    expect(byId.get('11')!.managerId).toBe('10');
    expect(byId.get('15')!.managerId).toBe('13');
    expect(byId.get('9')!.managerId).toBeNull();
    for (const e of snap.employees) if (e.managerId) expect(byId.has(e.managerId)).toBe(true);

    const charlotte = byId.get('4')!;
    expect(charlotte).toMatchObject({
      employeeNumber: '1',
      firstName: 'Charlotte',
      lastName: 'Abbott',
      displayName: 'Charlotte Abbott',
      workEmail: 'cabbott@efficientoffice.com',
      personalEmail: 'charlotte.abbott@gmail.com',
      jobTitle: 'Sr. HR Administrator',
      employmentStatus: 'ACTIVE',
      employmentType: 'FULL_TIME',
      startDate: '2025-03-03',
      terminationDate: null,
      updatedAt: '2026-10-02T13:10:19.000Z',
    });
    const groupsByName = new Map(snap.groups.map((g) => [`${g.type}:${g.name}`, g.id]));
    expect(charlotte.groupIds).toEqual([
      groupsByName.get('DEPARTMENT:Human Resources'),
      groupsByName.get('DIVISION:North America'),
    ]);
    expect(snap.locations.find((l) => l.id === charlotte.locationId)?.name).toBe('Salt Lake City, Utah');
    expect(byId.get('6')!.preferredName).toBe('Chris');
  });

  it('maps statuses and types, including BambooHR quirks', async () => {
    mockReport(mockAccount());
    const snap = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY }));
    const s = (id: string) => snap.employees.find((e) => e.id === id)!;
    expect(s('29')).toMatchObject({
      employmentStatus: 'TERMINATED',
      terminationDate: '2026-03-31',
      employmentType: null,
      employmentTypeRaw: null,
    });
    expect(s('29')!.employmentStatusRaw).toContain('Terminated'); // the status in the type's place is kept as the raw status
    expect(s('30')).toMatchObject({ employmentStatus: 'TERMINATED', terminationDate: null }); // "" date
    expect(s('31')).toMatchObject({ employmentStatus: 'PENDING', startDate: '2027-01-04', workEmail: null }); // Inactive future hire
    expect(s('13')).toMatchObject({ employmentStatus: 'ACTIVE', terminationDate: '2027-02-28' }); // scheduled termination
    expect(s('14')).toMatchObject({ employmentStatus: 'LEAVE', employmentStatusRaw: 'Active / Furloughed' });
    expect(s('11')).toMatchObject({ employmentType: 'CONTRACTOR' });
    expect(s('12')).toMatchObject({ employmentType: 'INTERN' });
    expect(s('5')).toMatchObject({ employmentType: 'PART_TIME' });
    // A company-specific value: type OTHER with the raw value kept; status from `status`.
    expect(s('15')).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentType: 'OTHER',
      employmentTypeRaw: 'Seasonal Worker',
    });
    // A row without status information is UNKNOWN, never silently ACTIVE; 0000-00-00 dates are null.
    expect(s('16')).toMatchObject({
      employmentStatus: 'UNKNOWN',
      startDate: null,
      terminationDate: null,
      groupIds: [],
      locationId: null,
      managerId: null,
    });
  });

  it('maps an employee number that matches nobody to no manager, with a warning', async () => {
    const report = fixture<{ employees: Array<Record<string, unknown>> }>('bamboohr', 'POST_v1_reports_custom.json');
    report.employees[1]!['supervisorId'] = '999';
    mockReport(mockAccount(), report);
    const snap = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY }));
    expect(snap.employees.find((e) => e.id === '4')!.managerId).toBeNull();
    expect(snap.warnings.some((w) => w.includes('employee 4') && w.includes('999'))).toBe(true);
  });

  it('keeps custom-field keys such as __proto__ as data without polluting prototypes', async () => {
    const report = JSON.parse(
      JSON.stringify(fixture('bamboohr', 'POST_v1_reports_custom.json')).replace(
        '"lastChanged":"2026-10-02T13:10:19+00:00"',
        '"lastChanged":"2026-10-02T13:10:19+00:00","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"customShirtSize":"M"',
      ),
    );
    mockReport(mockAccount(), report);
    const snap = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY, customFields: ['customShirtSize'] }));
    const e = snap.employees.find((x) => x.id === '9')!;
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(e.customFields, '__proto__')).toBe(true);
    expect(e.customFields['customShirtSize']).toBe('M');
    expect(Object.getPrototypeOf(e.customFields)).toBe(Object.prototype);
  });

  it('uses the legacy gateway base URL when given', async () => {
    const gw = 'https://api.bamboohr.com';
    const scope = nock(gw)
      .get('/api/gateway.php/acme/v1/meta/lists')
      .reply(200, fixture('bamboohr', 'GET_v1_meta_lists.json'), { 'content-type': 'application/json' })
      .get('/api/gateway.php/acme/v1/company_information')
      .reply(200, fixture('bamboohr', 'GET_v1_company_information.json'), { 'content-type': 'application/json' })
      .post('/api/gateway.php/acme/v1/reports/custom')
      .query(true)
      .reply(200, fixture('bamboohr', 'POST_v1_reports_custom.json'), { 'content-type': 'application/json' });
    const snap = await takeSnapshot(
      bamboohr({ subdomain: 'acme', apiKey: KEY, baseUrl: `${gw}/api/gateway.php/acme` }),
    );
    expect(scope.isDone()).toBe(true);
    expect(snap.employees).toHaveLength(14);
  });

  describe('bad input', () => {
    it('wrong API key: auth error with an actionable message, not retried', async () => {
      const scope = nock(BASE)
        .get('/api/v1/meta/lists')
        .reply(...errorReply(fixture('bamboohr', '401.json')));
      const err = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY, http: fast })).catch((e) => e);
      expect(scope.isDone()).toBe(true);
      expect(err).toBeInstanceOf(OrgsyncError);
      expect(err.kind).toBe('auth');
      expect(err.status).toBe(401);
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/BambooHR rejected the API key/);
      expect(err.message).not.toContain(KEY);
    });

    it('403 from a key without directory access: auth error naming the permission', async () => {
      mockAccount();
      nock(BASE)
        .post('/api/v1/reports/custom')
        .query(true)
        .reply(...errorReply(fixture('bamboohr', '403.json')));
      const err = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY, http: fast })).catch((e) => e);
      expect(err.kind).toBe('auth');
      expect(err.status).toBe(403);
      expect(err.message).toMatch(/lacks access/);
    });

    it('unknown subdomain (404): config error', async () => {
      nock('https://nosuchco.bamboohr.com')
        .get('/api/v1/meta/lists')
        .reply(...errorReply(fixture('bamboohr', '404.json')));
      const err = await takeSnapshot(bamboohr({ subdomain: 'nosuchco', apiKey: KEY, http: fast })).catch((e) => e);
      expect(err.kind).toBe('config');
      expect(err.message).toMatch(/subdomain is probably wrong/);
    });

    it('503 with Retry-After, then success', async () => {
      const f = fixture<ErrorFixture>('bamboohr', '503_retry_after.json');
      nock(BASE)
        .get('/api/v1/meta/lists')
        .reply(f.status, f.body as string, { ...f.headers, 'retry-after': '0' });
      mockReport(mockAccount());
      const events: string[] = [];
      const snap = await takeSnapshot(
        bamboohr({ subdomain: 'acme', apiKey: KEY, http: { ...fast, onProgress: (e) => events.push(e.type) } }),
      );
      expect(snap.employees).toHaveLength(14);
      expect(events).toContain('retry');
    });

    it('500 on every retry: incomplete, no snapshot, after exactly retries+1 attempts', async () => {
      const scope = nock(BASE)
        .get('/api/v1/meta/lists')
        .times(3)
        .reply(500, '{"error":"boom"}', { 'content-type': 'application/json' });
      const err = await takeSnapshot(
        bamboohr({ subdomain: 'acme', apiKey: KEY, http: { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } } }),
      ).catch((e) => e);
      expect(scope.isDone()).toBe(true);
      expect(err.kind).toBe('incomplete');
      expect(err.status).toBe(500);
      expect(err.message).toMatch(/no snapshot was produced/);
    });

    it('malformed JSON body: retried, then a clear error', async () => {
      mockAccount();
      nock(BASE)
        .post('/api/v1/reports/custom')
        .query(true)
        .times(2)
        .reply(200, '{"title":"x","employees":[{"id":"4",', { 'content-type': 'application/json' });
      const err = await takeSnapshot(
        bamboohr({ subdomain: 'acme', apiKey: KEY, http: { retry: { retries: 1, baseDelayMs: 1 } } }),
      ).catch((e) => e);
      expect(err.kind).toBe('incomplete');
      expect(err.code).toBe('malformed_body');
      expect(err.message).toMatch(/malformed JSON/);
    });

    it('an HTML page instead of JSON: vendor error that points at the base URL', async () => {
      nock(BASE)
        .get('/api/v1/meta/lists')
        .reply(200, '<!DOCTYPE html><html><head><title>Log In | BambooHR</title></head></html>', {
          'content-type': 'text/html',
        });
      const err = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY, http: fast })).catch((e) => e);
      expect(err.kind).toBe('incomplete');
      expect(err.code).toBe('unexpected_content_type');
      expect(err.message).toMatch(/HTML page \("Log In \| BambooHR"\) instead of JSON/);
    });

    it('an error whose reason is only in the X-BambooHR-Message header: the message quotes it (vendorMessage hook)', async () => {
      nock(BASE)
        .get('/api/v1/meta/lists')
        .reply(400, '', { 'x-bamboohr-message': 'Invalid request: unknown field "foo"' });
      const err = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY, http: fast })).catch((e) => e);
      expect(err.message).toContain('BambooHR said: "Invalid request: unknown field "foo""');
      // A JSON body's message comes first; the header is the fallback.
      nock(BASE)
        .get('/api/v1/meta/lists')
        .reply(400, { message: 'from the body' }, { 'x-bamboohr-message': 'from the header' });
      const err2 = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY, http: fast })).catch((e) => e);
      expect(err2.message).toContain('BambooHR said: "from the body"');
      expect(err2.message).not.toContain('from the header');
    });

    it('a report row that is not an object: validation error naming the row, no snapshot', async () => {
      mockReport(mockAccount(), { title: 't', fields: [], employees: [{ id: '1', firstName: 'A' }, 'garbage'] });
      const err = await takeSnapshot(bamboohr({ subdomain: 'acme', apiKey: KEY, http: fast })).catch((e) => e);
      expect(err.kind).toBe('validation');
      expect(err.message).toMatch(/employees record \(#2/);
    });

    it('invalid config: missing subdomain is a config error before any request', async () => {
      expect(() => bamboohr({ apiKey: KEY } as never)).toThrowError(/subdomain/);
      try {
        bamboohr({ subdomain: 'acme.bamboohr.com/x', apiKey: KEY });
      } catch (e) {
        expect((e as OrgsyncError).kind).toBe('config');
        expect((e as Error).message).not.toContain(KEY);
      }
      expect(() => bamboohr({ subdomain: 'acme', apiKey: '' })).toThrowError(/apiKey: required secret/);
    });
  });
});
