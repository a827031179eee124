/**
 * A local HiBob: serves the sample company the way Bob's API does. `POST /v1/people/search`
 * (Basic auth with a service user; `fields` picks field paths, `showInactive` decides whether
 * inactive people are included, one `root.id`/`root.email` equals filter at most, `humanReadable`
 * APPEND/REPLACE), `GET /v1/company/named-lists[/{name}]` with `includeArchived`, `{key, error}`
 * error bodies, and the people-search budget of 50 requests per rolling minute answered with a
 * bare 429 (no Retry-After: Bob documents none).
 */
import type { SampleOrg, SamplePerson, SampleType } from '../../src/simulator/sample-org.js';
import {
  basicAuth,
  startSimulator,
  type SimRequest,
  type SimResponse,
  type VendorRoutes,
} from '../../src/simulator/server.js';
import { rollingWindow, type RollingWindow } from '../../src/simulator/window.js';
import type { VendorSimulator } from '../../src/simulator/vendor.js';

type Json = Record<string, any>;

export interface HibobSimData {
  serviceUserId: string;
  serviceUserToken: string;
  companyId: number;
  employees: Json[];
  /** Named lists by name (`department`, `site`, ...). */
  lists: Record<string, { name: string; items: Json[] }>;
}

export interface HibobRoutesOptions {
  /** People-search requests per rolling minute (Bob: 50); 0 disables the budget. */
  searchPerMinute?: number;
}

/** Bob ids are long numeric strings. */
export const hibobEmployeeId = (key: number): string => String(3_332_883_884_017_000_000n + BigInt(key) * 7_919n);
/** The custom field that carries the sample's team. */
export const HIBOB_TEAM_FIELD = 'field_1700000000001';

const TYPE: Record<SampleType, { type: string; contract: string }> = {
  full_time: { type: 'Permanent', contract: 'Full time' },
  part_time: { type: 'Permanent', contract: 'Part time' },
  contractor: { type: 'Contractor', contract: 'Full time' },
  intern: { type: 'Intern', contract: 'Full time' },
  temporary: { type: 'Temporary', contract: 'Full time' },
};
const LIFECYCLE: Record<SamplePerson['status'], [string, string]> = {
  active: ['Employed', 'Active'],
  pending: ['Hired', 'Active'],
  leave: ['Leave', 'Active'],
  terminated: ['Terminated', 'Inactive'],
};

export function hibobDataFromSample(
  org: SampleOrg,
  o: { serviceUserId?: string; serviceUserToken?: string } = {},
): HibobSimData {
  const deptId = new Map(org.departments.map((d, i) => [d.name, 1_000_100 + i]));
  const siteId = new Map(org.locations.map((l, i) => [l.name, 2_000_100 + i]));
  const byKey = new Map(org.people.map((p) => [p.key, p]));
  const companyId = 639863;
  const employees = org.people.map((p): Json => {
    const m = p.managerKey ? byKey.get(p.managerKey) : undefined;
    const [lifecycleStatus, status] = LIFECYCLE[p.status];
    return {
      id: hibobEmployeeId(p.key),
      companyId,
      firstName: p.firstName,
      surname: p.lastName,
      displayName: `${p.preferredName ?? p.firstName} ${p.lastName}`,
      email: p.workEmail,
      work: {
        title: p.title,
        department: String(deptId.get(p.department)),
        site: p.location,
        siteId: siteId.get(p.location),
        startDate: p.hireDate,
        // Nobody above: no reportsTo at all (the spec's EmployeeReference is not nullable).
        ...(m
          ? {
              reportsTo: {
                id: hibobEmployeeId(m.key),
                firstName: m.firstName,
                surname: m.lastName,
                email: m.workEmail,
              },
              manager: hibobEmployeeId(m.key),
            }
          : {}),
        employeeIdInCompany: Number(p.employeeNumber),
        ...(p.team ? { custom: { [HIBOB_TEAM_FIELD]: p.team } } : {}),
      },
      internal: { status, lifecycleStatus, terminationDate: p.terminationDate },
      payroll: { employment: TYPE[p.type] },
      home: { privateEmail: p.personalEmail },
    };
  });
  const list = (name: string, items: Json[]) => ({ name, items });
  return {
    serviceUserId: o.serviceUserId ?? 'SERVICE-4711',
    serviceUserToken: o.serviceUserToken ?? 'sim-hibob-token-0c9d8e7f6a5b4c3d2e1f',
    companyId,
    employees,
    lists: {
      department: list('department', [
        ...org.departments.map((d) => ({ id: deptId.get(d.name)!, name: d.name, archived: false, children: [] })),
        { id: 1_000_099, name: 'Operations (old)', archived: true, children: [] },
      ]),
      site: list(
        'site',
        org.locations.map((l) => ({ id: siteId.get(l.name)!, name: l.name, archived: false, children: [] })),
      ),
    },
  };
}

const error = (status: number, key: string, message: string): SimResponse => ({
  status,
  body: { key, error: message },
});

/** The value at a dotted path of a person (`root.x` is the top-level `x`). */
function pick(person: Json, paths: string[]): Json {
  const out: Json = {};
  for (const p of paths) {
    const parts = p.split('.');
    const src = parts[0] === 'root' ? parts.slice(1) : parts;
    let v: any = person;
    for (const k of src) v = v && typeof v === 'object' ? v[k] : undefined;
    if (v === undefined) continue;
    let o = out;
    src.slice(0, -1).forEach((k) => (o = o[k] ??= {}));
    o[src[src.length - 1]!] = v;
  }
  return out;
}

const BASIC = [
  'root.id',
  'root.companyId',
  'root.email',
  'root.firstName',
  'root.surname',
  'root.displayName',
  'about',
  'employment',
  'work',
];

function labels(data: HibobSimData) {
  const name = (list: string, id: unknown) =>
    data.lists[list]?.items.find((i) => String(i['id']) === String(id))?.['name'] ?? id;
  return (p: Json): Json => ({
    ...(p['work']
      ? {
          work: {
            ...p['work'],
            department: name('department', p['work'].department),
            ...(p['work'].reportsTo
              ? { reportsTo: `${p['work'].reportsTo.firstName} ${p['work'].reportsTo.surname}` }
              : {}),
          },
        }
      : {}),
  });
}

function search(data: HibobSimData, req: SimRequest): SimResponse {
  let body: Json;
  try {
    body = req.body ? JSON.parse(req.body) : {};
  } catch {
    return error(400, 'bad_request', 'Malformed JSON request body');
  }
  const fields: string[] = Array.isArray(body['fields']) ? body['fields'] : BASIC;
  const filters: Json[] = Array.isArray(body['filters']) ? body['filters'] : [];
  if (filters.length > 1) return error(400, 'bad_request', 'Only one filter is supported');
  let people =
    body['showInactive'] === true ? data.employees : data.employees.filter((e) => e['internal']?.status === 'Active');
  for (const f of filters) {
    if (
      !['root.id', 'root.email'].includes(f['fieldPath']) ||
      f['operator'] !== 'equals' ||
      !Array.isArray(f['values']) ||
      !f['values'].length
    ) {
      return error(
        400,
        'bad_request',
        `Unsupported filter ${JSON.stringify(f['fieldPath'])} ${JSON.stringify(f['operator'])}`,
      );
    }
    const key = f['fieldPath'] === 'root.id' ? 'id' : 'email';
    people = people.filter((e) => f['values'].includes(e[key]));
  }
  const human = body['humanReadable'];
  const label = labels(data);
  const rows = people.map((p) => {
    const out = pick(p, fields);
    if (human === 'APPEND') return { ...out, humanReadable: pick({ ...p, ...label(p) }, fields) };
    if (human === 'REPLACE') return pick({ ...p, ...label(p) }, fields);
    return out;
  });
  return { status: 200, body: { employees: rows } };
}

export function hibobRoutes(data: HibobSimData, o: HibobRoutesOptions = {}): VendorRoutes {
  const perMinute = o.searchPerMinute ?? 50;
  const budget: RollingWindow | null = perMinute > 0 ? rollingWindow(perMinute, 60_000) : null;
  return {
    vendor: 'hibob',
    throttleBody: { key: 'too_many_requests', error: 'Too many requests' },
    route: (p) => (p.startsWith('/v1/') ? p.slice(3).replace(/\/+$/, '') : null),
    handle(req): SimResponse {
      const creds = basicAuth(req.headers);
      if (!creds || creds.user !== data.serviceUserId || creds.pass !== data.serviceUserToken) {
        return error(401, 'unauthorized', 'Unauthorized: invalid service user credentials');
      }
      if (req.method === 'POST' && req.path === '/people/search') {
        if (budget && !budget.take()) return error(429, 'too_many_requests', 'Too many requests');
        return search(data, req);
      }
      if (req.method === 'GET' && req.path.startsWith('/company/named-lists')) {
        const archived = req.query.get('includeArchived') === 'true';
        const render = (l: { name: string; items: Json[] }) => ({
          name: l.name,
          items: archived ? l.items : l.items.filter((i) => !i['archived']),
        });
        const name = req.path.slice('/company/named-lists'.length).replace(/^\//, '');
        if (!name) return { status: 200, body: Object.values(data.lists).map(render) };
        const l = data.lists[decodeURIComponent(name)];
        return l ? { status: 200, body: render(l) } : { status: 404, body: '' };
      }
      return error(404, 'not_found', 'Not found');
    },
  };
}

export const hibobSimulator: VendorSimulator = {
  id: 'hibob',
  async start(org, options) {
    const data = hibobDataFromSample(org);
    const sim = await startSimulator(hibobRoutes(data), options);
    const update = (next: SampleOrg) => void Object.assign(data, { ...hibobDataFromSample(next, data) });
    return {
      sim,
      options: {
        serviceUserId: data.serviceUserId,
        serviceUserToken: data.serviceUserToken,
        baseUrl: `${sim.url}/v1`,
        companyName: org.companyName,
      },
      update,
    };
  },
  badCredentials: (o) => ({ ...o, serviceUserToken: 'revoked-hibob-token-000000' }),
  employeesPath: '/v1/people/search',
  paged: false,
  // Every sample field has a place in Bob: lifecycle status (leave included), contract and type, dates.
  sample: { personId: (p) => hibobEmployeeId(p.key), groups: { department: 'DEPARTMENT' } },
};
