/**
 * Vendor knowledge the fault matrix needs, one small adapter per connector id: where the records
 * of an employee-listing response live (and how to write them back), the vendor's total count (to
 * make it lie), which fields carry status and type (to put unknown values in), a required field
 * (to null it), a place for custom keys (`__proto__`, `constructor`), and how the vendor says
 * "credentials revoked". JSON vendors edit parsed bodies; Workday edits its SOAP XML as text.
 *
 * A connector registered in `connectors/simulators.ts` without an adapter here makes every
 * vendor-specific cell of the matrix fail with a message saying so: nothing is skipped silently.
 */
import type { EmploymentStatus } from '../../src/model.js';
import type { Fault, SimResponse } from '../../src/simulator/server.js';
import { hris15Adapters } from './adapters-hris15.js';

export interface EnumValues {
  /** Goes into the vendor's status field. */
  status: string;
  /** Goes into the vendor's employment-type field. */
  type: string;
}

/**
 * What a vendor's shape rules out, each with the reason (shown in the matrix). Cells that need it
 * are reported n/a instead of failing, and the matrix checks every claim against a clean sync.
 */
export interface VendorShape {
  /** The whole sync is one request (e.g. HiBob's `POST /v1/people/search`): "401 mid-sync" has nothing to reject. */
  oneRequest?: string;
  /** The vendor has no employment type: the unknown-enum cells check the status only (`unknownEnums` writes only it). */
  noEmploymentType?: string;
  /**
   * OAuth2 client credentials: after a 401 the connector fetches a new token once and repeats the
   * call (src/http/auth.ts), so "401 mid-sync" sees one token request more before the auth error.
   */
  tokenRefresh?: string;
  /**
   * The employee listing carries ids and statuses only; each person's record (with the employment
   * type) is a request of its own (1 + N vendors): the unknown-enum cells edit the listing's status only.
   */
  typeOnlyInRecords?: string;
}

export interface VendorFaultAdapter {
  /** What the vendor's shape rules out (default: nothing). */
  shape?: VendorShape;
  /**
   * Where status and type live when the listing does not carry them (Personio: one employments
   * request per person): the unknown-enum cells edit these responses instead of the listing's.
   */
  detail?: {
    path: RegExp;
    items(res: SimResponse): unknown[];
    withItems(res: SimResponse, items: unknown[]): SimResponse;
    idOf(item: unknown): string;
  };
  /** The records of one employee-listing response (a private copy: edit freely). */
  items(res: SimResponse): unknown[];
  /** The same response with these records (counts that describe the page are kept consistent). */
  withItems(res: SimResponse, items: unknown[]): SimResponse;
  /** The normalized employee id a record becomes. */
  idOf(item: unknown): string;
  /** Make the response's announced total lie by `delta`; null when the vendor announces no total. */
  lieAboutTotal: ((res: SimResponse, delta: number) => SimResponse) | null;
  /** Put values the connector has never seen into the record's status and type fields (status only with `shape.noEmploymentType`). */
  unknownEnums(item: unknown, values: EnumValues): unknown;
  /** Statuses a person with an unknown vendor status may read as (never ACTIVE, never TERMINATED). */
  unknownStatusReadsAs: EmploymentStatus[];
  /** Null (or empty) a field the vendor's spec says is required. */
  nullRequired(item: unknown): unknown;
  /** Add keys such as `__proto__` / `constructor` where the vendor carries custom or unknown fields. */
  pollute(item: unknown): unknown;
  /** Copy a secret into a plain text field of the record (a vendor echoing credentials back). */
  echoSecret(item: unknown, secret: string): unknown;
  /** What the vendor answers once a credential is revoked mid-sync. */
  revoked: Fault;
  /** An error response whose body (and headers) echo the secret. */
  errorEchoing(secret: string): Fault;
}

type Json = Record<string, any>;

/** A private, editable copy of a JSON body (routes return objects that may be the simulator's own data). */
function jsonOf(res: SimResponse): any {
  return typeof res.body === 'string' ? JSON.parse(res.body) : structuredClone(res.body);
}

/** Give `obj` an own, enumerable key (plain assignment to `__proto__` would change its prototype instead). */
export function defineKey(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The poison every adapter plants: JSON.stringify keeps these as ordinary keys on the wire. */
export function poison(target: Json): void {
  defineKey(target, '__proto__', { polluted: 'yes', isAdmin: true });
  defineKey(target, 'constructor', { prototype: { polluted: 'yes' } });
  defineKey(target, 'prototype', { polluted: 'yes' });
}

const jsonEchoBody = (secret: string) => ({
  error: { code: 'invalid_request', message: `bad credential ${secret}` },
  errors: [
    { error_key: 'base', category: 'invalid_request', message: `echo: ${secret}; Authorization: Bearer ${secret}` },
  ],
  detail: `token ${secret} is not valid here`,
  message: `Authorization: Basic ${Buffer.from(`${secret}:x`).toString('base64')}`,
});

const jsonEcho = (secret: string): Fault => ({
  type: 'status',
  status: 400,
  headers: { 'X-BambooHR-Message': `bad key ${secret}`, 'X-Debug-Echo': `Bearer ${secret}` },
  body: JSON.stringify(jsonEchoBody(secret)),
});

// ---------------------------------------------------------------------------------------------
// JSON vendors

const bamboohr: VendorFaultAdapter = {
  items: (res) => jsonOf(res).employees,
  withItems: (res, items) => ({ ...res, body: { ...jsonOf(res), employees: items } }),
  idOf: (item) => String((item as Json)['id']),
  lieAboutTotal: null, // one report, no count
  unknownEnums: (item, v) => ({ ...(item as Json), status: v.status, employmentHistoryStatus: v.type }),
  unknownStatusReadsAs: ['UNKNOWN'],
  nullRequired: (item) => ({ ...(item as Json), id: null }),
  pollute: (item) => {
    // Report fields BambooHR does not know become customFields: unknown keys are copied through.
    const out = { ...(item as Json) };
    poison(out);
    return out;
  },
  echoSecret: (item, secret) => ({ ...(item as Json), jobTitle: `Engineer ${secret}` }),
  revoked: { type: 'status', status: 401, headers: { 'X-BambooHR-Message': 'Invalid API key' }, body: '' },
  errorEchoing: jsonEcho,
};

const gusto: VendorFaultAdapter = {
  items: (res) => jsonOf(res),
  withItems: (res, items) => ({ ...res, body: items }),
  idOf: (item) => String((item as Json)['uuid']),
  lieAboutTotal: (res, delta) => {
    const h = { ...(res.headers ?? {}) };
    const per = Number(h['x-per-page'] ?? 100);
    const total = Number(h['x-total-count']) + delta;
    h['x-total-count'] = String(total);
    h['x-total-pages'] = String(Math.ceil(total / per));
    return { ...res, headers: h };
  },
  unknownEnums: (item, v) => ({ ...(item as Json), onboarding_status: v.status, current_employment_status: v.type }),
  // Documented in connectors/gusto/map.ts: any onboarding_status other than onboarding_completed is PENDING.
  unknownStatusReadsAs: ['UNKNOWN', 'PENDING'],
  nullRequired: (item) => ({ ...(item as Json), uuid: null }),
  pollute: (item) => {
    const out = { ...(item as Json) };
    poison(out);
    // Custom fields (include=custom_fields) named like prototype keys.
    out['custom_fields'] = [
      { id: 'cf-1', name: '__proto__', type: 'text', value: 'polluted' },
      { id: 'cf-2', name: 'constructor', type: 'text', value: 'polluted' },
      { id: 'cf-3', name: 'prototype', type: 'text', value: 'polluted' },
    ];
    return out;
  },
  echoSecret: (item, secret) => {
    const out = { ...(item as Json) };
    out['jobs'] = ((out['jobs'] as Json[]) ?? []).map((j) => ({ ...j, title: `Engineer ${secret}` }));
    return out;
  },
  revoked: {
    type: 'status',
    status: 401,
    body: JSON.stringify({
      errors: [
        {
          error_key: 'request',
          category: 'invalid_token',
          message: 'The access token is invalid, expired, or was not included.',
        },
      ],
    }),
  },
  errorEchoing: jsonEcho,
};

const rippling: VendorFaultAdapter = {
  items: (res) => jsonOf(res).results,
  withItems: (res, items) => ({ ...res, body: { ...jsonOf(res), results: items } }),
  idOf: (item) => String((item as Json)['id']),
  lieAboutTotal: null, // REST lists carry only next_link, no count
  unknownEnums: (item, v) => ({
    ...(item as Json),
    status: v.status,
    // An employment type the company defined after orgsync was written, inline on the worker.
    employment_type_id: null,
    employment_type: { id: 'et-new', label: v.type, name: v.type.toUpperCase(), type: null, amount_worked: null },
  }),
  unknownStatusReadsAs: ['UNKNOWN'],
  nullRequired: (item) => ({ ...(item as Json), id: null }),
  pollute: (item) => {
    const out = { ...(item as Json) };
    poison(out);
    const custom: Json = { shirt: 'M' };
    poison(custom);
    out['custom_fields'] = custom;
    if (out['user'] && typeof out['user'] === 'object') {
      const user = { ...(out['user'] as Json) };
      poison(user);
      out['user'] = user;
    }
    return out;
  },
  echoSecret: (item, secret) => ({ ...(item as Json), title: `Engineer ${secret}` }),
  revoked: {
    type: 'status',
    status: 401,
    headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
    body: JSON.stringify({ detail: 'Invalid token.' }),
  },
  errorEchoing: jsonEcho,
};

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const scim: VendorFaultAdapter = {
  items: (res) => jsonOf(res).Resources,
  withItems: (res, items) => ({ ...res, body: { ...jsonOf(res), Resources: items } }),
  idOf: (item) => String((item as Json)['id']),
  lieAboutTotal: (res, delta) => {
    const body = jsonOf(res);
    body.totalResults = Number(body.totalResults) + delta;
    return { ...res, body };
  },
  unknownEnums: (item, v) => ({ ...(item as Json), active: v.status, userType: v.type }),
  unknownStatusReadsAs: ['UNKNOWN'],
  nullRequired: (item) => ({ ...(item as Json), id: null }),
  pollute: (item) => {
    const out = { ...(item as Json) };
    poison(out);
    const ext = { ...((out[ENTERPRISE] as Json) ?? {}) };
    poison(ext);
    out[ENTERPRISE] = ext;
    const name = { ...((out['name'] as Json) ?? {}) };
    poison(name);
    out['name'] = name;
    return out;
  },
  echoSecret: (item, secret) => ({ ...(item as Json), title: `Engineer ${secret}` }),
  revoked: {
    type: 'status',
    status: 401,
    headers: { 'WWW-Authenticate': 'Bearer realm="scim", error="invalid_token"' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
      detail: 'Authentication failure: the bearer token is missing, invalid or expired.',
    }),
  },
  errorEchoing: (secret) => ({
    type: 'status',
    status: 400,
    headers: { 'X-Debug-Echo': `Bearer ${secret}` },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidValue',
      detail: `token ${secret}; Authorization: Bearer ${secret}`,
    }),
  }),
};

// ---------------------------------------------------------------------------------------------
// Workday: SOAP XML, edited as text

const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A Workday SOAP fault as Workday sends it (HTTP 500). */
export function workdayFault(code: string, message: string, validation?: { message: string; detail?: string }): string {
  const detail = validation
    ? `<detail><wd:Validation_Fault><wd:Validation_Error><wd:Message>${escapeXml(validation.message)}</wd:Message><wd:Detail_Message>${escapeXml(validation.detail ?? '')}</wd:Detail_Message><wd:Xpath>/bsvc:Get_Workers_Request[1]</wd:Xpath></wd:Validation_Error></wd:Validation_Fault></detail>`
    : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>` +
    `<SOAP-ENV:Fault xmlns:wd="urn:com.workday/bsvc"><faultcode>SOAP-ENV:${escapeXml(code)}</faultcode><faultstring>${escapeXml(message)}</faultstring>${detail}</SOAP-ENV:Fault>` +
    `</SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

const WORKER = /<wd:Worker>[\s\S]*?<\/wd:Worker>/g;
const DATA_OPEN = '<wd:Response_Data>';
const DATA_CLOSE = '</wd:Response_Data>';

function xmlOf(res: SimResponse): string {
  if (typeof res.body !== 'string') throw new Error('expected a SOAP XML body');
  return res.body;
}

const workday: VendorFaultAdapter = {
  items: (res) => xmlOf(res).match(WORKER) ?? [],
  withItems: (res, items) => {
    const xml = xmlOf(res);
    const start = xml.indexOf(DATA_OPEN);
    const end = xml.indexOf(DATA_CLOSE);
    if (start < 0 || end < 0) throw new Error('no Response_Data in the SOAP body');
    const body = (xml.slice(0, start + DATA_OPEN.length) + (items as string[]).join('') + xml.slice(end)).replace(
      /<wd:Page_Results>\d+<\/wd:Page_Results>/,
      `<wd:Page_Results>${items.length}</wd:Page_Results>`,
    );
    return { ...res, body };
  },
  idOf: (item) => {
    const m = /<wd:Worker_Reference[^>]*><wd:ID wd:type="WID">([^<]+)<\/wd:ID>/.exec(String(item));
    if (!m) throw new Error('worker without a WID');
    return m[1]!;
  },
  lieAboutTotal: (res, delta) => ({
    ...res,
    body: xmlOf(res).replace(
      /<wd:Total_Results>(\d+)<\/wd:Total_Results>/,
      (_m, n: string) => `<wd:Total_Results>${Number(n) + delta}</wd:Total_Results>`,
    ),
  }),
  unknownEnums: (item, v) =>
    String(item)
      .replace(/<wd:Active>[^<]*<\/wd:Active>/, () => `<wd:Active>${escapeXml(v.status)}</wd:Active>`)
      .replace(
        /(<wd:ID wd:type="(?:Employee|Contingent_Worker)_Type_ID">)[^<]*(<\/wd:ID>)/,
        (_m, a: string, b: string) => `${a}${escapeXml(v.type)}${b}`,
      )
      .replace(
        /(wd:Descriptor=")[^"]*("><wd:ID wd:type="WID">[0-9a-f]+<\/wd:ID><wd:ID wd:type="(?:Employee|Contingent_Worker)_Type_ID">)/,
        (_m, a: string, b: string) => `${a}${escapeXml(v.type)}${b}`,
      )
      .replace(/(<wd:ID wd:type="Position_Time_Type_ID">)[^<]*(<\/wd:ID>)/, `$1Flex_time$2`)
      .replace(
        /(wd:Descriptor=")[^"]*("><wd:ID wd:type="WID">[0-9a-f]+<\/wd:ID><wd:ID wd:type="Position_Time_Type_ID">)/,
        `$1Flex time$2`,
      ),
  unknownStatusReadsAs: ['UNKNOWN'],
  nullRequired: (item) =>
    String(item).replace(/(<wd:Worker_Reference[^>]*><wd:ID wd:type="WID">)[^<]+(<\/wd:ID>)/, '$1$2'),
  pollute: (item) =>
    String(item)
      .replace(
        '<wd:Worker_Data>',
        '<wd:Worker_Data><wd:__proto__><wd:polluted>yes</wd:polluted></wd:__proto__><wd:constructor><wd:prototype><wd:polluted>yes</wd:polluted></wd:prototype></wd:constructor><wd:prototype wd:polluted="yes">x</wd:prototype>',
      )
      .replace('<wd:Worker>', '<wd:Worker wd:__proto__="polluted" wd:constructor="polluted">'),
  // Replacement functions, not strings: a secret may contain `$` sequences.
  echoSecret: (item, secret) =>
    String(item).replace(/<wd:User_ID>[^<]*<\/wd:User_ID>/, () => `<wd:User_ID>${escapeXml(secret)}</wd:User_ID>`),
  revoked: {
    type: 'status',
    status: 500,
    body: workdayFault('Client.authenticationError', 'invalid username or password'),
  },
  errorEchoing: (secret) => ({
    type: 'status',
    status: 500,
    body: workdayFault('Client.validationError', `Validation error occurred. Invalid password ${secret}`, {
      message: `Password ${secret} is not valid`,
      detail: `Authorization: Basic ${Buffer.from(`isu:${secret}`).toString('base64')}`,
    }),
  }),
};

// ---------------------------------------------------------------------------------------------
// OAuth2 vendors

const adpError = (message: string) =>
  JSON.stringify({
    confirmMessage: {
      protocolStatusCode: { codeValue: '401' },
      processMessages: [{ userMessage: { messageTxt: message } }],
    },
  });

const adpWfn: VendorFaultAdapter = {
  shape: {
    tokenRefresh: 'OAuth2 client credentials: a 401 fetches a new token once (the token request is rejected too)',
  },
  items: (res) => jsonOf(res).workers,
  withItems: (res, items) => ({ ...res, body: { ...jsonOf(res), workers: items } }),
  idOf: (item) => String((item as Json)['associateOID']),
  lieAboutTotal: (res, delta) => {
    const body = jsonOf(res);
    body.meta = { ...(body.meta ?? {}), totalNumber: Number(body.meta?.totalNumber) + delta };
    return { ...res, body };
  },
  unknownEnums: (item, v) => {
    const out = structuredClone(item) as Json;
    out['workerStatus'] = { statusCode: { codeValue: v.status, shortName: v.status } };
    for (const a of (out['workAssignments'] as Json[]) ?? []) {
      a['assignmentStatus'] = { statusCode: { codeValue: v.status } };
      a['workerTypeCode'] = { codeValue: v.type, shortName: v.type };
    }
    return out;
  },
  unknownStatusReadsAs: ['UNKNOWN'],
  nullRequired: (item) => ({ ...(item as Json), associateOID: null }),
  pollute: (item) => {
    const out = structuredClone(item) as Json;
    poison(out);
    // Custom fields named like prototype keys.
    out['customFieldGroup'] = {
      stringFields: ['__proto__', 'constructor', 'prototype'].map((n, i) => ({
        itemID: `cf${i}`,
        nameCode: { codeValue: n, shortName: n },
        stringValue: 'polluted',
      })),
    };
    return out;
  },
  echoSecret: (item, secret) => {
    const out = structuredClone(item) as Json;
    for (const a of (out['workAssignments'] as Json[]) ?? []) a['jobTitle'] = `Engineer ${secret}`;
    return out;
  },
  revoked: { type: 'status', status: 401, body: adpError('Invalid or expired access token.') },
  errorEchoing: jsonEcho,
};

const totalHeader = (h: Record<string, string>) =>
  Object.keys(h).find((k) => k.toLowerCase() === 'x-pcty-total-count') ?? 'X-Pcty-Total-Count';

const paylocity: VendorFaultAdapter = {
  shape: {
    tokenRefresh: 'OAuth2 client credentials: a 401 fetches a new token once (the token request is rejected too)',
    typeOnlyInRecords:
      'the WebLink list has employeeId/statusCode/statusTypeCode only; the type is in each employee record',
  },
  items: (res) => jsonOf(res),
  withItems: (res, items) => ({ ...res, body: items }),
  idOf: (item) => String((item as Json)['employeeId']),
  lieAboutTotal: (res, delta) => {
    const h = { ...(res.headers ?? {}) };
    const key = totalHeader(h);
    h[key] = String(Number(h[key]) + delta);
    return { ...res, headers: h };
  },
  // The listing's status; the record still says A: the mapper reads a disagreement as UNKNOWN.
  unknownEnums: (item, v) => ({ ...(item as Json), statusCode: v.status }),
  unknownStatusReadsAs: ['UNKNOWN'],
  nullRequired: (item) => ({ ...(item as Json), employeeId: null }),
  pollute: (item) => {
    const out = { ...(item as Json) };
    poison(out);
    return out;
  },
  // statusTypeCode is kept in the raw status.
  echoSecret: (item, secret) => ({ ...(item as Json), statusTypeCode: `X ${secret}` }),
  revoked: {
    type: 'status',
    status: 401,
    body: JSON.stringify([{ message: 'Authorization has been denied for this request.' }]),
  },
  errorEchoing: jsonEcho,
};

/** Adapters by connector id (the keys of `connectors/simulators.ts`). */
export const adapters: Record<string, VendorFaultAdapter> = {
  bamboohr,
  gusto,
  rippling,
  scim,
  workday,
  'adp-wfn': adpWfn,
  paylocity,
  ...hris15Adapters,
};
