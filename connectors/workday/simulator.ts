/**
 * A local Workday: serves `Get_Workers` on `/ccx/service/{tenant}/Human_Resources/v{version}` in
 * Workday's SOAP wire format. Checks the WS-Security UsernameToken (`isu@tenant`, PasswordText),
 * answers SOAP faults with HTTP 500 like Workday (authentication, validation), honours
 * `Response_Filter/Page` and `Count` (max 999), `Exclude_Inactive_Workers` and the transaction-log
 * windows (`Updated_From/Through` against a per-worker last-updated time, `Effective_From/Through`
 * against the worker's effective dates), and renders the sample company's people (`sampleOrg`).
 * Rendering is linear in the page size; the data is built once, linear in the org size.
 */
import { createHash } from 'node:crypto';
import type { SampleOrg, SamplePerson } from '../../src/simulator/sample-org.js';
import {
  startSimulator,
  type Simulator,
  type SimulatorOptions,
  type SimRequest,
  type SimResponse,
  type VendorRoutes,
} from '../../src/simulator/server.js';
import type { VendorSimulator } from '../../src/simulator/vendor.js';
import { asList, child, escapeXml, parseXml, textOf, WSSE_NS, type XmlObject, type XmlValue } from './xml.js';

export interface WorkdaySimOrg {
  wid: string;
  /** `Organization_Reference_ID` (or the cost center / company reference id). */
  refId: string;
  refIdType: 'Organization_Reference_ID' | 'Cost_Center_Reference_ID' | 'Company_Reference_ID';
  code: string;
  name: string;
  /** `Organization_Type_ID`. */
  type: 'SUPERVISORY' | 'COST_CENTER' | 'COMPANY';
  typeDescriptor: string;
  /** The manager of a supervisory organization (a worker index). */
  manager?: number;
}

export interface WorkdaySimLocation {
  wid: string;
  id: string;
  name: string;
  line1: string;
  city: string;
  region: string;
  regionId: string;
  postalCode: string;
  country: string;
}

export interface WorkdaySimWorker {
  wid: string;
  /** `Employee_ID` for employees, `Contingent_Worker_ID` for contingent workers. */
  idType: 'Employee_ID' | 'Contingent_Worker_ID';
  number: string;
  userId: string;
  legal: { first: string; last: string };
  preferred: { first: string; last: string };
  workEmail: string;
  homeEmail: string;
  positionId: string;
  positionTitle: string;
  businessTitle: string;
  workerType: { idType: 'Employee_Type_ID' | 'Contingent_Worker_Type_ID'; id: string; descriptor: string };
  timeType: 'Full_time' | 'Part_time';
  location: number;
  /** Worker index of the manager (Manager_as_of_last_detected_manager_change), or null. */
  manager: number | null;
  active: boolean;
  terminated: boolean;
  hireDate: string;
  terminationDate: string | null;
  onLeave: boolean;
  /** Start of the leave in force (YYYY-MM-DD), when on leave. */
  leaveStart: string | null;
  /** Organization indexes (into `orgs`) the worker belongs to. */
  orgs: number[];
  /** Supervisory organization indexes of the management chain, top-down. */
  chain: number[];
  /** Last update of the record (ISO), for `Updated_From/Updated_Through`. */
  updatedAt: string;
  /** Dates (YYYY-MM-DD) changes take effect (hire, termination, leave), for `Effective_From/Through`. */
  effectiveDates: string[];
}

export interface WorkdaySimData {
  tenant: string;
  /** ISU name without `@tenant`. */
  username: string;
  password: string;
  workers: WorkdaySimWorker[];
  orgs: WorkdaySimOrg[];
  locations: WorkdaySimLocation[];
  /** Zone offset Workday renders dates with (the tenant's), e.g. `-07:00`. */
  offset: string;
}

/** A deterministic 32-hex WID. */
export const wid = (kind: string, key: string | number): string =>
  createHash('md5').update(`${kind}:${key}`).digest('hex');

const slug = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toUpperCase();

const WORKER_TYPE: Record<SamplePerson['type'], WorkdaySimWorker['workerType']> = {
  full_time: { idType: 'Employee_Type_ID', id: 'Regular', descriptor: 'Regular' },
  part_time: { idType: 'Employee_Type_ID', id: 'Regular', descriptor: 'Regular' },
  intern: { idType: 'Employee_Type_ID', id: 'Intern', descriptor: 'Intern (Fixed Term)' },
  temporary: { idType: 'Employee_Type_ID', id: 'Temporary', descriptor: 'Temporary (Fixed Term)' },
  contractor: { idType: 'Contingent_Worker_Type_ID', id: 'Contractor', descriptor: 'Contractor' },
};

/** Render the sample company as a Workday tenant. */
export function workdayDataFromSample(
  org: SampleOrg,
  opts: { tenant?: string; username?: string; password?: string } = {},
): WorkdaySimData {
  const index = new Map<number, number>(org.people.map((p, i) => [p.key, i]));
  const orgs: WorkdaySimOrg[] = [];
  const company =
    orgs.push({
      wid: wid('org', 'company'),
      refId: 'ACME_INC',
      refIdType: 'Company_Reference_ID',
      code: 'ACME',
      name: org.legalName,
      type: 'COMPANY',
      typeDescriptor: 'Company',
    }) - 1;
  const costCenter = new Map<string, number>();
  for (const d of org.departments) {
    costCenter.set(
      d.name,
      orgs.push({
        wid: wid('cc', d.name),
        refId: `CC_${slug(d.name)}`,
        refIdType: 'Cost_Center_Reference_ID',
        code: `CC-${1000 + costCenter.size * 10}`,
        name: d.name,
        type: 'COST_CENTER',
        typeDescriptor: 'Cost Center',
      }) - 1,
    );
  }
  // One supervisory organization per person with direct reports, named like Workday's defaults.
  const managers = new Set<number>();
  for (const p of org.people) if (p.managerKey !== null && index.has(p.managerKey)) managers.add(p.managerKey);
  const supOf = new Map<number, number>();
  const nameOf = (p: SamplePerson) => `${p.preferredName ?? p.firstName} ${p.lastName}`;
  for (const p of org.people) {
    if (!managers.has(p.key) && p.managerKey !== null) continue;
    supOf.set(
      p.key,
      orgs.push({
        wid: wid('sup', p.key),
        refId: `SUP_${p.employeeNumber}`,
        refIdType: 'Organization_Reference_ID',
        code: `SUP-${p.employeeNumber}`,
        name: `${p.department} (${nameOf(p)})`,
        type: 'SUPERVISORY',
        typeDescriptor: 'Supervisory',
        manager: index.get(p.key)!,
      }) - 1,
    );
  }
  const chains = new Map<number, number[]>();
  const chainOf = (managerKey: number, depth = 0): number[] => {
    const cached = chains.get(managerKey);
    if (cached) return cached;
    const m = org.people[index.get(managerKey)!]!;
    const own = supOf.get(managerKey)!;
    const up = m.managerKey !== null && index.has(m.managerKey) && depth < 50 ? chainOf(m.managerKey, depth + 1) : [];
    const chain = [...up, own];
    chains.set(managerKey, chain);
    return chain;
  };
  const locations: WorkdaySimLocation[] = org.locations.map((l) => ({
    wid: wid('loc', l.name),
    id: `LOC_${slug(l.name)}`,
    name: l.name,
    line1: l.line1,
    city: l.city,
    region: l.region,
    regionId: `${l.country}-${l.region}`,
    postalCode: l.postalCode,
    country: l.country,
  }));
  const locIndex = new Map(org.locations.map((l, i) => [l.name, i]));

  const workers: WorkdaySimWorker[] = org.people.map((p) => {
    const contingent = p.type === 'contractor';
    const home = p.managerKey !== null && supOf.has(p.managerKey) ? p.managerKey : supOf.has(p.key) ? p.key : null;
    const chain = home !== null ? chainOf(home) : [];
    const supervisory = home !== null ? supOf.get(home)! : undefined;
    return {
      wid: wid('worker', p.key),
      idType: contingent ? 'Contingent_Worker_ID' : 'Employee_ID',
      number: p.employeeNumber,
      userId: p.workEmail,
      legal: { first: p.firstName, last: p.lastName },
      preferred: { first: p.preferredName ?? p.firstName, last: p.lastName },
      workEmail: p.workEmail,
      homeEmail: p.personalEmail,
      positionId: `P-${String(p.key).padStart(5, '0')}`,
      positionTitle: p.title,
      businessTitle: p.title,
      workerType: WORKER_TYPE[p.type],
      timeType: p.type === 'part_time' ? 'Part_time' : 'Full_time',
      location: locIndex.get(p.location) ?? 0,
      manager: p.managerKey !== null ? (index.get(p.managerKey) ?? null) : null,
      active: p.status === 'active' || p.status === 'leave',
      terminated: p.status === 'terminated',
      hireDate: p.hireDate,
      terminationDate: p.terminationDate,
      onLeave: p.status === 'leave',
      leaveStart: p.status === 'leave' ? p.updatedAt.slice(0, 10) : null,
      orgs: [...(supervisory !== undefined ? [supervisory] : []), costCenter.get(p.department)!, company],
      chain,
      updatedAt: p.updatedAt,
      effectiveDates: [
        p.hireDate,
        ...(p.terminationDate ? [p.terminationDate] : []),
        ...(p.status === 'leave' ? [p.updatedAt.slice(0, 10)] : []),
      ],
    };
  });
  return {
    tenant: opts.tenant ?? 'acme_impl1',
    username: opts.username ?? 'ISU_orgsync',
    password: opts.password ?? 'sim-Workday-pa$$word-0123456789',
    workers,
    orgs,
    locations,
    offset: '-07:00',
  };
}

// ---------------------------------------------------------------------------------------------
// SOAP rendering

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A Workday SOAP fault body (as sent with HTTP 500). */
export function soapFault(
  code: 'Client.authenticationError' | 'Client.validationError' | 'Client.processingError' | string,
  message: string,
  validation?: { message: string; detail?: string; xpath?: string },
): string {
  const detail = validation
    ? `<detail><wd:Validation_Fault><wd:Validation_Error><wd:Message>${escapeXml(validation.message)}</wd:Message><wd:Detail_Message>${escapeXml(validation.detail ?? '')}</wd:Detail_Message><wd:Xpath>${escapeXml(validation.xpath ?? '')}</wd:Xpath></wd:Validation_Error></wd:Validation_Fault></detail>`
    : '';
  return `<?xml version="1.0" encoding="utf-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP_ENV}"><SOAP-ENV:Body><SOAP-ENV:Fault xmlns:SOAP-ENV="${SOAP_ENV}" xmlns:wd="urn:com.workday/bsvc"><faultcode>SOAP-ENV:${escapeXml(code)}</faultcode><faultstring>${escapeXml(message)}</faultstring>${detail}</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}

const fault = (
  code: string,
  message: string,
  validation?: { message: string; detail?: string; xpath?: string },
): SimResponse => ({ status: 500, body: soapFault(code, message, validation) });

const x = escapeXml;

function ref(tag: string, descriptor: string, ids: Array<[string, string]>): string {
  return `<wd:${tag} wd:Descriptor="${x(descriptor)}">${ids.map(([t, v]) => `<wd:ID wd:type="${t}">${x(v)}</wd:ID>`).join('')}</wd:${tag}>`;
}

function workerRef(tag: string, data: WorkdaySimData, i: number): string {
  const w = data.workers[i]!;
  return ref(tag, `${w.preferred.first} ${w.preferred.last}`, [
    ['WID', w.wid],
    [w.idType, w.number],
  ]);
}

function orgRef(tag: string, o: WorkdaySimOrg): string {
  return ref(tag, o.name, [
    ['WID', o.wid],
    [o.refIdType, o.refId],
  ]);
}

/** One `wd:Worker` element. */
export function renderWorker(data: WorkdaySimData, i: number): string {
  const w = data.workers[i]!;
  const d = (date: string) => `${date}${data.offset}`;
  const loc = data.locations[w.location]!;
  const formatted = (n: { first: string; last: string }) => `${n.first} ${n.last}`;
  const nameDetail = (n: { first: string; last: string }) =>
    `<wd:Name_Detail_Data wd:Formatted_Name="${x(formatted(n))}" wd:Reporting_Name="${x(`${n.last}, ${n.first}`)}">` +
    `<wd:Country_Reference wd:Descriptor="United States of America"><wd:ID wd:type="ISO_3166-1_Alpha-2_Code">US</wd:ID></wd:Country_Reference>` +
    `<wd:First_Name>${x(n.first)}</wd:First_Name><wd:Last_Name>${x(n.last)}</wd:Last_Name></wd:Name_Detail_Data>`;
  const email = (address: string, usage: 'WORK' | 'HOME', isPublic: string, primary: string) =>
    `<wd:Email_Address_Data><wd:Email_Address>${x(address)}</wd:Email_Address>` +
    `<wd:Usage_Data wd:Public="${isPublic}"><wd:Type_Data wd:Primary="${primary}"><wd:Type_Reference wd:Descriptor="${usage === 'WORK' ? 'Work' : 'Home'}"><wd:ID wd:type="WID">${wid('usage', usage)}</wd:ID><wd:ID wd:type="Communication_Usage_Type_ID">${usage}</wd:ID></wd:Type_Reference></wd:Type_Data></wd:Usage_Data></wd:Email_Address_Data>`;
  const manager =
    w.manager !== null ? workerRef('Manager_as_of_last_detected_manager_change_Reference', data, w.manager) : '';
  const status =
    `<wd:Worker_Status_Data><wd:Active>${w.active ? 1 : 0}</wd:Active>` +
    (w.active ? `<wd:Active_Status_Date>${d(w.hireDate)}</wd:Active_Status_Date>` : '') +
    `<wd:Hire_Date>${d(w.hireDate)}</wd:Hire_Date><wd:Original_Hire_Date>${d(w.hireDate)}</wd:Original_Hire_Date>` +
    `<wd:Terminated>${w.terminated ? 1 : 0}</wd:Terminated>` +
    (w.terminationDate ? `<wd:Termination_Date>${d(w.terminationDate)}</wd:Termination_Date>` : '') +
    (w.onLeave
      ? `<wd:Leave_Status_Data><wd:On_Leave>1</wd:On_Leave><wd:Leave_Start_Date>${d(w.leaveStart ?? w.hireDate)}</wd:Leave_Start_Date></wd:Leave_Status_Data>`
      : '') +
    `</wd:Worker_Status_Data>`;
  const memberships = w.orgs
    .map((oi) => {
      const o = data.orgs[oi]!;
      return (
        `<wd:Worker_Organization_Data>${orgRef('Organization_Reference', o)}<wd:Organization_Data>` +
        `<wd:Organization_Reference_ID>${x(o.refId)}</wd:Organization_Reference_ID><wd:Organization_Code>${x(o.code)}</wd:Organization_Code>` +
        `<wd:Organization_Name>${x(o.name)}</wd:Organization_Name>` +
        `<wd:Organization_Type_Reference wd:Descriptor="${x(o.typeDescriptor)}"><wd:ID wd:type="WID">${wid('orgtype', o.type)}</wd:ID><wd:ID wd:type="Organization_Type_ID">${o.type}</wd:ID></wd:Organization_Type_Reference>` +
        `</wd:Organization_Data></wd:Worker_Organization_Data>`
      );
    })
    .join('');
  const chain = w.chain
    .map((oi) => {
      const o = data.orgs[oi]!;
      return `<wd:Management_Chain_Data>${ref('Organization_Reference', o.name, [
        ['WID', o.wid],
        ['Organization_Reference_ID', o.refId],
      ])}${o.manager !== undefined ? workerRef('Manager_Reference', data, o.manager) : ''}</wd:Management_Chain_Data>`;
    })
    .join('');
  return (
    `<wd:Worker>` +
    workerRef('Worker_Reference', data, i) +
    `<wd:Worker_Descriptor>${x(formatted(w.preferred))}</wd:Worker_Descriptor>` +
    `<wd:Worker_Data><wd:Worker_ID>${x(w.number)}</wd:Worker_ID><wd:User_ID>${x(w.userId)}</wd:User_ID>` +
    `<wd:Personal_Data><wd:Name_Data><wd:Legal_Name_Data>${nameDetail(w.legal)}</wd:Legal_Name_Data><wd:Preferred_Name_Data>${nameDetail(w.preferred)}</wd:Preferred_Name_Data></wd:Name_Data>` +
    `<wd:Contact_Data>${email(w.workEmail, 'WORK', '1', '1')}${email(w.homeEmail, 'HOME', '0', 'true')}</wd:Contact_Data></wd:Personal_Data>` +
    `<wd:Employment_Data><wd:Worker_Job_Data wd:Primary_Job="1"><wd:Position_Data wd:Effective_Date="${d(w.hireDate)}">` +
    `<wd:Position_ID>${x(w.positionId)}</wd:Position_ID><wd:Position_Title>${x(w.positionTitle)}</wd:Position_Title><wd:Business_Title>${x(w.businessTitle)}</wd:Business_Title>` +
    `<wd:Start_Date>${d(w.hireDate)}</wd:Start_Date>` +
    ref('Worker_Type_Reference', w.workerType.descriptor, [
      ['WID', wid('wtype', w.workerType.id)],
      [w.workerType.idType, w.workerType.id],
    ]) +
    ref('Position_Time_Type_Reference', w.timeType === 'Full_time' ? 'Full time' : 'Part time', [
      ['WID', wid('time', w.timeType)],
      ['Position_Time_Type_ID', w.timeType],
    ]) +
    `<wd:Business_Site_Summary_Data>${ref('Location_Reference', loc.name, [
      ['WID', loc.wid],
      ['Location_ID', loc.id],
    ])}<wd:Name>${x(loc.name)}</wd:Name>` +
    `<wd:Address_Data wd:Formatted_Address="${x(`${loc.line1}&#xa;${loc.city}, ${loc.region} ${loc.postalCode}`)}" wd:Address_Format_Type="Basic">` +
    `<wd:Country_Reference wd:Descriptor="${x(loc.country)}"><wd:ID wd:type="ISO_3166-1_Alpha-2_Code">${x(loc.country)}</wd:ID></wd:Country_Reference>` +
    `<wd:Address_Line_Data wd:Type="ADDRESS_LINE_1" wd:Descriptor="Address Line 1">${x(loc.line1)}</wd:Address_Line_Data>` +
    `<wd:Municipality>${x(loc.city)}</wd:Municipality>` +
    `<wd:Country_Region_Reference wd:Descriptor="${x(loc.region)}"><wd:ID wd:type="Country_Region_ID">${x(loc.regionId)}</wd:ID></wd:Country_Region_Reference>` +
    `<wd:Postal_Code>${x(loc.postalCode)}</wd:Postal_Code></wd:Address_Data></wd:Business_Site_Summary_Data>` +
    manager +
    `</wd:Position_Data></wd:Worker_Job_Data>${status}</wd:Employment_Data>` +
    `<wd:Organization_Data>${memberships}</wd:Organization_Data>` +
    `<wd:Management_Chain_Data><wd:Worker_Supervisory_Management_Chain_Data>${chain}</wd:Worker_Supervisory_Management_Chain_Data></wd:Management_Chain_Data>` +
    `</wd:Worker_Data></wd:Worker>`
  );
}

// ---------------------------------------------------------------------------------------------
// Request handling

export interface WorkdayRequestSeen {
  username: string | undefined;
  passwordType: string | undefined;
  version: string | undefined;
  page: number;
  count: number;
}

export interface WorkdayRoutesOptions {
  /** Called with what each Get_Workers request asked for (tests assert on paging). */
  onRequest?: (seen: WorkdayRequestSeen) => void;
}

export function workdayRoutes(data: WorkdaySimData, opts: WorkdayRoutesOptions = {}): VendorRoutes {
  return {
    vendor: 'workday',
    contentType: 'text/xml;charset=UTF-8',
    route(rawPath) {
      const m = /^\/ccx\/service\/([^/]+)\/(Human_Resources\/v\d+\.\d+)\/?$/.exec(rawPath);
      if (!m || m[1] !== data.tenant) return null;
      return `/${m[2]}`;
    },
    handle: (req) => handle(data, req, opts),
  };
}

const isoAt = (s: string | undefined): number | undefined => {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

function handle(data: WorkdaySimData, req: SimRequest, opts: WorkdayRoutesOptions): SimResponse {
  if (req.method !== 'POST') return { status: 405, body: '' };
  let doc: XmlObject;
  try {
    doc = parseXml(req.body);
  } catch {
    return fault(
      'Client.validationError',
      'Validation error occurred. Invalid request: the body is not a SOAP envelope',
      { message: 'Invalid request' },
    );
  }
  const env = doc['soap:Envelope'];
  const security = child(child(env, 'soap:Header'), `{${WSSE_NS}}Security`);
  const token = child(security, `{${WSSE_NS}}UsernameToken`);
  const username = textOf(child(token, `{${WSSE_NS}}Username`));
  const passwordEl = asList(child(token, `{${WSSE_NS}}Password`))[0];
  const password = textOf(passwordEl);
  const passwordType =
    passwordEl && typeof passwordEl === 'object' && !Array.isArray(passwordEl)
      ? (passwordEl['@Type'] as string | undefined)
      : undefined;
  if (
    username !== `${data.username}@${data.tenant}` ||
    password !== data.password ||
    !(passwordType ?? '').endsWith('#PasswordText')
  ) {
    return fault('Client.authenticationError', 'invalid username or password');
  }
  const request = child(child(env, 'soap:Body'), 'Get_Workers_Request');
  if (request === undefined) {
    return fault('Client.validationError', 'Validation error occurred. Element Get_Workers_Request is required', {
      message: 'Unknown or missing operation',
      xpath: '/env:Envelope/env:Body',
    });
  }
  const version =
    typeof request === 'object' && !Array.isArray(request) ? (request['@version'] as string | undefined) : undefined;
  const filter = child(request, 'Response_Filter');
  const page = Number(textOf(child(filter, 'Page')) ?? '1') || 1;
  const count = Number(textOf(child(filter, 'Count')) ?? '100') || 100;
  opts.onRequest?.({ username, passwordType, version, page, count });
  if (count > 999) {
    return fault(
      'Client.validationError',
      `Validation error occurred. The value '${count}' is greater than the maximum of 999 for Count`,
      {
        message: `Count must be 999 or less`,
        xpath: '/bsvc:Get_Workers_Request[1]/bsvc:Response_Filter[1]/bsvc:Count[1]',
      },
    );
  }
  const criteria = child(request, 'Request_Criteria');
  const excludeInactive = ['1', 'true'].includes(
    (textOf(child(criteria, 'Exclude_Inactive_Workers')) ?? '').trim().toLowerCase(),
  );
  const range = child(child(criteria, 'Transaction_Log_Criteria_Data'), 'Transaction_Date_Range_Data');
  const updatedFrom = isoAt(textOf(child(range, 'Updated_From')));
  const updatedThrough = isoAt(textOf(child(range, 'Updated_Through')));
  const effectiveFrom = isoAt(textOf(child(range, 'Effective_From')));
  const effectiveThrough = isoAt(textOf(child(range, 'Effective_Through')));
  const selected: number[] = [];
  data.workers.forEach((w, i) => {
    if (excludeInactive && !w.active) return;
    if (updatedFrom !== undefined || updatedThrough !== undefined) {
      const t = Date.parse(w.updatedAt);
      if ((updatedFrom !== undefined && t < updatedFrom) || (updatedThrough !== undefined && t > updatedThrough))
        return;
    }
    if (effectiveFrom !== undefined || effectiveThrough !== undefined) {
      const hit = w.effectiveDates.some((date) => {
        const t = Date.parse(`${date}T00:00:00${data.offset}`);
        return (
          (effectiveFrom === undefined || t >= effectiveFrom) &&
          (effectiveThrough === undefined || t <= effectiveThrough)
        );
      });
      if (!hit) return;
    }
    selected.push(i);
  });
  const totalPages = Math.ceil(selected.length / count);
  if (page > Math.max(1, totalPages)) {
    return fault(
      'Client.validationError',
      `Validation error occurred. Page ${page} is greater than the number of pages (${totalPages})`,
      { message: 'Invalid page number', xpath: '/bsvc:Get_Workers_Request[1]/bsvc:Response_Filter[1]/bsvc:Page[1]' },
    );
  }
  const slice = selected.slice((page - 1) * count, page * count);
  const asOf = (textOf(child(filter, 'As_Of_Effective_Date')) ?? new Date().toISOString().slice(0, 10)).slice(0, 10);
  const entry = textOf(child(filter, 'As_Of_Entry_DateTime')) ?? new Date().toISOString();
  const group = asList(child(request, 'Response_Group'))[0];
  const groupEcho =
    group && typeof group === 'object' && !Array.isArray(group)
      ? Object.entries(group)
          .filter(([k]) => !k.startsWith('@') && !k.startsWith('{'))
          .map(([k, v]) => `<wd:${k}>${['1', 'true'].includes((textOf(v as XmlValue) ?? '').trim()) ? 1 : 0}</wd:${k}>`)
          .join('')
      : '';
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<env:Envelope xmlns:env="${SOAP_ENV}" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><env:Body>` +
    `<wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc" wd:version="${x(version ?? 'v44.0')}">` +
    `<wd:Response_Filter><wd:As_Of_Effective_Date>${x(asOf)}${data.offset}</wd:As_Of_Effective_Date><wd:As_Of_Entry_DateTime>${x(entry)}</wd:As_Of_Entry_DateTime><wd:Page>${page}</wd:Page><wd:Count>${count}</wd:Count></wd:Response_Filter>` +
    (groupEcho ? `<wd:Response_Group>${groupEcho}</wd:Response_Group>` : '') +
    `<wd:Response_Results><wd:Total_Results>${selected.length}</wd:Total_Results><wd:Total_Pages>${totalPages}</wd:Total_Pages><wd:Page_Results>${slice.length}</wd:Page_Results><wd:Page>${page}</wd:Page></wd:Response_Results>` +
    `<wd:Response_Data>${slice.map((i) => renderWorker(data, i)).join('')}</wd:Response_Data>` +
    `</wd:Get_Workers_Response></env:Body></env:Envelope>`;
  return { status: 200, body };
}

// ---------------------------------------------------------------------------------------------
// The registry entry (connectors/simulators.ts) and simulated HR changes

/** Start a simulator for the sample company and return the `workday(...)` options that read it. */
export async function startWorkdaySimulator(
  org: SampleOrg,
  o: { simulator?: SimulatorOptions; routes?: WorkdayRoutesOptions } = {},
): Promise<{
  sim: Simulator;
  data: WorkdaySimData;
  options: { host: string; tenant: string; username: string; password: string; baseUrl: string };
}> {
  const data = workdayDataFromSample(org);
  const sim = await startSimulator(workdayRoutes(data, o.routes), o.simulator);
  return {
    sim,
    data,
    options: {
      host: 'wd2-impl-services1.workday.com',
      tenant: data.tenant,
      username: data.username,
      password: data.password,
      baseUrl: `${sim.url}/ccx/service/${data.tenant}`,
    },
  };
}

/**
 * Serve a changed company from now on: workers whose data changed (or who are new) get
 * `changedAt` as their last-updated time, so Get_Workers' Updated window finds them.
 */
export function updateWorkdayData(data: WorkdaySimData, next: SampleOrg, changedAt: Date = new Date()): void {
  const fresh = workdayDataFromSample(next, { tenant: data.tenant, username: data.username, password: data.password });
  const fingerprint = (d: WorkdaySimData, i: number) => renderWorker(d, i);
  const before = new Map(data.workers.map((w, i) => [w.wid, { xml: fingerprint(data, i), updatedAt: w.updatedAt }]));
  const stamp = changedAt.toISOString();
  fresh.workers.forEach((w, i) => {
    const old = before.get(w.wid);
    w.updatedAt = old && old.xml === fingerprint(fresh, i) ? old.updatedAt : stamp;
  });
  data.workers = fresh.workers;
  data.orgs = fresh.orgs;
  data.locations = fresh.locations;
}

/** For `connectors/simulators.ts`. */
export const workdaySimulator: VendorSimulator = {
  id: 'workday',
  async start(org, options) {
    const r = await startWorkdaySimulator(org, options ? { simulator: options } : {});
    return { sim: r.sim, options: r.options, update: (next, changedAt) => updateWorkdayData(r.data, next, changedAt) };
  },
  badCredentials: (o) => ({ ...o, password: 'sim-Workday-expired-password-000' }),
  employeesPath: '/Human_Resources/v',
  // 120 people: two pages at the default page size of 100.
  paged: true,
  sample: {
    personId: (p) => wid('worker', p.key),
    // The department is the worker's cost center (supervisory organizations are named after their manager).
    groups: { department: 'COST_CENTER' },
  },
};
