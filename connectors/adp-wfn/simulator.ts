/**
 * A local ADP Workforce Now: HTTPS with client-certificate checking (mutual TLS: a client without
 * the certificate the test CA signed fails in the handshake, as ADP's gateway does), an OAuth 2.0
 * client-credentials token endpoint (`POST /auth/oauth/v2/token`), and `GET /hr/v2/workers` with
 * OData `$top`/`$skip`/`$count` (`meta.totalNumber`), Bearer auth, the `roleCode` header, and
 * `confirmMessage` error bodies. The sample company is rendered as ADP workers: leave as worker
 * `Inactive` + assignment `L`, terminations as `Terminated` + `T`, some workers with
 * no `workerStatus` (ADP's samples send null), future hires as `Active` + `A` with a future hire
 * date, rehires with an earlier termination. The certificates come from `testPki()` (openssl CLI).
 */
import { createHash } from 'node:crypto';
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
import { testPki } from '../../src/simulator/tls.js';
import type { VendorSimulator } from '../../src/simulator/vendor.js';

type Json = Record<string, unknown>;

export interface AdpWfnSimData {
  clientId: string;
  clientSecret: string;
  workers: Json[];
}

/** An AOID-shaped id (ADP's look: `G3` + 14 upper-case characters), deterministic per key. */
export function adpAoid(key: string | number): string {
  return `G3${createHash('sha1').update(`aoid:${key}`).digest('hex').slice(0, 14).toUpperCase()}`;
}

const TYPE: Record<SampleType, { codeValue: string; shortName: string }> = {
  full_time: { codeValue: 'F', shortName: 'Full Time' },
  part_time: { codeValue: 'P', shortName: 'Part Time' },
  contractor: { codeValue: 'C', shortName: 'Contractor' },
  intern: { codeValue: 'I', shortName: 'Intern' },
  temporary: { codeValue: 'T', shortName: 'Temporary' },
};

const code = (value: string) =>
  value
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '')
    .slice(0, 8);
const minusDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

/** Render the sample company as ADP workers (linear in the number of people). */
export function adpWfnDataFromSample(org: SampleOrg): AdpWfnSimData {
  const byKey = new Map(org.people.map((p) => [p.key, p]));
  const locations = new Map(org.locations.map((l) => [l.name, l]));
  const workers = org.people.map((p: SamplePerson): Json => {
    const manager = p.managerKey ? byKey.get(p.managerKey) : undefined;
    const loc = locations.get(p.location);
    // Every 13th active person was rehired: an earlier employment ended before the current hire date.
    const rehired = p.status === 'active' && !p.terminationDate && p.key % 13 === 0;
    const terminated = p.status === 'terminated';
    const workerStatus =
      p.status === 'terminated' ? 'Terminated' : p.status === 'leave' ? 'Inactive' : p.key % 7 === 0 ? null : 'Active';
    const assignmentStatus =
      p.status === 'terminated'
        ? {
            statusCode: { codeValue: 'T', shortName: 'Terminated' },
            reasonCode:
              p.terminationType === 'involuntary'
                ? { codeValue: 'I', shortName: 'Involuntary' }
                : { codeValue: 'V', shortName: 'Voluntary' },
            ...(p.terminationDate ? { effectiveDate: p.terminationDate } : {}),
          }
        : p.status === 'leave'
          ? {
              statusCode: { codeValue: 'L', shortName: 'Leave' },
              reasonCode: { codeValue: 'MED', shortName: 'Medical' },
            }
          : { statusCode: { codeValue: 'A', shortName: 'Active' }, effectiveDate: p.hireDate };
    const originalHireDate = rehired ? minusDays(p.hireDate, 900) : p.hireDate;
    const workerDates: Json = { originalHireDate };
    if (rehired) workerDates['rehireDate'] = p.hireDate;
    if (rehired) workerDates['terminationDate'] = minusDays(p.hireDate, 200);
    if (terminated && p.terminationDate) workerDates['terminationDate'] = p.terminationDate;
    if (!terminated && p.terminationDate) workerDates['expectedTerminationDate'] = p.terminationDate;
    const units: Json[] = [
      {
        nameCode: { codeValue: code(p.department), shortName: p.department },
        typeCode: { codeValue: 'Department', shortName: 'Department' },
      },
      {
        nameCode: { codeValue: code(p.division), shortName: p.division },
        typeCode: { codeValue: 'Business Unit', shortName: 'Business Unit' },
      },
    ];
    const assignment: Json = {
      itemID: `${p.key}A`,
      primaryIndicator: true,
      hireDate: p.hireDate,
      ...(p.status === 'pending' ? { expectedStartDate: p.hireDate } : { actualStartDate: p.hireDate }),
      ...(terminated && p.terminationDate ? { terminationDate: p.terminationDate } : {}),
      assignmentStatus,
      workerTypeCode: TYPE[p.type],
      jobCode: { codeValue: code(p.title), shortName: p.title },
      jobTitle: p.title,
      positionID: `POS${String(p.key).padStart(6, '0')}`,
      homeOrganizationalUnits: units,
      assignedOrganizationalUnits: units,
      homeWorkLocation: loc
        ? {
            nameCode: { codeValue: code(loc.name), shortName: loc.name },
            address: {
              lineOne: loc.line1,
              cityName: loc.city,
              countrySubdivisionLevel1: { codeValue: loc.region, shortName: loc.region },
              countryCode: loc.country,
              postalCode: loc.postalCode,
            },
          }
        : undefined,
      reportsTo: manager
        ? [
            {
              positionID: `POS${String(manager.key).padStart(6, '0')}`,
              associateOID: adpAoid(manager.key),
              workerID: {
                idValue: manager.employeeNumber,
                schemeCode: { codeValue: 'Associate ID', shortName: 'Associate ID' },
              },
              reportsToWorkerName: { formattedName: `${manager.lastName}, ${manager.firstName}` },
            },
          ]
        : [],
      payrollFileNumber: p.employeeNumber.padStart(6, '0'),
      customFieldGroup: p.team
        ? {
            stringFields: [
              { itemID: `${p.key}T`, nameCode: { codeValue: 'TEAM', shortName: 'Team' }, stringValue: p.team },
            ],
          }
        : {},
    };
    if (!assignment['homeWorkLocation']) delete assignment['homeWorkLocation'];
    return {
      associateOID: adpAoid(p.key),
      workerID: { idValue: p.employeeNumber, schemeCode: { codeValue: 'Employee ID', shortName: 'Employee ID' } },
      person: {
        legalName: { givenName: p.firstName, familyName1: p.lastName, formattedName: `${p.lastName}, ${p.firstName}` },
        ...(p.preferredName ? { preferredName: { givenName: p.preferredName } } : {}),
        communication: {
          emails: [
            { nameCode: { codeValue: 'Personal E-mail', shortName: 'Personal E-mail' }, emailUri: p.personalEmail },
          ],
        },
        birthDate: `0000-${String((p.key % 12) + 1).padStart(2, '0')}-${String((p.key % 27) + 1).padStart(2, '0')}`,
      },
      workerDates,
      // No worker status for some: ADP's samples send `workerStatus: null`, the spec (not nullable) an absent key.
      ...(workerStatus ? { workerStatus: { statusCode: { codeValue: workerStatus, shortName: workerStatus } } } : {}),
      businessCommunication: {
        emails: [{ nameCode: { codeValue: 'Work E-mail', shortName: 'Work E-mail' }, emailUri: p.workEmail }],
      },
      workAssignments: [assignment],
    };
  });
  return { clientId: 'orgsync-sim-adp-client', clientSecret: 'sim-adp-client-secret-5c1e9a77d2', workers };
}

/** An ADP `confirmMessage` error body. */
export function adpError(status: number, message: string): Json {
  return {
    confirmMessage: {
      confirmMessageID: { idValue: createHash('md5').update(message).digest('hex').slice(0, 16) },
      createDateTime: '2026-06-01T12:00:00.000Z',
      requestStatusCode: { codeValue: 'failed' },
      protocolStatusCode: { codeValue: String(status) },
      protocolCode: { codeValue: 'http' },
      processMessages: [
        { userMessage: { codeValue: String(status), messageTxt: message }, messageTypeCode: { codeValue: 'error' } },
      ],
    },
  };
}

export interface AdpRoutesOptions {
  /** Largest `$top` honoured (default 100, the WFN maximum per a third-party page; UNCONFIRMED). */
  maxTop?: number;
}

export const ADP_TOKEN_PATH = '/auth/oauth/v2/token';

export function adpWfnRoutes(
  data: AdpWfnSimData,
  opts: AdpRoutesOptions = {},
): VendorRoutes & { issuer: SimTokenIssuer } {
  const issuer = new SimTokenIssuer({
    clientId: data.clientId,
    clientSecret: data.clientSecret,
    expiresIn: 3600,
    tokenPrefix: 'sim-adp',
  });
  return {
    vendor: 'adp-wfn',
    issuer,
    // Undocumented: how ADP throttles (status, headers). 429 + Retry-After here.
    throttleStatus: 429,
    throttleBody: adpError(429, 'Too many requests.'),
    route: (p) => p,
    handle: (req: SimRequest): SimResponse => {
      if (req.path === ADP_TOKEN_PATH) return issuer.handle(req);
      if (!issuer.authorized(req)) return { status: 401, body: adpError(401, 'Invalid or expired access token.') };
      if (req.method !== 'GET') return { status: 405, body: adpError(405, 'Method not allowed.') };
      if (req.path !== '/hr/v2/workers') return { status: 404, body: adpError(404, 'Resource not found.') };
      if (!req.headers['rolecode']) return { status: 400, body: adpError(400, 'roleCode header is required.') };
      const top = req.query.get('$top');
      const skip = req.query.get('$skip');
      if ((top !== null && !/^\d+$/.test(top)) || (skip !== null && !/^\d+$/.test(skip)))
        return { status: 400, body: adpError(400, 'queryParameter is invalid.') };
      const size = Math.min(opts.maxTop ?? 100, top === null ? 100 : Math.max(1, Number(top)));
      const from = skip === null ? 0 : Number(skip);
      const workers = data.workers.slice(from, from + size);
      const body: Json = {
        workers,
        meta: {
          startSequence: from + 1,
          completeIndicator: from + size >= data.workers.length,
          ...(req.query.get('$count') === 'true' ? { totalNumber: data.workers.length } : {}),
        },
      };
      return { status: 200, body };
    },
  };
}

/**
 * Start the ADP simulator over mutual TLS for a sample company; returns the `adpWfn(...)` options
 * that read it (the test client certificate and key as PEM text, the test CA, the token URL).
 */
export async function startAdpWfnSimulator(
  org: SampleOrg,
  o: { simulator?: SimulatorOptions; routes?: AdpRoutesOptions } = {},
): Promise<{ sim: Simulator; data: AdpWfnSimData; issuer: SimTokenIssuer; options: Record<string, string> }> {
  const pki = testPki();
  const data = adpWfnDataFromSample(org);
  const routes = adpWfnRoutes(data, o.routes);
  const sim = await startSimulator(routes, {
    ...o.simulator,
    tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca },
  });
  const options = {
    clientId: data.clientId,
    clientSecret: data.clientSecret,
    clientCert: pki.client.cert,
    clientKey: pki.client.key,
    caCert: pki.ca,
    tokenUrl: `${sim.url}${ADP_TOKEN_PATH}`,
    baseUrl: sim.url,
    companyName: org.companyName,
  };
  return { sim, data, issuer: routes.issuer, options };
}

/** The registry entry (connectors/simulators.ts). */
export const adpWfnSimulator: VendorSimulator = {
  id: 'adp-wfn',
  async start(org, options) {
    const {
      sim,
      data,
      options: factoryOptions,
    } = await startAdpWfnSimulator(org, options ? { simulator: options } : {});
    // No incremental reads: a changed company is simply served from now on.
    const update = (next: SampleOrg) => void (data.workers = adpWfnDataFromSample(next).workers);
    return { sim, options: factoryOptions, update };
  },
  badCredentials: (o) => ({ ...o, clientSecret: 'revoked-adp-client-secret-000000' }),
  employeesPath: '/hr/v2/workers',
  paged: true,
  sample: {
    personId: (p) => adpAoid(p.key),
    // Home organizational units: the department (typeCode Department) and the division (Business Unit);
    // the team is a custom string field, not an org unit.
    groups: { department: 'DEPARTMENT', division: 'BUSINESS_UNIT' },
    // Every sample status is expressible: leave is worker Inactive + assignment L, future hires are
    // Active + A with a future hire date, scheduled terminations an expectedTerminationDate.
  },
};
