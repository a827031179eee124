/**
 * A local Deel (REST API v2): `GET /rest/v2/people` with `offset`/`limit` (1-200) and
 * `page {offset, total_rows, items_per_page}`, `sort_by`/`sort_order`, the `hiring_statuses[]` filter,
 * `GET /people/{worker_id}/custom_fields`, `GET /organizations`, Bearer auth, `ApiErrorContainer`
 * error bodies, and (when `perSecond` is set) the per-organization budget of 5 requests per rolling
 * second answered with a bare 429: no Retry-After, no rate-limit headers, as Deel documents.
 */
import { createHash } from 'node:crypto';
import type { SampleOrg, SamplePerson } from '../../src/simulator/sample-org.js';
import {
  bearerToken,
  startSimulator,
  type SimRequest,
  type SimResponse,
  type VendorRoutes,
} from '../../src/simulator/server.js';
import { rollingWindow } from '../../src/simulator/window.js';
import type { VendorSimulator } from '../../src/simulator/vendor.js';

type Json = Record<string, any>;

export interface DeelSimData {
  token: string;
  organization: Json;
  /** People sorted by id (what `sort_by=id&sort_order=asc` returns). */
  people: Json[];
  customFields: Map<string, Json[]>;
}

export interface DeelRoutesOptions {
  /** Requests per rolling second for the organization (Deel: 5); 0 or undefined: no budget. */
  perSecond?: number;
}

export function deelUuid(ns: string, key: string | number): string {
  const h = createHash('md5').update(`deel:${ns}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
export const deelPersonId = (key: number): string => deelUuid('person', key);
/** Deel's timestamp format: a space and microseconds. */
const stamp = (iso: string): string =>
  `${iso
    .replace('T', ' ')
    .replace(/Z$/, '')
    .replace(/\.\d+$/, '')}.000000+00:00`;

const HIRING: Record<SamplePerson['status'], string> = {
  active: 'active',
  pending: 'onboarding',
  leave: 'active',
  terminated: 'inactive',
};

export function deelDataFromSample(org: SampleOrg, o: { token?: string } = {}): DeelSimData {
  const byKey = new Map(org.people.map((p) => [p.key, p]));
  const division = new Map(org.departments.map((d) => [d.name, d.division]));
  const entity = { id: deelUuid('entity', org.legalName), name: org.legalName };
  const customFields = new Map<string, Json[]>();
  const people = org.people.map((p): Json => {
    const m = p.managerKey ? byKey.get(p.managerKey) : undefined;
    const contractor = p.type === 'contractor';
    const scheduled = p.status !== 'terminated' && p.terminationDate !== null;
    const hiring = scheduled ? 'offboarding' : HIRING[p.status];
    const ended = p.status === 'terminated';
    const last = p.terminationDate ? stamp(`${p.terminationDate}T00:00:00Z`) : undefined;
    if (p.team)
      customFields.set(String(10_000 + p.key), [
        { id: deelUuid('cf', 'team'), name: 'Team', type: 'text', value: p.team, data: { value: p.team } },
      ]);
    const employment: Json = {
      id: createHash('md5').update(`contract:${p.key}`).digest('hex').slice(0, 7),
      name: `${p.firstName} ${p.lastName}`,
      ...(p.team ? { team: { id: deelUuid('team', p.team), name: p.team } } : {}),
      email: p.personalEmail,
      state: ended ? 'Inactive' : 'Active',
      country: org.locations.find((l) => l.name === p.location)?.country ?? 'US',
      is_ended: ended,
      job_title: p.title,
      start_date: p.hireDate,
      work_email: p.workEmail,
      hiring_type: contractor ? 'contractor' : 'direct_employee',
      hiring_status: hiring,
      contract_status: ended ? 'completed' : p.status === 'pending' ? 'waiting_for_employee_sign' : 'in_progress',
      contract_is_archived: false,
      is_user_contract_deleted: false,
      ...(last ? { termination_last_day: last } : {}),
      ...(ended && p.terminationDate ? { completion_date: p.terminationDate } : {}),
      client_legal_entity: entity,
    };
    return {
      id: deelPersonId(p.key),
      worker_id: 10_000 + p.key,
      external_id: p.employeeNumber,
      first_name: p.firstName,
      last_name: p.lastName,
      ...(p.preferredName ? { preferred_first_name: p.preferredName } : {}),
      full_name: `${p.firstName} ${p.lastName}`,
      emails: [
        { type: 'work', value: p.workEmail },
        { type: 'personal', value: p.personalEmail },
      ],
      job_title: p.title,
      department: {
        id: deelUuid('department', p.department),
        name: p.department,
        parent: division.get(p.department) ?? '',
      },
      client_legal_entity: entity,
      work_location: p.location,
      country: org.locations.find((l) => l.name === p.location)?.country ?? 'US',
      start_date: p.hireDate,
      hiring_type: contractor ? 'contractor' : 'direct_employee',
      hiring_status: hiring,
      new_hiring_status: hiring === 'onboarding' ? 'onboarding_in_progress' : hiring,
      state: ended ? 'Inactive' : 'Active',
      ...(m
        ? {
            direct_manager: {
              id: deelPersonId(m.key),
              worker_id: String(10_000 + m.key),
              first_name: m.firstName,
              last_name: m.lastName,
              work_email: m.workEmail,
            },
          }
        : {}),
      direct_reports_count: org.people.filter((r) => r.managerKey === p.key).length,
      ...(last ? { direct_employee_termination_last_day: last } : {}),
      employments: [employment],
      created_at: stamp(`${p.hireDate}T09:00:00Z`),
      updated_at: stamp(p.updatedAt),
    };
  });
  people.sort((a, b) => (a['id'] < b['id'] ? -1 : a['id'] > b['id'] ? 1 : 0));
  return {
    token: o.token ?? 'sim-deel-token-5e4d3c2b1a09f8e7d6c5',
    organization: { id: deelUuid('org', org.companyName), name: org.companyName },
    people,
    customFields,
  };
}

let seq = 0;
function apiError(req: SimRequest, status: number, message: string, path = ''): SimResponse {
  return {
    status,
    body: {
      request: {
        method: req.method,
        url: req.rawPath,
        status,
        api_req_id: `sim-${(++seq).toString(16)}`,
        docs: 'https://developer.deel.com/docs',
        source: 'api',
        code: status,
      },
      errors: [{ message, path }],
    },
  };
}

function people(data: DeelSimData, req: SimRequest): SimResponse {
  const offset = Number(req.query.get('offset') ?? 0);
  const limitRaw = req.query.get('limit');
  const limit = limitRaw === null ? 50 : Number(limitRaw);
  if (!Number.isInteger(offset) || offset < 0 || offset > 999_999_999)
    return apiError(req, 400, 'offset must be between 0 and 999999999', 'offset');
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    return apiError(req, 400, 'limit must be between 1 and 200', 'limit');
  const statuses = [...req.query.getAll('hiring_statuses'), ...req.query.getAll('hiring_statuses[]')].flatMap((s) =>
    s.split(','),
  );
  let rows = statuses.length ? data.people.filter((p) => statuses.includes(p['hiring_status'])) : data.people;
  if (req.query.get('sort_order') === 'desc') rows = [...rows].reverse();
  const items = rows.slice(offset, offset + limit);
  return { status: 200, body: { data: items, page: { offset, total_rows: rows.length, items_per_page: limit } } };
}

export function deelRoutes(data: DeelSimData, o: DeelRoutesOptions = {}): VendorRoutes {
  const budget = o.perSecond ? rollingWindow(o.perSecond, 1_000) : null;
  return {
    vendor: 'deel',
    route: (p) => (p.startsWith('/rest/v2/') ? p.slice('/rest/v2'.length).replace(/\/+$/, '') : null),
    handle(req): SimResponse {
      if (budget && !budget.take()) return apiError(req, 429, 'Too many requests. Please try again later.');
      if (bearerToken(req.headers) !== data.token)
        return apiError(req, 401, 'Unauthorized. The token is invalid or expired.');
      if (req.method !== 'GET') return apiError(req, 405, 'Method not allowed');
      if (req.path === '/people') return people(data, req);
      if (req.path === '/organizations') return { status: 200, body: { data: [data.organization] } };
      const cf = /^\/people\/([^/]+)\/custom_fields$/.exec(req.path);
      if (cf) {
        const worker = decodeURIComponent(cf[1]!);
        if (!data.people.some((p) => String(p['worker_id']) === worker))
          return apiError(req, 404, 'Worker not found', 'worker_id');
        return { status: 200, body: { data: data.customFields.get(worker) ?? [] } };
      }
      return apiError(req, 404, 'Not found');
    },
  };
}

export const deelSimulator: VendorSimulator = {
  id: 'deel',
  /** `data.orgBudget: true` enforces Deel's 5 requests per second (off by default: the fault matrix and the bench run clients without a budget). */
  async start(org, options, d) {
    const data = deelDataFromSample(org);
    const sim = await startSimulator(deelRoutes(data, { perSecond: d?.['orgBudget'] === true ? 5 : 0 }), options);
    const update = (next: SampleOrg) => void Object.assign(data, deelDataFromSample(next, data));
    return { sim, options: { apiToken: data.token, baseUrl: `${sim.url}/rest/v2` }, update };
  },
  badCredentials: (o) => ({ ...o, apiToken: 'revoked-deel-token-000000' }),
  employeesPath: '/rest/v2/people?',
  paged: true,
  sample: {
    personId: (p) => deelPersonId(p.key),
    groups: { department: 'DEPARTMENT', team: 'TEAM' },
    expect: (p) => ({
      // Deel has no leave status on a person (leave is time off): people on leave are active.
      ...(p.status === 'leave' ? { status: 'ACTIVE' as const } : {}),
      // Deel says contractor or employee, never part-time, intern or temporary: employees read FULL_TIME.
      ...(p.type !== 'contractor' ? { employmentType: 'FULL_TIME' as const } : {}),
    }),
  },
};
