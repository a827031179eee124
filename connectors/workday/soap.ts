/**
 * The Get_Workers SOAP envelope (rendered in the XSD's element order) and readers for Workday's
 * responses and faults. Pure functions: no I/O.
 */
import { asList, child, escapeXml, textOf, WSSE_NS, type XmlObject, type XmlValue } from './xml.js';

const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

/** Largest `Count` Workday accepts (the XSD allows 3 digits). */
export const MAX_PAGE_SIZE = 999;

export interface TransactionWindow {
  updatedFrom?: string;
  updatedThrough?: string;
  effectiveFrom?: string;
  effectiveThrough?: string;
}

export interface GetWorkersParams {
  /** Full WS-Security user name, `isu@tenant`. */
  username: string;
  password: string;
  /** Web service version without the `v`, e.g. `44.0`. */
  version: string;
  page: number;
  count: number;
  /** `YYYY-MM-DD`: the date the data is evaluated at (future-dated changes are not applied before it). */
  asOfEffectiveDate: string;
  /** ISO date-time pinned for the whole walk, so every page sees the same state of the tenant. */
  asOfEntryDateTime: string;
  /** Changed-since criteria (incremental reads). */
  transactionLog?: TransactionWindow;
}

/** What `Response_Group` asks for, in the XSD's order (v30+ element names). */
export const RESPONSE_GROUP: ReadonlyArray<readonly [string, boolean]> = [
  ['Include_Reference', true],
  ['Include_Personal_Information', true],
  ['Include_Employment_Information', true],
  ['Include_Organizations', true],
  ['Exclude_Organization_Support_Role_Data', true],
  ['Exclude_Location_Hierarchies', true],
  ['Exclude_Cost_Center_Hierarchies', true],
  ['Exclude_Company_Hierarchies', true],
  ['Exclude_Pay_Groups', true],
  ['Exclude_Regions', true],
  ['Exclude_Region_Hierarchies', true],
  ['Include_Management_Chain_Data', true],
  ['Exclude_Funds', true],
  ['Exclude_Fund_Hierarchies', true],
  ['Exclude_Grants', true],
  ['Exclude_Grant_Hierarchies', true],
  ['Exclude_Business_Unit_Hierarchies', true],
  ['Exclude_Programs', true],
  ['Exclude_Program_Hierarchies', true],
  ['Exclude_Gifts', true],
  ['Exclude_Gift_Hierarchies', true],
];

/** Render the Get_Workers request envelope (UsernameToken/PasswordText in the WS-Security header). */
export function renderGetWorkers(p: GetWorkersParams): string {
  const el = (name: string, value: string) => `<bsvc:${name}>${escapeXml(value)}</bsvc:${name}>`;
  const log = p.transactionLog;
  const range = log
    ? [
        log.updatedFrom !== undefined ? el('Updated_From', log.updatedFrom) : '',
        log.updatedThrough !== undefined ? el('Updated_Through', log.updatedThrough) : '',
        log.effectiveFrom !== undefined ? el('Effective_From', log.effectiveFrom) : '',
        log.effectiveThrough !== undefined ? el('Effective_Through', log.effectiveThrough) : '',
      ].join('')
    : '';
  const criteria =
    (range
      ? `<bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Date_Range_Data>${range}</bsvc:Transaction_Date_Range_Data></bsvc:Transaction_Log_Criteria_Data>`
      : '') +
    // Terminated workers are part of the org (a snapshot without them would look like deletions).
    el('Exclude_Inactive_Workers', 'false');
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:bsvc="urn:com.workday/bsvc">` +
    `<soapenv:Header>` +
    `<wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="${WSSE_NS}">` +
    `<wsse:UsernameToken><wsse:Username>${escapeXml(p.username)}</wsse:Username>` +
    `<wsse:Password Type="${PASSWORD_TEXT}">${escapeXml(p.password)}</wsse:Password></wsse:UsernameToken>` +
    `</wsse:Security>` +
    `</soapenv:Header>` +
    `<soapenv:Body>` +
    `<bsvc:Get_Workers_Request bsvc:version="v${escapeXml(p.version)}">` +
    `<bsvc:Request_Criteria>${criteria}</bsvc:Request_Criteria>` +
    `<bsvc:Response_Filter>${el('As_Of_Effective_Date', p.asOfEffectiveDate)}${el('As_Of_Entry_DateTime', p.asOfEntryDateTime)}${el('Page', String(p.page))}${el('Count', String(p.count))}</bsvc:Response_Filter>` +
    `<bsvc:Response_Group>${RESPONSE_GROUP.map(([n, v]) => el(n, String(v))).join('')}</bsvc:Response_Group>` +
    `</bsvc:Get_Workers_Request>` +
    `</soapenv:Body>` +
    `</soapenv:Envelope>`
  );
}

const PAGE_RE = /<bsvc:Page>\d+<\/bsvc:Page>/;

/** Put page `n` in a rendered Get_Workers envelope (the paging placement). */
export function withPage(envelope: string, n: number): string {
  if (!PAGE_RE.test(envelope)) throw new Error('the Get_Workers envelope has no Response_Filter/Page element');
  return envelope.replace(PAGE_RE, `<bsvc:Page>${n}</bsvc:Page>`);
}

/** The `soap:Body` content, or the document itself when a body comes without an envelope. */
export function soapBody(doc: XmlObject): XmlObject {
  const env = doc['soap:Envelope'];
  if (env !== undefined) {
    const body = child(env, 'soap:Body');
    return body && typeof body === 'object' && !Array.isArray(body) ? body : {};
  }
  return doc;
}

export interface SoapFault {
  /** The fault code without its prefix, e.g. `Client.authenticationError`. */
  code: string;
  /** `faultstring` as Workday sent it. */
  message: string;
  /** Validation_Error / Processing_Fault messages from `detail`. */
  details: string[];
}

/** The SOAP fault in a parsed document, if any (SOAP 1.1, tolerating SOAP 1.2's Code/Reason). */
export function findFault(doc: XmlObject): SoapFault | undefined {
  const body = soapBody(doc);
  const fault = asList(body['soap:Fault'])[0];
  if (fault === undefined) return undefined;
  const f = typeof fault === 'object' && !Array.isArray(fault) ? fault : {};
  const rawCode = textOf(f['{}faultcode']) ?? textOf(child(child(f, 'soap:Code'), 'soap:Value')) ?? '';
  const code = rawCode.includes(':') ? rawCode.slice(rawCode.indexOf(':') + 1) : rawCode;
  const message = (
    textOf(f['{}faultstring']) ??
    textOf(child(f, 'soap:Reason') !== undefined ? child(child(f, 'soap:Reason'), 'soap:Text') : undefined) ??
    ''
  ).trim();
  const details: string[] = [];
  const detail = f['{}detail'] ?? f['soap:Detail'];
  for (const vf of asList(child(detail, 'Validation_Fault'))) {
    for (const ve of asList(child(vf, 'Validation_Error'))) {
      const parts = [
        textOf(child(ve, 'Message')),
        textOf(child(ve, 'Detail_Message')),
        textOf(child(ve, 'Xpath')) ? `at ${textOf(child(ve, 'Xpath'))}` : undefined,
      ]
        .map((s) => s?.trim())
        .filter((s): s is string => !!s);
      if (parts.length) details.push(parts.join(' '));
    }
  }
  for (const pf of asList(child(detail, 'Processing_Fault'))) {
    const m = textOf(child(pf, 'Detail_Message'))?.trim();
    if (m) details.push(m);
  }
  return { code: code.trim(), message, details: [...new Set(details)].filter((d) => d !== message) };
}

export interface WorkersPage {
  workers: XmlValue[];
  page: number | undefined;
  totalPages: number | undefined;
  totalResults: number | undefined;
  pageResults: number | undefined;
  /** `Response_Filter/Count` as Workday echoed it (the page size in force). */
  count: number | undefined;
  /** `Response_Filter/As_Of_Effective_Date` as Workday echoed it. */
  asOfEffectiveDate: string | undefined;
}

const num = (v: XmlValue | undefined): number | undefined => {
  const t = textOf(v)?.trim();
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
};

/** Read a Get_Workers response page. Throws (plain Error) when the body is not one. */
export function readWorkersPage(doc: XmlObject): WorkersPage {
  const body = soapBody(doc);
  const res = asList(body['Get_Workers_Response'])[0];
  if (res === undefined || typeof res !== 'object' || Array.isArray(res)) {
    const found =
      Object.keys(body)
        .filter((k) => !k.startsWith('@'))
        .slice(0, 3)
        .join(', ') || 'nothing';
    throw new Error(`expected a Get_Workers_Response in the urn:com.workday/bsvc namespace, found ${found}`);
  }
  const results = res['Response_Results'];
  const data = res['Response_Data'];
  const workers = asList(child(data, 'Worker'));
  return {
    workers,
    page: num(child(results, 'Page')),
    totalPages: num(child(results, 'Total_Pages')),
    totalResults: num(child(results, 'Total_Results')),
    pageResults: num(child(results, 'Page_Results')),
    count: num(child(res['Response_Filter'], 'Count')),
    asOfEffectiveDate: textOf(child(res['Response_Filter'], 'As_Of_Effective_Date')),
  };
}
