/**
 * A local BambooHR: serves a company in BambooHR's wire format on both base URL forms
 * (`/api/v1/...` and `/api/gateway.php/{subdomain}/v1/...`), checks Basic auth (API key as
 * username, "x" as password), and throttles like BambooHR (429 + Retry-After; 503 before Sept 2026).
 */
import type { SampleOrg } from '../../src/simulator/sample-org.js';
import { basicAuth, type SimRequest, type SimResponse, type VendorRoutes } from '../../src/simulator/server.js';
import type { CompanyInformation, MetaList } from './schemas.js';

export type BambooRow = Record<string, string | null>;

export interface BambooSimData {
  subdomain: string;
  apiKey: string;
  /** A key that authenticates but lacks directory/report access (403). */
  restrictedKey?: string;
  lists: MetaList[];
  company: CompanyInformation;
  /** Custom-report rows with every field BambooHR knows for this company. */
  rows: BambooRow[];
  /** Ids reported as `Inserted` by `/v1/employees/changed` (others changed since are `Updated`). */
  inserted?: string[];
  /** Records deleted, for `/v1/employees/changed`. */
  deleted?: Array<{ id: string; lastChanged: string }>;
}

/** Field metadata BambooHR returns in a report's `fields` array. */
const FIELD_META: Record<string, { type: string; name: string }> = {
  id: { type: 'int', name: 'EEID' },
  employeeNumber: { type: 'employee_number', name: 'Employee #' },
  firstName: { type: 'text', name: 'First Name' },
  lastName: { type: 'text', name: 'Last Name' },
  preferredName: { type: 'text', name: 'Preferred Name' },
  displayName: { type: 'text', name: 'Display name' },
  workEmail: { type: 'email', name: 'Work Email' },
  homeEmail: { type: 'email', name: 'Home Email' },
  jobTitle: { type: 'list', name: 'Job Title' },
  department: { type: 'list', name: 'Department' },
  division: { type: 'list', name: 'Division' },
  location: { type: 'list', name: 'Location' },
  supervisorId: { type: 'text', name: 'Supervisor ID' },
  supervisor: { type: 'text', name: 'Supervisor name' },
  status: { type: 'status', name: 'Status' },
  employmentHistoryStatus: { type: 'list', name: 'Employment Status' },
  hireDate: { type: 'date', name: 'Hire Date' },
  terminationDate: { type: 'date', name: 'Termination Date' },
  lastChanged: { type: 'timestamp', name: 'Last changed' },
};

const TYPE_LABEL = {
  full_time: 'Full-Time',
  part_time: 'Part-Time',
  contractor: 'Contractor',
  intern: 'Intern',
  temporary: 'Temporary',
} as const;

/** BambooHR employee id for a sample person (ids differ from employee numbers, as in real accounts). */
export const bambooId = (key: number): string => String(key + 3);

/** Render the sample company as a BambooHR account. */
export function bambooDataFromSample(
  org: SampleOrg,
  opts: { subdomain?: string; apiKey?: string } = {},
): BambooSimData {
  let optionId = 18400;
  const list = (id: number, fieldId: number, alias: string, name: string, names: string[]): MetaList => ({
    id: String(id),
    fieldId: String(fieldId),
    alias,
    manageable: 'yes',
    multiple: alias === 'teams' ? 'yes' : 'no',
    name,
    options: names.map((n) => ({
      id: String(optionId++),
      archived: 'no',
      manageable: 'yes',
      createdDate: '2025-12-18T19:22:20+00:00',
      archivedDate: null,
      name: n,
    })),
  });
  const byKey = new Map(org.people.map((p) => [p.key, p]));
  const rows: BambooRow[] = org.people.map((p) => {
    const mgr = p.managerKey ? byKey.get(p.managerKey) : undefined;
    const history = p.status === 'terminated' ? 'Terminated' : p.status === 'leave' ? 'Furloughed' : TYPE_LABEL[p.type];
    return {
      id: bambooId(p.key),
      employeeNumber: p.employeeNumber,
      firstName: p.firstName,
      lastName: p.lastName,
      preferredName: p.preferredName,
      displayName: `${p.preferredName ?? p.firstName} ${p.lastName}`,
      workEmail: p.workEmail,
      homeEmail: p.personalEmail,
      jobTitle: p.title,
      department: p.department,
      division: p.division,
      location: p.location,
      // The quirk: supervisorId is the manager's employee NUMBER, not their id.
      supervisorId: mgr ? mgr.employeeNumber : null,
      supervisor: mgr ? `${mgr.lastName}, ${mgr.firstName}` : null,
      status: p.status === 'terminated' || p.status === 'pending' ? 'Inactive' : 'Active',
      employmentHistoryStatus: history,
      hireDate: p.hireDate,
      terminationDate: p.terminationDate ?? '0000-00-00',
      lastChanged: p.updatedAt.replace('Z', '+00:00'),
    };
  });
  return {
    subdomain: opts.subdomain ?? 'acme',
    apiKey: opts.apiKey ?? 'sim-bamboo-key-0123456789abcdef',
    restrictedKey: 'sim-bamboo-restricted-key-00000',
    lists: [
      list(3440, 16, 'employmentHistoryStatus', 'Employment Status', [
        'Contractor',
        'Full-Time',
        'Furloughed',
        'Intern',
        'Part-Time',
        'Temporary',
        'Terminated',
      ]),
      list(
        3442,
        18,
        'location',
        'Location',
        org.locations.map((l) => l.name),
      ),
      list(
        3443,
        4,
        'department',
        'Department',
        org.departments.map((d) => d.name),
      ),
      list(3452, 1355, 'division', 'Division', org.divisions),
      list(
        3461,
        4400,
        'teams',
        'Teams',
        org.teams.map((t) => t.name),
      ),
    ],
    company: {
      legalName: org.legalName,
      displayName: org.companyName,
      address: {
        line1: org.locations[0]!.line1,
        line2: null,
        city: org.locations[0]!.city,
        state: org.locations[0]!.region,
        zip: org.locations[0]!.postalCode,
      },
      phone: '+1 415 555 0100',
    },
    rows,
    deleted: [],
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
  status,
  body,
  headers: { 'x-request-id': `sim-${Math.random().toString(16).slice(2, 10)}`, ...headers },
});

export interface BambooRoutesOptions {
  /** How throttling is answered: 429 (from Sept 2026) or 503 (before). */
  throttleStatus?: 429 | 503;
}

export function bamboohrRoutes(data: BambooSimData, opts: BambooRoutesOptions = {}): VendorRoutes {
  return {
    vendor: 'bamboohr',
    throttleStatus: opts.throttleStatus ?? 429,
    route(rawPath) {
      const gw = /^\/api\/gateway\.php\/([^/]+)(\/v1(?:_2)?\/.*)$/.exec(rawPath);
      if (gw) return gw[1] === data.subdomain ? gw[2]! : null;
      const modern = /^\/api(\/v1(?:_2)?\/.*)$/.exec(rawPath);
      return modern ? modern[1]! : null;
    },
    handle: (req) => handle(data, req),
  };
}

function handle(data: BambooSimData, req: SimRequest): SimResponse {
  const cred = basicAuth(req.headers);
  if (!cred || (cred.user !== data.apiKey && cred.user !== data.restrictedKey)) {
    return { status: 401, body: '', headers: { 'X-BambooHR-Message': 'Invalid API key' } };
  }
  const restricted = cred.user === data.restrictedKey;
  const p = req.path.replace(/\/+$/, '');
  if (req.method === 'POST' && p === '/v1/reports/custom') {
    if (restricted)
      return { status: 403, body: '', headers: { 'X-BambooHR-Message': 'You do not have access to this report' } };
    if ((req.query.get('format') ?? '').toLowerCase() !== 'json')
      return { status: 200, body: '<?xml version="1.0"?><report></report>', headers: { 'content-type': 'text/xml' } };
    if (!/^application\/json/i.test(String(req.headers['content-type'] ?? '')))
      return { status: 400, body: 'Malformed XML', headers: { 'content-type': 'text/plain' } };
    let body: { fields?: unknown; filters?: { lastChanged?: { value?: string } } };
    try {
      body = JSON.parse(req.body || '{}');
    } catch {
      return { status: 400, body: 'Malformed JSON' };
    }
    const requested = Array.isArray(body.fields) ? body.fields.map(String) : ['id', 'firstName', 'lastName'];
    const known = requested.filter((f) => f === 'id' || data.rows.some((r) => f in r));
    const onlyCurrent = (req.query.get('onlyCurrent') ?? 'false') === 'true';
    const changedSince = Date.parse(body.filters?.lastChanged?.value ?? '');
    const rows = data.rows.filter(
      (r) =>
        (!onlyCurrent || r['status'] === 'Active') &&
        (Number.isNaN(changedSince) || Date.parse(r['lastChanged'] ?? '') >= changedSince),
    );
    return json(200, {
      title: 'orgsync employees',
      fields: known.map((id) => ({ id, ...(FIELD_META[id] ?? { type: 'text', name: id }) })),
      employees: rows.map((r) => Object.fromEntries(known.map((f) => [f, r[f] ?? null]))),
    });
  }
  if (req.method !== 'GET') return { status: 405, body: '' };
  if (p === '/v1/meta/lists') return json(200, data.lists);
  if (p === '/v1/company_information') return json(200, data.company);
  if (p === '/v1/employees/directory') {
    if (restricted)
      return { status: 403, body: '', headers: { 'X-BambooHR-Message': 'Directory sharing is disabled' } };
    const active = data.rows.filter((r) => r['status'] === 'Active');
    return json(200, {
      fields: [
        'displayName',
        'firstName',
        'lastName',
        'jobTitle',
        'workEmail',
        'department',
        'location',
        'division',
        'supervisor',
      ].map((id) => ({ id, type: FIELD_META[id]?.type ?? 'text', name: FIELD_META[id]?.name ?? id })),
      employees: active.map((r) => ({
        id: r['id'],
        displayName: r['displayName'],
        firstName: r['firstName'],
        lastName: r['lastName'],
        preferredName: r['preferredName'],
        jobTitle: r['jobTitle'],
        workEmail: r['workEmail'],
        department: r['department'],
        location: r['location'],
        division: r['division'],
        supervisor: r['supervisor'],
        photoUploaded: false,
        photoUrl: null,
        canUploadPhoto: 0,
      })),
    });
  }
  if (p === '/v1/employees/changed') {
    const since = Date.parse(req.query.get('since') ?? '');
    if (Number.isNaN(since))
      return { status: 400, body: '', headers: { 'X-BambooHR-Message': 'Invalid since parameter' } };
    const employees: Record<string, { id: string; action: string; lastChanged: string }> = {};
    let latest = since;
    for (const r of data.rows) {
      const t = Date.parse(r['lastChanged'] ?? '');
      if (t > since) {
        employees[r['id']!] = {
          id: r['id']!,
          action: data.inserted?.includes(r['id']!) ? 'Inserted' : 'Updated',
          lastChanged: r['lastChanged']!,
        };
        latest = Math.max(latest, t);
      }
    }
    for (const d of data.deleted ?? []) {
      const t = Date.parse(d.lastChanged);
      if (t > since) {
        employees[d.id] = { id: d.id, action: 'Deleted', lastChanged: d.lastChanged };
        latest = Math.max(latest, t);
      }
    }
    return json(200, { latest: new Date(latest).toISOString().replace('.000Z', '+00:00'), employees });
  }
  return { status: 404, body: '', headers: { 'X-BambooHR-Message': 'Not found' } };
}
