/**
 * Pure mapping from Rippling's two wire formats (REST API and legacy platform API) to the orgsync
 * model. No I/O here. Both variants go through the same status and type rules, so the same people
 * read through either API give the same normalized employees.
 *
 * Quirks handled:
 * - REST workers carry no names: names come from the worker's `user` (`?expand=user`, or joined
 *   from `GET /users/` by `user_id`). A worker without a user keeps null names and gets the work
 *   email (else its id) as display name.
 * - Status is a role state (`INIT | HIRED | ACCEPTED | ACTIVE | TERMINATED`), read with the dates:
 *   INIT/HIRED/ACCEPTED are PENDING; ACTIVE with a start date in the future is PENDING; an end date
 *   on or before today is TERMINATED whatever the state says (even a missing or unknown one); TERMINATED with a future end date for
 *   someone who already started is a scheduled termination (ACTIVE, terminationDate kept);
 *   TERMINATED for a withdrawn hire (`termination_details.type` OFFER_DECLINED / RESCIND / RENEGE,
 *   or a start date still in the future) is always TERMINATED. Unknown states are UNKNOWN with the
 *   raw value kept, never ACTIVE.
 * - Rippling has no leave state: people on leave are ACTIVE in both APIs (see README).
 * - Employment types: legacy `employmentType` codes (`SALARIED_FT`, `HOURLY_PT`, `TEMP`, ...), the
 *   legacy `companyEmploymentType` (label and flags, only in the spec's examples), and REST
 *   employment types (`label`, `type` CONTRACTOR/EMPLOYEE, `amount_worked`
 *   FULL-TIME/PART-TIME/TEMPORARY). A label naming an intern wins (interns are a company-defined
 *   type in Rippling); unknown values are OTHER with the raw label/code kept.
 * - `preferredFirstName` / `preferred_given_name` repeat the first name when none is set: a
 *   preferred name equal to the first name is dropped.
 * - Legacy employees may carry only the department *name* and the work location *address* (the
 *   ids are in the schema but missing from the spec's own examples): names are resolved against
 *   `/departments`, addresses against `/work_locations`.
 * - A department may name itself as its parent (the legacy spec's example does): such a parent
 *   is dropped so the group tree has no cycle.
 * - The legacy spec's examples send the string `"null"` for empty values (`ssn`, `subscription`):
 *   id references holding `"null"` are treated as empty.
 * - Legacy timestamps use `+0000` offsets (`2020-07-27T16:39:05+0000`); they are normalized to UTC.
 */
import type { Company, EmploymentStatus, EmploymentType, Group, Location } from '../../src/model.js';
import type { EmployeeDraft } from '../../src/connector/define.js';
import { email, idOf, isoDate, isoDateTime, text, today as todayOf } from '../../src/connector/map-helpers.js';
import type {
  LegacyAddress,
  LegacyCompany,
  LegacyEmployee,
  LegacyGroup,
  LegacyWorkLocation,
  RestCompany,
  RestDepartment,
  RestEmploymentType,
  RestTeam,
  RestUser,
  RestWorker,
  RestWorkLocation,
} from './schemas.js';

// ---------------------------------------------------------------------------------------------
// Shared rules
// ---------------------------------------------------------------------------------------------

/** An id reference: strings and numbers, with empty values and the string "null" as null. */
export function ref(v: unknown): string | null {
  const s = idOf(v);
  return s === null || s.toLowerCase() === 'null' ? null : s;
}

/** Termination types that mean the hire never happened: always TERMINATED, never a scheduled termination. */
const WITHDRAWN_HIRE = new Set(['OFFER_DECLINED', 'RESCIND', 'RENEGE']);
const PENDING_STATES = new Set(['INIT', 'HIRED', 'ACCEPTED']);

export interface StatusInput {
  state: unknown;
  startDate: string | null;
  endDate: string | null;
  terminationType?: unknown;
}

/** Employment status from a Rippling role state and the start/end dates (rules at the top of this file). */
export function mapRoleState(input: StatusInput, today: string): { status: EmploymentStatus; raw: string | null } {
  const raw = text(input.state);
  const s = raw?.toUpperCase() ?? null;
  const { startDate: start, endDate: end } = input;
  const termType = text(input.terminationType)?.toUpperCase() ?? null;
  if (s === 'TERMINATED') {
    if (termType && WITHDRAWN_HIRE.has(termType)) return { status: 'TERMINATED', raw };
    if (end && end > today && start && start <= today) return { status: 'ACTIVE', raw };
    return { status: 'TERMINATED', raw };
  }
  // An end date that has passed ends employment whatever the state says (or when the state is missing or unknown).
  if (end && end <= today) return { status: 'TERMINATED', raw };
  if (s !== null && PENDING_STATES.has(s)) return { status: 'PENDING', raw };
  if (s === 'ACTIVE') return { status: start && start > today ? 'PENDING' : 'ACTIVE', raw };
  return { status: 'UNKNOWN', raw };
}

const TYPE_BY_CODE: Record<string, EmploymentType> = {
  SALARIED_FT: 'FULL_TIME',
  HOURLY_FT: 'FULL_TIME',
  SALARIED_PT: 'PART_TIME',
  HOURLY_PT: 'PART_TIME',
  CONTRACTOR: 'CONTRACTOR',
  TEMP: 'TEMPORARY',
};

export interface EmploymentTypeInput {
  /** The company's label for the type (e.g. "Salaried, full-time", "Summer Intern"). */
  label?: unknown;
  /** Codes such as legacy `employmentType` or REST `name` (`SALARIED_FT`, ...). */
  codes?: unknown[];
  contractor?: boolean | null | undefined;
  temporary?: boolean | null | undefined;
  partTime?: boolean | null | undefined;
  fullTime?: boolean | null | undefined;
}

/** Employment type from a label, codes and flags; raw is the label, else the first code. */
export function classifyEmploymentType(i: EmploymentTypeInput): { type: EmploymentType | null; raw: string | null } {
  const label = text(i.label);
  const codes = (i.codes ?? []).map((c) => text(c)?.toUpperCase()).filter((c): c is string => !!c);
  const raw = label ?? text((i.codes ?? []).find((c) => text(c))) ?? null;
  const anyFlag = i.contractor || i.temporary || i.partTime || i.fullTime;
  if (!raw && !anyFlag) return { type: null, raw: null };
  if ((label && /\bintern(s|ship)?\b/i.test(label)) || codes.some((c) => /INTERN/.test(c)))
    return { type: 'INTERN', raw };
  const byCode = codes.map((c) => TYPE_BY_CODE[c]).find((t) => t !== undefined);
  if (i.contractor || byCode === 'CONTRACTOR') return { type: 'CONTRACTOR', raw };
  if (i.temporary || byCode === 'TEMPORARY') return { type: 'TEMPORARY', raw };
  if (byCode) return { type: byCode, raw };
  if (i.partTime) return { type: 'PART_TIME', raw };
  if (i.fullTime) return { type: 'FULL_TIME', raw };
  return { type: 'OTHER', raw };
}

/** A preferred first name that merely repeats the first name is no preferred name. */
function preferred(first: string | null, pref: unknown): string | null {
  const p = text(pref);
  if (!p) return null;
  return first && p.toLowerCase() === first.toLowerCase() ? null : p;
}

function nameParts(first: unknown, last: unknown, pref: unknown, fallbackDisplay: unknown[]) {
  const firstName = text(first);
  const lastName = text(last);
  const preferredName = preferred(firstName, pref);
  // With name parts the runtime composes the display name (the same way for both APIs).
  const displayName = firstName || lastName ? null : (fallbackDisplay.map(text).find((s) => s) ?? null);
  return { firstName, lastName, preferredName, displayName };
}

function customFieldEntries(v: unknown): Array<[string, unknown]> {
  if (!v || typeof v !== 'object') return [];
  const out: Array<[string, unknown]> = [];
  const objects = Array.isArray(v) ? v : [v];
  for (const o of objects)
    if (o && typeof o === 'object' && !Array.isArray(o)) out.push(...(Object.entries(o) as Array<[string, unknown]>));
  return out;
}

const uniq = (ids: Array<string | null>): string[] => [...new Set(ids.filter((x): x is string => x !== null))];

function address(
  a:
    | { line1: unknown; line2?: unknown; city: unknown; region: unknown; postalCode: unknown; country: unknown }
    | null
    | undefined,
): Location['address'] {
  if (!a) return null;
  const lines = (text(a.line1) ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  const out = {
    line1: lines[0] ?? null,
    line2: text(a.line2) ?? (lines.length > 1 ? lines.slice(1).join(', ') : null),
    city: text(a.city),
    region: text(a.region),
    postalCode: text(a.postalCode),
    country: text(a.country),
  };
  return Object.values(out).some((v) => v !== null) ? out : null;
}

function group(id: string, name: unknown, type: 'DEPARTMENT' | 'TEAM', parent: unknown): Group {
  const parentId = ref(parent);
  return {
    id,
    name: text(name) ?? id,
    type,
    typeRaw: type === 'DEPARTMENT' ? 'department' : 'team',
    parentId: parentId === id ? null : parentId,
  };
}

// ---------------------------------------------------------------------------------------------
// REST API
// ---------------------------------------------------------------------------------------------

export interface RestContext {
  /** Today (YYYY-MM-DD, UTC) as of the read. */
  today: string;
  departments: RestDepartment[];
  teams: RestTeam[];
  workLocations: RestWorkLocation[];
  /** Employment types by id (empty when the token may not read them). */
  employmentTypes: Map<string, RestEmploymentType>;
  /** Users, read once per sync when some worker's user did not expand (see `enrich`). */
  users?: Promise<RestUser[]>;
}

export function buildRestContext(
  parts: Omit<RestContext, 'today' | 'employmentTypes'> & { employmentTypes: RestEmploymentType[] },
  now: Date = new Date(),
): RestContext {
  return { ...parts, employmentTypes: new Map(parts.employmentTypes.map((t) => [t.id, t])), today: todayOf(now) };
}

function userEmail(user: RestUser | null | undefined, type: 'WORK' | 'HOME'): string | null {
  const hit = (user?.emails ?? []).find((e) => text(e.type)?.toUpperCase() === type);
  return email(hit?.value);
}

export function restEmploymentType(et: RestEmploymentType | null | undefined): {
  type: EmploymentType | null;
  raw: string | null;
} {
  if (!et) return { type: null, raw: null };
  const amount = text(et.amount_worked)?.toUpperCase();
  return classifyEmploymentType({
    label: et.label,
    codes: [et.name],
    contractor: text(et.type)?.toUpperCase() === 'CONTRACTOR',
    temporary: amount === 'TEMPORARY',
    partTime: amount === 'PART-TIME' || amount === 'PART_TIME',
    fullTime: amount === 'FULL-TIME' || amount === 'FULL_TIME',
  });
}

/** A REST worker (with its user expanded or joined) as an employee. */
export function mapRestWorker(w: RestWorker, ctx: RestContext): EmployeeDraft {
  const user = w.user ?? null;
  const names = nameParts(user?.name?.given_name, user?.name?.family_name, user?.name?.preferred_given_name, [
    user?.display_name,
    user?.name?.formatted,
  ]);
  const startDate = isoDate(w.start_date);
  const terminationDate = isoDate(w.end_date);
  const { status, raw: statusRaw } = mapRoleState(
    { state: w.status, startDate, endDate: terminationDate, terminationType: w.termination_details?.type },
    ctx.today,
  );
  const etId = ref(w.employment_type_id);
  const { type, raw: typeRaw } = restEmploymentType(
    (etId ? ctx.employmentTypes.get(etId) : undefined) ?? w.employment_type,
  );
  return {
    id: w.id,
    employeeNumber: ref(w.number),
    ...names,
    workEmail: email(w.work_email) ?? userEmail(user, 'WORK'),
    personalEmail: email(w.personal_email) ?? userEmail(user, 'HOME'),
    jobTitle: text(w.title),
    managerId: ref(w.manager_id),
    groupIds: uniq([ref(w.department_id), ...(w.teams_id ?? []).map(ref)]),
    locationId: ref(w.location?.work_location_id),
    employmentStatus: status,
    employmentStatusRaw: statusRaw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate,
    terminationDate,
    customFields: Object.fromEntries(customFieldEntries(w.custom_fields)),
    updatedAt: isoDateTime(w.updated_at),
  };
}

export function mapRestGroups(ctx: RestContext): Group[] {
  return [
    ...ctx.departments.map((d) => group(d.id, d.name, 'DEPARTMENT', d.parent_id)),
    ...ctx.teams.map((t) => group(t.id, t.name, 'TEAM', t.parent_id)),
  ];
}

export function mapRestLocations(ctx: RestContext): Location[] {
  return ctx.workLocations.map((l) => ({
    id: l.id,
    name: text(l.name) ?? text(l.address?.formatted) ?? l.id,
    address: address(
      l.address
        ? {
            line1: l.address.street_address,
            city: l.address.locality,
            region: l.address.region,
            postalCode: l.address.postal_code,
            country: l.address.country,
          }
        : null,
    ),
    timezone: null,
  }));
}

export function mapRestCompany(c: RestCompany): Company {
  return {
    id: c.id,
    name: text(c.name) ?? text(c.doing_business_as_name) ?? text(c.legal_name) ?? c.id,
    legalName: text(c.legal_name),
  };
}

/** Attach users (from `GET /users/`) to workers whose user was not expanded. Pure; returns new rows. */
export function joinUsers<W extends { user?: unknown; user_id?: unknown }>(
  workers: W[],
  users: Iterable<RestUser>,
): W[] {
  const byId = new Map<string, RestUser>();
  for (const u of users) byId.set(String(u.id), u);
  return workers.map((w) => {
    if (w.user) return w;
    const id = ref(w.user_id);
    const u = id ? byId.get(id) : undefined;
    return u ? { ...w, user: u } : w;
  });
}

// ---------------------------------------------------------------------------------------------
// Legacy platform API
// ---------------------------------------------------------------------------------------------

export interface LegacyContext {
  today: string;
  departments: LegacyGroup[];
  teams: LegacyGroup[];
  workLocations: LegacyWorkLocation[];
  /** Lower-cased department name -> id (null when two departments share the name). */
  departmentIdByName: Map<string, string | null>;
  /** Normalized address -> work location id (null when two locations share the address). */
  locationIdByAddress: Map<string, string | null>;
}

/** Key of an address for matching an employee's `workLocation` to a work location. */
export function addressKey(a: LegacyAddress | null | undefined): string | null {
  if (!a) return null;
  const parts = [a.streetLine1, a.city, a.zip, a.country].map((v) =>
    (text(v) ?? '').toLowerCase().replace(/\s+/g, ' '),
  );
  if (!parts[0] || !parts[1]) return null;
  return parts.join('|');
}

function indexUnique(m: Map<string, string | null>, key: string | null, id: string): void {
  if (!key) return;
  m.set(key, m.has(key) && m.get(key) !== id ? null : id);
}

export function buildLegacyContext(
  parts: { departments: LegacyGroup[]; teams: LegacyGroup[]; workLocations: LegacyWorkLocation[] },
  now: Date = new Date(),
): LegacyContext {
  const departmentIdByName = new Map<string, string | null>();
  for (const d of parts.departments) indexUnique(departmentIdByName, text(d.name)?.toLowerCase() ?? null, d.id);
  const locationIdByAddress = new Map<string, string | null>();
  for (const l of parts.workLocations) indexUnique(locationIdByAddress, addressKey(l.address), l.id);
  return { ...parts, departmentIdByName, locationIdByAddress, today: todayOf(now) };
}

function legacyDepartmentId(e: LegacyEmployee, ctx: LegacyContext): string | null {
  const id = ref(e.departmentId);
  if (id) return id;
  const name = text(e.department);
  if (!name) return null;
  // A name matching no department (or two) keeps a name-derived id; the snapshot warns about it.
  return ctx.departmentIdByName.get(name.toLowerCase()) ?? `department:${name}`;
}

export function legacyEmploymentType(e: LegacyEmployee): { type: EmploymentType | null; raw: string | null } {
  const cet = e.companyEmploymentType ?? null;
  return classifyEmploymentType({
    label: cet?.label,
    codes: [e.employmentType, cet?.displayName],
    contractor: cet?.isContractor,
    temporary: cet?.isTemporary,
    partTime: cet?.isPartTime,
    fullTime: cet?.isFullTime,
  });
}

/** A legacy employee (`/employees/include_terminated`) as an employee. */
export function mapLegacyEmployee(e: LegacyEmployee, ctx: LegacyContext): EmployeeDraft {
  const names = nameParts(e.firstName, e.lastName, e.preferredFirstName, [e.name]);
  const startDate = isoDate(e.startDate);
  const terminationDate = isoDate(e.endDate);
  const { status, raw: statusRaw } = mapRoleState(
    { state: e.roleState, startDate, endDate: terminationDate },
    ctx.today,
  );
  const { type, raw: typeRaw } = legacyEmploymentType(e);
  const teams = (e.teams ?? []).map((t) => (t && typeof t === 'object' ? ref(t.id) : ref(t)));
  const addrKey = addressKey(e.workLocation);
  return {
    id: e.id,
    employeeNumber: ref(e.employeeNumber),
    ...names,
    workEmail: email(e.workEmail),
    personalEmail: email(e.personalEmail),
    jobTitle: text(e.title),
    managerId: ref(e.manager),
    groupIds: uniq([legacyDepartmentId(e, ctx), ...teams]),
    locationId: ref(e.workLocationId) ?? (addrKey ? (ctx.locationIdByAddress.get(addrKey) ?? null) : null),
    employmentStatus: status,
    employmentStatusRaw: statusRaw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate,
    terminationDate,
    customFields: Object.fromEntries(customFieldEntries(e.customFields)),
    updatedAt: isoDateTime(e.updatedAt),
  };
}

export function mapLegacyGroups(ctx: LegacyContext): Group[] {
  return [
    ...ctx.departments.map((d) => group(d.id, d.name, 'DEPARTMENT', d.parent)),
    ...ctx.teams.map((t) => group(t.id, t.name, 'TEAM', t.parent)),
  ];
}

export function mapLegacyLocations(ctx: LegacyContext): Location[] {
  return ctx.workLocations.map((l) => ({
    id: l.id,
    name: text(l.nickname) ?? text(l.address?.city) ?? l.id,
    address: address(
      l.address
        ? {
            line1: l.address.streetLine1,
            line2: l.address.streetLine2,
            city: l.address.city,
            region: l.address.state,
            postalCode: l.address.zip,
            country: l.address.country,
          }
        : null,
    ),
    timezone: null,
  }));
}

export function mapLegacyCompany(c: LegacyCompany): Company {
  const legalName =
    text(c.tax_info?.nameWithIrs) ??
    text((c.tax_infos ?? []).map((t) => t.nameWithIrs).find((n) => text(n))) ??
    text(c.tax_info?.entityName);
  return { id: c.id, name: text(c.name) ?? legalName ?? c.id, legalName };
}
