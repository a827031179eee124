/**
 * HiBob: fixtures (and the simulator's rendering) validated against the spec in
 * ../shared/specs/hibob (skipped with a message where ../shared is absent), a nock contract test of
 * the connector over the fixtures, and the simulator's vendor behaviour (showInactive, humanReadable,
 * filters, the 50-per-minute budget answered with a bare 429).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HIBOB_FIELDS, hibob } from '../../../connectors/hibob/index.js';
import { mapStatus } from '../../../connectors/hibob/map.js';
import { HibobEmployeeSchema } from '../../../connectors/hibob/schemas.js';
import { hibobDataFromSample, hibobRoutes } from '../../../connectors/hibob/simulator.js';
import { OrgsyncError } from '../../../src/errors.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { startSimulator } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { replayFixtures, type Replay } from '../../../src/testing/replay.js';
import { fixture, hasShared, sharedDir, type ErrorFixture } from '../../helpers/fixtures.js';
import nock from 'nock';
import { parseDocument } from 'yaml';
import { responseSchema, validate, type OpenApiDoc } from '../gusto/openapi.js';

const specPath = path.join(sharedDir, 'specs', 'hibob', 'bob-api-openapi.yaml');
const hasSpec = hasShared && fs.existsSync(specPath);
if (!hasSpec)
  console.warn(
    `HiBob spec tests skipped: ${specPath} not found (../shared is only present in the development workspace).`,
  );

const NOW = new Date('2026-06-01T12:00:00Z');
const BASE = 'https://api.hibob.test/v1';
const opts = {
  serviceUserId: 'SERVICE-1',
  serviceUserToken: 'tok-hibob-secret-42',
  baseUrl: BASE,
  http: { retry: { retries: 0 }, rateLimit: { requests: 100, intervalMs: 1000 } },
};

describe.skipIf(!hasSpec)('HiBob fixtures vs the spec', () => {
  let doc: OpenApiDoc;
  beforeAll(() => {
    doc = parseDocument(fs.readFileSync(specPath, 'utf8'), { uniqueKeys: false }).toJS({
      maxAliasCount: -1,
    }) as OpenApiDoc;
  }, 30_000);
  const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });

  it('the people-search request orgsync sends uses only documented members, with Basic auth', () => {
    const req = (doc.paths['/people/search']!['post'] as any).requestBody.content['application/json'].schema;
    const props = Object.keys((doc as any).components.schemas.ReadEmployeesRequestReference.properties);
    const c = hibob(opts);
    const spec = c.definition.employees.request as (
      ctx: unknown,
      o: unknown,
    ) => { body: Record<string, unknown>; method: string };
    const sent = spec(undefined, c.options);
    expect(sent.method).toBe('POST');
    for (const k of Object.keys(sent.body)) expect(props).toContain(k);
    expect(sent.body).not.toHaveProperty('humanReadable');
    expect(validate(doc, req, sent.body)).toEqual([]);
    expect((doc.paths['/people/search']!['post'] as any).security).toEqual([{ Basic: [] }]);
    expect((doc.paths['/company/named-lists/{listName}']!['get'] as any).parameters.map((p: any) => p.name)).toContain(
      'includeArchived',
    );
  });

  it('people, named lists and error bodies validate', () => {
    expect(
      validate(doc, responseSchema(doc, '/people/search', 'post', '200'), fixture('hibob', 'POST_people_search.json')),
    ).toEqual([]);
    for (const f of ['GET_company_named-lists_department.json', 'GET_company_named-lists_site.json']) {
      expect(
        validate(doc, responseSchema(doc, '/company/named-lists/{listName}', 'get', '200'), fixture('hibob', f)),
        f,
      ).toEqual([]);
    }
    for (const f of ['401_unauthorized.json', '429_too_many_requests.json']) {
      expect(validate(doc, schema('Error'), fixture<ErrorFixture>('hibob', f).body), f).toEqual([]);
    }
  });

  it("the simulator's rendering of the sample company validates too", () => {
    const data = hibobDataFromSample(sampleOrg({ size: 60, today: '2026-06-01' }));
    expect(validate(doc, responseSchema(doc, '/people/search', 'post', '200'), { employees: data.employees })).toEqual(
      [],
    );
    expect(validate(doc, schema('List'), data.lists['department'])).toEqual([]);
  });
});

describe('HiBob contract (fixtures over nock)', () => {
  let replay: Replay | undefined;
  afterEach(() => {
    replay?.restore();
    nock.enableNetConnect();
  });

  const exchanges = () => [
    {
      path: '/v1/company/named-lists/department',
      query: { includeArchived: 'true' },
      response: fixture('hibob', 'GET_company_named-lists_department.json'),
    },
    {
      path: '/v1/company/named-lists/site',
      query: { includeArchived: 'true' },
      response: fixture('hibob', 'GET_company_named-lists_site.json'),
    },
    {
      method: 'POST' as const,
      path: '/v1/people/search',
      body: (b: any) =>
        b.showInactive === true && b.humanReadable === undefined && HIBOB_FIELDS.every((f) => b.fields.includes(f)),
      response: fixture('hibob', 'POST_people_search.json'),
    },
  ];

  it('maps every person, status, date, manager, group, site and custom field', async () => {
    replay = replayFixtures('https://api.hibob.test', exchanges());
    const s = await takeSnapshot(hibob({ ...opts, companyName: 'Acme Robotics' }), { now: NOW });
    replay.assertDone();
    const by = new Map(s.employees.map((e) => [e.lastName, e]));
    const row = (n: string) => by.get(n)!;
    expect(row('Okafor')).toMatchObject({
      employmentStatus: 'ACTIVE',
      managerId: null,
      employeeNumber: '1001',
      employmentType: 'FULL_TIME',
      groupIds: ['1000100'],
      locationId: '2000100',
      personalEmail: 'ava.home@mail.example',
    });
    // Scheduled termination: still active, date kept.
    expect(row('García')).toMatchObject({
      employmentStatus: 'ACTIVE',
      terminationDate: '2026-06-15',
      employmentType: 'PART_TIME',
      managerId: '3332883884017713238',
      preferredName: 'Teo',
    });
    expect(row('García').customFields).toEqual({
      'work.custom.field_1700000000001': 'Platform',
      'payroll.custom.field_1694738605040': 'GB-PAYROLL',
    });
    expect(row('Tanaka')).toMatchObject({
      employmentStatus: 'PENDING',
      startDate: '2026-06-12',
      employmentType: 'CONTRACTOR',
    });
    expect(row('Patel')).toMatchObject({
      employmentStatus: 'LEAVE',
      employmentType: 'INTERN',
      employmentStatusRaw: 'Leave / Active',
    });
    expect(row('Haddad')).toMatchObject({
      employmentStatus: 'TERMINATED',
      terminationDate: '2026-04-30',
      employmentType: 'TEMPORARY',
      groupIds: ['1000099'],
    });
    // Rehired: the old termination belongs to an earlier employment.
    expect(row('Rossi')).toMatchObject({
      employmentStatus: 'ACTIVE',
      terminationDate: null,
      managerId: '3332883884017721157',
    });
    // "Inactive" with no lifecycle and no date, and no internal section at all: never ACTIVE, never TERMINATED.
    expect(row('Larsen')).toMatchObject({ employmentStatus: 'UNKNOWN', employmentStatusRaw: 'Inactive' });
    expect(row('Mensah')).toMatchObject({
      employmentStatus: 'UNKNOWN',
      employmentStatusRaw: null,
      employmentType: null,
    });
    expect(s.warnings.join('\n')).toMatch(/no lifecycle status for 1 of 8 people/);
    expect(s.company).toMatchObject({ id: '639863', name: 'Acme Robotics' });
    const groups = new Map(s.groups.map((g) => [g.id, g]));
    expect(groups.get('1000105')).toMatchObject({ name: 'Enterprise Sales', parentId: '1000103' });
    expect(groups.get('1000099')?.name).toBe('Finance (old)'); // archived but still named
    expect(groups.has('1000098')).toBe(false); // archived, named by nobody
    expect(s.locations.map((l) => l.name)).toEqual(expect.arrayContaining(['London', 'Remote (US)']));
  });

  it('a 401 is an auth error that names the service user and not the token', async () => {
    const f = fixture<ErrorFixture>('hibob', '401_unauthorized.json');
    replay = replayFixtures('https://api.hibob.test', [
      { path: '/v1/company/named-lists/department', query: { includeArchived: 'true' }, status: 401, response: f.body },
    ]);
    const err = await takeSnapshot(hibob(opts), { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).kind).toBe('auth');
    expect(String((err as Error).message)).toMatch(/service user/);
    expect(JSON.stringify(err)).not.toContain(opts.serviceUserToken);
  });

  it('a missing named list is a warning; ids stand in for names', async () => {
    const [, site, people] = exchanges();
    replay = replayFixtures('https://api.hibob.test', [
      { path: '/v1/company/named-lists/department', query: { includeArchived: 'true' }, status: 404, response: '' },
      site!,
      people!,
    ]);
    const s = await takeSnapshot(hibob(opts), { now: NOW });
    expect(s.warnings.join('\n')).toMatch(/'department' list could not be read \(404\)/);
    expect(s.groups.find((g) => g.id === '1000101')?.name).toBe('1000101');
  });
});

describe('HiBob status mapping', () => {
  const row = (internal: Record<string, unknown>, startDate = '2020-01-01') =>
    HibobEmployeeSchema.parse({ id: '1', internal, work: { startDate } });
  it.each([
    [{ lifecycleStatus: 'employed' }, 'ACTIVE'],
    [{ lifecycleStatus: 'EMPLOYED', status: 'Active' }, 'ACTIVE'],
    [{ lifecycleStatus: 'on leave' }, 'LEAVE'],
    [{ lifecycleStatus: 'Garden leave' }, 'UNKNOWN'],
    [{ lifecycleStatus: 'terminated' }, 'TERMINATED'],
    [{ status: 'Active' }, 'ACTIVE'],
    [{ status: 'Inactive', terminationDate: '2026-05-01' }, 'TERMINATED'],
    [{ status: 'Inactive', terminationDate: '2026-07-01' }, 'UNKNOWN'],
    [{ status: 'Inactive' }, 'UNKNOWN'],
    [{}, 'UNKNOWN'],
  ])('%j -> %s', (internal, expected) => {
    expect(mapStatus(row(internal), '2026-06-01').status).toBe(expected);
  });
  it('a future start date makes an employed person a future hire', () => {
    expect(mapStatus(row({ lifecycleStatus: 'Employed' }, '2026-07-01'), '2026-06-01').status).toBe('PENDING');
  });
});

describe('HiBob simulator behaves like Bob', () => {
  const org = sampleOrg({ size: 40, today: '2026-06-01' });
  const post = async (url: string, body: unknown, auth = 'SERVICE-4711:sim-hibob-token-0c9d8e7f6a5b4c3d2e1f') =>
    fetch(`${url}/v1/people/search`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('hides inactive people without showInactive, swaps labels with humanReadable REPLACE, rejects other filters', async () => {
    const sim = await startSimulator(hibobRoutes(hibobDataFromSample(org), { searchPerMinute: 0 }));
    try {
      const all = (await (
        await post(sim.url, { showInactive: true, fields: ['root.id', 'internal.status'] })
      ).json()) as any;
      const active = (await (await post(sim.url, { fields: ['root.id'] })).json()) as any;
      expect(all.employees.length).toBe(org.people.length);
      expect(active.employees.length).toBe(org.people.filter((p) => p.status !== 'terminated').length);
      expect(Object.keys(active.employees[0])).toEqual(['id']);
      const human = (await (
        await post(sim.url, {
          showInactive: true,
          fields: ['root.id', 'work.department', 'work.reportsTo'],
          humanReadable: 'REPLACE',
        })
      ).json()) as any;
      expect(typeof human.employees[1].work.reportsTo).toBe('string');
      expect(human.employees[1].work.department).toBe(org.people[1]!.department);
      expect(
        (await post(sim.url, { filters: [{ fieldPath: 'work.department', operator: 'equals', values: ['1'] }] }))
          .status,
      ).toBe(400);
      expect((await post(sim.url, {}, 'SERVICE-4711:wrong')).status).toBe(401);
    } finally {
      await sim.close();
    }
  });

  it('answers the 51st search in a minute with a bare 429 (no Retry-After), and the connector keeps under it', async () => {
    const sim = await startSimulator(hibobRoutes(hibobDataFromSample(org), { searchPerMinute: 3 }));
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await post(sim.url, { fields: ['root.id'] });
        statuses.push(r.status);
        if (r.status === 429) {
          expect(r.headers.get('retry-after')).toBeNull();
          expect(await r.json()).toEqual({ key: 'too_many_requests', error: 'Too many requests' });
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await sim.close();
    }
    expect(hibob.definition.rateLimit.requests).toBeLessThanOrEqual(50);
    expect(hibob.definition.rateLimit.intervalMs).toBe(60_000);
  });
});
