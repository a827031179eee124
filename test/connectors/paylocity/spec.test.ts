/**
 * Paylocity fixtures and the simulator's rendering against the WebLink v2 OpenAPI
 * (`../shared/specs/paylocity/paylocity-v2-openapi.yml`): endpoints, paging parameters, the token
 * URL and scope the connector uses exist; list pages, employee records, codes and error bodies
 * validate. Skipped with a message when `../shared` is absent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PAYLOCITY_TOKEN_URL } from '../../../connectors/paylocity/index.js';
import { PaylocityEmployeeInfoSchema, PaylocityEmployeeSchema } from '../../../connectors/paylocity/schemas.js';
import { paylocityDataFromSample } from '../../../connectors/paylocity/simulator.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { loadOpenApi, parameters, responseSchema, validate, type OpenApiDoc } from '../gusto/openapi.js';
import { fixture, hasPaylocitySpec, IDS, paylocitySpecPath, record } from './helpers.js';

const LIST = '/v2/companies/{companyId}/employees/';
const ONE = '/v2/companies/{companyId}/employees/{employeeId}';
const CODES = '/v2/companies/{companyId}/codes/{codeResource}';
if (!hasPaylocitySpec)
  console.warn(
    `Paylocity spec tests skipped: ${paylocitySpecPath} not found (../shared is only present in the development workspace).`,
  );

describe.skipIf(!hasPaylocitySpec)('Paylocity fixtures vs the WebLink v2 OpenAPI', () => {
  let doc: OpenApiDoc;
  beforeAll(() => {
    doc = loadOpenApi(paylocitySpecPath);
  }, 60_000);

  it('documents the endpoints, the paging parameters, the total header, the token URL and the scope', () => {
    const q = parameters(doc, LIST, 'get').filter((p) => p.in === 'query');
    expect(q.map((p) => p.name)).toEqual(expect.arrayContaining(['pagesize', 'pagenumber', 'includetotalcount']));
    expect(JSON.stringify(q)).toContain('X-Pcty-Total-Count');
    expect(JSON.stringify(q)).toMatch(/0-based/);
    expect(doc.paths[ONE]?.['get']).toBeDefined();
    expect(doc.paths[CODES]?.['get']).toBeDefined();
    const flow = (doc as any).components.securitySchemes.paylocity_auth.flows.clientCredentials;
    expect(flow.tokenUrl).toBe(PAYLOCITY_TOKEN_URL);
    expect(Object.keys(flow.scopes)).toEqual(['WebLinkAPI']);
    // The record endpoint answers an ARRAY of employees (the connector takes its one item).
    expect(responseSchema(doc, ONE, 'get', '200')['type']).toBe('array');
  });

  it('the list, every employee record, the codes and the error bodies validate', () => {
    expect(
      validate(
        doc,
        responseSchema(doc, LIST, 'get', '200'),
        fixture('GET_v2_companies_companyId_employees_page0.json'),
      ),
    ).toEqual([]);
    for (const id of IDS) expect(validate(doc, responseSchema(doc, ONE, 'get', '200'), record(id)), id).toEqual([]);
    for (const f of [
      'GET_v2_companies_companyId_codes_costcenter1.json',
      'GET_v2_companies_companyId_codes_costcenter2.json',
    ]) {
      expect(validate(doc, responseSchema(doc, CODES, 'get', '200'), fixture(f)), f).toEqual([]);
    }
    expect(validate(doc, responseSchema(doc, LIST, 'get', '404'), fixture('404_company_not_found.json').body)).toEqual(
      [],
    );
    expect(
      validate(doc, responseSchema(doc, CODES, 'get', '404'), fixture('404_invalid_code_resource.json').body),
    ).toEqual([]);
    // 403 bodies are not documented (status only); the same error array is assumed (UNCONFIRMED).
    for (const f of ['403_rate_limited.json', '403_forbidden.json'])
      expect(validate(doc, responseSchema(doc, LIST, 'get', '404'), fixture(f).body), f).toEqual([]);
  });

  it('the validator catches drift (unknown property, wrong type)', () => {
    const r = record('1002');
    r[0].status.terminationDate = '2026-01-01';
    r[0].departmentPosition.isSupervisorReviewer = 'yes';
    expect(validate(doc, responseSchema(doc, ONE, 'get', '200'), r)).toEqual(
      expect.arrayContaining([
        "$[0].status: unexpected property 'terminationDate'",
        '$[0].departmentPosition.isSupervisorReviewer: expected boolean|null, got string',
      ]),
    );
  });

  it('the simulator renders the sample company in the same documented shapes', () => {
    const data = paylocityDataFromSample(sampleOrg({ size: 120, today: '2026-06-01' }));
    expect(validate(doc, responseSchema(doc, LIST, 'get', '200'), data.list)).toEqual([]);
    const problems = [...data.records.values()].flatMap((r) =>
      validate(doc, responseSchema(doc, ONE, 'get', '200'), [r]),
    );
    expect(problems.slice(0, 5)).toEqual([]);
    expect(validate(doc, responseSchema(doc, CODES, 'get', '200'), data.codes['costcenter1'])).toEqual([]);
  });

  it("the connector's row schemas accept every fixture", () => {
    for (const row of fixture('GET_v2_companies_companyId_employees_page0.json'))
      expect(PaylocityEmployeeInfoSchema.safeParse(row).success).toBe(true);
    for (const id of IDS) expect(PaylocityEmployeeSchema.safeParse(record(id)[0]).success).toBe(true);
  });
});
