/** Shared fixtures and nock mocks for the Rippling tests. */
import nock from 'nock';
import { expect } from 'vitest';
import { OrgsyncError } from '../../../src/errors.js';
import { fixture, type ErrorFixture } from '../../helpers/fixtures.js';

export const REST = 'https://rest.ripplingapis.com';
export const LEGACY_ORIGIN = 'https://api.rippling.com';
export const LEGACY = '/platform/api';
/** "Now" for every contract test: decides pending hires and scheduled terminations in the fixtures. */
export const NOW = new Date('2026-03-02T12:00:00Z');
/** Fast retries, and no client-side budget (the shared per-token limiter would slow the suite down). */
export const fast = {
  retry: { baseDelayMs: 5, maxDelayMs: 20 },
  rateLimit: { requests: 10_000, intervalMs: 1_000, concurrency: 2 },
};

/** Fixture ids (see fixtures/rippling/README.md). */
export const W = (n: number) => `65f1c2a9e4b0a1d2c3f4${n.toString(16).padStart(4, '0')}`;
export const D = (n: number) => `65f1c2a9e4b0a1d2c3f4d0${n.toString(16).padStart(2, '0')}`;
export const T = (n: number) => `65f1c2a9e4b0a1d2c3f4c0${n.toString(16).padStart(2, '0')}`;
export const L = (n: number) => `65f1c2a9e4b0a1d2c3f4b0${n.toString(16).padStart(2, '0')}`;
export const COMPANY = '65f1c2a9e4b0a1d2c3f4e001';

export const rf = <T = any>(name: string): T => fixture<T>('rippling', name);
export const errorFixture = (name: string): ErrorFixture => fixture<ErrorFixture>('rippling', `errors/${name}`);
export const errorReply = (f: ErrorFixture) => [f.status, f.body as nock.Body, f.headers] as const;
const JSON_HEADERS = { 'content-type': 'application/json' };

/** REST lookups: departments (2 pages), teams, work locations, employment types, company. */
export function mockRestLookups(
  token: string,
  scope: nock.Scope = nock(REST),
  opts: { employmentTypes?: boolean } = {},
): nock.Scope {
  const auth = `Bearer ${token}`;
  scope
    .get('/departments/')
    .matchHeader('authorization', auth)
    .matchHeader('accept', 'application/json')
    .reply(200, rf('rest/GET_departments_page1.json'), JSON_HEADERS)
    .get('/departments/')
    .query({ cursor: 'eyJvIjozfQ' })
    .matchHeader('authorization', auth)
    .reply(200, rf('rest/GET_departments_page2.json'), JSON_HEADERS)
    .get('/teams/')
    .matchHeader('authorization', auth)
    .reply(200, rf('rest/GET_teams.json'), JSON_HEADERS)
    .get('/work-locations/')
    .matchHeader('authorization', auth)
    .reply(200, rf('rest/GET_work_locations.json'), JSON_HEADERS);
  if (opts.employmentTypes !== false)
    scope
      .get('/employment-types/')
      .matchHeader('authorization', auth)
      .reply(200, rf('rest/GET_employment_types.json'), JSON_HEADERS);
  return scope;
}

export function mockRestCompany(token: string, scope: nock.Scope = nock(REST)): nock.Scope {
  return scope
    .get('/companies/')
    .matchHeader('authorization', `Bearer ${token}`)
    .reply(200, rf('rest/GET_companies.json'), JSON_HEADERS);
}

/** The three worker pages, each with `expand=user&order_by=id` and the cursor of the previous page's `next_link` (which lacks order_by: the connector keeps it). */
export function mockRestWorkers(
  token: string,
  scope: nock.Scope = nock(REST),
  pages: unknown[] = [
    rf('rest/GET_workers_page1.json'),
    rf('rest/GET_workers_page2.json'),
    rf('rest/GET_workers_page3.json'),
  ],
): nock.Scope {
  const auth = `Bearer ${token}`;
  const cursors = [undefined, 'eyJvIjo0fQ', 'eyJvIjo4fQ'];
  pages.forEach((body, i) => {
    scope
      .get('/workers/')
      .query(cursors[i] ? { expand: 'user', order_by: 'id', cursor: cursors[i]! } : { expand: 'user', order_by: 'id' })
      .matchHeader('authorization', auth)
      .reply(200, body as nock.Body, { ...JSON_HEADERS, 'x-request-id': `req-workers-${i + 1}` });
  });
  // A worker whose user did not expand makes the connector join /users/ (once per sync).
  const missingUser = pages.some((p) =>
    ((p as { results?: Array<{ user?: unknown; user_id?: unknown }> }).results ?? []).some((w) => !w.user && w.user_id),
  );
  if (missingUser)
    scope.get('/users/').matchHeader('authorization', auth).reply(200, rf('rest/GET_users.json'), JSON_HEADERS);
  return scope;
}

export function mockRestAll(token: string, scope: nock.Scope = nock(REST)): nock.Scope {
  return mockRestWorkers(token, mockRestCompany(token, mockRestLookups(token, scope)));
}

/**
 * The pages a legacy walk with `limit` reads from a list: offsets 0, limit-1, 2(limit-1), ... (each
 * later page re-reads the previous page's last record: the core's drift check), until a short page.
 */
export function legacyPages<T>(all: T[], limit = 4): Array<{ offset: number; body: T[] }> {
  const out: Array<{ offset: number; body: T[] }> = [];
  for (let offset = 0; ; offset += limit - 1) {
    const body = all.slice(offset, offset + limit);
    out.push({ offset, body });
    if (body.length < limit) return out;
  }
}

/** The 11 employees of the three recorded-style pages (offsets 0, 4 and 8 of `limit=4`). */
export const legacyEmployees = (): any[] =>
  [0, 4, 8].flatMap((o) => rf<unknown[]>(`legacy/GET_employees_include_terminated_offset${o}.json`));

/** Legacy lookups with `limit=4`: departments (2 pages), teams, work locations, company. */
export function mockLegacyLookups(token: string, scope: nock.Scope = nock(LEGACY_ORIGIN)): nock.Scope {
  const auth = `Bearer ${token}`;
  const departments = [
    ...rf<unknown[]>('legacy/GET_departments_offset0.json'),
    ...rf<unknown[]>('legacy/GET_departments_offset4.json'),
  ];
  for (const { offset, body } of legacyPages(departments)) {
    scope
      .get(`${LEGACY}/departments`)
      .query({ limit: '4', offset: String(offset) })
      .matchHeader('authorization', auth)
      .matchHeader('accept', 'application/json')
      .reply(200, body, JSON_HEADERS);
  }
  return scope
    .get(`${LEGACY}/teams`)
    .query({ limit: '4', offset: '0' })
    .matchHeader('authorization', auth)
    .reply(200, rf('legacy/GET_teams.json'), JSON_HEADERS)
    .get(`${LEGACY}/work_locations`)
    .query({ limit: '4', offset: '0' })
    .matchHeader('authorization', auth)
    .reply(200, rf('legacy/GET_work_locations.json'), JSON_HEADERS)
    .get(`${LEGACY}/companies/current`)
    .matchHeader('authorization', auth)
    .reply(200, rf('legacy/GET_companies_current.json'), JSON_HEADERS);
}

/** The employee pages of a `limit=4` walk (default: the 11 recorded-style employees), the i-th at offset 3i. */
export function mockLegacyEmployees(
  token: string,
  scope: nock.Scope = nock(LEGACY_ORIGIN),
  pages: unknown[] = legacyPages(legacyEmployees()).map((p) => p.body),
): nock.Scope {
  pages.forEach((body, i) => {
    scope
      .get(`${LEGACY}/employees/include_terminated`)
      .query({ limit: '4', offset: String(i * 3) })
      .matchHeader('authorization', `Bearer ${token}`)
      .reply(200, body as nock.Body, JSON_HEADERS);
  });
  return scope;
}

/** Await a sync that must fail; returns its OrgsyncError. */
export async function failure(p: Promise<unknown>): Promise<OrgsyncError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OrgsyncError);
    return e as OrgsyncError;
  }
  throw new Error('expected the sync to fail');
}
