/**
 * A local Gusto: serves a company in Gusto's wire format (API version 2025-06-15): bare JSON
 * arrays with `X-Page` / `X-Per-Page` / `X-Total-Pages` / `X-Total-Count` headers when paging
 * parameters are sent, Bearer auth, the `X-Gusto-API-Version` header (406 for versions it does
 * not accept), `{"errors":[...]}` bodies for 401/403/404/406, and throttling as 429 + Retry-After.
 */
import { createHash } from 'node:crypto';
import type { SampleOrg, SamplePerson, SampleType } from '../../src/simulator/sample-org.js';
import { bearerToken, type SimRequest, type SimResponse, type VendorRoutes } from '../../src/simulator/server.js';

type Json = Record<string, unknown>;

export interface GustoSimData {
  companyUuid: string;
  accessToken: string;
  /** A token that authenticates but lacks `departments:read` (403 on departments). */
  limitedToken?: string;
  /** Values accepted in `X-Gusto-API-Version` (a request without the header uses the app's default). */
  apiVersions: string[];
  company: Json;
  departments: Json[];
  locations: Json[];
  /** Employees in creation order (what `sort_by=created_at` returns). */
  employees: Json[];
  /** Custom fields by employee uuid, served with `include=custom_fields`. */
  customFields?: Map<string, Json[]>;
}

/** A UUID-shaped id derived deterministically from a namespace and a key. */
export function gustoUuid(namespace: string, key: string | number): string {
  const h = createHash('md5').update(`${namespace}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const version = (...parts: Array<string | number | null>): string =>
  createHash('md5').update(parts.join('|')).digest('hex');

/** How sample employment types are expressed in Gusto (which has no contractor/intern employees). */
const EMPLOYMENT_STATUS: Record<SampleType, string> = {
  full_time: 'full_time',
  part_time: 'part_time_under_twenty_hours',
  // Gusto contractors are a separate resource; an hours-varying employee is the closest W-2 analogue.
  contractor: 'variable',
  intern: 'part_time_twenty_plus_hours',
  temporary: 'seasonal',
};

const COUNTRY: Record<string, string> = { US: 'USA', GB: 'GBR' };

/** Gusto employee id for a sample person. */
export const gustoEmployeeId = (key: number): string => gustoUuid('employee', key);

/** Render the sample company as a Gusto company (linear in the number of people). */
export function gustoDataFromSample(
  org: SampleOrg,
  opts: { companyUuid?: string; accessToken?: string } = {},
): GustoSimData {
  const companyUuid = opts.companyUuid ?? gustoUuid('company', org.companyName);
  const deptUuid = new Map(org.departments.map((d) => [d.name, gustoUuid('department', d.name)]));
  const locUuid = new Map(org.locations.map((l) => [l.name, gustoUuid('location', l.name)]));
  const members = new Map<string, Json[]>([...deptUuid.values()].map((u) => [u, []]));
  const customFields = new Map<string, Json[]>();

  const employees = org.people.map((p: SamplePerson): Json => {
    const uuid = gustoEmployeeId(p.key);
    const department = deptUuid.get(p.department) ?? null;
    if (department) members.get(department)!.push({ uuid });
    const jobUuid = gustoUuid('job', p.key);
    const compUuid = gustoUuid('compensation', p.key);
    const hourly = p.type !== 'full_time';
    const rate = hourly ? '32.00' : '98000.00';
    const pending = p.status === 'pending';
    const terminated = p.status === 'terminated';
    if (p.team)
      customFields.set(uuid, [
        {
          id: gustoUuid('custom-field-value', p.key),
          company_custom_field_id: gustoUuid('custom-field', 'Team'),
          name: 'Team',
          type: 'text',
          description: 'Squad or team',
          value: p.team,
          selection_options: null,
        },
      ]);
    return {
      uuid,
      first_name: p.firstName,
      middle_initial: null,
      last_name: p.lastName,
      email: p.personalEmail,
      company_uuid: companyUuid,
      manager_uuid: p.managerKey ? gustoEmployeeId(p.managerKey) : null,
      version: version(uuid, p.updatedAt),
      current_employment_status: EMPLOYMENT_STATUS[p.type],
      onboarding_status: pending
        ? p.key % 2
          ? 'self_onboarding_invited'
          : 'admin_onboarding_incomplete'
        : 'onboarding_completed',
      preferred_first_name: p.preferredName,
      department_uuid: department,
      employee_code: p.employeeNumber,
      payment_method: 'Direct Deposit',
      department: department ? p.department : null,
      terminated,
      two_percent_shareholder: false,
      onboarded: !pending,
      historical: false,
      has_ssn: !pending,
      jobs: [
        {
          uuid: jobUuid,
          version: version(jobUuid, p.title),
          employee_uuid: uuid,
          current_compensation_uuid: compUuid,
          payment_unit: hourly ? 'Hour' : 'Year',
          primary: true,
          two_percent_shareholder: false,
          state_wc_covered: null,
          state_wc_class_code: null,
          title: p.title,
          location_uuid: locUuid.get(p.location) ?? null,
          compensations: [
            {
              uuid: compUuid,
              employee_uuid: uuid,
              version: version(compUuid),
              payment_unit: hourly ? 'Hour' : 'Year',
              flsa_status: hourly ? 'Nonexempt' : 'Exempt',
              adjust_for_minimum_wage: false,
              minimum_wages: [],
              job_uuid: jobUuid,
              effective_date: p.hireDate,
              rate,
            },
          ],
          rate,
          hire_date: p.hireDate,
        },
      ],
      eligible_paid_time_off: [],
      terminations: p.terminationDate
        ? [
            {
              uuid: gustoUuid('termination', p.key),
              employee_uuid: uuid,
              active: terminated,
              effective_date: p.terminationDate,
              run_termination_payroll: false,
              cancelable: !terminated,
              version: version('termination', p.key),
            },
          ]
        : [],
      garnishments: [],
      date_of_birth: null,
      ssn: '',
      phone: null,
      work_email: pending ? null : p.workEmail,
    };
  });

  const first = org.locations[0]!;
  return {
    companyUuid,
    accessToken: opts.accessToken ?? 'sim-gusto-access-token-6f1c2b7e9a0d4c3b',
    limitedToken: 'sim-gusto-limited-token-000000000000',
    apiVersions: ['2024-04-01', '2024-10-01', '2025-06-15'],
    company: {
      ein: '00-0000042',
      entity_type: 'C-Corporation',
      contractor_only: false,
      tier: 'complete',
      is_suspended: false,
      company_status: 'Approved',
      uuid: companyUuid,
      name: org.legalName,
      slug: org.legalName
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, ''),
      trade_name: org.companyName,
      is_partner_managed: false,
      pay_schedule_type: 'single',
      join_date: '2019-01-02',
      funding_type: 'ach',
      locations: [
        {
          street_1: first.line1,
          street_2: null,
          city: first.city,
          state: first.region,
          zip: first.postalCode,
          country: COUNTRY[first.country] ?? first.country,
          active: true,
        },
      ],
    },
    departments: org.departments.map((d) => {
      const uuid = deptUuid.get(d.name)!;
      return {
        uuid,
        company_uuid: companyUuid,
        title: d.name,
        version: version('department', d.name),
        employees: members.get(uuid) ?? [],
        contractors: [],
      };
    }),
    locations: org.locations.map((l, i) => ({
      uuid: locUuid.get(l.name)!,
      version: version('location', l.name),
      company_uuid: companyUuid,
      phone_number: '4155550100',
      street_1: l.line1,
      street_2: null,
      city: l.city,
      state: l.region,
      zip: l.postalCode,
      country: COUNTRY[l.country] ?? l.country,
      active: true,
      mailing_address: i === 0,
      filing_address: i === 0,
      created_at: '2019-01-02T09:00:00.000-08:00',
      updated_at: '2024-03-11T10:21:33.000-07:00',
    })),
    employees,
    customFields,
  };
}

export interface GustoRoutesOptions {
  /** Largest `per` honoured (Gusto's own maximum is UNCONFIRMED); larger values are capped. Default 100. */
  maxPerPage?: number;
}

const errors = (category: string, message: string, errorKey = 'request') => ({
  errors: [{ error_key: errorKey, category, message }],
});

export function gustoRoutes(data: GustoSimData, opts: GustoRoutesOptions = {}): VendorRoutes {
  return {
    vendor: 'gusto',
    throttleStatus: 429,
    // The 429 body is UNCONFIRMED; Gusto documents only the status and Retry-After.
    throttleBody: errors(
      'rate_limit_exceeded',
      'Rate limit exceeded. Retry after the number of seconds in the Retry-After header.',
    ),
    route: (rawPath) => (rawPath.startsWith('/v1/') ? rawPath.replace(/\/+$/, '') : null),
    handle: (req) => handle(data, opts, req),
  };
}

let requestSeq = 0;

function handle(data: GustoSimData, opts: GustoRoutesOptions, req: SimRequest): SimResponse {
  const requestId = `sim-${(++requestSeq).toString(16).padStart(8, '0')}`;
  const versionHeader = req.headers['x-gusto-api-version'];
  const apiVersion = typeof versionHeader === 'string' ? versionHeader : data.apiVersions[data.apiVersions.length - 1]!;
  const base = { 'x-request-id': requestId, 'x-gusto-api-version': apiVersion, 'x-ratelimit-limit': '200' };
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
    status,
    body,
    headers: { ...base, ...headers },
  });

  const token = bearerToken(req.headers);
  if (!token || (token !== data.accessToken && token !== data.limitedToken)) {
    return reply(401, errors('invalid_token', 'The access token is invalid, expired, or was not included.'));
  }
  if (typeof versionHeader === 'string' && !data.apiVersions.includes(versionHeader)) {
    const m = /^\d{4}-\d{2}-\d{2}$/.test(versionHeader)
      ? `Invalid API Version \`${versionHeader}\`. Version must be >= your application's minimum API version \`${data.apiVersions[0]}\` and not in the future.`
      : `Invalid API Version \`${versionHeader}\`. Expected format: YYYY-MM-DD`;
    return { status: 406, body: errors('invalid_api_version', m), headers: { 'x-request-id': requestId } };
  }
  if (req.method !== 'GET') return reply(404, errors('not_found', 'The requested resource was not found.'));

  if (req.path === '/v1/token_info') {
    return reply(200, {
      scope:
        token === data.limitedToken
          ? 'employees:read companies:read'
          : 'employees:read departments:read companies:read jobs:read',
      resource: { type: 'Company', uuid: data.companyUuid },
      resource_owner: { type: 'CompanyAdmin', uuid: gustoUuid('admin', 1) },
    });
  }
  const m = /^\/v1\/companies\/([^/]+)(\/[a-z_]+)?$/.exec(req.path);
  if (!m || decodeURIComponent(m[1]!) !== data.companyUuid)
    return reply(404, errors('not_found', 'The requested resource was not found.'));
  const sub = m[2] ?? '';
  if (sub === '') return reply(200, data.company);
  if (sub === '/departments') {
    if (token === data.limitedToken) return reply(403, errors('forbidden', 'Missing required scope: departments:read'));
    return page(req, data.departments, opts, reply, false);
  }
  if (sub === '/locations') return page(req, data.locations, opts, reply, true);
  if (sub === '/employees') {
    let rows = data.employees;
    const flag = (name: string) => req.query.get(name);
    if (flag('terminated') !== null) rows = rows.filter((r) => String(r['terminated']) === flag('terminated'));
    if (flag('onboarded') !== null) rows = rows.filter((r) => String(r['onboarded']) === flag('onboarded'));
    const include = (req.query.get('include') ?? '').split(',').map((s) => s.trim());
    const withCustom = include.includes('custom_fields');
    return page(
      req,
      rows,
      opts,
      reply,
      true,
      withCustom ? (r) => ({ ...r, custom_fields: data.customFields?.get(String(r['uuid'])) ?? [] }) : undefined,
    );
  }
  return reply(404, errors('not_found', 'The requested resource was not found.'));
}

/** Serve a list: everything without paging parameters; otherwise one page plus Gusto's paging headers. */
function page(
  req: SimRequest,
  rows: Json[],
  opts: GustoRoutesOptions,
  reply: (s: number, b: unknown, h?: Record<string, string>) => SimResponse,
  pageable: boolean,
  decorate?: (r: Json) => Json,
): SimResponse {
  const pageParam = req.query.get('page');
  const perParam = req.query.get('per');
  const out = (items: Json[]) => (decorate ? items.map(decorate) : items);
  if (!pageable || (pageParam === null && perParam === null)) return reply(200, out(rows));
  const pageNo = Math.max(1, Number.parseInt(pageParam ?? '1', 10) || 1);
  const per = Math.max(1, Math.min(opts.maxPerPage ?? 100, Number.parseInt(perParam ?? '25', 10) || 25));
  const items = rows.slice((pageNo - 1) * per, pageNo * per);
  return reply(200, out(items), {
    'x-page': String(pageNo),
    'x-per-page': String(per),
    'x-total-pages': String(Math.ceil(rows.length / per)),
    'x-total-count': String(rows.length),
  });
}
