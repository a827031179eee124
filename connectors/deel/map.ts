/**
 * Pure mapping from Deel's wire format to the orgsync model. No I/O here.
 *
 * Quirks handled:
 * - `GET /people` mixes contractors, EOR employees and direct (HRIS) employees; `hiring_type`
 *   tells them apart (contractor -> CONTRACTOR; eor, direct_employee, hris_direct_employee,
 *   employee, global_payroll, peo -> FULL_TIME: Deel does not say part-time on a person; raw kept).
 * - Status is `hiring_status` (the `hiring_statuses[]` filter's values active / onboarding /
 *   offboarding / inactive; no enum on the person itself): active -> ACTIVE (PENDING before
 *   `start_date`), onboarding -> PENDING, offboarding -> ACTIVE with the last day as a scheduled
 *   termination (TERMINATED once that day has passed), inactive -> TERMINATED. Anything else ->
 *   UNKNOWN with the raw value kept ("hiring_status / new_hiring_status").
 * - Deel has no leave status on a person (leave is time off): people on leave read ACTIVE.
 * - The termination date is `direct_employee_termination_last_day`, else the latest
 *   `termination_last_day` / `completion_date` of an ended employment (contract). A date before
 *   the current `start_date` belongs to an earlier contract (a rehire) and is dropped unless the
 *   person is terminated.
 * - Timestamps use a space and microseconds (`2023-03-21 10:27:25.950000+00:00`): dates are cut
 *   to their calendar day as written, timestamps parsed as ISO.
 * - A person's `id` (HRIS profile UUID) differs from `worker_id` and from each employment `id`
 *   (contract id): people are keyed on `id`, and `direct_manager.id` is the same kind of id.
 * - Work email: `emails[]` of type `work`, else the first employment's `work_email`; personal
 *   email: `emails[]` of type `personal`.
 * - Departments come on the person (`department {id (uuid), name, parent}`); `/departments` has
 *   numeric ids that match nothing on a person, so groups are derived from the rows. `parent` is a
 *   name in the spec's example, an id in `/departments`: kept only when it names another derived
 *   department's id. Teams come from `employments[].team`.
 * - Locations: a person carries only `work_location` as text, so the text is the location's id.
 * - The company: `GET /organizations` (first item); without `organizations:read` the first
 *   `client_legal_entity` on the rows names it, with a warning.
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
import type { DeelCustomFieldValue, DeelEmployment, DeelOrganization, DeelPerson } from './schemas.js';

export interface DeelContext {
  today: string;
  /** Derived while mapping (listsFromEmployees). */
  departments: Map<string, { name: string; parent: string | null }>;
  teams: Map<string, string>;
  locations: Set<string>;
  legalEntities: Map<string, string>;
  /** Custom field values by person id (only with the `customFields` option). */
  customFields: Map<string, DeelCustomFieldValue[]>;
}

export function buildContext(now: Date): DeelContext {
  return {
    today: todayOf(now),
    departments: new Map(),
    teams: new Map(),
    locations: new Set(),
    legalEntities: new Map(),
    customFields: new Map(),
  };
}

/** The employment that describes the person now: not ended, latest start; else the latest one. */
export function currentEmployment(row: DeelPerson): DeelEmployment | null {
  const all = row.employments ?? [];
  const byStart = [...all].sort((a, b) => (isoDate(b.start_date) ?? '').localeCompare(isoDate(a.start_date) ?? ''));
  return byStart.find((e) => e.is_ended !== true) ?? byStart[0] ?? null;
}

function terminationOf(row: DeelPerson): string | null {
  const direct = isoDate(row.direct_employee_termination_last_day);
  if (direct) return direct;
  const ended = (row.employments ?? []).map(
    (e) => isoDate(e.termination_last_day) ?? (e.is_ended ? isoDate(e.completion_date) : null),
  );
  const dates = ended.filter((d): d is string => d !== null).sort();
  return dates[dates.length - 1] ?? isoDate(row.completion_date);
}

export interface DeelStatus {
  status: EmploymentStatus;
  raw: string | null;
  terminationDate: string | null;
}

export function mapStatus(row: DeelPerson, today: string): DeelStatus {
  const hiring = text(row.hiring_status)?.toLowerCase() ?? null;
  const raw = [text(row.hiring_status), text(row.new_hiring_status)].filter(Boolean).join(' / ') || null;
  const start = isoDate(row.start_date);
  let termination = terminationOf(row);
  let status: EmploymentStatus;
  if (hiring === 'active') status = start && start > today ? 'PENDING' : 'ACTIVE';
  else if (hiring === 'onboarding') status = 'PENDING';
  else if (hiring === 'offboarding') status = termination && termination < today ? 'TERMINATED' : 'ACTIVE';
  else if (hiring === 'inactive') status = 'TERMINATED';
  else status = 'UNKNOWN';
  if (status !== 'TERMINATED' && termination && start && termination < start) termination = null;
  return { status, raw, terminationDate: termination };
}

const EMPLOYEE_KINDS = new Set([
  'eor',
  'direct_employee',
  'hris_direct_employee',
  'employee',
  'global_payroll',
  'peo',
  'direct',
]);

export function mapEmploymentType(row: DeelPerson): { type: EmploymentType | null; raw: string | null } {
  const raw = text(row.hiring_type) ?? text(currentEmployment(row)?.hiring_type);
  if (!raw) return { type: null, raw: null };
  const k = raw.toLowerCase();
  if (k === 'contractor' || k === 'independent_contractor') return { type: 'CONTRACTOR', raw };
  if (EMPLOYEE_KINDS.has(k)) return { type: 'FULL_TIME', raw };
  return { type: 'OTHER', raw };
}

function emailOf(row: DeelPerson, type: string): string | null {
  const hit = (row.emails ?? []).find((e) => text(e.type)?.toLowerCase() === type);
  return email(hit?.value);
}

export function mapEmployee(row: DeelPerson, ctx: DeelContext): EmployeeDraft {
  const { status, raw, terminationDate } = mapStatus(row, ctx.today);
  const { type, raw: typeRaw } = mapEmploymentType(row);
  const job = currentEmployment(row);
  const groupIds: string[] = [];
  const dept = idOf(row.department?.id);
  if (dept) {
    ctx.departments.set(dept, { name: text(row.department?.name) ?? dept, parent: idOf(row.department?.parent) });
    groupIds.push(dept);
  }
  const teamId = idOf(job?.team?.id);
  if (teamId) {
    ctx.teams.set(teamId, text(job?.team?.name) ?? teamId);
    groupIds.push(teamId);
  }
  const location = text(row.work_location);
  if (location) ctx.locations.add(location);
  const entity = idOf(row.client_legal_entity?.id);
  if (entity && !ctx.legalEntities.has(entity))
    ctx.legalEntities.set(entity, text(row.client_legal_entity?.name) ?? entity);
  const custom = ctx.customFields.get(row.id) ?? [];
  const managerId = idOf(row.direct_manager?.id);
  const managerEmail = email(row.direct_manager?.work_email);
  return {
    id: row.id,
    employeeNumber: idOf(row.worker_id),
    firstName: text(row.first_name),
    lastName: text(row.last_name),
    preferredName: text(row.preferred_first_name),
    workEmail: emailOf(row, 'work') ?? email(job?.work_email),
    personalEmail: emailOf(row, 'personal'),
    jobTitle: text(row.job_title) ?? text(job?.job_title),
    managerRef: managerId ? { id: managerId } : managerEmail ? { workEmail: managerEmail } : null,
    groupIds,
    locationId: location,
    employmentStatus: status,
    employmentStatusRaw: raw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate: isoDate(row.start_date) ?? isoDate(job?.start_date),
    terminationDate,
    customFields: safeRecord([
      ...(text(row.external_id) ? [['external_id', text(row.external_id)] as const] : []),
      ...custom.map((c) => [c.name, c.data?.value ?? c.value ?? null] as const),
    ]),
    updatedAt: isoDateTime(row.updated_at),
  };
}

export function mapGroups(ctx: DeelContext): Group[] {
  const out: Group[] = [...ctx.departments].map(([id, d]) => ({
    id,
    name: d.name,
    type: 'DEPARTMENT' as const,
    typeRaw: 'department',
    parentId: d.parent && d.parent !== id && ctx.departments.has(d.parent) ? d.parent : null,
  }));
  for (const [id, name] of ctx.teams) out.push({ id, name, type: 'TEAM', typeRaw: 'team', parentId: null });
  return out;
}

export function mapLocations(ctx: DeelContext): Location[] {
  return [...ctx.locations].map((name) => ({ id: name, name, address: null, timezone: null }));
}

export function mapCompany(org: DeelOrganization | undefined, ctx: DeelContext): Company | null {
  if (org)
    return {
      id: String(org.id),
      name: text(org.name) ?? String(org.id),
      legalName: [...ctx.legalEntities.values()][0] ?? null,
    };
  const [first] = ctx.legalEntities;
  return first ? { id: first[0], name: first[1], legalName: first[1] } : null;
}
