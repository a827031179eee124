/**
 * Deel: fixtures (and the simulator's rendering) validated against the spec in ../shared/specs/deel
 * (skipped with a message where ../shared is absent), a nock contract test over the fixtures (three
 * overlapping offset pages), status/type mapping, and the simulator's per-organization budget
 * (5 requests per rolling second, a bare 429) which the connector's own budget stays under.
 */
import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { parseDocument } from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deel } from '../../../connectors/deel/index.js';
import { mapEmploymentType, mapStatus } from '../../../connectors/deel/map.js';
import { DeelPersonSchema } from '../../../connectors/deel/schemas.js';
import { deelDataFromSample, deelRoutes } from '../../../connectors/deel/simulator.js';
import { OrgsyncError } from '../../../src/errors.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { startSimulator } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { replayFixtures, type Replay } from '../../../src/testing/replay.js';
import { fixture, hasShared, sharedDir, type ErrorFixture } from '../../helpers/fixtures.js';
import { responseSchema, validate, type OpenApiDoc } from '../gusto/openapi.js';

const specPath = path.join(sharedDir, 'specs', 'deel', 'deel-rest-api-openapi.yaml');
const hasSpec = hasShared && fs.existsSync(specPath);
if (!hasSpec)
  console.warn(
    `Deel spec tests skipped: ${specPath} not found (../shared is only present in the development workspace).`,
  );

const NOW = new Date('2026-06-01T12:00:00Z');
const HOST = 'https://api.deel.test';
const fast = { retry: { retries: 0 }, rateLimit: { requests: 100, intervalMs: 1000 } };
const opts = { apiToken: 'deel-secret-token-77', baseUrl: `${HOST}/rest/v2`, pageSize: 3, http: fast };
const PAGES = ['GET_people_offset0_limit3.json', 'GET_people_offset2_limit3.json', 'GET_people_offset4_limit3.json'];

describe.skipIf(!hasSpec)('Deel fixtures vs the spec (1.25.0)', () => {
  let doc: OpenApiDoc;
  beforeAll(() => {
    doc = parseDocument(fs.readFileSync(specPath, 'utf8'), { uniqueKeys: false }).toJS({
      maxAliasCount: -1,
    }) as OpenApiDoc;
  }, 60_000);

  it('documents every endpoint, parameter and scope the connector uses', () => {
    const op = doc.paths['/people']!['get'] as any;
    const names = op.parameters.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['offset', 'limit', 'sort_by', 'sort_order']));
    const sortBy = op.parameters.find((p: any) => p.name === 'sort_by').schema.enum;
    expect(sortBy).toContain('id');
    expect(op.parameters.find((p: any) => p.name === 'limit').schema.maximum).toBe(200);
    expect(op.security).toEqual(expect.arrayContaining([{ deelToken: [] }]));
    expect((doc as any).components.schemas.getPeopleList_200_response_page.properties.items_per_page.maximum).toBe(99);
    expect(doc.paths['/organizations']!['get']).toBeDefined();
    expect(doc.paths['/people/{worker_id}/custom_fields']!['get']).toBeDefined();
  });

  it('people pages, the organization, custom fields and error bodies validate', () => {
    for (const f of PAGES)
      expect(validate(doc, responseSchema(doc, '/people', 'get', '200'), fixture('deel', f)), f).toEqual([]);
    expect(
      validate(doc, responseSchema(doc, '/organizations', 'get', '200'), fixture('deel', 'GET_organizations.json')),
    ).toEqual([]);
    expect(
      validate(
        doc,
        responseSchema(doc, '/people/{worker_id}/custom_fields', 'get', '200'),
        fixture('deel', 'GET_people_10002_custom_fields.json'),
      ),
    ).toEqual([]);
    for (const [f, status] of [
      ['401_unauthorized.json', '401'],
      ['429_too_many_requests.json', '429'],
      ['403_missing_scope.json', '403'],
    ] as const) {
      expect(
        validate(doc, responseSchema(doc, '/people', 'get', status), fixture<ErrorFixture>('deel', f).body),
        f,
      ).toEqual([]);
    }
  });

  it("the simulator's rendering of the sample company validates too", () => {
    const data = deelDataFromSample(sampleOrg({ size: 60, today: '2026-06-01' }));
    expect(
      validate(doc, responseSchema(doc, '/people', 'get', '200'), {
        data: data.people,
        page: { offset: 0, total_rows: 60, items_per_page: 60 },
      }),
    ).toEqual([]);
  });
});

describe('Deel contract (fixtures over nock)', () => {
  let replay: Replay | undefined;
  afterEach(() => {
    replay?.restore();
    nock.enableNetConnect();
  });
  const pageQuery = (offset: number) => ({ sort_by: 'id', sort_order: 'asc', limit: '3', offset: String(offset) });
  const exchanges = () => [
    ...PAGES.map((f, i) => ({ path: '/rest/v2/people', query: pageQuery(i * 2), response: fixture('deel', f) })),
    { path: '/rest/v2/organizations', response: fixture('deel', 'GET_organizations.json') },
  ];

  it('walks the overlapping pages and maps every person', async () => {
    replay = replayFixtures(HOST, exchanges());
    const s = await takeSnapshot(deel(opts), { now: NOW });
    replay.assertDone();
    expect(s.employees).toHaveLength(6);
    const by = new Map(s.employees.map((e) => [e.lastName, e]));
    expect(by.get('Okafor')).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentType: 'FULL_TIME',
      managerId: null,
      employeeNumber: '10001',
      workEmail: 'ava.okafor@acme.example',
      personalEmail: 'ava.home@mail.example',
      locationId: 'San Francisco HQ',
    });
    expect(by.get('Garcia')).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentType: 'CONTRACTOR',
      preferredName: 'Teo',
      managerId: '0b1f6a52-3c7e-4d21-9a8b-1c2d3e4f5a60',
    });
    expect(by.get('Garcia')!.groupIds).toEqual([
      '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
    ]);
    expect(by.get('Tanaka')).toMatchObject({
      employmentStatus: 'PENDING',
      employmentStatusRaw: 'onboarding / onboarding_overdue',
      employmentTypeRaw: 'eor',
      startDate: '2026-06-12',
    });
    expect(by.get('Patel')).toMatchObject({ employmentStatus: 'ACTIVE', terminationDate: '2026-06-15' });
    expect(by.get('Haddad')).toMatchObject({ employmentStatus: 'TERMINATED', terminationDate: '2026-04-30' });
    expect(by.get('Rossi')).toMatchObject({
      employmentStatus: 'ACTIVE',
      terminationDate: null,
      startDate: '2025-01-06',
      managerId: '1c2a7b63-4d8f-4e32-8b9c-2d3e4f5a6b71',
    });
    expect(s.company).toMatchObject({
      id: 'c0ffee00-1234-4abc-8def-0123456789ab',
      name: 'Acme Robotics',
      legalName: 'Acme Robotics, Inc.',
    });
    expect(s.groups.map((g) => `${g.type}:${g.name}`).sort()).toEqual([
      'DEPARTMENT:Engineering',
      'DEPARTMENT:Executive',
      'TEAM:Platform',
    ]);
    expect(s.locations.map((l) => l.id).sort()).toEqual(['London', 'New York', 'Remote (US)', 'San Francisco HQ']);
  });

  it('reads custom field values when asked (one request per person)', async () => {
    const empty = { data: [] };
    replay = replayFixtures(HOST, [
      ...exchanges(),
      ...[10001, 10003, 10004, 10005, 10006].map((w) => ({
        path: `/rest/v2/people/${w}/custom_fields`,
        response: empty,
      })),
      { path: '/rest/v2/people/10002/custom_fields', response: fixture('deel', 'GET_people_10002_custom_fields.json') },
    ]);
    const s = await takeSnapshot(deel({ ...opts, customFields: true }), { now: NOW });
    replay.assertDone();
    expect(s.employees.find((e) => e.lastName === 'Garcia')!.customFields).toEqual({
      external_id: '1002',
      Team: 'Platform',
      'Shirt size': 'M',
    });
  });

  it('without organizations:read the company is named after the legal entity, with a warning', async () => {
    const [p1, p2, p3] = exchanges();
    replay = replayFixtures(HOST, [
      p1!,
      p2!,
      p3!,
      {
        path: '/rest/v2/organizations',
        status: 403,
        response: fixture<ErrorFixture>('deel', '403_missing_scope.json').body,
      },
    ]);
    const s = await takeSnapshot(deel(opts), { now: NOW });
    expect(s.company.name).toBe('Acme Robotics, Inc.');
    expect(s.warnings.join('\n')).toMatch(/organizations:read/);
  });

  it('a 401 is an auth error without the token', async () => {
    replay = replayFixtures(HOST, [
      {
        path: '/rest/v2/people',
        query: pageQuery(0),
        status: 401,
        response: fixture<ErrorFixture>('deel', '401_unauthorized.json').body,
      },
    ]);
    const err = await takeSnapshot(deel(opts), { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).kind).toBe('auth');
    expect(String((err as Error).message)).toContain('token is invalid');
    expect(JSON.stringify(err)).not.toContain(opts.apiToken);
  });

  it('a 429 without any header is waited out (one second) and retried', async () => {
    const [p1, p2, p3, org] = exchanges();
    const f = fixture<ErrorFixture>('deel', '429_too_many_requests.json');
    replay = replayFixtures(HOST, [{ ...p1!, status: 429, response: f.body }, p1!, p2!, p3!, org!]);
    const t0 = Date.now();
    const s = await takeSnapshot(deel({ ...opts, http: { ...fast, retry: { retries: 2 } } }), { now: NOW });
    expect(s.employees).toHaveLength(6);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    replay.assertDone();
  });
});

describe('Deel status and type mapping', () => {
  const row = (o: Record<string, unknown>) => DeelPersonSchema.parse({ id: 'p', start_date: '2024-01-01', ...o });
  it.each([
    [{ hiring_status: 'active' }, 'ACTIVE'],
    [{ hiring_status: 'active', start_date: '2026-07-01' }, 'PENDING'],
    [{ hiring_status: 'onboarding' }, 'PENDING'],
    [
      { hiring_status: 'offboarding', direct_employee_termination_last_day: '2026-06-30 00:00:00.000000+00:00' },
      'ACTIVE',
    ],
    [
      { hiring_status: 'offboarding', direct_employee_termination_last_day: '2026-05-30 00:00:00.000000+00:00' },
      'TERMINATED',
    ],
    [{ hiring_status: 'offboarding' }, 'ACTIVE'],
    [{ hiring_status: 'inactive' }, 'TERMINATED'],
    [{ hiring_status: 'on_hold' }, 'UNKNOWN'],
    [{}, 'UNKNOWN'],
  ])('%j -> %s', (o, expected) => expect(mapStatus(row(o), '2026-06-01').status).toBe(expected));
  it.each([
    ['contractor', 'CONTRACTOR'],
    ['eor', 'FULL_TIME'],
    ['hris_direct_employee', 'FULL_TIME'],
    ['gig_worker', 'OTHER'],
  ])('hiring_type %s -> %s', (t, expected) => expect(mapEmploymentType(row({ hiring_type: t })).type).toBe(expected));
});

describe("Deel simulator: the organization's 5 requests per second", () => {
  it('answers the 6th request in a second with a bare 429, and a full read keeps under the budget', async () => {
    const org = sampleOrg({ size: 700, today: '2026-06-01' });
    const data = deelDataFromSample(org);
    const sim = await startSimulator(deelRoutes(data, { perSecond: 5 }));
    try {
      // The budget itself, without network timing: six requests at once, the sixth is refused bare.
      const routes = deelRoutes(deelDataFromSample(org), { perSecond: 5 });
      const req = {
        method: 'GET',
        path: '/people',
        rawPath: '/rest/v2/people',
        query: new URLSearchParams('limit=1'),
        headers: { authorization: `Bearer ${data.token}` },
        body: '',
      };
      const burst = await Promise.all(Array.from({ length: 6 }, () => routes.handle(req)));
      expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
      expect(Object.keys(burst[5]!.headers ?? {}).filter((h) => /retry|ratelimit/i.test(h))).toEqual([]);
      await new Promise((r) => setTimeout(r, 1100));
      const before = sim.log.length;
      // The connector's default budget (no override): 8 pages of 99, no 429.
      const s = await takeSnapshot(deel({ apiToken: data.token, baseUrl: `${sim.url}/rest/v2` }), { now: NOW });
      expect(s.employees).toHaveLength(700);
      const calls = sim.log.slice(before);
      expect(calls.filter((c) => c.status === 429)).toEqual([]);
      expect(calls.length).toBeGreaterThanOrEqual(8);
    } finally {
      await sim.close();
    }
  }, 30_000);
});
