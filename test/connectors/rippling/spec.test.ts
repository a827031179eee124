/**
 * Fixture (and simulator) drift against Rippling's official specs in ../shared/specs:
 * `rippling-rest-openapi.json` (REST) and `rippling-v1-openapi.yaml` (legacy platform API).
 * Skipped when ../shared is absent (users' clones).
 *
 * Checks types, enums, required fields, and flags properties the spec does not declare. Two
 * tolerances, both documented in the connector's README: `null` is accepted anywhere (Rippling's
 * own examples send null for non-nullable fields), and for the legacy API, property names used by
 * the spec's own examples are accepted (its schema omits fields its examples show, such as
 * `employeeNumber`, `companyEmploymentType`, `createdAt`, `updatedAt`). The fixtures' deliberate
 * off-spec values are listed exactly, so any other drift fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ripplingDataFromSample, ripplingRoutes } from '../../../connectors/rippling/simulator.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import type { SimResponse } from '../../../src/simulator/server.js';
import { fixture, hasShared, sharedDir } from '../../helpers/fixtures.js';
import {
  checkValue,
  keysIn,
  responseExamples,
  responseSchema,
  type CheckOptions,
  type SpecIssue,
} from './openapi-validate.js';

const restSpecPath = path.join(sharedDir, 'specs', 'rippling-rest-openapi.json');
const legacySpecPath = path.join(sharedDir, 'specs', 'rippling-v1-openapi.yaml');
const available = hasShared && fs.existsSync(restSpecPath) && fs.existsSync(legacySpecPath);

const REST_FIXTURES: Record<string, string> = {
  'rest/GET_workers_page1.json': '/workers/',
  'rest/GET_workers_page2.json': '/workers/',
  'rest/GET_workers_page3.json': '/workers/',
  'rest/GET_workers_updated_since.json': '/workers/',
  'rest/GET_users.json': '/users/',
  'rest/GET_departments_page1.json': '/departments/',
  'rest/GET_departments_page2.json': '/departments/',
  'rest/GET_teams.json': '/teams/',
  'rest/GET_work_locations.json': '/work-locations/',
  'rest/GET_employment_types.json': '/employment-types/',
  'rest/GET_companies.json': '/companies/',
};

const LEGACY_FIXTURES: Record<string, string> = {
  'legacy/GET_employees_include_terminated_offset0.json': '/employees/include_terminated',
  'legacy/GET_employees_include_terminated_offset4.json': '/employees/include_terminated',
  'legacy/GET_employees_include_terminated_offset8.json': '/employees/include_terminated',
  'legacy/GET_departments_offset0.json': '/departments',
  'legacy/GET_departments_offset4.json': '/departments',
  'legacy/GET_teams.json': '/teams',
  'legacy/GET_work_locations.json': '/work_locations',
  'legacy/GET_companies_current.json': '/companies/current',
};

/** The fixtures' deliberate off-spec values (to exercise the UNKNOWN / OTHER fallbacks). Nothing else may deviate. */
const EXPECTED_DEVIATIONS: Record<string, string[]> = {
  'rest/GET_workers_page3.json': ['$.results[0].status'],
  'legacy/GET_employees_include_terminated_offset8.json': ['$[0].employmentType', '$[0].roleState'],
};

const fmt = (issues: SpecIssue[]) => issues.map((i) => `${i.path}: ${i.message}`);

describe.skipIf(!available)('Rippling fixtures and simulator match the official specs (../shared/specs)', () => {
  const restSpec = available ? JSON.parse(fs.readFileSync(restSpecPath, 'utf8')) : {};
  const legacySpec = available ? parseYaml(fs.readFileSync(legacySpecPath, 'utf8')) : {};
  const restOptions: CheckOptions = { spec: restSpec, lenientNull: true };
  const legacyOptions = (specPath: string): CheckOptions => ({
    spec: legacySpec,
    lenientNull: true,
    allowExtra: keysIn(responseExamples(legacySpec, specPath)),
    // The schema's CustomFields is a field *definition*; the examples show a map of values.
    opaque: new Set(['customFields']),
  });

  it.each(Object.entries(REST_FIXTURES))('REST %s matches GET %s', (file, specPath) => {
    const issues = checkValue(fixture('rippling', file), responseSchema(restSpec, specPath), restOptions);
    expect(issues.map((i) => i.path).sort()).toEqual((EXPECTED_DEVIATIONS[file] ?? []).slice().sort());
    for (const i of issues) expect(i.message).toMatch(/is not one of/); // only enum values, as intended
  });

  it.each(Object.entries(LEGACY_FIXTURES))('legacy %s matches GET %s', (file, specPath) => {
    const issues = checkValue(fixture('rippling', file), responseSchema(legacySpec, specPath), legacyOptions(specPath));
    expect(issues.map((i) => i.path).sort(), fmt(issues).join('\n')).toEqual(
      (EXPECTED_DEVIATIONS[file] ?? []).slice().sort(),
    );
    for (const i of issues) expect(i.message).toMatch(/is not one of/);
  });

  it('the checker catches drift (a renamed field, a wrong type, a missing required field)', () => {
    const body = fixture<any>('rippling', 'rest/GET_workers_page1.json');
    body.results[0].managerId = body.results[0].manager_id;
    body.results[1].number = '2';
    delete body.results[2].created_at;
    expect(fmt(checkValue(body, responseSchema(restSpec, '/workers/'), restOptions)).sort()).toEqual([
      '$.results[0].managerId: property not declared in the spec',
      '$.results[1].number: expected integer, got string',
      '$.results[2].created_at: required property missing',
    ]);
    const legacy = fixture<any>('rippling', 'legacy/GET_employees_include_terminated_offset0.json');
    legacy[0].role_state = 'ACTIVE';
    expect(
      fmt(
        checkValue(
          legacy,
          responseSchema(legacySpec, '/employees/include_terminated'),
          legacyOptions('/employees/include_terminated'),
        ),
      ),
    ).toEqual(['$[0].role_state: property not declared in the spec']);
  });

  describe("the simulator renders the sample company in the specs' shapes", () => {
    const data = ripplingDataFromSample(sampleOrg({ size: 60, today: '2026-03-02' }));
    const routes = ripplingRoutes(data, { pageSize: 25 });
    const get = async (p: string, query = ''): Promise<SimResponse> =>
      routes.handle({
        method: 'GET',
        path: p,
        rawPath: p,
        query: new URLSearchParams(query),
        headers: { authorization: `Bearer ${data.apiToken}`, host: '127.0.0.1' },
        body: '',
      });

    it.each([
      ['/workers/', 'expand=user&order_by=id'],
      ['/users/', ''],
      ['/departments/', ''],
      ['/teams/', ''],
      ['/work-locations/', ''],
      ['/employment-types/', ''],
      ['/companies/', ''],
    ])('REST GET %s?%s', async (p, q) => {
      const res = await get(p, q);
      expect(res.status).toBe(200);
      expect(fmt(checkValue(res.body, responseSchema(restSpec, p), restOptions))).toEqual([]);
    });

    it.each([
      ['/employees/include_terminated', 'limit=100&offset=0'],
      ['/employees', 'limit=100&offset=0'],
      ['/departments', ''],
      ['/teams', ''],
      ['/levels', ''],
      ['/work_locations', ''],
      ['/companies/current', ''],
    ])('legacy GET %s?%s', async (p, q) => {
      const res = await get(`/platform/api${p}`, q);
      expect(res.status).toBe(200);
      expect(fmt(checkValue(res.body, responseSchema(legacySpec, p), legacyOptions(p)))).toEqual([]);
    });
  });
});

describe.runIf(!available)('Rippling spec checks', () => {
  it.skip('skipped: ../shared/specs (Rippling OpenAPI specs) is not present in this checkout', () => {});
});
