/**
 * Personio (API v2): fixtures and the simulator's rendering validated against the specs in
 * ../shared/specs/personio (skipped with a message where ../shared is absent), a nock contract test
 * (token, org units, cursor pages, one employments request per person), the incremental read
 * (`updated_at.gt`), and the status/type mapping.
 */
import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { personio } from '../../../connectors/personio/index.js';
import { mapEmploymentType, mapStatus } from '../../../connectors/personio/map.js';
import { PersonioEmploymentSchema, PersonioPersonSchema } from '../../../connectors/personio/schemas.js';
import { personioDataFromSample } from '../../../connectors/personio/simulator.js';
import { OrgsyncError } from '../../../src/errors.js';
import { clearTokenCache } from '../../../src/http/auth.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { replayFixtures, type Replay } from '../../../src/testing/replay.js';
import { fixture, hasShared, sharedDir, type ErrorFixture } from '../../helpers/fixtures.js';
import { responseSchema, validate, type OpenApiDoc } from '../gusto/openapi.js';

const dir = path.join(sharedDir, 'specs', 'personio');
const files = [
  'persons-service-api-v2.json',
  'employment-contract-v2.json',
  'credentials-service-api-v2.json',
  'common-components-v2.json',
];
const hasSpec = hasShared && files.every((f) => fs.existsSync(path.join(dir, f)));
if (!hasSpec)
  console.warn(
    `Personio spec tests skipped: ${dir} not found (../shared is only present in the development workspace).`,
  );

const NOW = new Date('2026-06-01T12:00:00Z');
const HOST = 'https://api.personio.test';
const fast = { retry: { retries: 0 }, rateLimit: { requests: 1000, intervalMs: 1000, concurrency: 4 } };
const opts = {
  clientId: 'papi-client-1',
  clientSecret: 'papi-secret-xyz-123',
  baseUrl: HOST,
  companyName: 'Acme Robotics',
  http: fast,
};
const PERSONS = ['3001', '3002', '3003', '3004', '3005', '3006'];

describe.skipIf(!hasSpec)('Personio fixtures vs the v2 specs', () => {
  const docs: Record<string, OpenApiDoc> = {};
  beforeAll(() => {
    for (const f of files) docs[f] = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as OpenApiDoc;
  });
  const persons = () => responseSchema(docs['persons-service-api-v2.json']!, '/v2/persons', 'get', '200');
  const employments = () =>
    responseSchema(docs['employment-contract-v2.json']!, '/v2/persons/{person_id}/employments', 'get', '200');

  it('documents the parameters the connector sends', () => {
    const names = (docs['persons-service-api-v2.json']!.paths['/v2/persons']!['get'] as any).parameters.map(
      (p: any) => p.name,
    );
    expect(names).toEqual(expect.arrayContaining(['limit', 'cursor', 'updated_at.gt']));
    const limit = (docs['persons-service-api-v2.json']!.paths['/v2/persons']!['get'] as any).parameters.find(
      (p: any) => p.name === 'limit',
    );
    expect(limit.schema.maximum).toBe(50);
    const token = (docs['credentials-service-api-v2.json']!.paths['/v2/auth/token']!['post'] as any).requestBody
      .content;
    expect(Object.keys(token)).toEqual(['application/x-www-form-urlencoded']);
  });

  it('persons pages, employments, the token and error bodies validate', () => {
    for (const f of ['GET_v2_persons_page1.json', 'GET_v2_persons_page2.json'])
      expect(validate(docs['persons-service-api-v2.json']!, persons(), fixture('personio', f)), f).toEqual([]);
    for (const id of PERSONS) {
      const f = `GET_v2_persons_${id}_employments.json`;
      expect(validate(docs['employment-contract-v2.json']!, employments(), fixture('personio', f)), f).toEqual([]);
    }
    const cred = docs['credentials-service-api-v2.json']!;
    expect(
      validate(cred, { $ref: '#/components/schemas/OAuth2Token' }, fixture('personio', 'POST_v2_auth_token.json')),
    ).toEqual([]);
    expect(
      validate(
        cred,
        { $ref: '#/components/schemas/OAuth2TokenErrorResponse' },
        fixture<ErrorFixture>('personio', '400_invalid_client.json').body,
      ),
    ).toEqual([]);
    const common = docs['common-components-v2.json']!;
    expect(
      validate(
        common,
        { $ref: '#/components/schemas/ErrorResponse' },
        fixture<ErrorFixture>('personio', '404_not_found.json').body,
      ),
    ).toEqual([]);
  });

  it("the simulator's rendering of the sample company validates too", () => {
    const data = personioDataFromSample(sampleOrg({ size: 60, today: '2026-06-01' }));
    expect(
      validate(docs['persons-service-api-v2.json']!, persons(), { _data: data.persons, _meta: { links: {} } }),
    ).toEqual([]);
    for (const [, list] of data.employments)
      expect(
        validate(docs['employment-contract-v2.json']!, employments(), { _data: list, _meta: { links: {} } }),
      ).toEqual([]);
  });
});

describe('Personio contract (fixtures over nock)', () => {
  let replay: Replay | undefined;
  afterEach(() => {
    replay?.restore();
    nock.enableNetConnect();
    clearTokenCache();
  });
  const token = {
    method: 'POST' as const,
    path: '/v2/auth/token',
    body: (b: any) =>
      typeof b === 'string'
        ? /grant_type=client_credentials/.test(b) && /client_id=papi-client-1/.test(b)
        : b?.grant_type === 'client_credentials',
    response: fixture('personio', 'POST_v2_auth_token.json'),
  };
  const units = [
    {
      path: '/v2/org-units',
      query: { type: 'department', limit: '50' },
      response: fixture('personio', 'GET_v2_org-units_department.json'),
    },
    {
      path: '/v2/org-units',
      query: { type: 'team', limit: '50' },
      response: fixture('personio', 'GET_v2_org-units_team.json'),
    },
  ];
  const rehost = (j: unknown) => JSON.parse(JSON.stringify(j).replaceAll('https://api.personio.de', HOST));
  const employments = PERSONS.map((id) => ({
    path: `/v2/persons/${id}/employments`,
    query: { limit: '50' },
    response: rehost(fixture('personio', `GET_v2_persons_${id}_employments.json`)),
  }));

  it('reads the token once, walks the cursor, reads employments per person and maps everyone', async () => {
    replay = replayFixtures(HOST, [
      token,
      ...units,
      {
        path: '/v2/persons',
        query: { limit: '50' },
        response: rehost(fixture('personio', 'GET_v2_persons_page1.json')),
      },
      {
        path: '/v2/persons',
        query: { cursor: 'cur_82sQwR2eZvKilo2duNh219Kw' },
        response: rehost(fixture('personio', 'GET_v2_persons_page2.json')),
      },
      ...employments,
    ]);
    const s = await takeSnapshot(personio(opts), { now: NOW });
    replay.assertDone();
    const by = new Map(s.employees.map((e) => [e.lastName, e]));
    expect(by.get('Okafor')).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentType: 'FULL_TIME',
      managerId: null,
      groupIds: ['1002'],
      locationId: '500',
    });
    expect(by.get('Garcia')).toMatchObject({
      employmentStatus: 'ACTIVE',
      employmentType: 'CONTRACTOR',
      preferredName: 'Teo',
      managerId: '3001',
      groupIds: ['1001', '2001'],
    });
    expect(by.get('Garcia')!.customFields).toEqual({ Team: 'Platform', Languages: ['de', 'en'] });
    expect(by.get('Tanaka')).toMatchObject({
      employmentStatus: 'PENDING',
      employmentType: 'PART_TIME',
      startDate: '2026-06-12',
    });
    expect(by.get('Patel')).toMatchObject({ employmentStatus: 'LEAVE', terminationDate: '2026-06-30' });
    expect(by.get('Haddad')).toMatchObject({ employmentStatus: 'TERMINATED', terminationDate: '2026-04-30' });
    expect(by.get('Rossi')).toMatchObject({
      employmentStatus: 'ACTIVE',
      terminationDate: null,
      startDate: '2025-01-06',
      managerId: '3002',
    });
    expect(by.get('Larsen')).toMatchObject({
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'person INACTIVE',
      employmentType: null,
    });
    expect(s.groups.find((g) => g.id === '2001')).toMatchObject({ name: 'Platform', type: 'TEAM', parentId: '1001' });
    expect(s.company.name).toBe('Acme Robotics');
    expect(JSON.stringify(s)).not.toContain('papi-eyJhbGciOi');
  });

  it('incremental: persons updated after the watermark, with their employments', async () => {
    const page = rehost(fixture('personio', 'GET_v2_persons_page1.json'));
    replay = replayFixtures(HOST, [
      token,
      ...units,
      {
        path: '/v2/persons',
        query: { limit: '50', 'updated_at.gt': '2026-05-01T00:00:00Z' },
        response: { _data: [page._data[1]], _meta: { links: { self: { href: `${HOST}/v2/persons` } } } },
      },
      employments[1]!,
    ]);
    const changes = await personio(opts).readChanges!(new Date('2026-05-01T00:00:00Z'), { now: NOW });
    replay.assertDone();
    expect(changes.employees.map((e) => e.id)).toEqual(['3002']);
    expect(changes.deletedIds).toEqual([]);
  });

  it('rejected client credentials are an auth error, from the token endpoint, without the secret', async () => {
    const f = fixture<ErrorFixture>('personio', '400_invalid_client.json');
    replay = replayFixtures(HOST, [{ ...token, status: 400, headers: f.headers, response: f.body }]);
    const err = await takeSnapshot(personio(opts), { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).kind).toBe('auth');
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain(opts.clientSecret);
  });
});

describe('Personio status and type mapping', () => {
  const person = (employments: Array<Record<string, unknown>>, status = 'ACTIVE') => ({
    ...PersonioPersonSchema.parse({ id: '1', status }),
    employments_read: employments.map((e, i) =>
      PersonioEmploymentSchema.parse({ id: String(i), employment_start_date: '2024-01-01', ...e }),
    ),
  });
  it.each([
    [[{ status: 'ACTIVE' }], 'ACTIVE'],
    [[{ status: 'ACTIVE', employment_start_date: '2026-07-01' }], 'PENDING'],
    [[{ status: 'ONBOARDING' }], 'PENDING'],
    [[{ status: 'LEAVE' }], 'LEAVE'],
    [[{ status: 'INACTIVE' }], 'TERMINATED'],
    [[{ status: 'UNSPECIFIED' }], 'UNKNOWN'],
    [[{ status: 'INACTIVE', employment_start_date: '2020-01-01' }, { status: 'ACTIVE' }], 'ACTIVE'],
  ])('%j -> %s', (e, expected) => expect(mapStatus(person(e), '2026-06-01').status).toBe(expected));
  it('a person without employments: INACTIVE is TERMINATED, ACTIVE alone is not enough (UNKNOWN)', () => {
    expect(mapStatus(person([], 'INACTIVE'), '2026-06-01').status).toBe('TERMINATED');
    expect(mapStatus(person([], 'ACTIVE'), '2026-06-01').status).toBe('UNKNOWN');
  });
  it('the spec example spelling last_working_date is read too', () => {
    expect(
      mapStatus(person([{ status: 'ACTIVE', termination: { last_working_date: '2026-07-31' } }]), '2026-06-01')
        .terminationDate,
    ).toBe('2026-07-31');
  });
  it.each([
    [{ type: 'EXTERNAL' }, 'CONTRACTOR'],
    [{ type: 'INTERNAL', weekly_working_hours: 40, full_time_weekly_working_hours: 40 }, 'FULL_TIME'],
    [{ type: 'INTERNAL', weekly_working_hours: 20, full_time_weekly_working_hours: 40 }, 'PART_TIME'],
    [{ type: 'UNSPECIFIED' }, 'OTHER'],
  ])('%j -> %s', (e, expected) =>
    expect(mapEmploymentType(PersonioEmploymentSchema.parse({ id: '1', ...e })).type).toBe(expected),
  );
});
