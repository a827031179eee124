/**
 * A local Paylocity WebLink API: the client-credentials token endpoint
 * (`POST /IdentityServer/connect/token`, Basic client auth, scope `WebLinkAPI`), the ids-only
 * employee list (`GET /api/v2/companies/{companyId}/employees/` with 0-based `pagenumber`,
 * `pagesize` (default 25) and `X-Pcty-Total-Count`), one record per employee (an array of one
 * `employee`), cost-centre codes, `[{field, message}]` error bodies, and throttling answered with
 * 403 as Paylocity documents it. The sample company's future terminations cannot be expressed in
 * WebLink v2 (no termination-date field): such people are served as plain active employees.
 */
import type { SampleOrg, SamplePerson, SampleType } from '../../src/simulator/sample-org.js';
import { SimTokenIssuer } from '../../src/simulator/oauth2.js';
import {
  startSimulator,
  type SimRequest,
  type SimResponse,
  type Simulator,
  type SimulatorOptions,
  type VendorRoutes,
} from '../../src/simulator/server.js';
import type { VendorSimulator } from '../../src/simulator/vendor.js';

type Json = Record<string, unknown>;

export interface PaylocitySimData {
  companyId: string;
  clientId: string;
  clientSecret: string;
  /** Listing rows, in the order the list returns them. */
  list: Json[];
  /** Records by employee id. */
  records: Map<string, Json>;
  /** Cost-centre codes by level (`costcenter1`..). */
  codes: Record<string, Json[]>;
}

const TYPE: Record<SampleType, string> = {
  full_time: 'RFT',
  part_time: 'RPT',
  temporary: 'TFT',
  contractor: 'CON',
  intern: 'INT',
};
const STATUS = { active: 'A', pending: 'A', leave: 'L', terminated: 'T' } as const;
const STATUS_TYPE = { A: 'ACT', L: 'LOA', T: 'TRM' } as const;
const code = (value: string) =>
  value
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '')
    .slice(0, 10);
/** Paylocity writes dates as `CCYY-MM-DDT00:00:00` in responses (one of the documented forms). */
const stamp = (d: string) => `${d}T00:00:00`;
const minusDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

/** Paylocity employee id of a sample person. */
export const paylocityEmployeeId = (p: Pick<SamplePerson, 'employeeNumber'>): string => p.employeeNumber;

export function paylocityDataFromSample(org: SampleOrg, opts: { companyId?: string } = {}): PaylocitySimData {
  const companyId = opts.companyId ?? 'E74120';
  const byKey = new Map(org.people.map((p) => [p.key, p]));
  const locations = new Map(org.locations.map((l) => [l.name, l]));
  const list: Json[] = [];
  const records = new Map<string, Json>();
  for (const p of org.people) {
    const id = paylocityEmployeeId(p);
    const status = STATUS[p.status];
    const rehired = p.status === 'active' && !p.terminationDate && p.key % 13 === 0;
    const manager = p.managerKey ? byKey.get(p.managerKey) : undefined;
    const loc = locations.get(p.location);
    list.push({ employeeId: id, statusCode: status, statusTypeCode: STATUS_TYPE[status] });
    const custom = p.team ? [{ category: 'PayrollAndHR', label: 'Team', value: p.team }] : [];
    records.set(id, {
      employeeId: id,
      firstName: p.firstName,
      lastName: p.lastName,
      ...(p.preferredName ? { preferredName: p.preferredName } : {}),
      companyName: org.legalName,
      companyFEIN: '00-0000074',
      currency: 'USD',
      status: {
        employeeStatus: status,
        // A leaver with no termination date in the sample has no status date either (the status alone decides).
        ...(p.status === 'terminated'
          ? p.terminationDate
            ? { effectiveDate: stamp(p.terminationDate) }
            : {}
          : p.status === 'leave'
            ? {}
            : { effectiveDate: stamp(p.hireDate) }),
        hireDate: stamp(rehired ? minusDays(p.hireDate, 900) : p.hireDate),
        ...(rehired ? { reHireDate: stamp(p.hireDate) } : {}),
        ...(p.status === 'terminated'
          ? {
              changeReason: p.terminationType === 'involuntary' ? 'TERM-INV' : 'TERM-VOL',
              isEligibleForRehire: p.terminationType !== 'involuntary',
            }
          : p.status === 'leave'
            ? { changeReason: 'LOA-MED' }
            : {}),
      },
      departmentPosition: {
        costCenter1: code(p.department),
        costCenter2: code(p.division),
        employeeType: TYPE[p.type],
        jobTitle: p.title,
        positionCode: code(p.title),
        payGroup: 'BIWEEKLY',
        ...(manager ? { supervisorEmployeeId: paylocityEmployeeId(manager), supervisorCompanyNumber: companyId } : {}),
        isSupervisorReviewer: org.people.some((q) => q.managerKey === p.key),
      },
      workAddress: {
        ...(loc
          ? {
              location: loc.name,
              address1: loc.line1,
              city: loc.city,
              ...(loc.region.length === 2 ? { state: loc.region } : {}),
              postalCode: loc.postalCode,
              country: loc.country === 'US' ? 'USA' : loc.country,
            }
          : {}),
        emailAddress: p.workEmail,
      },
      homeAddress: { emailAddress: p.personalEmail },
      customTextFields: custom,
    });
  }
  const codes: Record<string, Json[]> = {
    costcenter1: org.departments.map((d) => ({ code: code(d.name), description: d.name })),
    costcenter2: org.divisions.map((d) => ({ code: code(d), description: d })),
    costcenter3: [],
  };
  return {
    companyId,
    clientId: 'orgsync-sim-paylocity',
    clientSecret: 'sim-paylocity-secret-3b8e51c2a9f4',
    list,
    records,
    codes,
  };
}

const error = (message: string, field?: string): Json[] => [{ ...(field ? { field } : {}), message }];
export const PAYLOCITY_TOKEN_PATH = '/IdentityServer/connect/token';

export function paylocityRoutes(data: PaylocitySimData): VendorRoutes & { issuer: SimTokenIssuer } {
  const issuer = new SimTokenIssuer({
    clientId: data.clientId,
    clientSecret: data.clientSecret,
    clientAuth: 'basic',
    scope: 'WebLinkAPI',
    expiresIn: 3600,
    tokenPrefix: 'sim-pcty',
  });
  return {
    vendor: 'paylocity',
    issuer,
    // Paylocity documents 403 Forbidden over the rate limit (the body is UNCONFIRMED).
    throttleStatus: 403,
    throttleBody: error('Rate limit exceeded: 720 calls per minute.'),
    route: (p) => (p === PAYLOCITY_TOKEN_PATH ? p : p.startsWith('/api/') ? p.slice(4) : null),
    handle: (req: SimRequest): SimResponse => {
      if (req.path === PAYLOCITY_TOKEN_PATH) return issuer.handle(req);
      if (!issuer.authorized(req))
        return { status: 401, body: error('Authorization has been denied for this request.') };
      if (req.method !== 'GET')
        return { status: 405, body: error('The requested resource does not support this method.') };
      const m = /^\/v2\/companies\/([^/]+)\/(employees|codes)(?:\/([^/]*))?\/?$/.exec(req.path);
      if (!m || decodeURIComponent(m[1]!) !== data.companyId)
        return { status: 404, body: error('The company does not exist.', 'companyId') };
      const sub = m[3] ? decodeURIComponent(m[3]) : '';
      if (m[2] === 'codes') {
        const rows = data.codes[sub.toLowerCase()];
        return rows
          ? { status: 200, body: rows }
          : { status: 404, body: error('Invalid Code Resource.', 'codeResource') };
      }
      if (sub === '') {
        const size = Math.max(1, Math.min(5000, Number.parseInt(req.query.get('pagesize') ?? '25', 10) || 25));
        const page = Math.max(0, Number.parseInt(req.query.get('pagenumber') ?? '0', 10) || 0);
        const headers: Record<string, string> =
          req.query.get('includetotalcount') === 'false' ? {} : { 'X-Pcty-Total-Count': String(data.list.length) };
        return { status: 200, body: data.list.slice(page * size, (page + 1) * size), headers };
      }
      const record = data.records.get(sub);
      return record
        ? { status: 200, body: [record] }
        : { status: 404, body: error('The employee does not exist.', 'employeeId') };
    },
  };
}

/** Start the Paylocity simulator for a sample company; returns the `paylocity(...)` options that read it. */
export async function startPaylocitySimulator(
  org: SampleOrg,
  o: { simulator?: SimulatorOptions } = {},
): Promise<{ sim: Simulator; data: PaylocitySimData; issuer: SimTokenIssuer; options: Record<string, string> }> {
  const data = paylocityDataFromSample(org);
  const routes = paylocityRoutes(data);
  const sim = await startSimulator(routes, o.simulator);
  const options = {
    companyId: data.companyId,
    clientId: data.clientId,
    clientSecret: data.clientSecret,
    tokenUrl: `${sim.url}${PAYLOCITY_TOKEN_PATH}`,
    baseUrl: `${sim.url}/api`,
  };
  return { sim, data, issuer: routes.issuer, options };
}

/** The registry entry (connectors/simulators.ts). */
export const paylocitySimulator: VendorSimulator = {
  id: 'paylocity',
  async start(org, options) {
    const {
      sim,
      data,
      options: factoryOptions,
    } = await startPaylocitySimulator(org, options ? { simulator: options } : {});
    // No incremental reads (webhooks only): a changed company is simply served from now on.
    const update = (next: SampleOrg) => {
      const fresh = paylocityDataFromSample(next, { companyId: data.companyId });
      Object.assign(data, { list: fresh.list, records: fresh.records, codes: fresh.codes });
    };
    return { sim, options: factoryOptions, update };
  },
  badCredentials: (o) => ({ ...o, clientSecret: 'revoked-paylocity-secret-000000' }),
  employeesPath: /\/employees\/(\?|$)/,
  paged: true,
  sample: {
    personId: (p) => paylocityEmployeeId(p),
    // Cost centre 1 holds the department, cost centre 2 the division (employer-defined levels, named
    // from /codes/costcenter<n>); the team is a custom text field.
    groups: { department: 'COST_CENTER', division: 'COST_CENTER' },
    expect: (p) => ({
      // WebLink v2 has no termination-date field: a scheduled termination is not visible until the status is T.
      ...(p.status !== 'terminated' && p.terminationDate ? { terminationDate: null } : {}),
      // Employee types are RFT/RPT/SNL/TFT/TPT: a contractor or intern code is the company's own (OTHER).
      ...(p.type === 'contractor' || p.type === 'intern' ? { employmentType: 'OTHER' as const } : {}),
    }),
  },
};
