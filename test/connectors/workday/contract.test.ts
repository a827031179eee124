/**
 * Contract tests: the Workday connector against recorded-style fixtures (fixtures/workday) served
 * by nock. Checks the exact SOAP requests (path, headers, envelope, paging) and the normalized
 * result of a full read, the fault handling and the incremental windows.
 */
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrgsyncError } from '../../../src/errors.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { workday } from '../../../connectors/workday/index.js';
import { parseXml, WSSE_NS, child, textOf, asList, type XmlObject } from '../../../connectors/workday/xml.js';
import { fast, HOST, ORIGIN, PASSWORD, PATH, reply, TENANT, USERNAME } from './helpers.js';

const W = {
  margaret: '6dd1f3a0c2b84e51a9e7d04c3f1b2a01',
  ken: '9b2e47c1d5a64f08b3c1e2d4f5a6b702',
  grace: '1f0c9a8b7e6d4c5ba3928170f6e5d403',
  kate: 'c47a2e9d1b3f4a5c8d6e7f9012a3b404',
  hedy: 'e5d4c3b2a1f04e9d8c7b6a5948372605',
  linus: '0a1b2c3d4e5f46a7b8c9d0e1f2a3b406',
  mary: '7f6e5d4c3b2a41908f7e6d5c4b3a2907',
};
const G = {
  supExec: '5a0e8c6d4b2a49f7e5c3a1b9d7f5e301',
  supEng: '5a0e8c6d4b2a49f7e5c3a1b9d7f5e302',
  cc1000: '8c7b6a5f4e3d42c1b0a9f8e7d6c5b401',
  cc1100: '8c7b6a5f4e3d42c1b0a9f8e7d6c5b402',
  company: '2e4d6c8b0a1f43e5d7c9b1a3f5e7d901',
  platform: '7d6c5b4a39284f1e0d9c8b7a6f5e4d01',
  ambassadors: '3c2b1a0f9e8d47c6b5a4f3e2d1c0b901',
};
const SF = '4b3a29180f7e46d5c4b3a291807f6e01';
const LONDON = '4b3a29180f7e46d5c4b3a291807f6e02';

/** The read's "now": statuses are judged at 2025-06-02 (the fixtures' As_Of_Effective_Date). */
const NOW = new Date('2025-06-02T16:20:00Z');
const connector = (extra: Record<string, unknown> = {}) =>
  workday({ host: HOST, tenant: TENANT, username: USERNAME, password: PASSWORD, pageSize: 4, http: fast, ...extra });

interface Seen {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Intercept Get_Workers page `page` (matched on the Page element of the SOAP body). */
function page(n: number, fixtureName: string, seen?: Seen[]) {
  return nock(ORIGIN)
    .post(PATH, (body) => typeof body === 'string' && body.includes(`<bsvc:Page>${n}</bsvc:Page>`))
    .reply(function (_uri, body) {
      seen?.push({ headers: this.req.headers, body: String(body) });
      return reply(fixtureName);
    });
}

const req = (s: Seen): XmlObject => parseXml(s.body);
const getWorkers = (doc: XmlObject) =>
  child(child(doc['soap:Envelope'], 'soap:Body'), 'Get_Workers_Request') as XmlObject;

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe('Workday contract: full read', () => {
  it('sends Get_Workers pages as SOAP POSTs with a WS-Security UsernameToken and the XSD element order', async () => {
    const seen: Seen[] = [];
    page(1, 'get-workers.page1.xml', seen);
    page(2, 'get-workers.page2.xml', seen);
    await connector().read({ now: NOW });
    expect(seen).toHaveLength(2);
    const [first, second] = seen as [Seen, Seen];
    expect(first.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(first.headers['accept']).toBe('text/xml');
    expect(first.headers['authorization']).toBeUndefined();
    expect(first.headers['soapaction']).toBeUndefined();

    const doc = req(first);
    const token = child(
      child(child(doc['soap:Envelope'], 'soap:Header'), `{${WSSE_NS}}Security`),
      `{${WSSE_NS}}UsernameToken`,
    );
    expect(textOf(child(token, `{${WSSE_NS}}Username`))).toBe(`${USERNAME}@${TENANT}`);
    const pw = asList(child(token, `{${WSSE_NS}}Password`))[0] as XmlObject;
    expect(pw['#text']).toBe(PASSWORD); // XML-escaped on the wire, decoded here
    expect(first.body).toContain('Fx7&amp;q&lt;Secret-Wd-2025&gt;');
    expect(pw['@Type']).toBe(
      'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText',
    );

    const gw = getWorkers(doc);
    expect(gw['@version']).toBe('v44.0');
    expect(Object.keys(gw).filter((k) => !k.startsWith('@'))).toEqual([
      'Request_Criteria',
      'Response_Filter',
      'Response_Group',
    ]);
    expect(textOf(child(gw['Request_Criteria'], 'Exclude_Inactive_Workers'))).toBe('false');
    const filter = gw['Response_Filter'] as XmlObject;
    expect(Object.keys(filter)).toEqual(['As_Of_Effective_Date', 'As_Of_Entry_DateTime', 'Page', 'Count']);
    expect(filter['As_Of_Effective_Date']).toBe('2025-06-02');
    expect(filter['Page']).toBe('1');
    expect(filter['Count']).toBe('4');
    const group = gw['Response_Group'] as XmlObject;
    for (const k of [
      'Include_Reference',
      'Include_Personal_Information',
      'Include_Employment_Information',
      'Include_Organizations',
      'Include_Management_Chain_Data',
    ])
      expect(group[k]).toBe('true');
    expect(Object.keys(group).indexOf('Include_Organizations')).toBeLessThan(
      Object.keys(group).indexOf('Include_Management_Chain_Data'),
    );

    const filter2 = getWorkers(req(second))['Response_Filter'] as XmlObject;
    expect(filter2['Page']).toBe('2');
    // The whole walk reads one consistent state of the tenant.
    expect(filter2['As_Of_Entry_DateTime']).toBe(filter['As_Of_Entry_DateTime']);
  });

  it('keeps a username that already names its tenant', async () => {
    const seen: Seen[] = [];
    page(1, 'get-workers.page1.xml', seen);
    page(2, 'get-workers.page2.xml', seen);
    await connector({ username: 'ISU_orgsync@other_tenant' }).read({ now: NOW });
    expect(seen[0]!.body).toContain('<wsse:Username>ISU_orgsync@other_tenant</wsse:Username>');
  });

  it('maps a full read to normalized employees, groups, locations and the company', async () => {
    page(1, 'get-workers.page1.xml');
    page(2, 'get-workers.page2.xml');
    const snap = await takeSnapshot(connector(), { now: NOW });
    expect(snap.warnings).toEqual([]);
    expect(snap.employees).toHaveLength(7);
    const e = Object.fromEntries(snap.employees.map((x) => [x.id, x]));

    expect(e[W.margaret]).toMatchObject({
      employeeNumber: '21001',
      firstName: 'Margaret',
      lastName: 'Hamilton',
      preferredName: null,
      displayName: 'Margaret Hamilton',
      workEmail: 'margaret.hamilton@acme.example',
      personalEmail: 'mh1972@mail.example',
      jobTitle: 'Chief Executive Officer',
      managerId: null,
      groupIds: [G.supExec, G.cc1000, G.company],
      locationId: SF,
      employmentStatus: 'ACTIVE',
      employmentStatusRaw: 'Active=1 Terminated=0',
      employmentType: 'FULL_TIME',
      employmentTypeRaw: 'Regular / Full_time',
      startDate: '2015-03-02',
      terminationDate: null,
      customFields: {
        User_ID: 'mhamilton',
        Position_ID: 'P-00001',
        Job_Profile_Name: 'Chief Executive Officer',
        Original_Hire_Date: '2015-03-02',
      },
    });
    // Legal vs preferred names; the primary WORK email wins over an earlier non-primary one.
    expect(e[W.ken]).toMatchObject({
      firstName: 'Kenneth',
      preferredName: 'Ken',
      displayName: 'Ken Thompson',
      workEmail: 'ken.thompson@acme.example',
      jobTitle: 'VP, Engineering',
      managerId: W.margaret,
    });
    // Terminated (true/false booleans); manager only from Manager_as_of_last_detected_manager_change; Position_Title when no Business_Title.
    expect(e[W.grace]).toMatchObject({
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'Active=false Terminated=true',
      terminationDate: '2024-05-31',
      managerId: W.ken,
      jobTitle: 'Software Engineer',
      personalEmail: null,
      groupIds: [G.supEng, G.cc1100],
    });
    // Future hire (Active=0 before the hire date) is PENDING; intern; manager from the chain's nearest org.
    expect(e[W.kate]).toMatchObject({
      employmentStatus: 'PENDING',
      employmentStatusRaw: 'Active=0 Terminated=0',
      employmentType: 'INTERN',
      employmentTypeRaw: 'Intern / Full_time',
      firstName: 'Katherine',
      preferredName: 'Kate',
      displayName: 'Kate Johnson',
      startDate: '2025-06-16',
      managerId: W.ken,
    });
    // Leave, part-time, default namespace on page 2, position organization (business unit).
    expect(e[W.hedy]).toMatchObject({
      employmentStatus: 'LEAVE',
      employmentStatusRaw: 'Active=1 Terminated=0 On_Leave=1',
      employmentType: 'PART_TIME',
      firstName: 'Hedwig',
      lastName: 'Kiesler',
      preferredName: 'Hedy',
      displayName: 'Hedy Lamarr',
      locationId: LONDON,
      managerId: W.ken,
      groupIds: [G.supEng, G.platform],
    });
    // Contingent worker: CONTRACTOR, Contingent_Worker_ID as employee number, scheduled termination
    // stays ACTIVE, manager given only by Employee_ID resolves to the manager's WID.
    expect(e[W.linus]).toMatchObject({
      employeeNumber: 'C-0042',
      employmentType: 'CONTRACTOR',
      employmentTypeRaw: 'Contractor / Full_time',
      employmentStatus: 'ACTIVE',
      terminationDate: '2025-06-30',
      managerId: W.ken,
      locationId: null,
      jobTitle: 'Contract Developer',
    });
    // Unclassifiable values fall back, raw kept; HOME email only → no work email.
    expect(e[W.mary]).toMatchObject({
      employmentStatus: 'UNKNOWN',
      employmentStatusRaw: 'Terminated=0',
      employmentType: 'OTHER',
      employmentTypeRaw: 'Seasonal_Ambassador / Variable',
      workEmail: null,
      personalEmail: 'mary.w.jackson@mail.example',
      managerId: W.margaret,
      groupIds: [G.supExec, G.ambassadors],
    });

    expect(snap.groups).toEqual(
      [
        { id: G.supExec, name: 'Executive', type: 'DEPARTMENT', typeRaw: 'SUPERVISORY', parentId: null },
        { id: G.supEng, name: 'Engineering', type: 'DEPARTMENT', typeRaw: 'SUPERVISORY', parentId: G.supExec },
        { id: G.cc1000, name: 'Research & Development', type: 'COST_CENTER', typeRaw: 'COST_CENTER', parentId: null },
        { id: G.cc1100, name: 'Engineering', type: 'COST_CENTER', typeRaw: 'COST_CENTER', parentId: null },
        { id: G.company, name: 'Acme Robotics, Inc.', type: 'BUSINESS_UNIT', typeRaw: 'COMPANY', parentId: null },
        { id: G.platform, name: 'Platform', type: 'BUSINESS_UNIT', typeRaw: 'BUSINESS_UNIT', parentId: null },
        { id: G.ambassadors, name: 'Field Ambassadors', type: 'OTHER', typeRaw: 'AMBASSADOR_PROGRAM', parentId: null },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect(snap.locations).toEqual([
      {
        id: SF,
        name: 'San Francisco HQ',
        address: {
          line1: '500 Howard St',
          line2: 'Floor 4',
          city: 'San Francisco',
          region: 'California',
          postalCode: '94105',
          country: 'US',
        },
        timezone: null,
      },
      {
        id: LONDON,
        name: 'London',
        address: {
          line1: '1 Finsbury Ave',
          line2: null,
          city: 'London',
          region: 'England',
          postalCode: 'EC2M 2PF',
          country: 'GB',
        },
        timezone: null,
      },
    ]);
    expect(snap.company).toEqual({ id: TENANT, name: 'Acme Robotics, Inc.', legalName: 'Acme Robotics, Inc.' });
  });

  it("judges statuses at the read's now, which is also the As_Of_Effective_Date it asks for", async () => {
    const seen: Seen[] = [];
    page(1, 'get-workers.page1.xml', seen);
    page(2, 'get-workers.page2.xml');
    const earlier = Object.fromEntries(
      (await connector().read({ now: new Date('2024-05-01T12:00:00Z') })).employees.map((x) => [x.id, x]),
    );
    expect((getWorkers(req(seen[0]!))['Response_Filter'] as XmlObject)['As_Of_Effective_Date']).toBe('2024-05-01');
    // Terminated=true with a termination date after the as-of date: a scheduled termination.
    expect(earlier[W.grace]).toMatchObject({ employmentStatus: 'ACTIVE', terminationDate: '2024-05-31' });
    page(1, 'get-workers.page1.xml');
    page(2, 'get-workers.page2.xml');
    const later = Object.fromEntries(
      (await connector().read({ now: new Date('2025-07-01T12:00:00Z') })).employees.map((x) => [x.id, x]),
    );
    // Active=0 although the hire date has passed: the flags and the date disagree → UNKNOWN (no access, no deprovisioning).
    expect(later[W.kate]).toMatchObject({ employmentStatus: 'UNKNOWN', employmentStatusRaw: 'Active=0 Terminated=0' });
    // Terminated=0 is authoritative even after the scheduled date.
    expect(later[W.linus]!.employmentStatus).toBe('ACTIVE');
  });

  it('keeps only the fields orgsync reads in remoteData (no birth dates or phone numbers)', async () => {
    page(1, 'get-workers.page1.xml');
    page(2, 'get-workers.page2.xml');
    const { employees } = await connector({ includeRemoteData: true }).read({ now: NOW });
    const margaret = employees.find((x) => x.id === W.margaret)!;
    expect(margaret.remoteData).toMatchObject({ id: W.margaret, employeeId: '21001', userId: 'mhamilton' });
    const json = JSON.stringify(margaret.remoteData);
    expect(json).not.toContain('1972-08-17');
    expect(json).not.toContain('555-0101');
  });

  it('reads an empty tenant (Total_Pages 0) as no employees, not as an error', async () => {
    nock(ORIGIN)
      .post(PATH)
      .reply(...reply('get-workers.empty.xml'));
    const r = await connector({ pageSize: undefined }).read({ now: NOW });
    expect(r.employees).toEqual([]);
    expect(r.company).toEqual({ id: TENANT, name: TENANT, legalName: null });
  });

  it('groups(), locations() and company() on their own walk the workers first', async () => {
    page(1, 'get-workers.page1.xml');
    page(2, 'get-workers.page2.xml');
    const c = connector();
    expect((await c.locations()).map((l) => l.name).sort()).toEqual(['London', 'San Francisco HQ']);
    expect(nock.isDone()).toBe(true);
  });
});

describe('Workday contract: faults and throttling', () => {
  it('Client.authenticationError (HTTP 500) is an auth error and is not retried', async () => {
    const scope = nock(ORIGIN)
      .post(PATH)
      .reply(...reply('fault.authentication.xml'));
    const extra = nock(ORIGIN)
      .post(PATH)
      .reply(...reply('get-workers.page1.xml'));
    const err = await takeSnapshot(connector(), { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect((err as OrgsyncError).kind).toBe('auth');
    expect((err as OrgsyncError).retryable).toBe(false);
    expect((err as OrgsyncError).status).toBe(500);
    expect((err as OrgsyncError).message).toContain('invalid username or password');
    expect(scope.isDone()).toBe(true);
    expect(extra.isDone()).toBe(false);
  });

  it("Client.validationError is a vendor error quoting Workday's message, not retried", async () => {
    nock(ORIGIN)
      .post(PATH)
      .reply(...reply('fault.validation.xml'));
    const extra = nock(ORIGIN)
      .post(PATH)
      .reply(...reply('get-workers.page1.xml'));
    const err = (await connector()
      .read({ now: NOW })
      .catch((e: unknown) => e)) as OrgsyncError;
    expect(err.kind).toBe('vendor');
    expect(err.code).toBe('Client.validationError');
    expect(err.message).toContain(
      '"Validation error occurred. The value \'1000\' exceeds the maximum of 999 for element Count"',
    );
    expect(err.message).toContain('/bsvc:Get_Workers_Request[1]/bsvc:Response_Filter[1]/bsvc:Count[1]');
    expect(extra.isDone()).toBe(false);
    // takeSnapshot never returns a snapshot for it.
    nock(ORIGIN)
      .post(PATH)
      .reply(...reply('fault.validation.xml'));
    await expect(takeSnapshot(connector(), { now: NOW })).rejects.toMatchObject({ kind: 'incomplete' });
  });

  it('a "not authorized" validation fault is an auth error naming the missing permissions', async () => {
    nock(ORIGIN)
      .post(PATH)
      .reply(...reply('fault.not-authorized.xml'));
    const err = (await connector()
      .read({ now: NOW })
      .catch((e: unknown) => e)) as OrgsyncError;
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('The task submitted is not authorized.');
    expect(err.message).toMatch(/security group/);
  });

  it('other faults (processingError) are retried', async () => {
    nock(ORIGIN)
      .post(PATH)
      .reply(...reply('fault.processing.xml'));
    page(1, 'get-workers.page1.xml');
    page(2, 'get-workers.page2.xml');
    const r = await connector().read({ now: NOW });
    expect(r.employees).toHaveLength(7);
  });

  it('429 with Retry-After is honoured, then the page is read', async () => {
    const retries: number[] = [];
    nock(ORIGIN)
      .post(PATH)
      .reply(...reply('throttled.429.html'));
    page(1, 'get-workers.page1.xml');
    nock(ORIGIN)
      .post(PATH)
      .reply(...reply('unavailable.503.html'));
    page(2, 'get-workers.page2.xml');
    const started = Date.now();
    const r = await connector({
      http: {
        ...fast,
        onProgress: (ev: { type: string; delayMs?: number }) => ev.type === 'retry' && retries.push(ev.delayMs!),
      },
    }).read({ now: NOW });
    expect(r.employees).toHaveLength(7);
    expect(retries).toEqual([1000, 1000]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('refuses a body that declares a DOCTYPE/ENTITY (XXE, billion laughs) with a vendor error, never parsing it', async () => {
    nock(ORIGIN)
      .post(PATH)
      .reply(...reply('doctype-entities.xml'));
    const err = (await connector()
      .read({ now: NOW })
      .catch((e: unknown) => e)) as OrgsyncError;
    expect(err.kind).toBe('vendor');
    expect(err.code).toBe('xml_dtd_refused');
    expect(err.message).not.toContain('lol');
    expect(err.message).not.toContain('/etc/passwd');
  });

  it('a 200 HTML page (login page, proxy) is a vendor error, not a parse failure', async () => {
    nock(ORIGIN)
      .post(PATH)
      .reply(200, '<!DOCTYPE html><html><head><title>Sign In - Workday</title></head><body></body></html>', {
        'Content-Type': 'text/html',
      });
    const err = (await connector()
      .read({ now: NOW })
      .catch((e: unknown) => e)) as OrgsyncError;
    expect(err.kind).toBe('vendor');
    expect(err.message).toContain('HTML page ("Sign In - Workday")');
  });

  it('a page whose echoed page number differs from the one asked for stops the sync (incomplete)', async () => {
    const wrong = reply('get-workers.page2.xml');
    wrong[1] = wrong[1].replaceAll('<Page>2</Page>', '<Page>3</Page>');
    page(1, 'get-workers.page1.xml');
    nock(ORIGIN)
      .post(PATH, (b) => String(b).includes('<bsvc:Page>2</bsvc:Page>'))
      .reply(...wrong);
    const err = (await takeSnapshot(connector(), { now: NOW }).catch((e: unknown) => e)) as OrgsyncError;
    expect(err.kind).toBe('incomplete');
    expect(err.message).toMatch(/asked for page 2 and got page 3/);
  });

  it('a server that answers page 1 again for page 2 stops the sync (incomplete), never duplicating people', async () => {
    page(1, 'get-workers.page1.xml');
    page(2, 'get-workers.page1.xml');
    const err = (await takeSnapshot(connector(), { now: NOW }).catch((e: unknown) => e)) as OrgsyncError;
    expect(err.kind).toBe('incomplete');
  });

  it('a page holding fewer workers than Page_Results announces is refused', async () => {
    const short = reply('get-workers.page2.xml');
    short[1] = short[1].replace(/<Worker>[\s\S]*?<\/Worker>\s*<Worker>/, '<Worker>'); // drop one of the three
    page(1, 'get-workers.page1.xml');
    nock(ORIGIN)
      .post(PATH, (b) => String(b).includes('<bsvc:Page>2</bsvc:Page>'))
      .reply(...short);
    const err = (await takeSnapshot(connector(), { now: NOW }).catch((e: unknown) => e)) as OrgsyncError;
    expect(err.kind).toBe('incomplete');
    expect(err.message).toMatch(/announces 3 workers on this page but the body holds 2/);
  });
});

describe('Workday contract: incremental', () => {
  it('reads the Updated and the Effective windows [since, now] and de-duplicates by WID', async () => {
    const seen: Seen[] = [];
    nock(ORIGIN)
      .post(PATH, (b) => String(b).includes('<bsvc:Updated_From>'))
      .reply(function (_u, body) {
        seen.push({ headers: this.req.headers, body: String(body) });
        return reply('get-workers.updated-window.xml');
      });
    nock(ORIGIN)
      .post(PATH, (b) => String(b).includes('<bsvc:Effective_From>'))
      .reply(function (_u, body) {
        seen.push({ headers: this.req.headers, body: String(body) });
        return reply('get-workers.effective-window.xml');
      });
    const since = new Date('2025-06-02T00:00:00Z');
    const changes = await connector().readChanges!(since, { now: NOW });
    expect(seen).toHaveLength(2);
    const r1 = child(
      child(getWorkers(req(seen[0]!))['Request_Criteria'], 'Transaction_Log_Criteria_Data'),
      'Transaction_Date_Range_Data',
    ) as XmlObject;
    const r2 = child(
      child(getWorkers(req(seen[1]!))['Request_Criteria'], 'Transaction_Log_Criteria_Data'),
      'Transaction_Date_Range_Data',
    ) as XmlObject;
    expect(Object.keys(r1)).toEqual(['Updated_From', 'Updated_Through']);
    expect(Object.keys(r2)).toEqual(['Effective_From', 'Effective_Through']);
    expect(r1).toEqual({ Updated_From: since.toISOString(), Updated_Through: NOW.toISOString() });
    expect(r2).toEqual({ Effective_From: since.toISOString(), Effective_Through: NOW.toISOString() });
    // Still including inactive workers, so terminations show up.
    expect(textOf(child(getWorkers(req(seen[1]!))['Request_Criteria'], 'Exclude_Inactive_Workers'))).toBe('false');

    expect(changes.deletedIds).toEqual([]);
    expect(changes.employees.map((x) => x.id)).toEqual([W.ken, W.linus, 'ab12cd34ef5648a9b0c1d2e3f4a5b610']);
    const [ken, linus, ada] = changes.employees;
    expect(ken).toMatchObject({
      jobTitle: 'SVP, Engineering',
      managerRef: { id: W.margaret },
      employmentStatus: 'ACTIVE',
    });
    expect(linus).toMatchObject({
      employmentType: 'CONTRACTOR',
      terminationDate: '2025-06-30',
      employmentStatus: 'ACTIVE',
    });
    expect(ada).toMatchObject({
      employmentStatus: 'TERMINATED',
      terminationDate: '2025-06-02',
      managerRef: { id: W.ken },
    });
  });
});
