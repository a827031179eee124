/**
 * Pure mapping from Personio's v2 wire format to the orgsync model. No I/O here.
 *
 * Quirks handled:
 * - A person's detail lives on their employments, reachable only per person
 *   (`GET /v2/persons/{id}/employments`, most recent first): a full read is 1 + N requests. The
 *   connector attaches them to the row as `employments_read` before mapping.
 * - The current employment: the first ACTIVE / LEAVE / ONBOARDING one, else the most recent by start
 *   date (the list order is "most recent first", but orgsync does not rely on it).
 * - Status is the current employment's `status`: ACTIVE -> ACTIVE (PENDING before
 *   `employment_start_date`), ONBOARDING -> PENDING, LEAVE -> LEAVE, INACTIVE -> TERMINATED,
 *   UNSPECIFIED or anything else -> UNKNOWN with the raw value kept. A person without any employment
 *   falls back to `Person.status`, which only says ACTIVE (ACTIVE, LEAVE or ONBOARDING: not enough to
 *   grant anything, so UNKNOWN) or INACTIVE (TERMINATED).
 * - Termination date: `termination.termination_date`, else `last_working_day` (the spec's example
 *   spells it `last_working_date`: both read), else `employment_end_date`. Kept while active as a
 *   scheduled termination; a date before the current start belongs to an earlier employment (rehire).
 * - Rehires are new employments: an INACTIVE old one next to an ACTIVE new one reads ACTIVE.
 * - `Employment.type`: INTERNAL / EXTERNAL only. EXTERNAL -> CONTRACTOR; INTERNAL -> PART_TIME when
 *   `weekly_working_hours` is below `full_time_weekly_working_hours`, else FULL_TIME; others OTHER.
 * - The manager is `supervisor.id`, a person id.
 * - Groups: `org_units[]` `{type: department|team, id}`; names from `GET /v2/org-units` when readable,
 *   else the id is the name. Locations: only `office.id` is on an employment and no office endpoint is
 *   documented, so offices are locations named by their id.
 * - Custom attributes: `custom_attributes[]` keyed by `label` (else `global_id`, else `id`); the spec
 *   examples send `type` in lower case against an upper-case enum: type is not used.
 * - Dates are plain strings (no `format: date`): cut to their calendar day.
 */
import type { Company, EmploymentStatus, EmploymentType, Group, Location } from '../../src/model.js';
import type { EmployeeDraft } from '../../src/connector/define.js';
import {
  email,
  idOf,
  isoDate,
  isoDateTime,
  safeRecord,
  text,
  today as todayOf,
} from '../../src/connector/map-helpers.js';
import type { PersonioEmployment, PersonioOrgUnit, PersonioPerson } from './schemas.js';

export interface PersonioContext {
  today: string;
  /** Org units by id (from /v2/org-units, when readable). */
  orgUnits: Map<string, PersonioOrgUnit>;
  /** Derived while mapping (listsFromEmployees): org units and offices people name. */
  named: Map<string, { type: string }>;
  offices: Set<string>;
  legalEntities: Set<string>;
  companyName: string | null;
}

export function buildContext(o: {
  now: Date;
  orgUnits: PersonioOrgUnit[];
  companyName?: string | undefined;
}): PersonioContext {
  return {
    today: todayOf(o.now),
    orgUnits: new Map(o.orgUnits.map((u) => [u.id, u])),
    named: new Map(),
    offices: new Set(),
    legalEntities: new Set(),
    companyName: o.companyName ?? null,
  };
}

const LIVE = new Set(['ACTIVE', 'LEAVE', 'ONBOARDING']);

export function currentEmployment(row: PersonioPerson): PersonioEmployment | null {
  const all = row.employments_read ?? [];
  const live = all.find((e) => LIVE.has(text(e.status)?.toUpperCase() ?? ''));
  if (live) return live;
  const byStart = [...all].sort((a, b) =>
    (isoDate(b.employment_start_date) ?? '').localeCompare(isoDate(a.employment_start_date) ?? ''),
  );
  return byStart[0] ?? null;
}

export interface PersonioStatus {
  status: EmploymentStatus;
  raw: string | null;
  terminationDate: string | null;
}

export function mapStatus(row: PersonioPerson, today: string): PersonioStatus {
  const job = currentEmployment(row);
  const raw = text(job?.status) ?? text(row.status);
  const key = raw?.toUpperCase() ?? '';
  const start = isoDate(job?.employment_start_date);
  const t = job?.termination;
  let termination =
    isoDate(t?.termination_date) ??
    isoDate(t?.last_working_day) ??
    isoDate(t?.last_working_date) ??
    isoDate(job?.employment_end_date);
  let status: EmploymentStatus;
  if (job) {
    if (key === 'ACTIVE') status = start && start > today ? 'PENDING' : 'ACTIVE';
    else if (key === 'ONBOARDING') status = 'PENDING';
    else if (key === 'LEAVE') status = 'LEAVE';
    else if (key === 'INACTIVE') status = 'TERMINATED';
    else status = 'UNKNOWN';
  } else status = key === 'INACTIVE' ? 'TERMINATED' : 'UNKNOWN';
  if (status !== 'TERMINATED' && termination && start && termination < start) termination = null;
  return { status, raw: job ? raw : raw ? `person ${raw}` : null, terminationDate: termination };
}

export function mapEmploymentType(job: PersonioEmployment | null): { type: EmploymentType | null; raw: string | null } {
  const raw = text(job?.type);
  if (!raw) return { type: null, raw: null };
  const k = raw.toUpperCase();
  if (k === 'EXTERNAL') return { type: 'CONTRACTOR', raw };
  if (k === 'INTERNAL') {
    const hours = job?.weekly_working_hours;
    const full = job?.full_time_weekly_working_hours;
    return {
      type: typeof hours === 'number' && typeof full === 'number' && hours < full ? 'PART_TIME' : 'FULL_TIME',
      raw,
    };
  }
  return { type: 'OTHER', raw };
}

export function mapEmployee(row: PersonioPerson, ctx: PersonioContext): EmployeeDraft {
  const { status, raw, terminationDate } = mapStatus(row, ctx.today);
  const job = currentEmployment(row);
  const { type, raw: typeRaw } = mapEmploymentType(job);
  const groupIds: string[] = [];
  for (const u of job?.org_units ?? []) {
    const id = idOf(u.id);
    if (!id) continue;
    ctx.named.set(id, { type: text(u.type)?.toLowerCase() ?? 'department' });
    groupIds.push(id);
  }
  const office = idOf(job?.office?.id);
  if (office) ctx.offices.add(office);
  const entity = idOf(job?.legal_entity?.id);
  if (entity) ctx.legalEntities.add(entity);
  const supervisor = idOf(job?.supervisor?.id);
  return {
    id: row.id,
    employeeNumber: null,
    firstName: text(row.first_name),
    lastName: text(row.last_name),
    preferredName: text(row.preferred_name),
    workEmail: email(row.email),
    personalEmail: null,
    jobTitle: text(job?.position?.title),
    managerRef: supervisor ? { id: supervisor } : null,
    groupIds,
    locationId: office,
    employmentStatus: status,
    employmentStatusRaw: raw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate: isoDate(job?.employment_start_date),
    terminationDate,
    customFields: safeRecord(
      (row.custom_attributes ?? []).flatMap((a) => {
        const key = text(a.label) ?? text(a.global_id) ?? text(a.id);
        return key ? [[key, a.value ?? null] as const] : [];
      }),
    ),
    updatedAt: isoDateTime(row.updated_at),
  };
}

const GROUP_TYPE = (t: string) =>
  t === 'team' ? ('TEAM' as const) : t === 'department' ? ('DEPARTMENT' as const) : ('OTHER' as const);

/** Org units people name (and their parents), named from /v2/org-units where it was readable. */
export function mapGroups(ctx: PersonioContext): Group[] {
  const ids = new Set(ctx.named.keys());
  for (const id of [...ids]) {
    let p = idOf(ctx.orgUnits.get(id)?.parent_id);
    for (let guard = 0; p && !ids.has(p) && guard < 50; guard++) {
      ids.add(p);
      p = idOf(ctx.orgUnits.get(p)?.parent_id);
    }
  }
  return [...ids].map((id) => {
    const u = ctx.orgUnits.get(id);
    const t = text(u?.type)?.toLowerCase() ?? ctx.named.get(id)?.type ?? 'department';
    const parent = idOf(u?.parent_id);
    return {
      id,
      name: text(u?.name) ?? id,
      type: GROUP_TYPE(t),
      typeRaw: t,
      parentId: parent && ids.has(parent) ? parent : null,
    };
  });
}

export function mapLocations(ctx: PersonioContext): Location[] {
  return [...ctx.offices].map((id) => ({ id, name: id, address: null, timezone: null }));
}

export function mapCompany(ctx: PersonioContext): Company {
  return { id: 'personio', name: ctx.companyName ?? 'Personio company', legalName: null };
}
