/**
 * The fixtures, the requests orgsync sends and the simulator's pages validated against Workday's
 * own Human_Resources XSD (from ../shared/specs/workday), so none of them can drift from
 * Workday's schema. Skips when ../shared is absent (users' clones).
 */
import { describe, expect, it } from 'vitest';
import { validateXML, memoryPages } from 'xmllint-wasm';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { getWorkersRequest } from '../../../connectors/workday/index.js';
import { renderGetWorkers } from '../../../connectors/workday/soap.js';
import { workdayDataFromSample, workdayRoutes } from '../../../connectors/workday/simulator.js';
import { extractElement, fixture, hasShared, readXsd } from './helpers.js';

async function validate(docs: Array<{ fileName: string; contents: string }>) {
  return validateXML({
    xml: docs,
    schema: [{ fileName: 'Human_Resources.xsd', contents: readXsd() }],
    maxMemoryPages: memoryPages.GiB,
  });
}

const RESPONSE_FIXTURES = [
  'get-workers.page1.xml',
  'get-workers.page2.xml',
  'get-workers.empty.xml',
  'get-workers.updated-window.xml',
  'get-workers.effective-window.xml',
];

describe.skipIf(!hasShared)('Workday fixtures against the Human_Resources XSD (needs ../shared/specs/workday)', () => {
  it('every Get_Workers_Response fixture validates', async () => {
    const docs = RESPONSE_FIXTURES.map((f) => ({
      fileName: f,
      contents: extractElement(fixture(f), 'Get_Workers_Response'),
    }));
    const r = await validate(docs);
    expect(r.errors.map((e) => e.rawMessage)).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('the request fixture and the requests orgsync renders (full and incremental) validate as Get_Workers_Request', async () => {
    const opts = { host: 'h.example', tenant: 't', username: 'isu', password: 'p<&>"\'w', pageSize: 999 };
    const at = { asOfDate: '2025-06-02', entry: new Date('2025-06-02T16:15:00Z') };
    const rendered = [
      getWorkersRequest(opts, at).body as string,
      getWorkersRequest(opts, at, {
        updatedFrom: '2025-06-01T00:00:00.000Z',
        updatedThrough: '2025-06-02T00:00:00.000Z',
      }).body as string,
      getWorkersRequest(opts, at, {
        effectiveFrom: '2025-06-01T00:00:00.000Z',
        effectiveThrough: '2025-06-02T00:00:00.000Z',
      }).body as string,
    ];
    const docs = [fixture('get-workers.request.xml'), ...rendered].map((xml, i) => ({
      fileName: `request-${i}.xml`,
      contents: extractElement(xml, 'Get_Workers_Request'),
    }));
    const r = await validate(docs);
    expect(r.errors.map((e) => e.rawMessage)).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('the simulator renders pages that validate (employees, contingent workers, leave, terminated, pending)', async () => {
    const data = workdayDataFromSample(sampleOrg({ size: 40, today: '2025-06-02' }));
    const routes = workdayRoutes(data);
    const body = renderGetWorkers({
      username: `${data.username}@${data.tenant}`,
      password: data.password,
      version: '44.0',
      page: 1,
      count: 40,
      asOfEffectiveDate: '2025-06-02',
      asOfEntryDateTime: '2025-06-02T16:15:00.000Z',
    });
    const res = await routes.handle({
      method: 'POST',
      path: '/Human_Resources/v44.0',
      rawPath: `/ccx/service/${data.tenant}/Human_Resources/v44.0`,
      query: new URLSearchParams(),
      headers: {},
      body,
    });
    expect(res.status).toBe(200);
    const xml = String(res.body);
    expect(xml.match(/<wd:Worker>/g)?.length).toBe(40);
    const r = await validate([{ fileName: 'simulated.xml', contents: extractElement(xml, 'Get_Workers_Response') }]);
    expect(r.errors.map((e) => e.rawMessage).slice(0, 3)).toEqual([]);
  });

  it('a fixture that drifted from the schema is caught (the check can fail)', async () => {
    const drifted = extractElement(fixture('get-workers.page1.xml'), 'Get_Workers_Response').replace(
      '<wd:Worker_ID>21001</wd:Worker_ID>',
      '<wd:Employee_Number>21001</wd:Employee_Number>',
    );
    const r = await validate([{ fileName: 'drifted.xml', contents: drifted }]);
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.message).toMatch(/Employee_Number/);
  });

  it("the shared sanitized real recording parses with orgsync's reader", async () => {
    const { parseXml } = await import('../../../connectors/workday/xml.js');
    const { readWorkersPage } = await import('../../../connectors/workday/soap.js');
    const { WorkerSchema } = await import('../../../connectors/workday/schemas.js');
    const { digestWorker } = await import('../../../connectors/workday/map.js');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { shared } = await import('./helpers.js');
    const text = fs.readFileSync(path.join(shared, 'recordings/workday/Get_Workers_Response.v25.1.xml'), 'utf8');
    const page = readWorkersPage(parseXml(text));
    expect(page.totalResults).toBe(1);
    const row = digestWorker(WorkerSchema.parse(page.workers[0]));
    expect(row.id).toBe('00000000000000000000000000000000');
    expect(row.employeeId).toBe('1');
    expect(row.legalName?.first).toBe('Example');
    expect(row.emails).toEqual([{ address: 'test@example.com', usage: 'WORK', primary: true }]);
    // v25.1 puts the business unit under the job's Position_Organizations_Data.
    expect(row.organizations.map((o) => [o.type, o.typeRaw, o.name])).toEqual([
      ['BUSINESS_UNIT', 'BUSINESS_UNIT', 'Business Unit Organization Name'],
    ]);
  });
});
