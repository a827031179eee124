/**
 * Pure mapping from BambooHR's wire format to the orgsync model. No I/O here.
 *
 * Quirks handled:
 * - Custom reports give `supervisorId` as the manager's *employee number*, not their id; the
 *   manager is resolved by employee number (or by `supervisorEId` when BambooHR sends it).
 * - Empty dates come back as `"0000-00-00"` or `""`.
 * - `employmentHistoryStatus` mixes status and type (`Full-Time`, `Terminated`, `Furloughed`,
 *   `Contractor`, ...) and is company-configurable. When it holds a status, BambooHR sends no type:
 *   employmentType and employmentTypeRaw are null (the value is in employmentStatusRaw), and the
 *   diff lists the type's disappearance in the status event (TERMINATION, LEAVE_START), never as a
 *   PROFILE_UPDATE (docs/change-events.md).
 * - Reports give department, division and location as names; ids come from `/v1/meta/lists`.
 */
import type { Company, EmploymentStatus, EmploymentType, Group, Location } from '../../src/model.js';
import type { EmployeeDraft } from '../../src/connector/define.js';
import { email, idOf, isoDate, isoDateTime, text, today as todayOf } from '../../src/connector/map-helpers.js';
import type { CompanyInformation, CustomReportRow, MetaList } from './schemas.js';

/** Report fields orgsync requests (unknown ones are dropped silently by BambooHR). */
export const REPORT_FIELDS = [
  'id',
  'employeeNumber',
  'firstName',
  'lastName',
  'preferredName',
  'displayName',
  'workEmail',
  'homeEmail',
  'jobTitle',
  'department',
  'division',
  'location',
  'supervisorId',
  'supervisorEId',
  'supervisorEmail',
  'status',
  'employmentHistoryStatus',
  'hireDate',
  'terminationDate',
  'lastChanged',
] as const;

const STANDARD = new Set<string>([...REPORT_FIELDS, 'supervisor']);

export interface ListOption {
  id: string;
  name: string;
  archived: boolean;
}

export interface BambooContext {
  /** Options of the `department`, `division`, `location` and `teams` lists, keyed by lower-cased name. */
  lists: Record<'department' | 'division' | 'location' | 'teams', Map<string, ListOption>>;
  /** Today (YYYY-MM-DD), to tell future hires and scheduled terminations apart. */
  today: string;
  subdomain: string;
}

const LIST_ALIASES = ['department', 'division', 'location', 'teams'] as const;

export function buildContext(lists: MetaList[], subdomain: string, now: Date = new Date()): BambooContext {
  const out = Object.fromEntries(LIST_ALIASES.map((a) => [a, new Map<string, ListOption>()])) as BambooContext['lists'];
  for (const list of lists) {
    const alias = (list.alias ?? '').trim() as (typeof LIST_ALIASES)[number];
    if (!LIST_ALIASES.includes(alias)) continue;
    for (const o of list.options) {
      out[alias].set(o.name.trim().toLowerCase(), {
        id: String(o.id),
        name: o.name.trim(),
        archived: o.archived === 'yes',
      });
    }
  }
  return { lists: out, today: todayOf(now), subdomain };
}

/** Group id for a list value: the list option's id, or a name-derived id when the list lacks it. */
function listId(
  ctx: BambooContext,
  alias: 'department' | 'division' | 'teams' | 'location',
  name: string | null,
): string | null {
  if (!name) return null;
  const hit = ctx.lists[alias].get(name.toLowerCase());
  return hit ? hit.id : `${alias}:${name}`;
}

const TYPE_BY_HISTORY: Record<string, EmploymentType> = {
  'full-time': 'FULL_TIME',
  'full time': 'FULL_TIME',
  'part-time': 'PART_TIME',
  'part time': 'PART_TIME',
  contractor: 'CONTRACTOR',
  contract: 'CONTRACTOR',
  consultant: 'CONTRACTOR',
  intern: 'INTERN',
  internship: 'INTERN',
  temporary: 'TEMPORARY',
  temp: 'TEMPORARY',
  seasonal: 'TEMPORARY',
};

/** Values of `employmentHistoryStatus` that describe a status rather than a type. */
const STATUS_BY_HISTORY: Record<string, EmploymentStatus> = {
  terminated: 'TERMINATED',
  furloughed: 'LEAVE',
  'on leave': 'LEAVE',
  leave: 'LEAVE',
  'leave of absence': 'LEAVE',
};

/** Table lookup that only sees the table's own keys (`constructor` is a value, not a function). */
function own<V>(table: Record<string, V>, key: string): V | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/**
 * Status from `status` (Active/Inactive), `employmentHistoryStatus`, hire and termination dates.
 * - A termination date in the past, or `Terminated`, is TERMINATED; a future termination date
 *   keeps the person ACTIVE (scheduled termination).
 * - `Inactive` with a future hire date is PENDING (BambooHR counts future hires as Inactive).
 * - Furloughed / leave values are LEAVE.
 * - Unknown combinations are UNKNOWN with the raw value kept, never ACTIVE by default.
 */
export function mapStatus(row: CustomReportRow, today: string): { status: EmploymentStatus; raw: string | null } {
  const status = text(row.status)?.toLowerCase() ?? null;
  const history = text(row.employmentHistoryStatus);
  const h = history?.toLowerCase() ?? null;
  const hire = isoDate(row.hireDate);
  const term = isoDate(row.terminationDate);
  const raw = [text(row.status), history].filter(Boolean).join(' / ') || null;

  if (term && term <= today) return { status: 'TERMINATED', raw };
  if (h && own(STATUS_BY_HISTORY, h) === 'TERMINATED')
    return { status: term && term > today ? 'ACTIVE' : 'TERMINATED', raw };
  if (hire && hire > today && status !== 'inactive' && !(h && own(STATUS_BY_HISTORY, h)))
    return { status: 'PENDING', raw };
  if (status === 'inactive') return { status: hire && hire > today ? 'PENDING' : 'TERMINATED', raw };
  if (h && own(STATUS_BY_HISTORY, h) === 'LEAVE') return { status: 'LEAVE', raw };
  if (status === 'active') return { status: 'ACTIVE', raw };
  // No `status` field: trust a history value that names a working arrangement.
  if (status === null && h && own(TYPE_BY_HISTORY, h)) return { status: 'ACTIVE', raw };
  return { status: 'UNKNOWN', raw };
}

export function mapEmploymentType(row: CustomReportRow): { type: EmploymentType | null; raw: string | null } {
  const history = text(row.employmentHistoryStatus);
  if (!history) return { type: null, raw: null };
  const h = history.toLowerCase();
  const type = own(TYPE_BY_HISTORY, h);
  if (type) return { type, raw: history };
  // A status in the type's place ("Terminated", "Leave of Absence"): BambooHR sends no type at all
  // then. The value is kept in employmentStatusRaw; the type is absent, not "changed to a status".
  if (own(STATUS_BY_HISTORY, h)) return { type: null, raw: null };
  return { type: 'OTHER', raw: history };
}

export function mapEmployee(row: CustomReportRow, ctx: BambooContext): EmployeeDraft {
  const { status, raw: statusRaw } = mapStatus(row, ctx.today);
  const { type, raw: typeRaw } = mapEmploymentType(row);
  const department = text(row.department);
  const division = text(row.division);
  const groupIds = [listId(ctx, 'department', department), listId(ctx, 'division', division)].filter(
    (g): g is string => g !== null,
  );
  const teams = text((row as Record<string, unknown>)['teams']);
  if (teams)
    for (const t of teams
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      groupIds.push(listId(ctx, 'teams', t)!);
  const customFields: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(row)) if (!STANDARD.has(k)) customFields.push([k, v]);
  const supervisorEid = idOf(row.supervisorEId);
  const supervisorNumber = text(row.supervisorId);
  const supervisorEmail = email(row.supervisorEmail);
  return {
    id: String(row.id),
    employeeNumber: text(row.employeeNumber),
    firstName: text(row.firstName),
    lastName: text(row.lastName),
    preferredName: text(row.preferredName),
    displayName: text(row.displayName),
    workEmail: email(row.workEmail),
    personalEmail: email(row.homeEmail),
    jobTitle: text(row.jobTitle),
    managerRef: supervisorEid
      ? { id: supervisorEid }
      : supervisorNumber
        ? { employeeNumber: supervisorNumber }
        : supervisorEmail
          ? { workEmail: supervisorEmail }
          : null,
    groupIds,
    locationId: listId(ctx, 'location', text(row.location)),
    employmentStatus: status,
    employmentStatusRaw: statusRaw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate: isoDate(row.hireDate),
    terminationDate: isoDate(row.terminationDate),
    customFields: Object.fromEntries(customFields),
    updatedAt: isoDateTime(row.lastChanged),
  };
}

const GROUP_TYPES = { department: 'DEPARTMENT', division: 'DIVISION', teams: 'TEAM' } as const;

/** Departments, divisions and teams from `/v1/meta/lists` (archived options included, so old references resolve). */
export function mapGroups(ctx: BambooContext): Group[] {
  const out: Group[] = [];
  for (const alias of ['department', 'division', 'teams'] as const) {
    for (const o of ctx.lists[alias].values()) {
      out.push({ id: o.id, name: o.name, type: GROUP_TYPES[alias], typeRaw: alias, parentId: null });
    }
  }
  return out;
}

/** Locations from the `location` list (names only: addresses need the `hris/org/locations` scope). */
export function mapLocations(ctx: BambooContext): Location[] {
  return [...ctx.lists.location.values()].map((o) => ({ id: o.id, name: o.name, address: null, timezone: null }));
}

export function mapCompany(info: CompanyInformation | null, subdomain: string): Company {
  return {
    id: subdomain,
    name: text(info?.displayName) ?? text(info?.legalName) ?? subdomain,
    legalName: text(info?.legalName),
  };
}
