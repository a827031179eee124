/**
 * ADP fixtures and the simulator's rendering against the Workers v2 OpenAPI
 * (`../shared/specs/adp-wfn/adp-workers-v2-openapi.yml`, every object `additionalProperties: false`):
 * the endpoint, parameters and token URL the connector uses exist, and the fixture pages, error
 * bodies and simulated workers validate. Skipped with a message when `../shared` is absent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ADP_TOKEN_URL } from '../../../connectors/adp-wfn/index.js';
import { AdpWorkerSchema } from '../../../connectors/adp-wfn/schemas.js';
import { adpWfnDataFromSample } from '../../../connectors/adp-wfn/simulator.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { loadOpenApi, parameters, responseSchema, validate, type OpenApiDoc } from '../gusto/openapi.js';
import { adpSpecPath, fixture, hasAdpSpec } from './helpers.js';

const WORKERS = '/hr/v2/workers';
if (!hasAdpSpec)
  console.warn(
    `ADP spec tests skipped: ${adpSpecPath} not found (../shared is only present in the development workspace).`,
  );

describe.skipIf(!hasAdpSpec)('ADP Workforce Now fixtures vs the Workers v2 OpenAPI', () => {
  let doc: OpenApiDoc;
  beforeAll(() => {
    doc = loadOpenApi(adpSpecPath);
  }, 60_000);
  const page = () => responseSchema(doc, WORKERS, 'get', '200');
  const confirm = () => (doc.components.schemas as any)['confirmMessage'];

  it('documents the endpoint, the OData parameters, the roleCode header and the token URL', () => {
    const params = parameters(doc, WORKERS, 'get');
    expect(params.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
      expect.arrayContaining(['$top', '$skip', '$count']),
    );
    expect(params.find((p) => p.in === 'header' && p.name === 'roleCode')).toMatchObject({ required: true });
    expect((doc as any).components.securitySchemes.OAuth2.flows.clientCredentials.tokenUrl).toBe(ADP_TOKEN_URL);
  });

  it('the workers page validates (every worker, assignment, status, org unit, location and custom field)', () => {
    expect(validate(doc, page(), fixture('GET_hr_v2_workers.json'))).toEqual([]);
  });

  it('the error bodies are confirmMessages', () => {
    for (const f of ['400_invalid_query.json', '401_invalid_token.json', '403_not_entitled.json']) {
      expect(validate(doc, confirm(), fixture(f).body.confirmMessage), f).toEqual([]);
    }
  });

  it('the validator catches drift (unknown property, wrong type)', () => {
    const p = fixture('GET_hr_v2_workers.json');
    p.workers[0].workerStatus.statusCode.code = 'Active';
    p.workers[1].workAssignments[0].primaryIndicator = 'true';
    p.workers[2].workAssignments[0].reportsTo[0].managerOID = 'x';
    expect(validate(doc, page(), p)).toEqual(
      expect.arrayContaining([
        "$.workers[0].workerStatus.statusCode: unexpected property 'code'",
        '$.workers[1].workAssignments[0].primaryIndicator: expected boolean, got string',
        "$.workers[2].workAssignments[0].reportsTo[0]: unexpected property 'managerOID'",
      ]),
    );
  });

  it('the simulator renders the sample company in the same documented shape', () => {
    const data = adpWfnDataFromSample(sampleOrg({ size: 120, today: '2026-06-01' }));
    expect(
      validate(doc, page(), {
        workers: data.workers,
        meta: { startSequence: 1, totalNumber: data.workers.length },
      }).slice(0, 5),
    ).toEqual([]);
  });

  it("the connector's row schema accepts every fixture worker", () => {
    for (const w of fixture('GET_hr_v2_workers.json').workers) expect(AdpWorkerSchema.safeParse(w).success).toBe(true);
  });
});
