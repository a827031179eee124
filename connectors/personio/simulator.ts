/**
 * A local Personio (API v2): `POST /v2/auth/token` (OAuth2 client credentials, form fields, 24 h
 * tokens, RFC 6749 errors as 400 `application/problem+json` like Personio's), `GET /v2/persons`
 * (`limit` 1-50, opaque `cursor`, `_meta.links.next.href` absent on the last page, `updated_at.gt`
 * and `status` filters), `GET /v2/persons/{id}`, `GET /v2/persons/{id}/employments` (most recent first), `GET /v2/org-units`
 * (`type=department|team`), Bearer auth and `{personio_trace_id, timestamp, errors[]}` error bodies.
 * Personio publishes no v2 data limit: throttling is the generic simulator's (`rateLimit` option).
 */
import { createHash } from 'node:crypto';
import type { SampleOrg, SamplePerson } from '../../src/simulator/sample-org.js';
import { SimTokenIssuer } from '../../src/simulator/oauth2.js';
import { startSimulator, type SimRequest, type SimResponse, type VendorRoutes } from '../../src/simulator/server.js';
import type { VendorSimulator } from '../../src/simulator/vendor.js';

type Json = Record<string, any>;

export interface PersonioSimData {
  clientId: string;
  clientSecret: string;
  persons: Json[];
  /** Employments by person id, most recent first. */
  employments: Map<string, Json[]>;
  orgUnits: Json[];
}

export const personioPersonId = (key: number): string => String(3000 + key);
/** Offices have ids only in v2: the id the simulator gives a sample location. */
export const personioOfficeId = (name: string): string =>
  String(100_000 + (parseInt(createHash('md5').update(`office:${name}`).digest('hex').slice(0, 6), 16) % 900_000));
const unitId = (type: string, name: string): string =>
  String(parseInt(createHash('md5').update(`${type}:${name}`).digest('hex').slice(0, 7), 16));
const STATUS: Record<SamplePerson['status'], string> = {
  active: 'ACTIVE',
  pending: 'ONBOARDING',
  leave: 'LEAVE',
  terminated: 'INACTIVE',
};

export function personioDataFromSample(
  org: SampleOrg,
  o: { clientId?: string; clientSecret?: string } = {},
): PersonioSimData {
  const employments = new Map<string, Json[]>();
  const legalEntity = { id: unitId('entity', org.legalName) };
  const persons = org.people.map((p): Json => {
    const id = personioPersonId(p.key);
    const employmentId = String(9_000_000 + p.key);
    const employment: Json = {
      id: employmentId,
      position: { title: p.title },
      status: STATUS[p.status],
      weekly_working_hours: p.type === 'part_time' ? 20 : 40,
      full_time_weekly_working_hours: 40,
      employment_start_date: p.hireDate,
      type: p.type === 'contractor' ? 'EXTERNAL' : 'INTERNAL',
      ...(p.managerKey ? { supervisor: { id: personioPersonId(p.managerKey) } } : {}),
      office: { id: personioOfficeId(p.location) },
      org_units: [
        { type: 'department', id: unitId('department', p.department) },
        ...(p.team ? [{ type: 'team', id: unitId('team', p.team) }] : []),
      ],
      legal_entity: legalEntity,
      person: { id },
      ...(p.terminationDate
        ? {
            termination: {
              termination_date: p.terminationDate,
              last_working_day: p.terminationDate,
              terminated_at: p.terminationDate,
              type: p.terminationType === 'involuntary' ? 'FIRED' : 'EMPLOYEE',
              reason: '',
            },
          }
        : {}),
      created_at: `${p.hireDate}T09:00:00Z`,
      updated_at: p.updatedAt,
    };
    employments.set(id, [employment]);
    return {
      id,
      email: p.workEmail,
      first_name: p.firstName,
      last_name: p.lastName,
      ...(p.preferredName ? { preferred_name: p.preferredName } : {}),
      gender: 'UNSPECIFIED',
      status: p.status === 'terminated' ? 'INACTIVE' : 'ACTIVE',
      custom_attributes: p.team
        ? [{ id: 'dynamic_305', type: 'STRING', global_id: 'team', label: 'Team', value: p.team }]
        : [],
      employments: [{ id: employmentId }],
      created_at: `${p.hireDate}T09:00:00Z`,
      updated_at: p.updatedAt,
    };
  });
  const orgUnits = [
    ...org.departments.map((d) => ({ id: unitId('department', d.name), name: d.name, type: 'department' })),
    ...org.teams.map((t) => ({
      id: unitId('team', t.name),
      name: t.name,
      type: 'team',
      parent_id: unitId('department', t.department),
    })),
  ];
  return {
    clientId: o.clientId ?? 'papi-sim-4d2c1b0a-client',
    clientSecret: o.clientSecret ?? 'papi-sim-secret-8f7e6d5c4b3a29180716',
    persons,
    employments,
    orgUnits,
  };
}

const problem = (status: number, title: string, detail: string): SimResponse => ({
  status,
  headers: { 'content-type': 'application/problem+json' },
  body: {
    personio_trace_id: createHash('md5').update(`${Date.now()}:${Math.random()}`).digest('hex').slice(0, 32),
    timestamp: new Date().toISOString(),
    errors: [
      {
        title,
        detail,
        type: `https://developer.personio.de/reference/errors#${title.toLowerCase().replace(/\s+/g, '_')}`,
      },
    ],
  },
});

/**
 * One page of a v2 list: `_data` and `_meta.links` (self, and next unless it is the last page). The
 * cursor is a keyset (the last id served), so people added or removed meanwhile shift nothing.
 */
function list(req: SimRequest, rows: Json[], max = 50): SimResponse {
  const limit = Number(req.query.get('limit') ?? 10);
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    return problem(400, 'Bad Request', `limit must be between 1 and ${max}`);
  const cursor = req.query.get('cursor');
  let after: string | null = null;
  let size = limit;
  if (cursor) {
    const m = /^(.+)_(\d+)$/.exec(Buffer.from(cursor.replace(/^cur_/, ''), 'base64url').toString('utf8'));
    if (!m) return problem(400, 'Bad Request', 'The cursor is invalid.');
    after = m[1]!;
    size = Number(m[2]);
  }
  const key = (r: Json) => String(r['id']).padStart(20, '0');
  // Sorted once per list (the unfiltered list is the same array on every request: a 100,000-person
  // walk sorted it 1,000 times), then the first key after the cursor found by binary search.
  let sorted = sortedLists.get(rows);
  if (!sorted) {
    sorted = [...rows].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
    sortedLists.set(rows, sorted);
  }
  let start = 0;
  if (after !== null) {
    let hi = sorted.length;
    while (start < hi) {
      const mid = (start + hi) >>> 1;
      if (key(sorted[mid]!) > after) hi = mid;
      else start = mid + 1;
    }
  }
  const items = sorted.slice(start, start + size);
  const url = (c?: string) => `http://${req.headers.host}${req.rawPath}${c ? `?cursor=${c}` : ''}`;
  const links: Json = { self: { href: url(cursor ?? undefined) } };
  const last = items[items.length - 1];
  if (last && start + size < sorted.length)
    links['next'] = { href: url(`cur_${Buffer.from(`${key(last)}_${size}`).toString('base64url')}`) };
  return { status: 200, body: { _data: items, _meta: { links } } };
}

/** Each list of records, sorted by the cursor key (lists are not changed once built; a change builds new ones). */
const sortedLists = new WeakMap<Json[], Json[]>();

export function personioRoutes(data: PersonioSimData): VendorRoutes {
  let issuer = new SimTokenIssuer({
    clientId: data.clientId,
    clientSecret: data.clientSecret,
    clientAuth: 'body',
    expiresIn: 86_400,
    tokenPrefix: 'papi',
  });
  let credentials = `${data.clientId}:${data.clientSecret}`;
  return {
    vendor: 'personio',
    route: (p) => (p.startsWith('/v2/') ? p.replace(/\/+$/, '') : null),
    handle(req): SimResponse {
      if (`${data.clientId}:${data.clientSecret}` !== credentials) {
        issuer = new SimTokenIssuer({
          clientId: data.clientId,
          clientSecret: data.clientSecret,
          clientAuth: 'body',
          expiresIn: 86_400,
          tokenPrefix: 'papi',
        });
        credentials = `${data.clientId}:${data.clientSecret}`;
      }
      if (req.path === '/v2/auth/token') {
        const r = issuer.handle(req);
        // Personio answers every token error with 400 application/problem+json (spec: 200 and 400 only).
        if (r.status === 200) return r;
        const b = r.body as Json;
        return {
          status: 400,
          headers: { 'content-type': 'application/problem+json' },
          body: {
            error: b['error'],
            error_description: b['error_description'],
            error_uri: `https://developer.personio.de/reference/errors#credentials.${b['error']}`,
            timestamp: new Date().toISOString(),
            trace_id: 'sim-trace',
          },
        };
      }
      if (!issuer.authorized(req))
        return problem(401, 'Unauthorized', 'The access token is missing, invalid or expired.');
      if (req.method !== 'GET') return problem(405, 'Method Not Allowed', 'Only GET is simulated.');
      if (req.path === '/v2/persons') {
        let rows = data.persons;
        const gt = req.query.get('updated_at.gt');
        if (gt !== null) {
          const t = Date.parse(gt);
          if (Number.isNaN(t)) return problem(400, 'Bad Request', 'updated_at.gt must be a date-time');
          rows = rows.filter((p) => Date.parse(p['updated_at']) > t);
        }
        const status = req.query.get('status');
        if (status) rows = rows.filter((p) => p['status'] === status);
        return list(req, rows);
      }
      const one = /^\/v2\/persons\/([^/]+)$/.exec(req.path);
      if (one) {
        const p = data.persons.find((x) => x['id'] === decodeURIComponent(one[1]!));
        return p ? { status: 200, body: p } : problem(404, 'Not found', 'The requested resource was not found.');
      }
      const emp = /^\/v2\/persons\/([^/]+)\/employments$/.exec(req.path);
      if (emp) {
        const found = data.employments.get(decodeURIComponent(emp[1]!));
        return found ? list(req, found) : problem(404, 'Not found', 'The requested resource was not found.');
      }
      if (req.path === '/v2/org-units') {
        const type = req.query.get('type');
        if (type !== 'department' && type !== 'team')
          return problem(400, 'Bad Request', 'type must be department or team');
        return list(
          req,
          data.orgUnits.filter((u) => u['type'] === type),
        );
      }
      return problem(404, 'Not found', 'The requested resource was not found.');
    },
  };
}

export const personioSimulator: VendorSimulator = {
  id: 'personio',
  async start(org, options) {
    const data = personioDataFromSample(org);
    const sim = await startSimulator(personioRoutes(data), options);
    const update = (next: SampleOrg, changedAt = new Date()) => {
      const fresh = personioDataFromSample(next, data);
      const key = (id: string, p: Json) =>
        JSON.stringify([
          { ...p, updated_at: null },
          (fresh.employments.get(id) ?? []).map((e) => ({ ...e, updated_at: null })),
        ]);
      const old = new Map(
        data.persons.map((p) => [
          p['id'],
          JSON.stringify([
            { ...p, updated_at: null },
            (data.employments.get(p['id']) ?? []).map((e) => ({ ...e, updated_at: null })),
          ]),
        ]),
      );
      for (const p of fresh.persons) {
        const was = data.persons.find((x) => x['id'] === p['id']);
        // An unchanged person keeps the update time they had; a changed one (or an employment change) is stamped.
        p['updated_at'] = was && old.get(p['id']) === key(p['id'], p) ? was['updated_at'] : changedAt.toISOString();
      }
      Object.assign(data, fresh);
    };
    return {
      sim,
      options: {
        clientId: data.clientId,
        clientSecret: data.clientSecret,
        baseUrl: sim.url,
        companyName: org.companyName,
      },
      update,
    };
  },
  badCredentials: (o) => ({ ...o, clientSecret: 'papi-revoked-secret-000000' }),
  employeesPath: '/v2/persons?',
  paged: true,
  sample: {
    personId: (p) => personioPersonId(p.key),
    groups: { department: 'DEPARTMENT', team: 'TEAM' },
    // v2 employments carry only `office.id` and no office endpoint is documented: locations are named by id.
    locationName: (l) => personioOfficeId(l.name),
    // Employment.type is INTERNAL or EXTERNAL: interns and temporary staff are internal, full-time by hours.
    expect: (p) => (p.type === 'intern' || p.type === 'temporary' ? { employmentType: 'FULL_TIME' } : {}),
  },
};
