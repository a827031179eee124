/** Unit tests of the pure Gusto mappers, the paging strategy and the error-body reader. */
import { describe, expect, it } from 'vitest';
import { classifyGusto, gustoErrorText } from '../../../connectors/gusto/index.js';
import {
  buildContext,
  departmentOf,
  mapCompany,
  mapEmployee,
  mapEmploymentType,
  mapLocation,
  mapStatus,
  normalizeCountry,
  primaryJob,
} from '../../../connectors/gusto/map.js';
import { gustoPaging } from '../../../connectors/gusto/paging.js';
import { GustoEmployeeSchema, type GustoEmployee } from '../../../connectors/gusto/schemas.js';
import type { HttpResponse, RawResponse } from '../../../src/http/client.js';

const TODAY = '2026-11-26';
const row = (o: Record<string, unknown>): GustoEmployee =>
  GustoEmployeeSchema.parse({
    uuid: 'e-1',
    first_name: 'Ada',
    last_name: 'Lovelace',
    onboarded: true,
    onboarding_status: 'onboarding_completed',
    terminated: false,
    ...o,
  });
const job = (hire: string, extra: Record<string, unknown> = {}) => ({
  uuid: `j-${hire}`,
  primary: true,
  title: 'Engineer',
  hire_date: hire,
  ...extra,
});
const term = (date: string, active: boolean) => ({ uuid: `t-${date}`, active, effective_date: date });
const status = (o: Record<string, unknown>) => mapStatus(row(o), TODAY);

describe('mapStatus', () => {
  it('terminated:true is TERMINATED, with the latest termination date when there is one', () => {
    expect(status({ terminated: true })).toEqual({
      status: 'TERMINATED',
      raw: 'onboarding_completed / terminated',
      terminationDate: null,
    });
    expect(
      status({
        terminated: true,
        jobs: [job('2020-01-01')],
        terminations: [term('2023-01-31', true), term('2025-08-15', true)],
      }).terminationDate,
    ).toBe('2025-08-15');
  });

  it('a termination on or before today is TERMINATED even when the flag still says false; after today it is scheduled', () => {
    expect(status({ jobs: [job('2020-01-01')], terminations: [term(TODAY, false)] })).toMatchObject({
      status: 'TERMINATED',
      terminationDate: TODAY,
    });
    expect(status({ jobs: [job('2020-01-01')], terminations: [term('2026-11-25', false)] })).toMatchObject({
      status: 'TERMINATED',
    });
    expect(status({ jobs: [job('2020-01-01')], terminations: [term('2026-11-27', false)] })).toMatchObject({
      status: 'ACTIVE',
      terminationDate: '2026-11-27',
    });
    // `active` means in effect: trusted even if the date looks future.
    expect(status({ jobs: [job('2020-01-01')], terminations: [term('2026-12-31', true)] })).toMatchObject({
      status: 'TERMINATED',
    });
  });

  it('a termination before the current (re)hire date is history; a pending rehire of a terminated person stays TERMINATED', () => {
    expect(status({ jobs: [job('2025-04-14')], terminations: [term('2024-02-29', true)] })).toEqual({
      status: 'ACTIVE',
      raw: 'onboarding_completed',
      terminationDate: null,
    });
    expect(
      status({ terminated: true, jobs: [job('2026-12-15')], terminations: [term('2026-05-31', true)] }),
    ).toMatchObject({ status: 'TERMINATED', terminationDate: '2026-05-31' });
  });

  it('historical employees are TERMINATED', () => {
    expect(status({ historical: true })).toMatchObject({
      status: 'TERMINATED',
      raw: 'onboarding_completed / historical',
    });
  });

  it('PENDING while onboarding (any status but onboarding_completed, or onboarded:false) and before the hire date', () => {
    expect(status({ onboarded: false })).toMatchObject({ status: 'PENDING' });
    expect(status({ onboarding_status: 'self_onboarding_completed_by_employee' })).toMatchObject({
      status: 'PENDING',
      raw: 'self_onboarding_completed_by_employee',
    });
    expect(status({ onboarding_status: 'brand_new_status' })).toMatchObject({ status: 'PENDING' });
    expect(status({ jobs: [job('2026-12-01')] })).toMatchObject({ status: 'PENDING' });
    // A scheduled termination of someone still onboarding keeps its date.
    expect(
      status({
        onboarded: false,
        onboarding_status: 'admin_onboarding_incomplete',
        terminations: [term('2027-03-01', false)],
      }),
    ).toMatchObject({ status: 'PENDING', terminationDate: '2027-03-01' });
  });

  it('ACTIVE from onboarded:true alone; UNKNOWN with nothing to go on (never ACTIVE by default)', () => {
    expect(status({ onboarding_status: null })).toEqual({
      status: 'ACTIVE',
      raw: 'onboarded=true',
      terminationDate: null,
    });
    expect(mapStatus(GustoEmployeeSchema.parse({ uuid: 'x' }), TODAY)).toEqual({
      status: 'UNKNOWN',
      raw: null,
      terminationDate: null,
    });
  });
});

describe('mapEmploymentType', () => {
  it.each([
    ['full_time', 'FULL_TIME'],
    ['part_time_under_twenty_hours', 'PART_TIME'],
    ['part_time_twenty_plus_hours', 'PART_TIME'],
    ['part_time_eligible', 'PART_TIME'],
    ['seasonal', 'TEMPORARY'],
    ['variable', 'OTHER'],
    ['Full_Time', 'FULL_TIME'],
    ['per_diem', 'OTHER'],
    ['not_set', null],
  ])('%s -> %s, raw kept', (raw, type) => {
    expect(mapEmploymentType(row({ current_employment_status: raw }))).toEqual({ type, raw });
  });
  it('null -> null', () => {
    expect(mapEmploymentType(row({ current_employment_status: null }))).toEqual({ type: null, raw: null });
    expect(mapEmploymentType(row({ current_employment_status: 'constructor' }))).toEqual({
      type: 'OTHER',
      raw: 'constructor',
    });
  });
});

describe('mapEmployee details', () => {
  const ctx = buildContext(
    [
      { uuid: 'd-ops', title: 'Operations', employees: [{ uuid: 'e-9' }] },
      { uuid: 'd-eng', title: 'Engineering', employees: [] },
    ],
    new Date(`${TODAY}T12:00:00Z`),
  );

  it('department by uuid, by title, by membership, or a title-derived id', () => {
    expect(departmentOf(row({ department_uuid: 'd-eng', department: 'Engineering' }), ctx)).toBe('d-eng');
    expect(departmentOf(row({ department: 'engineering' }), ctx)).toBe('d-eng');
    expect(departmentOf(row({ uuid: 'e-9' }), ctx)).toBe('d-ops');
    expect(departmentOf(row({ department: 'Legal' }), ctx)).toBe('department:Legal');
    expect(departmentOf(row({}), ctx)).toBeNull();
  });

  it('primary job: primary:true, else the first; location from location_uuid or the nested location', () => {
    expect(
      primaryJob(
        row({
          jobs: [
            { uuid: 'a', title: 'A', primary: false },
            { uuid: 'b', title: 'B' },
          ],
        }),
      )?.title,
    ).toBe('A');
    expect(
      mapEmployee(row({ jobs: [job('2020-01-01', { location_uuid: null, location: { uuid: 'loc-1' } })] }), ctx)
        .locationId,
    ).toBe('loc-1');
    expect(mapEmployee(row({ jobs: [job('2020-01-01', { title: '' })], title: 'Fallback' }), ctx).jobTitle).toBe(
      'Fallback',
    );
  });

  it('manager is the manager_uuid as an id reference; custom fields without a name are skipped', () => {
    const d = mapEmployee(
      row({
        manager_uuid: 'e-2',
        custom_fields: [
          { id: '1', name: null, value: 'x' },
          { id: '2', name: 'Shirt', value: 'L' },
        ],
      }),
      ctx,
    );
    expect(d.managerRef).toEqual({ id: 'e-2' });
    expect(d.customFields).toEqual({ Shirt: 'L' });
    expect(mapEmployee(row({ manager_uuid: '' }), ctx).managerRef).toBeNull();
  });
});

describe('locations and company', () => {
  it('country codes', () => {
    expect(normalizeCountry('USA')).toBe('US');
    expect(normalizeCountry('us')).toBe('US');
    expect(normalizeCountry('United States')).toBe('US');
    expect(normalizeCountry('Deutschland')).toBe('Deutschland');
    expect(normalizeCountry(null)).toBeNull();
  });
  it('a location without any address keeps its uuid as name and a null address', () => {
    expect(mapLocation({ uuid: 'l-1', zip: null })).toEqual({ id: 'l-1', name: 'l-1', address: null, timezone: null });
    expect(mapLocation({ uuid: 'l-2', city: 'Austin', state: 'TX', zip: '78701' }).name).toBe('Austin, TX');
  });
  it('company name prefers the trade name; legal name is `name`', () => {
    expect(mapCompany({ uuid: 'c', name: 'Initrode LLC', trade_name: null })).toEqual({
      id: 'c',
      name: 'Initrode LLC',
      legalName: 'Initrode LLC',
    });
    expect(mapCompany({ uuid: 'c' })).toEqual({ id: 'c', name: 'c', legalName: null });
  });
});

describe('gustoPaging', () => {
  const res = (headers: Record<string, string>): HttpResponse => ({
    status: 200,
    headers,
    data: [],
    url: '',
    requestId: undefined,
  });
  const info = (token: number | undefined, items: number, headers: Record<string, string>, before = 0) => ({
    index: 0,
    token,
    response: res(headers),
    items: new Array(items).fill({}),
    itemsBefore: before,
  });

  it('with per: sends page and per, follows X-Total-Pages', () => {
    const p = gustoPaging({ per: 100 });
    expect(p.strategy.first()).toBe(1);
    expect(p.prepare!({ path: '/x' })).toEqual({ path: '/x', query: { per: 100 } });
    expect(p.placement!({ path: '/x' }, 2)).toEqual({ path: '/x', query: { page: 2 } });
    expect(p.strategy.next(info(1, 10, { 'x-total-pages': '2', 'x-total-count': '15' }))).toEqual({
      token: 2,
      total: 15,
    });
    expect(p.strategy.next(info(2, 5, { 'x-total-pages': '2', 'x-total-count': '15' }, 10))).toMatchObject({
      done: true,
      total: 15,
    });
  });

  it('without headers: a short page is not trusted, an empty page ends the walk', () => {
    const p = gustoPaging({ per: 100 });
    expect(p.strategy.next(info(1, 40, {}))).toEqual({ token: 2 });
    expect(p.strategy.next(info(2, 0, {}, 40))).toMatchObject({ done: true });
  });

  it('without per (endpoints that do not document paging): one request unless Gusto announces more pages', () => {
    const p = gustoPaging();
    expect(p.strategy.first()).toBeUndefined();
    expect(p.prepare).toBeUndefined();
    expect(p.strategy.next(info(undefined, 30, {}))).toMatchObject({ done: true });
    expect(p.strategy.next(info(undefined, 25, { 'x-total-pages': '2', 'x-total-count': '30' }))).toEqual({
      token: 2,
      total: 30,
    });
  });

  it('an empty page before X-Total-Pages and an X-Page mismatch are incomplete errors', () => {
    const p = gustoPaging({ per: 100 });
    expect(() => p.strategy.next(info(1, 0, { 'x-total-pages': '3' }))).toThrowError(
      expect.objectContaining({ kind: 'incomplete', code: 'empty_page' }),
    );
    expect(() => p.strategy.next(info(2, 10, { 'x-page': '1', 'x-total-pages': '3' }))).toThrowError(
      expect.objectContaining({ kind: 'incomplete', code: 'page_mismatch' }),
    );
  });
});

describe('Gusto error bodies', () => {
  it('reads errors[], nested errors and the {name, message} form', () => {
    expect(gustoErrorText({ errors: [{ error_key: 'base', category: 'invalid_operation', message: 'No.' }] })).toEqual({
      text: 'invalid_operation: No.',
      category: 'invalid_operation',
    });
    const nested = gustoErrorText({
      errors: [
        {
          error_key: 'jobs',
          category: 'nested_errors',
          errors: [{ error_key: 'title', category: 'invalid_attribute_value', message: 'Title is required' }],
        },
      ],
    });
    expect(nested.text).toBe('nested_errors jobs; invalid_attribute_value title: Title is required');
    expect(
      gustoErrorText({ name: 'Invalid X-Gusto-API-Version Header', message: 'Invalid API Version `x`' }).text,
    ).toBe('Invalid X-Gusto-API-Version Header: Invalid API Version `x`');
    expect(gustoErrorText('<html>').text).toBe('');
  });

  it('classify: kinds per status, keeping the core retry rules for 429/5xx', () => {
    const c = (res: Parameters<typeof classifyGusto>[0]) =>
      classifyGusto(res, { apiVersion: '2025-06-15', companyUuid: 'co-1' });
    const raw = (status: number, json: unknown = undefined, path = '/v1/companies/co-1/employees'): RawResponse => ({
      status,
      headers: {},
      text: '',
      json,
      method: 'GET',
      path,
    });
    expect(c(raw(200))).toBeUndefined();
    expect(c(raw(406))).toMatchObject({ kind: 'config', retryable: false, code: 'invalid_api_version' });
    expect(c(raw(401))).toMatchObject({ kind: 'auth', retryable: false });
    expect(c(raw(403, undefined, '/v1/companies/co-1/locations'))?.message).toMatch(/companies:read scope/);
    expect(c(raw(404))).toMatchObject({ kind: 'config' });
    expect(c(raw(404, undefined, '/v1/token_info'))).toBeUndefined();
    const throttled = c(
      raw(429, { errors: [{ error_key: 'request', category: 'rate_limit_exceeded', message: 'slow down' }] }),
    );
    expect(throttled?.kind).toBeUndefined();
    expect(throttled?.retryable).toBeUndefined();
    expect(throttled?.message).toMatch(/rate-limited .* \(429\)\. Gusto said: "rate_limit_exceeded: slow down"/);
    expect(c(raw(503))).toBeUndefined();
  });
});
