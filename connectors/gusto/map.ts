/**
 * Pure mapping from Gusto's wire format to the orgsync model. No I/O here.
 *
 * Quirks handled:
 * - The employees list is a bare JSON array (no envelope) and mixes onboarding, active and
 *   terminated people; contractors are a separate Gusto resource and never appear here.
 * - `terminated` is true only once a termination is in effect. A scheduled termination shows up
 *   as `terminated: false` with a `terminations[]` entry whose `active` is false and whose
 *   `effective_date` (the last day of work) is in the future: that person stays ACTIVE with a
 *   future `terminationDate`. When the effective date has passed (on or before today) the person
 *   is TERMINATED even if `terminated` still says false (Gusto flips the flag asynchronously; a
 *   stale flag must never keep access open).
 * - Rehires keep the old termination in `terminations[]`; a termination dated before the current
 *   (primary) job's `hire_date` ("hired or rehired") belongs to an earlier employment and is ignored.
 * - `historical: true` marks an employee added only for year-to-date tax records, someone already
 *   dismissed: TERMINATED.
 * - PENDING: `onboarded: false`, or any `onboarding_status` other than `onboarding_completed`
 *   (unknown new values included), or a hire date in the future. Nothing at all to go on: UNKNOWN.
 * - Job title and hire date live on `jobs[]`: the job with `primary: true` (else the only/first
 *   job); the 2025-06-15 spec also has employee-level `title`/`hired_at`, used as fallbacks.
 *   An empty title (`""`, as in the spec's example) is no title.
 * - `current_employment_status` is hours-based (`part_time_under_twenty_hours`, `variable`,
 *   `seasonal`, ...), never contractor/intern (Gusto contractors are not employees).
 * - `email` is the PERSONAL address; `work_email` is often null.
 * - Department: `department_uuid` with the title in `department`; when only the title is sent, the
 *   department is found by title, then by the department's own `employees[]` membership list.
 * - Locations have no name: the name is composed from the address; country comes as `USA`
 *   (ISO 3166 alpha-3) and is normalized to alpha-2. Inactive (deleted) locations are kept so
 *   historical references still resolve.
 * - The termination record's `uuid` can equal the employee's `uuid` (seen in real traffic): never
 *   used as an id here.
 */
import type { Company, EmploymentStatus, EmploymentType, Group, Location } from '../../src/model.js';
import type { EmployeeDraft } from '../../src/connector/define.js';
import { email, idOf, isoDate, text, today as todayOf } from '../../src/connector/map-helpers.js';
import type {
  GustoCompany,
  GustoDepartment,
  GustoEmployee,
  GustoJob,
  GustoLocation,
  GustoTermination,
} from './schemas.js';

export interface GustoContext {
  /** Departments by uuid. */
  departments: Map<string, { id: string; name: string }>;
  /** Department uuid by lower-cased title (first one wins when titles repeat). */
  departmentByTitle: Map<string, string>;
  /** Department uuid by employee uuid, from the departments' `employees[]` lists. */
  departmentByEmployee: Map<string, string>;
  /** Today (YYYY-MM-DD, UTC), to tell future hires and scheduled terminations apart. */
  today: string;
  /** The raw department rows, kept only with `includeRemoteData`. */
  rawDepartments?: Map<string, GustoDepartment>;
}

export function buildContext(
  departments: GustoDepartment[],
  now: Date = new Date(),
  opts: { keepRaw?: boolean } = {},
): GustoContext {
  const byId = new Map<string, { id: string; name: string }>();
  const byTitle = new Map<string, string>();
  const byEmployee = new Map<string, string>();
  for (const d of departments) {
    const name = text(d.title) ?? d.uuid;
    byId.set(d.uuid, { id: d.uuid, name });
    const key = name.toLowerCase();
    if (!byTitle.has(key)) byTitle.set(key, d.uuid);
    for (const e of d.employees ?? []) if (e.uuid && !byEmployee.has(e.uuid)) byEmployee.set(e.uuid, d.uuid);
  }
  return {
    departments: byId,
    departmentByTitle: byTitle,
    departmentByEmployee: byEmployee,
    today: todayOf(now),
    ...(opts.keepRaw ? { rawDepartments: new Map(departments.map((d) => [d.uuid, d])) } : {}),
  };
}

/** The employee's primary job: `primary: true`, else the only job, else the first. */
export function primaryJob(row: GustoEmployee): GustoJob | null {
  const jobs = row.jobs ?? [];
  return jobs.find((j) => j.primary === true) ?? jobs[0] ?? null;
}

/** Start date: the primary job's `hire_date` (hire or rehire), else `hired_at`, else the earliest job hire date. */
export function startDateOf(row: GustoEmployee): string | null {
  const primary = isoDate(primaryJob(row)?.hire_date);
  if (primary) return primary;
  const hiredAt = isoDate(row.hired_at);
  if (hiredAt) return hiredAt;
  const dates = (row.jobs ?? [])
    .map((j) => isoDate(j.hire_date))
    .filter((d): d is string => d !== null)
    .sort();
  return dates[0] ?? null;
}

interface TerminationInfo {
  date: string;
  active: boolean;
}

/** The latest termination with a usable effective date. */
function latestTermination(terminations: GustoTermination[] | null | undefined): TerminationInfo | null {
  let best: TerminationInfo | null = null;
  for (const t of terminations ?? []) {
    const date = isoDate(t.effective_date);
    if (!date) continue;
    if (!best || date > best.date) best = { date, active: t.active === true };
  }
  return best;
}

export interface GustoStatus {
  status: EmploymentStatus;
  raw: string | null;
  terminationDate: string | null;
}

const ONBOARDING_COMPLETED = 'onboarding_completed';

/** The raw status kept on the employee: onboarding status plus the flags that decided it. */
function statusRaw(row: GustoEmployee): string | null {
  const onboarding =
    text(row.onboarding_status) ??
    (row.onboarded === false ? 'onboarded=false' : row.onboarded === true ? 'onboarded=true' : null);
  const parts = [
    onboarding,
    row.terminated === true ? 'terminated' : null,
    row.historical === true ? 'historical' : null,
  ];
  return parts.filter(Boolean).join(' / ') || null;
}

/**
 * Employment status from `terminated`, `terminations[]`, `historical`, `onboarded`,
 * `onboarding_status` and the hire date. See the quirks at the top of this file.
 */
export function mapStatus(row: GustoEmployee, today: string): GustoStatus {
  const raw = statusRaw(row);
  const hire = startDateOf(row);
  const latest = latestTermination(row.terminations);
  // A termination before the current (re)hire date belongs to an earlier employment.
  const current = latest && !(hire && latest.date < hire) ? latest : null;

  if (row.terminated === true) return { status: 'TERMINATED', raw, terminationDate: (current ?? latest)?.date ?? null };
  if (current && (current.date <= today || current.active))
    return { status: 'TERMINATED', raw, terminationDate: current.date };
  if (row.historical === true) return { status: 'TERMINATED', raw, terminationDate: current?.date ?? null };

  const terminationDate = current?.date ?? null; // a scheduled (future) termination
  const onboarding = text(row.onboarding_status);
  if (row.onboarded === false || (onboarding !== null && onboarding !== ONBOARDING_COMPLETED))
    return { status: 'PENDING', raw, terminationDate };
  if (hire && hire > today) return { status: 'PENDING', raw, terminationDate };
  if (row.onboarded === true || onboarding === ONBOARDING_COMPLETED) return { status: 'ACTIVE', raw, terminationDate };
  return { status: 'UNKNOWN', raw, terminationDate };
}

const TYPE_BY_STATUS: Record<string, EmploymentType | null> = {
  full_time: 'FULL_TIME',
  part_time_under_twenty_hours: 'PART_TIME',
  part_time_twenty_plus_hours: 'PART_TIME',
  // Values of the employment-history / rehire enum, in case they show up here.
  part_time: 'PART_TIME',
  part_time_eligible: 'PART_TIME',
  seasonal: 'TEMPORARY',
  // Hours vary week to week: neither full- nor part-time.
  variable: 'OTHER',
  not_set: null,
};

/** Employment type from `current_employment_status`; unknown values are OTHER with the raw value kept. */
export function mapEmploymentType(row: GustoEmployee): { type: EmploymentType | null; raw: string | null } {
  const raw = text(row.current_employment_status);
  if (!raw) return { type: null, raw: null };
  const key = raw.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(TYPE_BY_STATUS, key)) return { type: TYPE_BY_STATUS[key]!, raw };
  return { type: 'OTHER', raw };
}

/** Department group id: `department_uuid`, else by title, else by the department's membership list. */
export function departmentOf(row: GustoEmployee, ctx: GustoContext): string | null {
  const uuid = idOf(row.department_uuid);
  if (uuid) return uuid;
  const title = text(row.department);
  if (title) {
    const hit = ctx.departmentByTitle.get(title.toLowerCase());
    return hit ?? `department:${title}`;
  }
  return ctx.departmentByEmployee.get(row.uuid) ?? null;
}

export function mapEmployee(row: GustoEmployee, ctx: GustoContext): EmployeeDraft {
  const { status, raw: statusRawValue, terminationDate } = mapStatus(row, ctx.today);
  const { type, raw: typeRaw } = mapEmploymentType(row);
  const job = primaryJob(row);
  const department = departmentOf(row, ctx);
  const customFields: Record<string, unknown> = {};
  const middle = text(row.middle_initial);
  if (middle) customFields['middle_initial'] = middle;
  for (const f of row.custom_fields ?? []) {
    const name = text(f.name);
    if (name) customFields[name] = f.value ?? null;
  }
  return {
    id: row.uuid,
    employeeNumber: text(row.employee_code),
    firstName: text(row.first_name),
    lastName: text(row.last_name),
    preferredName: text(row.preferred_first_name),
    workEmail: email(row.work_email),
    personalEmail: email(row.email),
    jobTitle: text(job?.title) ?? text(row.title),
    managerRef: idOf(row.manager_uuid) ? { id: idOf(row.manager_uuid) } : null,
    groupIds: department ? [department] : [],
    locationId: idOf(job?.location_uuid) ?? idOf(job?.location?.uuid) ?? null,
    employmentStatus: status,
    employmentStatusRaw: statusRawValue,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate: startDateOf(row),
    terminationDate,
    customFields,
    // Gusto employees carry no update timestamp (only an opaque `version`).
    updatedAt: null,
  };
}

/** Departments as DEPARTMENT groups (Gusto has no division/team hierarchy). */
export function mapGroups(ctx: GustoContext): Group[] {
  return [...ctx.departments.values()].map((d) => {
    const raw = ctx.rawDepartments?.get(d.id);
    return {
      id: d.id,
      name: d.name,
      type: 'DEPARTMENT' as const,
      typeRaw: 'department',
      parentId: null,
      ...(raw ? { remoteData: raw } : {}),
    };
  });
}

const ALPHA3_TO_ALPHA2: Record<string, string> = {
  USA: 'US',
  CAN: 'CA',
  MEX: 'MX',
  GBR: 'GB',
  PRI: 'PR',
  GUM: 'GU',
  VIR: 'VI',
};

/** `USA` -> `US`; two-letter codes upper-cased; anything else kept as sent. */
export function normalizeCountry(v: unknown): string | null {
  const s = text(v);
  if (!s) return null;
  const up = s.toUpperCase();
  if (ALPHA3_TO_ALPHA2[up]) return ALPHA3_TO_ALPHA2[up]!;
  if (up === 'UNITED STATES' || up === 'UNITED STATES OF AMERICA') return 'US';
  return /^[A-Z]{2}$/.test(up) ? up : s;
}

/** Gusto locations have no name: compose one from the address (street, city, state). */
export function locationName(row: GustoLocation): string {
  const parts = [text(row.street_1), text(row.city), text(row.state)].filter((p): p is string => p !== null);
  return parts.join(', ') || row.uuid;
}

export function mapLocation(row: GustoLocation): Location {
  const address = {
    line1: text(row.street_1),
    line2: text(row.street_2),
    city: text(row.city),
    region: text(row.state),
    postalCode: text(row.zip),
    country: normalizeCountry(row.country),
  };
  const empty = Object.values(address).every((v) => v === null);
  return { id: row.uuid, name: locationName(row), address: empty ? null : address, timezone: null };
}

/** `name` is the legal name; `trade_name` (DBA) is what people call the company. */
export function mapCompany(row: GustoCompany): Company {
  return {
    id: row.uuid,
    name: text(row.trade_name) ?? text(row.name) ?? row.uuid,
    legalName: text(row.name),
  };
}
