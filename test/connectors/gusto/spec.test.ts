/**
 * Fixture drift checks against Gusto's official OpenAPI spec (`../shared/specs/gusto-openapi.yaml`,
 * API version 2025-06-15): the endpoints and parameters the connector uses exist, and the
 * fixtures (and the simulator's rendering) validate against the response schemas: required
 * fields, types, enums and nullability of Employee, Job, Termination, Department, Location,
 * Company and the error objects. Skipped when `../shared` is absent (users' clones).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GUSTO_DEFAULT_API_VERSION } from '../../../connectors/gusto/index.js';
import {
  GustoCompanySchema,
  GustoDepartmentSchema,
  GustoEmployeeSchema,
  GustoLocationSchema,
} from '../../../connectors/gusto/schemas.js';
import { gustoDataFromSample } from '../../../connectors/gusto/simulator.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { FILES, fixture, gustoSpecPath, hasGustoSpec, type ErrorFixture, type Row } from './helpers.js';
import { deref, loadOpenApi, parameters, responseSchema, validate, type OpenApiDoc, type Schema } from './openapi.js';

const EMPLOYEES = '/v1/companies/{company_id}/employees';
const COMPANY = '/v1/companies/{company_id}';
const LOCATIONS = '/v1/companies/{company_id}/locations';
const DEPARTMENTS = '/v1/companies/{company_uuid}/departments';

if (!hasGustoSpec)
  console.warn(
    `Gusto spec tests skipped: ${gustoSpecPath} not found (../shared is only present in the development workspace).`,
  );

describe.skipIf(!hasGustoSpec)('Gusto fixtures vs the official OpenAPI spec (2025-06-15)', () => {
  let doc: OpenApiDoc;
  beforeAll(() => {
    doc = loadOpenApi(gustoSpecPath);
  }, 30_000);

  const schemaOf = (path: string, status = '200'): Schema => responseSchema(doc, path, 'get', status);

  it('documents every endpoint, query parameter and header the connector sends', () => {
    const names = (path: string, where: string) =>
      parameters(doc, path, 'get')
        .filter((p) => p.in === where)
        .map((p) => p.name);
    expect(names(EMPLOYEES, 'query')).toEqual(expect.arrayContaining(['page', 'per', 'sort_by', 'include']));
    expect(names(LOCATIONS, 'query')).toEqual(expect.arrayContaining(['page', 'per']));
    for (const path of [EMPLOYEES, COMPANY, LOCATIONS, DEPARTMENTS]) {
      const version = parameters(doc, path, 'get').find((p) => p.in === 'header' && p.name === 'X-Gusto-API-Version');
      expect(version?.schema?.['enum'], path).toContain(GUSTO_DEFAULT_API_VERSION);
      expect(doc.paths[path]!['get'].security ?? (doc as any).security, path).toEqual(
        expect.arrayContaining([{ CompanyAccessAuth: [] }]),
      );
    }
    const include = parameters(doc, EMPLOYEES, 'get').find((p) => p.name === 'include');
    expect(deref(doc, include!.schema!['items'])['enum']).toContain('custom_fields');
    // `terminated` is a filter (sending it would hide people), which is why the connector omits it.
    expect(names(EMPLOYEES, 'query')).toContain('terminated');
    expect(String(doc.paths[EMPLOYEES]!['get'].description)).toMatch(/onboarding, active and terminated/);
    expect(deref<any>(doc, (doc as any).components.securitySchemes.CompanyAccessAuth)).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('employee pages validate against Show-Employees', () => {
    for (const file of [FILES.employees1, FILES.employees2]) {
      expect(validate(doc, schemaOf(EMPLOYEES), fixture(file)), file).toEqual([]);
    }
  });

  it('departments, locations and the company validate', () => {
    expect(validate(doc, schemaOf(DEPARTMENTS), fixture(FILES.departments))).toEqual([]);
    expect(validate(doc, schemaOf(LOCATIONS), fixture(FILES.locations))).toEqual([]);
    expect(validate(doc, schemaOf(COMPANY), fixture(FILES.company))).toEqual([]);
  });

  it('error bodies follow the documented error objects', () => {
    expect(validate(doc, schemaOf(EMPLOYEES, '404'), fixture<ErrorFixture>('404_company_not_found.json').body)).toEqual(
      [],
    );
    const entityErrors = doc.components.schemas['Unprocessable-Entity-Error-Object']!;
    expect(validate(doc, entityErrors, fixture<ErrorFixture>('422_invalid_operation.json').body)).toEqual([]);
    // The spec documents no 401/403/406/429 bodies; these use the same `{errors: [...]}` object (UNCONFIRMED).
    for (const f of [
      '401_invalid_token.json',
      '403_missing_scope.json',
      '406_invalid_api_version.json',
      '429_rate_limited.json',
    ]) {
      expect(validate(doc, entityErrors, fixture<ErrorFixture>(f).body), f).toEqual([]);
    }
  });

  it('the validator catches drift (missing uuid, wrong type, unknown enum value, null where not nullable)', () => {
    const page = fixture<Row[]>(FILES.employees1);
    delete page[0]!['uuid'];
    page[1]!['terminated'] = 'false';
    page[2]!['payment_method'] = 'Venmo';
    page[3]!['onboarding_status'] = 'onboarding_paused';
    page[4]!['jobs'][0]['primary'] = null;
    const problems = validate(doc, schemaOf(EMPLOYEES), page);
    expect(problems).toEqual(
      expect.arrayContaining([
        "$[0]: missing required property 'uuid'",
        '$[1].terminated: expected boolean, got string',
        expect.stringMatching(/^\$\[2\]\.payment_method: "Venmo" is not one of/),
        expect.stringMatching(/^\$\[3\]\.onboarding_status: matches none of anyOf/),
        '$[4].jobs[0].primary: expected boolean, got null',
      ]),
    );
    const location = fixture<Row[]>(FILES.locations);
    location[0]!['zip'] = 97202;
    expect(validate(doc, schemaOf(LOCATIONS), location)).toEqual(['$[0].zip: expected string, got integer']);
  });

  it('the simulator renders the sample company in the same documented shapes', () => {
    const data = gustoDataFromSample(sampleOrg({ size: 60 }));
    expect(validate(doc, schemaOf(EMPLOYEES), data.employees).slice(0, 5)).toEqual([]);
    expect(validate(doc, schemaOf(DEPARTMENTS), data.departments)).toEqual([]);
    expect(validate(doc, schemaOf(LOCATIONS), data.locations)).toEqual([]);
    expect(validate(doc, schemaOf(COMPANY), data.company)).toEqual([]);
  });

  it("the connector's row schemas accept the spec's own examples", () => {
    const ex = (name: string) =>
      Object.values((doc.components.schemas[name]!['x-examples'] ?? {}) as Record<string, unknown>)[0];
    expect(GustoEmployeeSchema.safeParse(ex('Employee')).success).toBe(true);
    expect(GustoLocationSchema.safeParse(ex('Location')).success).toBe(true);
    expect(GustoCompanySchema.safeParse(ex('Company')).success).toBe(true);
    // The locations list example sends zip as a number and a broken created_at: tolerated.
    for (const l of ex('Company-Locations-List') as unknown[])
      expect(GustoLocationSchema.safeParse(l).success).toBe(true);
    const deptExample = deref<any>(doc, doc.components.responses['Department-List']).content['application/json']
      .examples.Example.value as unknown[];
    for (const d of deptExample) expect(GustoDepartmentSchema.safeParse(d).success).toBe(true);
  });
});
