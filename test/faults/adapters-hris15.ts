/**
 * Fault-matrix adapters of the issue-15 connectors (HiBob, Deel, Personio); see adapters.ts for
 * what each member means. Kept in their own file so registrations of other connectors merge cleanly.
 */
import type { SimResponse } from '../../src/simulator/server.js';
import { poison, type VendorFaultAdapter } from './adapters.js';

type Json = Record<string, any>;
const jsonOf = (res: SimResponse): any => (typeof res.body === 'string' ? JSON.parse(res.body) : structuredClone(res.body));
const echo = (secret: string) => ({
  type: 'status' as const,
  status: 400,
  headers: { 'X-Debug-Echo': `Basic ${Buffer.from(`u:${secret}`).toString('base64')}` },
  body: JSON.stringify({ key: 'bad_request', error: `bad credential ${secret}`, errors: [{ path: 'token', message: `Bearer ${secret}` }], message: secret }),
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
  echoSecret: (item, secret) => ({ ...(item as Json), work: { ...(item as Json)['work'], title: `Engineer ${secret}` } }),
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
    body: JSON.stringify({ request: { method: 'GET', status: 401, code: 401 }, errors: [{ message: 'Unauthorized. The token is invalid or expired.', path: '' }] }),
  },
  errorEchoing: echo,
};

export const hris15Adapters: Record<string, VendorFaultAdapter> = { hibob, deel };
