/**
 * Local vendor simulators for every shipped connector, keyed by connector id: each starts a
 * loopback server that serves a sample company in the vendor's wire format and returns the
 * factory options that point the real connector at it. Used by the demo, tests and benchmarks.
 */
import type { SampleOrg, SamplePerson } from '../src/simulator/sample-org.js';
import type { EmploymentStatus } from '../src/model.js';
import { startSimulator } from '../src/simulator/server.js';
import type { VendorSimulator } from '../src/simulator/vendor.js';
import { bambooDataFromSample, bambooId, bamboohrRoutes } from './bamboohr/simulator.js';
import { deelSimulator } from './deel/simulator.js';
import { gustoDataFromSample, gustoEmployeeId, gustoRoutes } from './gusto/simulator.js';
import { hibobSimulator } from './hibob/simulator.js';
import { personioSimulator } from './personio/simulator.js';
import { ripplingSimulator } from './rippling/simulator.js';
import { scimDataFromSample, scimRoutes, scimUserId, type ScimDataOptions } from './scim/simulator.js';
import { workdaySimulator } from './workday/simulator.js';
import { adpWfnSimulator } from './adp-wfn/simulator.js';
import { paylocitySimulator } from './paylocity/simulator.js';

export type { RunningSimulator, VendorSimulator } from '../src/simulator/vendor.js';

/** Vendors without a leave state (Gusto, Rippling, SCIM) show people on leave as active. */
const NO_LEAVE = (p: SamplePerson): EmploymentStatus =>
  p.status === 'leave'
    ? 'ACTIVE'
    : p.status === 'pending'
      ? 'PENDING'
      : p.status === 'terminated'
        ? 'TERMINATED'
        : 'ACTIVE';

export const simulators: Record<string, VendorSimulator> = {
  bamboohr: {
    id: 'bamboohr',
    async start(org, options) {
      const data = bambooDataFromSample(org);
      const sim = await startSimulator(bamboohrRoutes(data), options);
      const update = (next: SampleOrg, changedAt = new Date()) => {
        const fresh = bambooDataFromSample(next);
        const old = new Map(data.rows.map((r) => [r['id'], JSON.stringify(r)]));
        const stamp = changedAt.toISOString().replace(/\.\d{3}Z$/, '+00:00');
        for (const r of fresh.rows) if (old.get(r['id']) !== JSON.stringify(r)) r['lastChanged'] = stamp;
        const ids = new Set(fresh.rows.map((r) => r['id']));
        fresh.inserted = fresh.rows.filter((r) => !old.has(r['id'])).map((r) => r['id']!);
        fresh.deleted = [
          ...(data.deleted ?? []),
          ...[...old.keys()].filter((id) => !ids.has(id)).map((id) => ({ id: id!, lastChanged: stamp })),
        ];
        Object.assign(data, { ...fresh, apiKey: data.apiKey });
      };
      return {
        sim,
        options: {
          subdomain: data.subdomain,
          apiKey: data.apiKey,
          baseUrl: `${sim.url}/api/gateway.php/${data.subdomain}`,
        },
        update,
      };
    },
    badCredentials: (o) => ({ ...o, apiKey: 'sim-bamboo-revoked-key-999999' }),
    employeesPath: '/v1/reports/custom',
    paged: false,
    sample: {
      personId: (p) => bambooId(p.key),
      // The custom report carries department and division; teams are a meta list no report field names.
      groups: { department: 'DEPARTMENT', division: 'DIVISION' },
      // One field, employmentHistoryStatus, holds the type or, for leavers and people on leave,
      // "Terminated" / "Furloughed": their type is not said.
      expect: (p) => (p.status === 'terminated' || p.status === 'leave' ? { employmentType: null } : {}),
    },
  },
  gusto: {
    id: 'gusto',
    async start(org, options) {
      const data = gustoDataFromSample(org);
      const sim = await startSimulator(gustoRoutes(data), options);
      // Gusto has no incremental reads: a changed company is simply served from now on.
      const update = (next: SampleOrg) =>
        void Object.assign(data, {
          ...gustoDataFromSample(next),
          accessToken: data.accessToken,
          companyUuid: data.companyUuid,
        });
      return {
        sim,
        options: { companyUuid: data.companyUuid, accessToken: data.accessToken, baseUrl: sim.url },
        update,
      };
    },
    badCredentials: (o) => ({ ...o, accessToken: 'revoked-gusto-token-000000' }),
    employeesPath: '/employees',
    paged: true,
    sample: {
      personId: (p) => gustoEmployeeId(p.key),
      // Departments only: the team is a custom field, Gusto has no divisions.
      groups: { department: 'DEPARTMENT' },
      // Gusto names a work address by its street, city and state.
      locationName: (l) => `${l.line1}, ${l.city}, ${l.region}`,
      expect: (p) => ({
        // No leave state.
        status: NO_LEAVE(p),
        // No work email until onboarding is completed.
        ...(p.status === 'pending' ? { workEmail: null } : {}),
        // Hours-based employment status: contractors are a separate resource (an hours-varying
        // employee, 'variable', is OTHER), an intern is a part-timer of 20+ hours.
        ...(p.type === 'contractor'
          ? { employmentType: 'OTHER' as const }
          : p.type === 'intern'
            ? { employmentType: 'PART_TIME' as const }
            : {}),
      }),
    },
  },
  hibob: hibobSimulator,
  deel: deelSimulator,
  personio: personioSimulator,
  rippling: ripplingSimulator,
  scim: {
    id: 'scim',
    async start(org, options, dataOptions?: ScimDataOptions) {
      const data = scimDataFromSample(org, dataOptions);
      const sim = await startSimulator(scimRoutes(data), options);
      const update = (next: SampleOrg, changedAt = new Date()) => {
        const fresh = scimDataFromSample(next, dataOptions);
        const key = (u: Record<string, unknown>) => JSON.stringify({ ...u, meta: undefined });
        const old = new Map(data.users.map((u) => [String(u['id']), { key: key(u), meta: u['meta'] }]));
        for (const u of fresh.users) {
          const was = old.get(String(u['id']));
          // An unchanged user keeps the lastModified it had (a server never moves it back).
          if (was && was.key === key(u)) u['meta'] = was.meta;
          else u['meta'] = { ...(u['meta'] as object), lastModified: changedAt.toISOString() };
        }
        Object.assign(data, { ...fresh, token: data.token });
      };
      return { sim, options: { baseUrl: `${sim.url}${data.basePath}`, token: data.token }, update };
    },
    badCredentials: (o) => ({ ...o, token: 'revoked-scim-token-000000' }),
    employeesPath: '/Users',
    paged: true,
    sample: {
      personId: (p) => scimUserId(p.key),
      // Enterprise department and division; teams are /Groups memberships (type OTHER).
      groups: { department: 'DEPARTMENT', division: 'DIVISION', team: 'OTHER' },
      notApplicable: {
        location: 'the SCIM User schemas have no location reference (addresses are free text)',
        startDate: 'the SCIM User schemas have no start date',
        terminationDate: 'the SCIM User schemas have no termination date (only active: false)',
      },
      expect: (p) => ({
        // SCIM has only `active`: people on leave are active, future hires are created inactive.
        status: p.status === 'terminated' || p.status === 'pending' ? 'TERMINATED' : 'ACTIVE',
        // userType 'Employee' says nothing about full or part time.
        ...(p.type === 'full_time' ? { employmentType: null } : {}),
      }),
    },
  },
  workday: workdaySimulator,
  'adp-wfn': adpWfnSimulator,
  paylocity: paylocitySimulator,
};
