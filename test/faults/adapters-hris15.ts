/**
 * Fault-matrix adapters of the issue-15 connectors (HiBob, Deel, Personio); see adapters.ts for
 * what each member means. Kept in their own file so registrations of other connectors merge cleanly.
 */
import type { SimResponse } from '../../src/simulator/server.js';
import { poison, type VendorFaultAdapter } from './adapters.js';

type Json = Record<string, any>;
const jsonOf = (res: SimResponse): any =>
  typeof res.body === 'string' ? JSON.parse(res.body) : structuredClone(res.body);
const echo = (secret: string) => ({
  type: 'status' as const,
  status: 400,
  headers: { 'X-Debug-Echo': `Basic ${Buffer.from(`u:${secret}`).toString('base64')}` },
  body: JSON.stringify({
    key: 'bad_request',
    error: `bad credential ${secret}`,
    errors: [{ path: 'token', message: `Bearer ${secret}` }],
    message: secret,
  }),
});

export const hibob: VendorFaultAdapter = {
  items: (res) => jsonOf(res).employees,
  withItems: (res, items) => ({ ...res, body: { ...jsonOf(res), employees: items } }),
  idOf: (item) => String((item as Json)['id']),
  lieAboutTotal: null, // one response, no count
  unknownEnums: (item, v) => {
    const e = structuredClone(item as Json);
    e['internal'] = { ...e['internal'], lifecycleStatus: v.status };
    e['payroll'] = { employment: { type: v.type, contract: v.type } };
    return e;
  },
  unknownStatusReadsAs: ['UNKNOWN'],
  nullRequired: (item) => ({ ...(item as Json), id: null }),
  pollute: (item) => {
    const e = structuredClone(item as Json);
    poison(e);
    const custom: Json = { field_1: 'x' };
    poison(custom);
    e['work'] = { ...e['work'], custom };
    return e;
  },
  echoSecret: (item, secret) => ({
    ...(item as Json),
    work: { ...(item as Json)['work'], title: `Engineer ${secret}` },
  }),
  revoked: { type: 'status', status: 401, body: JSON.stringify({ key: 'unauthorized', error: 'Unauthorized' }) },
  errorEchoing: echo,
};

export const deel: VendorFaultAdapter = {
  items: (res) => jsonOf(res).data,
  withItems: (res, items) => {
    const body = jsonOf(res);
    return { ...res, body: { ...body, data: items } };
  },
  idOf: (item) => String((item as Json)['id']),
  lieAboutTotal: (res, delta) => {
    const body = jsonOf(res);
    return { ...res, body: { ...body, page: { ...body.page, total_rows: body.page.total_rows + delta } } };
  },
  unknownEnums: (item, v) => ({ ...(item as Json), hiring_status: v.status, hiring_type: v.type }),
  unknownStatusReadsAs: ['UNKNOWN'],
  nullRequired: (item) => ({ ...(item as Json), id: null }),
  pollute: (item) => {
    const e = structuredClone(item as Json);
    poison(e);
    const dept: Json = { ...e['department'] };
    poison(dept);
    e['department'] = dept;
    return e;
  },
  echoSecret: (item, secret) => ({ ...(item as Json), job_title: `Engineer ${secret}` }),
  revoked: {
    type: 'status',
    status: 401,
    body: JSON.stringify({
      request: { method: 'GET', status: 401, code: 401 },
      errors: [{ message: 'Unauthorized. The token is invalid or expired.', path: '' }],
    }),
  },
  errorEchoing: echo,
};

/** Personio v2: the persons listing carries no status or type; they come from each person's employments. */
export const personio: VendorFaultAdapter = {
  shape: {
    tokenRefresh: 'OAuth2 client credentials: a 401 fetches a new token once (the token request is rejected too)',
  },
  items: (res) => jsonOf(res)._data,
  withItems: (res, items) => ({ ...res, body: { ...jsonOf(res), _data: items } }),
  idOf: (item) => String((item as Json)['id']),
  lieAboutTotal: null, // cursor links, no count
  detail: {
    path: /\/v2\/persons\/[^/?]+\/employments/,
    items: (res) => jsonOf(res)._data,
    withItems: (res, items) => ({ ...res, body: { ...jsonOf(res), _data: items } }),
    idOf: (item) => String((item as Json)['person']?.id),
  },
  unknownEnums: (item, v) => ({ ...(item as Json), status: v.status, type: v.type }),
  unknownStatusReadsAs: ['UNKNOWN'],
  nullRequired: (item) => ({ ...(item as Json), id: null }),
  pollute: (item) => {
    const e = structuredClone(item as Json);
    poison(e);
    const attr: Json = { id: 'dynamic_1', type: 'STRING', label: '__proto__', value: 'x' };
    poison(attr);
    e['custom_attributes'] = [
      ...(e['custom_attributes'] ?? []),
      attr,
      { id: 'dynamic_2', type: 'STRING', label: 'constructor', value: 'y' },
    ];
    return e;
  },
  echoSecret: (item, secret) => ({ ...(item as Json), last_name: `Doe ${secret}` }),
  revoked: {
    type: 'status',
    status: 401,
    body: JSON.stringify({
      personio_trace_id: 'x',
      timestamp: '2026-06-01T00:00:00Z',
      errors: [{ title: 'Unauthorized', detail: 'The access token is missing, invalid or expired.' }],
    }),
  },
  errorEchoing: echo,
};

export const hris15Adapters: Record<string, VendorFaultAdapter> = { hibob, deel, personio };
