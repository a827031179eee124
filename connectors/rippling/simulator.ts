/**
 * A local Rippling: serves a company in both of Rippling's wire formats from one server.
 * - REST API at the root (`/workers/`, `/users/`, `/departments/`, `/teams/`, `/work-locations/`,
 *   `/employment-types/`, `/companies/`): `{"__meta", "results", "next_link"}` bodies, opaque
 *   cursors in `next_link` (relative or absolute), `?expand=user`, OData-style
 *   `filter=updated_at ge <ts>` (also `status`, `work_email`, `user_id`, `created_at`; joined by
 *   `and`) and `order_by`; a path without its trailing slash is redirected (Django's APPEND_SLASH).
 * - Legacy platform API under `/platform/api` (`/employees`, `/employees/include_terminated`,
 *   `/departments`, `/teams`, `/levels`, `/work_locations`, `/companies/current`, `/me`): bare
 *   arrays, `limit` (at most 100) / `offset`.
 * Bearer auth on both; errors as Django REST framework bodies (`{"detail": "..."}`: the shape is
 * UNCONFIRMED for Rippling). Rendering the sample company is linear in its size.
 */
import type { SampleOrg, SamplePerson, SampleType } from '../../src/simulator/sample-org.js';
import {
  bearerToken,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
  type SimRequest,
  type SimResponse,
  type VendorRoutes,
} from '../../src/simulator/server.js';
import type { VendorSimulator } from '../../src/simulator/vendor.js';

type Json = Record<string, unknown>;

export interface RipplingSimData {
  apiToken: string;
  /** A token without the `employment-types.read` scope (403 on `/employment-types/`) nor `users.read` (403 on `/users/`). */
  restrictedToken: string;
  rest: {
    workers: Json[];
    users: Json[];
    departments: Json[];
    teams: Json[];
    workLocations: Json[];
    employmentTypes: Json[];
    companies: Json[];
  };
  legacy: {
    employees: Json[];
    departments: Json[];
    teams: Json[];
    levels: Json[];
    workLocations: Json[];
    company: Json;
  };
}

/** 24-hex ids like Rippling's (MongoDB ObjectIds): a fixed prefix per kind and a counter. */
const oid = (prefix: string, n: number): string => prefix + n.toString(16).padStart(8, '0');
const PREFIX = {
  // Worker ids (REST) and employee ids (legacy) are the same role id (see README: UNCONFIRMED).
  role: '5f3a1c2b9d8e7f60',
  user: '5f3a1c2b9d8e7f61',
  department: '5f3a1c2b9d8e7f62',
  team: '5f3a1c2b9d8e7f63',
  location: '5f3a1c2b9d8e7f64',
  employmentType: '5f3a1c2b9d8e7f65',
  company: '5f3a1c2b9d8e7f66',
  level: '5f3a1c2b9d8e7f67',
};

/** Rippling's id for a sample person (the same in both APIs). */
export const ripplingId = (key: number): string => oid(PREFIX.role, key);

interface TypeDef {
  code: string;
  label: string;
  /** REST `name`: set for Rippling's standard types only. */
  restName: string | null;
  type: 'EMPLOYEE' | 'CONTRACTOR';
  period: 'SALARIED' | 'HOURLY';
  amount: 'FULL-TIME' | 'PART-TIME' | 'TEMPORARY';
}

const TYPES: Record<SampleType, TypeDef> = {
  full_time: {
    code: 'SALARIED_FT',
    label: 'Salaried, full-time',
    restName: 'SALARIED_FT',
    type: 'EMPLOYEE',
    period: 'SALARIED',
    amount: 'FULL-TIME',
  },
  part_time: {
    code: 'HOURLY_PT',
    label: 'Hourly, part-time',
    restName: 'HOURLY_PT',
    type: 'EMPLOYEE',
    period: 'HOURLY',
    amount: 'PART-TIME',
  },
  contractor: {
    code: 'CONTRACTOR',
    label: 'Contractor',
    restName: 'CONTRACTOR',
    type: 'CONTRACTOR',
    period: 'HOURLY',
    amount: 'FULL-TIME',
  },
  temporary: {
    code: 'TEMP',
    label: 'Temporary',
    restName: 'TEMP',
    type: 'EMPLOYEE',
    period: 'HOURLY',
    amount: 'TEMPORARY',
  },
  // Interns are a company-defined type: no standard name; legacy reports its base code.
  intern: {
    code: 'HOURLY_FT',
    label: 'Intern',
    restName: null,
    type: 'EMPLOYEE',
    period: 'HOURLY',
    amount: 'FULL-TIME',
  },
};
const TYPE_ORDER: SampleType[] = ['full_time', 'part_time', 'contractor', 'temporary', 'intern'];

/** Legacy timestamps: `2020-07-27T16:39:05+0000`. */
const legacyTs = (iso: string): string => iso.replace(/(\.\d+)?Z$/, '+0000');

function roleState(p: SamplePerson): string {
  if (p.status === 'terminated') return 'TERMINATED';
  if (p.status === 'pending') return p.key % 2 === 0 ? 'ACCEPTED' : 'HIRED';
  return 'ACTIVE'; // Rippling has no leave state: people on leave are ACTIVE.
}

/** Render the sample company as a Rippling account, in both APIs' formats. */
export function ripplingDataFromSample(
  org: SampleOrg,
  opts: { apiToken?: string; restrictedToken?: string } = {},
): RipplingSimData {
  const created = '2019-01-02T17:00:00Z';
  const deptIds = new Map<string, string>();
  const divisionIds = new Map<string, string>();
  let n = 1;
  for (const d of org.divisions) divisionIds.set(d, oid(PREFIX.department, n++));
  for (const d of org.departments) deptIds.set(d.name, oid(PREFIX.department, n++));
  const teamIds = new Map(org.teams.map((t, i) => [t.name, oid(PREFIX.team, i + 1)]));
  const locIds = new Map(org.locations.map((l, i) => [l.name, oid(PREFIX.location, i + 1)]));
  const typeIds = new Map(TYPE_ORDER.map((t, i) => [t, oid(PREFIX.employmentType, i + 1)]));
  const companyId = oid(PREFIX.company, 1);
  const locByName = new Map(org.locations.map((l) => [l.name, l]));
  const managers = new Set<number>();
  for (const p of org.people) if (p.managerKey) managers.add(p.managerKey);

  const restDepartments: Json[] = [
    ...org.divisions.map((d) => ({
      id: divisionIds.get(d)!,
      created_at: created,
      updated_at: created,
      name: d,
      parent_id: null,
      reference_code: null,
      department_hierarchy_id: [divisionIds.get(d)!],
    })),
    ...org.departments.map((d) => ({
      id: deptIds.get(d.name)!,
      created_at: created,
      updated_at: created,
      name: d.name,
      parent_id: divisionIds.get(d.division) ?? null,
      reference_code: null,
      department_hierarchy_id: [divisionIds.get(d.division)!, deptIds.get(d.name)!],
    })),
  ];
  const legacyDepartments: Json[] = [
    ...org.divisions.map((d) => ({ name: d, id: divisionIds.get(d)!, parent: null })),
    ...org.departments.map((d) => ({
      name: d.name,
      id: deptIds.get(d.name)!,
      parent: divisionIds.get(d.division) ?? null,
    })),
  ];
  const restTeams: Json[] = org.teams.map((t) => ({
    id: teamIds.get(t.name)!,
    created_at: created,
    updated_at: created,
    name: t.name,
    parent_id: null,
  }));
  const legacyTeams: Json[] = org.teams.map((t) => ({ name: t.name, id: teamIds.get(t.name)!, parent: null }));
  const legacyAddress = (l: SampleOrg['locations'][number]) => ({
    streetLine1: l.line1,
    city: l.city,
    state: l.region,
    zip: l.postalCode,
    country: l.country,
  });
  const restLocations: Json[] = org.locations.map((l) => ({
    id: locIds.get(l.name)!,
    created_at: created,
    updated_at: created,
    name: l.name,
    address: {
      type: 'WORK',
      formatted: `${l.line1}, ${l.city}, ${l.region} ${l.postalCode}, ${l.country}`,
      street_address: l.line1,
      locality: l.city,
      region: l.region,
      postal_code: l.postalCode,
      country: l.country,
    },
  }));
  const legacyLocations: Json[] = org.locations.map((l) => ({
    id: locIds.get(l.name)!,
    nickname: l.name,
    address: legacyAddress(l),
  }));
  const restTypes: Json[] = TYPE_ORDER.map((t) => ({
    id: typeIds.get(t)!,
    created_at: created,
    updated_at: created,
    label: TYPES[t].label,
    name: TYPES[t].restName,
    type: TYPES[t].type,
    compensation_time_period: TYPES[t].period,
    amount_worked: TYPES[t].amount,
  }));

  const workers: Json[] = [];
  const users: Json[] = [];
  const employees: Json[] = [];
  for (const p of org.people) {
    const id = ripplingId(p.key);
    const userId = oid(PREFIX.user, p.key);
    const mgr = p.managerKey ? ripplingId(p.managerKey) : null;
    const t = TYPES[p.type];
    const state = roleState(p);
    const loc = locByName.get(p.location)!;
    const preferredGiven = p.preferredName ?? p.firstName; // Rippling repeats the first name when none is set
    const createdAt = `${p.hireDate < p.updatedAt.slice(0, 10) ? p.hireDate : p.updatedAt.slice(0, 10)}T09:00:00Z`;
    users.push({
      id: userId,
      created_at: createdAt,
      updated_at: p.updatedAt,
      active: p.status !== 'terminated',
      username: p.workEmail.split('@')[0],
      display_name: `${preferredGiven} ${p.lastName}`,
      name: {
        formatted: `${p.firstName} ${p.lastName}`,
        given_name: p.firstName,
        middle_name: null,
        family_name: p.lastName,
        preferred_given_name: preferredGiven,
        preferred_family_name: p.lastName,
      },
      emails: [
        { value: p.workEmail, type: 'WORK', display: p.workEmail },
        { value: p.personalEmail, type: 'HOME', display: p.personalEmail },
      ],
      number: p.employeeNumber,
    });
    workers.push({
      id,
      created_at: createdAt,
      updated_at: p.updatedAt,
      user_id: userId,
      is_manager: managers.has(p.key),
      manager_id: mgr,
      legal_entity_id: companyId,
      country: loc.country,
      start_date: p.hireDate,
      end_date: p.terminationDate,
      number: Number(p.employeeNumber),
      work_email: p.workEmail,
      personal_email: p.personalEmail,
      status: state,
      location: { type: 'WORK', work_location_id: locIds.get(p.location)! },
      employment_type_id: typeIds.get(p.type)!,
      department_id: deptIds.get(p.department)!,
      teams_id: p.team ? [teamIds.get(p.team)!] : [],
      title: p.title,
      overtime_exemption: t.period === 'SALARIED' ? 'EXEMPT' : 'NON_EXEMPT',
      termination_details: p.terminationType
        ? {
            type: p.terminationType.toUpperCase(),
            reason: p.terminationType === 'voluntary' ? 'Resigned' : 'Position eliminated',
          }
        : null,
    });
    employees.push({
      id,
      name: `${p.firstName} ${p.lastName}`,
      preferredFirstName: preferredGiven,
      firstName: p.firstName,
      lastName: p.lastName,
      employmentType: t.code,
      companyEmploymentType: {
        id: typeIds.get(p.type)!,
        displayName: t.restName ?? t.label,
        label: t.label,
        isSalaried: t.period === 'SALARIED',
        isHourly: t.period === 'HOURLY' ? true : null,
        isTemporary: t.amount === 'TEMPORARY' ? true : null,
        isPartTime: t.amount === 'PART-TIME' ? true : null,
        isFullTime: t.amount === 'FULL-TIME' && t.type !== 'CONTRACTOR' ? true : null,
        isContractor: t.type === 'CONTRACTOR' ? true : null,
      },
      title: p.title,
      department: p.department,
      departmentId: deptIds.get(p.department)!,
      workLocation: legacyAddress(loc),
      workLocationId: locIds.get(p.location)!,
      flsaStatus: t.period === 'SALARIED' ? 'exempt' : 'non-exempt',
      personalEmail: p.personalEmail,
      workEmail: p.workEmail,
      startDate: p.hireDate,
      endDate: p.terminationDate,
      roleState: state,
      employeeNumber: Number(p.employeeNumber),
      manager: mgr,
      customFields: {},
      createdAt: legacyTs(createdAt),
      updatedAt: legacyTs(p.updatedAt),
    });
  }
  const hq = org.locations[0]!;
  return {
    apiToken: opts.apiToken ?? 'sim-rippling-token-0123456789abcdef',
    restrictedToken: opts.restrictedToken ?? 'sim-rippling-restricted-token-0000',
    rest: {
      workers,
      users,
      departments: restDepartments,
      teams: restTeams,
      workLocations: restLocations,
      employmentTypes: restTypes,
      companies: [
        {
          id: companyId,
          created_at: created,
          updated_at: created,
          name: org.companyName,
          legal_name: org.legalName,
          doing_business_as_name: org.companyName,
          phone: '+14155550100',
          primary_email: `people@${org.domain}`,
          physical_address: {
            type: 'WORK',
            street_address: hq.line1,
            locality: hq.city,
            region: hq.region,
            postal_code: hq.postalCode,
            country: hq.country,
          },
          parent_legal_entity_id: companyId,
          legal_entities_id: [companyId],
          legal_entities: [],
        },
      ],
    },
    legacy: {
      employees,
      departments: legacyDepartments,
      teams: legacyTeams,
      levels: [
        { name: 'Executive', id: oid(PREFIX.level, 1), parent: null },
        { name: 'Manager', id: oid(PREFIX.level, 2), parent: null },
        { name: 'Individual Contributor', id: oid(PREFIX.level, 3), parent: null },
      ],
      workLocations: legacyLocations,
      company: {
        id: companyId,
        name: org.companyName,
        address: legacyAddress(hq),
        tax_info: { nameWithIrs: org.legalName, entityName: org.legalName, dba: null },
        workLocations: legacyLocations,
        primaryEmail: `people@${org.domain}`,
        phone: '4155550100',
        subscription: 'null',
      },
    },
  };
}

export interface RipplingRoutesOptions {
  /** REST server-side page size (default 100). */
  pageSize?: number;
  /** REST `next_link` form: relative (`/workers/?cursor=...`), absolute, or alternating (default). */
  nextLink?: 'relative' | 'absolute' | 'alternate';
  /** REST `next_link` carries only the cursor (no expand/filter/order_by). */
  bareNextLink?: boolean;
  /** REST: ignore `expand=user` (workers come without their user). */
  ignoreExpand?: boolean;
  /** Legacy: omit `departmentId` / `workLocationId` from employees (only the names/addresses, as in the spec's examples). */
  legacyOmitIds?: boolean;
  /** Legacy: ignore `limit`/`offset` and send everything. */
  legacyIgnoreLimit?: boolean;
}

const DETAIL = {
  noCredentials: 'Authentication credentials were not provided.',
  invalidToken: 'Invalid token.',
  forbidden: 'You do not have permission to perform this action.',
  notFound: 'Not found.',
};

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
  status,
  body,
  headers: {
    'x-request-id': `sim-${Math.random().toString(16).slice(2, 10)}`,
    vary: 'Accept, Authorization',
    allow: 'GET, HEAD, OPTIONS',
    ...headers,
  },
});
const detail = (status: number, message: string, headers: Record<string, string> = {}) =>
  reply(status, { detail: message }, headers);

export function ripplingRoutes(data: RipplingSimData, opts: RipplingRoutesOptions = {}): VendorRoutes {
  let usersIndex: { source: Json[]; length: number; byId: Map<string, Json> } | undefined;
  const usersById = (): Map<string, Json> => {
    const users = data.rest.users;
    if (!usersIndex || usersIndex.source !== users || usersIndex.length !== users.length) {
      usersIndex = { source: users, length: users.length, byId: new Map(users.map((u) => [String(u['id']), u])) };
    }
    return usersIndex.byId;
  };
  let pageCount = 0;
  // Sorting a large company on every page would make the walk quadratic: unfiltered sorts are cached
  // per list (and recomputed when the list changes).
  const sortCache = new Map<string, { source: Json[]; length: number; rows: Json[] }>();
  const sorted = (
    path: string,
    filter: string | null,
    order: string,
    rows: Json[],
    cmp: (a: Json, b: Json) => number,
  ): Json[] => {
    if (filter !== null) return [...rows].sort(cmp);
    const key = `${path}|${order}`;
    const hit = sortCache.get(key);
    if (hit && hit.source === rows && hit.length === rows.length) return hit.rows;
    const out = [...rows].sort(cmp);
    sortCache.set(key, { source: rows, length: rows.length, rows: out });
    return out;
  };
  return {
    vendor: 'rippling',
    throttleBody: { detail: 'Request was throttled. Expected available in 1 second.' },
    route: (rawPath) => rawPath,
    handle(req) {
      const token = bearerToken(req.headers);
      if (!token) return detail(401, DETAIL.noCredentials, { 'www-authenticate': 'Bearer realm="api"' });
      if (token !== data.apiToken && token !== data.restrictedToken)
        return detail(401, DETAIL.invalidToken, { 'www-authenticate': 'Bearer realm="api"' });
      const restricted = token === data.restrictedToken;
      if (req.method !== 'GET' && req.method !== 'HEAD') return detail(405, `Method "${req.method}" not allowed.`);
      const legacy = /^\/platform\/api(\/.*)?$/.exec(req.path);
      if (legacy) return handleLegacy(data, opts, legacy[1] ?? '/', req);
      return handleRest(req, restricted);
    },
  };

  function handleRest(req: SimRequest, restricted: boolean): SimResponse {
    const path = req.path;
    if (!path.endsWith('/')) {
      const qs = req.query.toString();
      return reply(301, '', { location: `${path}/${qs ? `?${qs}` : ''}`, 'content-type': 'text/html; charset=utf-8' });
    }
    const lists: Record<string, () => Json[]> = {
      '/workers/': () => data.rest.workers,
      '/users/': () => data.rest.users,
      '/departments/': () => data.rest.departments,
      '/teams/': () => data.rest.teams,
      '/work-locations/': () => data.rest.workLocations,
      '/employment-types/': () => data.rest.employmentTypes,
      '/companies/': () => data.rest.companies,
    };
    const one = /^\/(workers|users)\/([^/]+)\/$/.exec(path);
    if (one) {
      const rows = one[1] === 'workers' ? data.rest.workers : data.rest.users;
      const row = rows.find((r) => r['id'] === one[2]);
      return row ? reply(200, { ...row, __meta: { redacted_fields: [] } }) : detail(404, DETAIL.notFound);
    }
    const list = lists[path];
    if (!list) return detail(404, DETAIL.notFound);
    if (restricted && (path === '/employment-types/' || path === '/users/')) return detail(403, DETAIL.forbidden);

    let rows = list();
    const filter = req.query.get('filter');
    if (filter !== null) {
      if (path !== '/workers/') return detail(400, `Filtering is not supported on ${path}`);
      const parsed = parseFilter(filter);
      if (typeof parsed === 'string') return detail(400, parsed);
      rows = rows.filter((r) => parsed.every((c) => c(r)));
    }
    const orderBy = req.query.get('order_by');
    if (orderBy) {
      const desc = orderBy.startsWith('-') || /\s+desc$/i.test(orderBy);
      const field = orderBy
        .replace(/^-/, '')
        .replace(/\s+(asc|desc)$/i, '')
        .trim();
      if (!['id', 'created_at', 'updated_at'].includes(field)) return detail(400, `Invalid order_by field: ${field}`);
      rows = sorted(path, filter, `${field}:${desc}`, rows, (a, b) => {
        const x = String(a[field] ?? '');
        const y = String(b[field] ?? '');
        const c =
          field === 'id'
            ? x < y
              ? -1
              : x > y
                ? 1
                : 0
            : Date.parse(x) - Date.parse(y) || (String(a['id']) < String(b['id']) ? -1 : 1);
        return desc ? -c : c;
      });
    }
    let offset = 0;
    const cursor = req.query.get('cursor');
    if (cursor !== null) {
      const decoded = decodeCursor(cursor);
      if (decoded === null) return detail(400, 'Invalid cursor');
      offset = decoded.offset;
      if (decoded.lastId !== undefined && String(rows[offset - 1]?.['id']) !== decoded.lastId) {
        const at = rows.findIndex((r) => String(r['id']) === decoded.lastId);
        if (at >= 0) offset = at + 1;
      }
    }
    const size = Math.max(1, opts.pageSize ?? 100);
    let page = rows.slice(offset, offset + size);
    const expand = (req.query.get('expand') ?? '').split(',').map((s) => s.trim());
    if (path === '/workers/' && expand.includes('user') && !opts.ignoreExpand) {
      const users = usersById();
      page = page.map((w) => ({ ...w, user: restricted ? null : (users.get(String(w['user_id'])) ?? null) }));
    }
    let next: string | null = null;
    if (offset + size < rows.length) {
      const params = new URLSearchParams();
      if (!opts.bareNextLink)
        for (const k of ['expand', 'filter', 'order_by'])
          if (req.query.get(k) !== null) params.set(k, req.query.get(k)!);
      params.set('cursor', encodeCursor(offset + size, page[page.length - 1]?.['id']));
      const rel = `${path}?${params.toString()}`;
      const style = opts.nextLink ?? 'alternate';
      const absolute = style === 'absolute' || (style === 'alternate' && pageCount++ % 2 === 1);
      next = absolute ? `http://${String(req.headers.host)}${rel}` : rel;
    }
    const redacted = restricted && path === '/workers/' ? [{ name: 'user', reason: 'Insufficient entitlements' }] : [];
    return reply(200, { __meta: { redacted_fields: redacted }, results: page, next_link: next });
  }
}

/**
 * An opaque cursor: the position and the id of the last record served. Resuming after that record
 * (when it still exists) keeps the walk stable when records before it are deleted or inserted
 * mid-walk, as a keyset cursor does (Rippling documents cursors as opaque; see README, UNCONFIRMED).
 */
function encodeCursor(offset: number, lastId?: unknown): string {
  return Buffer.from(
    JSON.stringify({ o: offset, v: 1, ...(lastId !== undefined ? { k: String(lastId) } : {}) }),
  ).toString('base64url');
}

function decodeCursor(cursor: string): { offset: number; lastId?: string } | null {
  try {
    const o = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; k?: unknown };
    if (!(typeof o.o === 'number' && Number.isInteger(o.o) && o.o >= 0)) return null;
    return typeof o.k === 'string' ? { offset: o.o, lastId: o.k } : { offset: o.o };
  } catch {
    return null;
  }
}

const FILTERABLE = new Set(['status', 'work_email', 'user_id', 'created_at', 'updated_at']);

/** `updated_at ge 2024-10-01T00:00:00Z and status eq 'ACTIVE'` -> predicates, or an error message. */
export function parseFilter(filter: string): Array<(row: Json) => boolean> | string {
  const out: Array<(row: Json) => boolean> = [];
  for (const clause of filter.split(/\s+and\s+/i)) {
    const m = /^\s*([a-z_]+)\s+(eq|ne|gt|ge|lt|le)\s+(?:'([^']*)'|"([^"]*)"|(\S+))\s*$/i.exec(clause);
    if (!m) return `Invalid filter: ${clause.trim()}`;
    const field = m[1]!;
    const op = m[2]!.toLowerCase();
    const value = m[3] ?? m[4] ?? m[5] ?? '';
    if (!FILTERABLE.has(field)) return `Invalid filter field: ${field}`;
    const isTime = field.endsWith('_at');
    // A timestamp without an offset is read as UTC.
    const target = isTime ? Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`) : value;
    if (isTime && Number.isNaN(target as number)) return `Invalid timestamp in filter: ${value}`;
    out.push((row) => {
      const v = isTime ? Date.parse(String(row[field] ?? '')) : String(row[field] ?? '');
      switch (op) {
        case 'eq':
          return v === target;
        case 'ne':
          return v !== target;
        case 'gt':
          return v > target;
        case 'ge':
          return v >= target;
        case 'lt':
          return v < target;
        default:
          return v <= target;
      }
    });
  }
  return out;
}

function handleLegacy(
  data: RipplingSimData,
  opts: RipplingRoutesOptions,
  rawPath: string,
  req: SimRequest,
): SimResponse {
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  const paged = (rows: Json[]): SimResponse => {
    if (opts.legacyIgnoreLimit) return reply(200, rows);
    const limitRaw = req.query.get('limit');
    const offsetRaw = req.query.get('offset');
    if ((limitRaw !== null && !/^\d+$/.test(limitRaw)) || (offsetRaw !== null && !/^\d+$/.test(offsetRaw)))
      return detail(400, 'limit and offset must be integers');
    const offset = Number(offsetRaw ?? 0);
    if (limitRaw === null) return reply(200, rows.slice(offset));
    const limit = Math.min(100, Number(limitRaw)); // "Pagination should be set to a maximum of 100."
    return reply(200, rows.slice(offset, offset + limit));
  };
  const employees = (rows: Json[]) =>
    opts.legacyOmitIds
      ? rows.map((e) => {
          const { departmentId: _d, workLocationId: _l, ...rest } = e;
          return rest;
        })
      : rows;
  switch (path) {
    case '/employees':
      return paged(employees(data.legacy.employees.filter((e) => e['roleState'] !== 'TERMINATED')));
    case '/employees/include_terminated':
      return paged(employees(data.legacy.employees));
    case '/departments':
      return paged(data.legacy.departments);
    case '/teams':
      return paged(data.legacy.teams);
    case '/levels':
      return paged(data.legacy.levels);
    case '/work_locations':
      return paged(data.legacy.workLocations);
    case '/companies/current':
      return reply(200, data.legacy.company);
    case '/me':
      return reply(200, {
        id: data.legacy.employees[0]?.['id'] ?? null,
        workEmail: data.legacy.employees[0]?.['workEmail'] ?? null,
        company: data.legacy.company['id'],
      });
    default: {
      const one = /^\/employees\/([^/]+)$/.exec(path);
      if (one) {
        const e = data.legacy.employees.find((x) => x['id'] === one[1]);
        return e ? reply(200, employees([e])[0]) : detail(404, DETAIL.notFound);
      }
      return detail(404, DETAIL.notFound);
    }
  }
}

/**
 * Serve a changed company from now on: re-render `next`, stamp `changedAt` as the update time of
 * every worker (and legacy employee) whose record or user changed, and keep the tokens.
 */
export function updateRipplingData(data: RipplingSimData, next: SampleOrg, changedAt: Date = new Date()): void {
  const fresh = ripplingDataFromSample(next, { apiToken: data.apiToken, restrictedToken: data.restrictedToken });
  const usersOf = (d: RipplingSimData) => new Map(d.rest.users.map((u) => [u['id'], u]));
  const oldUsers = usersOf(data);
  const newUsers = usersOf(fresh);
  const fingerprint = (w: Json, users: Map<unknown, Json>) =>
    JSON.stringify([
      { ...w, updated_at: null },
      { ...users.get(w['user_id']), updated_at: null },
    ]);
  const before = new Map(data.rest.workers.map((w) => [w['id'], { print: fingerprint(w, oldUsers), worker: w }]));
  const oldLegacy = new Map(data.legacy.employees.map((e) => [e['id'], e['updatedAt']]));
  const stamp = changedAt.toISOString();
  const changed = new Set<unknown>();
  for (const w of fresh.rest.workers) {
    const was = before.get(w['id']);
    if (was && was.print === fingerprint(w, newUsers)) {
      // Unchanged: keeps the update times it had (Rippling never moves updated_at back).
      w['updated_at'] = was.worker['updated_at'];
      const u = newUsers.get(w['user_id']);
      const oldUser = oldUsers.get(w['user_id']);
      if (u && oldUser) u['updated_at'] = oldUser['updated_at'];
      continue;
    }
    changed.add(w['id']);
    w['updated_at'] = stamp;
    const u = newUsers.get(w['user_id']);
    if (u) u['updated_at'] = stamp;
  }
  for (const e of fresh.legacy.employees) {
    if (changed.has(e['id'])) e['updatedAt'] = legacyTs(stamp);
    else if (oldLegacy.has(e['id'])) e['updatedAt'] = oldLegacy.get(e['id']);
  }
  data.rest = fresh.rest;
  data.legacy = fresh.legacy;
}

function vendorSimulator(api: 'rest' | 'legacy'): VendorSimulator {
  return {
    id: 'rippling',
    async start(org, options) {
      const r = await startRipplingSimulator(org, { api, ...(options ? { simulator: options } : {}) });
      return {
        sim: r.sim,
        options: r.options,
        update: (next, changedAt) => updateRipplingData(r.data, next, changedAt),
      };
    },
    badCredentials: (o) => ({ ...o, apiToken: 'sim-rippling-revoked-token-999999' }),
    employeesPath: api === 'rest' ? '/workers/' : '/platform/api/employees/include_terminated',
    // 120 people: two pages of 100 on both APIs.
    paged: true,
    sample: {
      personId: (p) => ripplingId(p.key),
      // The legacy rendering here carries no `teams` on employees (the connector reads them when present).
      groups: api === 'rest' ? { department: 'DEPARTMENT', team: 'TEAM' } : { department: 'DEPARTMENT' },
      // Rippling has no leave state: people on leave read as ACTIVE.
      expect: (p) => ({
        status: ({ active: 'ACTIVE', leave: 'ACTIVE', pending: 'PENDING', terminated: 'TERMINATED' } as const)[
          p.status
        ],
      }),
    },
  };
}

/** For `connectors/simulators.ts`: the REST API (the connector's default). */
export const ripplingSimulator: VendorSimulator = vendorSimulator('rest');
/** The same company over the legacy platform API (options include `api: 'legacy'`). */
export const ripplingLegacySimulator: VendorSimulator = vendorSimulator('legacy');

export interface StartRipplingOptions {
  api?: 'rest' | 'legacy';
  simulator?: SimulatorOptions;
  routes?: RipplingRoutesOptions;
}

/** Start a simulator for the sample company and return the `rippling(...)` options that read it. */
export async function startRipplingSimulator(
  org: SampleOrg,
  o: StartRipplingOptions = {},
): Promise<{
  sim: Simulator;
  data: RipplingSimData;
  options: { apiToken: string; api: 'rest' | 'legacy'; baseUrl: string };
}> {
  const data = ripplingDataFromSample(org);
  const sim = await startSimulator(ripplingRoutes(data, o.routes), o.simulator);
  const api = o.api ?? 'rest';
  return {
    sim,
    data,
    options: { apiToken: data.apiToken, api, baseUrl: api === 'legacy' ? `${sim.url}/platform/api` : sim.url },
  };
}
