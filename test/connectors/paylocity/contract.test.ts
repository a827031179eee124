/**
 * Paylocity end to end against nock serving the fixtures: the token request (Basic client auth,
 * scope WebLinkAPI), the ids-only list (pagenumber/pagesize, X-Pcty-Total-Count), one record per
 * employee, cost-centre codes, and the mapping of each fixture person; plus 403 throttling and a
 * token endpoint refusing the client. Also the pure mapping rules (dates, status disagreement).
 */
import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { paylocity } from '../../../connectors/paylocity/index.js';
import { mapStatus, paylocityDate } from '../../../connectors/paylocity/map.js';
import { clearTokenCache } from '../../../src/http/auth.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { errorText } from '../../../src/testing/conformance.js';
import { CO, fixture, IDS, record } from './helpers.js';

const API = 'https://api.paylocity.com';
const SECRET = 'pcty-fixture-secret-4e81a0c2';
const now = new Date('2026-06-01T12:00:00Z');
const options = (extra: Record<string, unknown> = {}) => ({
  companyId: CO,
  clientId: 'weblink-client',
  clientSecret: SECRET,
  http: { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 } },
  ...extra,
});
const basic = `Basic ${Buffer.from(`weblink-client:${SECRET}`).toString('base64')}`;
const token = () => fixture('POST_IdentityServer_connect_token.json').access_token as string;

function serve(o: { codes?: boolean } = {}) {
  nock(API)
    .post(
      '/IdentityServer/connect/token',
      (body) => body.grant_type === 'client_credentials' && body.scope === 'WebLinkAPI',
    )
    .matchHeader('authorization', basic)
    .reply(200, fixture('POST_IdentityServer_connect_token.json'));
  const api = () => nock(API).matchHeader('authorization', `Bearer ${token()}`);
  if (o.codes !== false) {
    api()
      .get(`/api/v2/companies/${CO}/codes/costcenter1`)
      .reply(200, fixture('GET_v2_companies_companyId_codes_costcenter1.json'));
    api()
      .get(`/api/v2/companies/${CO}/codes/costcenter2`)
      .reply(200, fixture('GET_v2_companies_companyId_codes_costcenter2.json'));
    api().get(`/api/v2/companies/${CO}/codes/costcenter3`).reply(404, fixture('404_invalid_code_resource.json').body);
  }
  return api;
}

beforeAll(() => nock.disableNetConnect());
beforeEach(() => clearTokenCache());
afterEach(() => nock.cleanAll());

describe('Paylocity against the fixtures (nock)', () => {
  it('token, codes, the list and one record per employee; every person mapped', async () => {
    const api = serve();
    api()
      .get(`/api/v2/companies/${CO}/employees/`)
      .query({ includetotalcount: 'true', pagesize: '100', pagenumber: '0' })
      .reply(
        200,
        fixture('GET_v2_companies_companyId_employees_page0.json'),
        fixture('GET_v2_companies_companyId_employees_page0.headers.json'),
      );
    for (const id of IDS) api().get(`/api/v2/companies/${CO}/employees/${id}`).reply(200, record(id));
    const s = await takeSnapshot(paylocity(options()), { now });
    expect(nock.pendingMocks()).toEqual([]);
    const e = (id: string) => s.employees.find((x) => x.id === id)!;
    expect(s.company).toEqual(expect.objectContaining({ id: CO, name: 'Acme Robotics, Inc.' }));
    expect(e('1001')).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentType: 'FULL_TIME',
      managerId: null,
      workEmail: 'margaret.okafor@acme.example',
      personalEmail: 'maggie.okafor@mail.example',
      startDate: '2016-02-01',
      locationId: 'Portland HQ',
      groupIds: ['costCenter1:EXEC', 'costCenter2:CORP'],
    });
    expect(e('1002')).toMatchObject({
      startDate: '2019-05-06',
      managerId: '1001',
      customFields: { Team: 'Platform', Remote: false, 'Badge Expiry': '2026-12-31', Desk: 42 },
    });
    expect(e('1003')).toMatchObject({
      employmentStatus: 'LEAVE',
      terminationDate: null,
      preferredName: 'Pri',
      employmentType: 'PART_TIME',
      customFields: { middleName: 'K' },
    });
    expect(e('1004')).toMatchObject({ employmentStatus: 'TERMINATED', terminationDate: '2026-04-30' });
    expect(e('1005')).toMatchObject({
      employmentStatus: 'PENDING',
      startDate: '2026-06-15',
      workEmail: null,
      employmentType: 'TEMPORARY',
    });
    expect(e('1006')).toMatchObject({
      employmentStatus: 'ACTIVE',
      startDate: '2024-03-04',
      employmentType: 'TEMPORARY',
      employmentTypeRaw: 'SNL',
    });
    expect(e('1007')).toMatchObject({
      employmentStatus: 'UNKNOWN',
      employmentStatusRaw: 'R (RET)',
      managerId: null,
      employmentType: 'OTHER',
      customFields: { supervisor: 'E99999/9999' },
    });
    expect(s.groups.find((g) => g.id === 'costCenter1:ENG')).toMatchObject({
      name: 'Engineering',
      type: 'COST_CENTER',
      typeRaw: 'costCenter1',
    });
    expect(s.groups.find((g) => g.id === 'costCenter2:GTM')).toMatchObject({ name: 'GTM' }); // no description: the code
    expect(s.locations.find((l) => l.id === 'Portland HQ')).toMatchObject({
      address: { city: 'Portland', region: 'OR', country: 'US' },
    });
    expect(s.warnings.join('\n')).toMatch(/cost centre 3 names could not be read \(404\)/);
    expect(JSON.stringify(s)).not.toContain(SECRET);
  });

  it('a token endpoint refusing the client: auth error, one request, no secret', async () => {
    nock(API)
      .post('/IdentityServer/connect/token')
      .reply(400, fixture('POST_IdentityServer_connect_token_400_invalid_client.json').body);
    const err = await takeSnapshot(paylocity(options()), { now }).catch((x: unknown) => x);
    expect(err).toMatchObject({ kind: 'auth', code: 'invalid_client' });
    expect(nock.pendingMocks()).toEqual([]);
    expect(errorText(err)).not.toContain(SECRET);
  });

  it('403 "rate limit" is throttling: retried, then the read completes', async () => {
    const api = serve({ codes: false });
    const list = fixture('GET_v2_companies_companyId_employees_page0.json').slice(0, 1);
    api()
      .get(`/api/v2/companies/${CO}/codes/costcenter1`)
      .reply(403, fixture('403_rate_limited.json').body)
      .get(`/api/v2/companies/${CO}/codes/costcenter1`)
      .reply(200, []);
    api().get(`/api/v2/companies/${CO}/codes/costcenter2`).reply(200, []);
    api().get(`/api/v2/companies/${CO}/codes/costcenter3`).reply(200, []);
    api().get(`/api/v2/companies/${CO}/employees/`).query(true).reply(200, list, { 'X-Pcty-Total-Count': '1' });
    api().get(`/api/v2/companies/${CO}/employees/1001`).reply(200, record('1001'));
    const s = await takeSnapshot(paylocity(options()), { now });
    expect(s.employees.map((e) => e.id)).toEqual(['1001']);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('a listed employee whose record is gone stops the read (incomplete), nobody is dropped', async () => {
    const api = serve();
    api()
      .get(`/api/v2/companies/${CO}/employees/`)
      .query(true)
      .reply(200, fixture('GET_v2_companies_companyId_employees_page0.json').slice(0, 2), {
        'X-Pcty-Total-Count': '2',
      });
    api().get(`/api/v2/companies/${CO}/employees/1001`).reply(200, record('1001'));
    api()
      .get(`/api/v2/companies/${CO}/employees/1002`)
      .reply(404, [{ field: 'employeeId', message: 'The employee does not exist.' }]);
    const err = await takeSnapshot(paylocity(options()), { now }).catch((x: unknown) => x);
    expect(err).toMatchObject({ kind: 'incomplete', code: 'employee_vanished' });
  });
});

describe('Paylocity mapping rules', () => {
  it('dates: MM-DD-CCYY, CCYY-MM-DD and timestamps', () => {
    expect(paylocityDate('05-06-2019')).toBe('2019-05-06');
    expect(paylocityDate('2019-05-06T00:00:00')).toBe('2019-05-06');
    expect(paylocityDate('2019-05-06')).toBe('2019-05-06');
    expect(paylocityDate('13-45-2019')).toBeNull();
    expect(paylocityDate('soon')).toBeNull();
  });

  it('list and record disagreeing on the status: UNKNOWN with both kept; a T before a rehire has no date', () => {
    const info = { employeeId: '1', statusCode: 'T', statusTypeCode: null };
    expect(
      mapStatus({ info, employee: { employeeId: '1', status: { employeeStatus: 'A' } } }, '2026-06-01'),
    ).toMatchObject({ status: 'UNKNOWN', raw: 'A (list: T)' });
    const rehiredThenLeft = {
      employeeId: '1',
      status: { employeeStatus: 'T', hireDate: '2015-01-01', reHireDate: '2024-01-01', effectiveDate: '2020-01-01' },
    };
    expect(mapStatus({ info, employee: rehiredThenLeft }, '2026-06-01')).toMatchObject({
      status: 'TERMINATED',
      terminationDate: null,
      startDate: '2024-01-01',
    });
  });
});
