/**
 * Pure mapping from HiBob's wire format to the orgsync model. No I/O here.
 *
 * Quirks handled:
 * - One `POST /people/search` returns everyone (no paging, no changed-since filter). Only active
 *   people come back unless `showInactive: true` is sent, so the connector always sends it.
 * - List fields (`work.department`, `work.site`, `payroll.employment.type`, ...) hold list item ids
 *   unless `humanReadable` is sent; `REPLACE` swaps in labels and turns `work.reportsTo` into a
 *   display-name string. orgsync never sends `humanReadable` and resolves department and site names
 *   from `GET /company/named-lists/{department|site}` (archived items included, so old references
 *   keep their names). A string `reportsTo` (someone else's proxy sending humanReadable) is not used
 *   as a manager; `work.manager` (an employee id) is used instead when present.
 * - Fields the service user may not view are silently left out (no error). A person without
 *   `internal.lifecycleStatus` and `internal.status` reads UNKNOWN (never ACTIVE), and the connector
 *   warns once per read (index.ts `enrich`).
 * - Status comes from `internal.lifecycleStatus` (no published enum; matched case-insensitively):
 *   employed -> ACTIVE, hired -> PENDING, leave / on leave -> LEAVE, terminated ->
 *   TERMINATED, other values -> UNKNOWN with the raw value kept. Without a lifecycle status,
 *   `internal.status` decides: Active -> ACTIVE, Inactive -> TERMINATED only with a termination
 *   date on or before today, else UNKNOWN ("Inactive" alone is not proof that someone left).
 * - Future hires: an ACTIVE/hired person whose `work.startDate` is after today reads PENDING.
 * - Scheduled terminations: `internal.terminationDate` after today on an active person is kept as
 *   `terminationDate` with status ACTIVE (or LEAVE).
 * - Rehires: a termination date before the current `work.startDate` belongs to an earlier
 *   employment and is dropped for people who are not terminated.
 * - Employment type: `payroll.employment.type` (Contractor/Freelancer, Intern, Temporary/Fixed term)
 *   wins over `payroll.employment.contract` (Full time / Part time); labels or ids of customer lists
 *   that match nothing read OTHER with the raw value kept ("type / contract").
 * - The manager is `work.reportsTo.id`, the manager's employee id; `reportsTo.email` is the fallback.
 * - The employee number is `work.employeeIdInCompany` (a number).
 * - Custom fields live under `<category>.custom.field_<n>`; every `custom` object the response
 *   carries is copied into `customFields` keyed by its path (e.g. `work.custom.field_1698036945383`).
 * - No company endpoint: the company is the `companyId` every person carries (named by the
 *   `companyName` option when given).
 */
import type { Company, EmploymentStatus, EmploymentType, Group, Location } from '../../src/model.js';
import type { EmployeeDraft } from '../../src/connector/define.js';
import { email, idOf, isoDate, safeRecord, text, today as todayOf } from '../../src/connector/map-helpers.js';
import type { HibobEmployee, HibobListItem } from './schemas.js';

export interface HibobNamedItem {
  id: string;
  name: string;
  parentId: string | null;
  archived: boolean;
}

export interface HibobContext {
  today: string;
  /** `department` list items by id (empty when the list could not be read). */
  departments: Map<string, HibobNamedItem>;
  /** `site` list items by id. */
  sites: Map<string, HibobNamedItem>;
  /** Department and site ids people name (collected while mapping). */
  namedDepartments: Set<string>;
  namedSites: Set<string>;
  /** `companyId`s seen on people (collected while mapping). */
  companyIds: Set<string>;
  companyName: string | null;
}

/** Flatten a (possibly nested) named list into items with their parent. */
export function flattenList(
  items: HibobListItem[],
  parentId: string | null = null,
  out = new Map<string, HibobNamedItem>(),
): Map<string, HibobNamedItem> {
  const stack: Array<{ item: HibobListItem; parentId: string | null }> = items.map((item) => ({ item, parentId }));
  for (let guard = 0; stack.length && guard < 100_000; guard++) {
    const { item, parentId: parent } = stack.shift()!;
    const id = String(item.id);
    if (out.has(id)) continue;
    out.set(id, { id, name: text(item.name) ?? id, parentId: parent, archived: item.archived === true });
    for (const c of item.children ?? []) stack.push({ item: c, parentId: id });
  }
  return out;
}

export function buildContext(o: {
  now: Date;
  departments: HibobListItem[];
  sites: HibobListItem[];
  companyName?: string | undefined;
}): HibobContext {
  return {
    today: todayOf(o.now),
    departments: flattenList(o.departments),
    sites: flattenList(o.sites),
    namedDepartments: new Set(),
    namedSites: new Set(),
    companyIds: new Set(),
    companyName: o.companyName ?? null,
  };
}

export interface HibobStatus {
  status: EmploymentStatus;
  raw: string | null;
  terminationDate: string | null;
}

function lifecycleStatus(v: string): EmploymentStatus | undefined {
  const k = v
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();
  if (k === 'employed' || k === 'active') return 'ACTIVE';
  if (k === 'hired' || k === 'pre hire' || k === 'onboarding') return 'PENDING';
  if (k === 'leave' || k === 'on leave' || k === 'leave of absence') return 'LEAVE';
  if (k === 'terminated' || k === 'inactive') return 'TERMINATED';
  return undefined;
}

/** Employment status from `internal.*` and `work.startDate` (see the quirks at the top). */
export function mapStatus(row: HibobEmployee, today: string): HibobStatus {
  const lifecycle = text(row.internal?.lifecycleStatus);
  const active = text(row.internal?.status);
  const raw = [lifecycle, active].filter(Boolean).join(' / ') || null;
  const start = isoDate(row.work?.startDate);
  let termination = isoDate(row.internal?.terminationDate);
  let status: EmploymentStatus;
  if (lifecycle) status = lifecycleStatus(lifecycle) ?? 'UNKNOWN';
  else if (active?.toLowerCase() === 'active') status = 'ACTIVE';
  else if (active?.toLowerCase() === 'inactive')
    status = termination && termination <= today ? 'TERMINATED' : 'UNKNOWN';
  else status = 'UNKNOWN';
  if (status === 'ACTIVE' && start && start > today) status = 'PENDING';
  // A termination before the current start date belongs to an earlier employment (a rehire).
  if (status !== 'TERMINATED' && termination && start && termination < start) termination = null;
  return { status, raw, terminationDate: termination };
}

const TYPE_WORDS: Array<[RegExp, EmploymentType]> = [
  [/contract(or)?\b|freelanc|consultant/i, 'CONTRACTOR'],
  [/intern/i, 'INTERN'],
  [/temp|fixed[\s-]?term|seasonal/i, 'TEMPORARY'],
];

/** Employment type from `payroll.employment.type` and `.contract`. */
export function mapEmploymentType(row: HibobEmployee): { type: EmploymentType | null; raw: string | null } {
  const type = idOf(row.payroll?.employment?.type);
  const contract = idOf(row.payroll?.employment?.contract);
  const raw = [type, contract].filter(Boolean).join(' / ') || null;
  if (!raw) return { type: null, raw: null };
  for (const [re, t] of TYPE_WORDS) if (type && re.test(type)) return { type: t, raw };
  if (contract && /part[\s-]?time/i.test(contract)) return { type: 'PART_TIME', raw };
  if (contract && /full[\s-]?time/i.test(contract)) return { type: 'FULL_TIME', raw };
  for (const [re, t] of TYPE_WORDS) if (contract && re.test(contract)) return { type: t, raw };
  if (type && /permanent|regular|employee/i.test(type) && !contract) return { type: 'FULL_TIME', raw };
  return { type: 'OTHER', raw };
}

/** Every `<category>.custom.<field>` value, keyed by its path. */
export function customFieldsOf(row: HibobEmployee): Record<string, unknown> {
  const entries: Array<[string, unknown]> = [];
  for (const [category, part] of Object.entries(row)) {
    if (!part || typeof part !== 'object' || Array.isArray(part)) continue;
    const custom = (part as Record<string, unknown>)['custom'];
    if (!custom || typeof custom !== 'object' || Array.isArray(custom)) continue;
    for (const [k, v] of Object.entries(custom as Record<string, unknown>))
      entries.push([`${category}.custom.${k}`, v ?? null]);
  }
  return safeRecord(entries);
}

function managerRef(row: HibobEmployee): EmployeeDraft['managerRef'] {
  const r = row.work?.reportsTo;
  if (r && typeof r === 'object') {
    const id = idOf(r.id);
    if (id) return { id };
    const mail = email(r.email);
    if (mail) return { workEmail: mail };
  }
  const manager = idOf(row.work?.manager);
  return manager ? { id: manager } : null;
}

export function mapEmployee(row: HibobEmployee, ctx: HibobContext): EmployeeDraft {
  const { status, raw, terminationDate } = mapStatus(row, ctx.today);
  const { type, raw: typeRaw } = mapEmploymentType(row);
  const company = idOf(row.companyId);
  if (company) ctx.companyIds.add(company);
  const department = idOf(row.work?.department);
  if (department) ctx.namedDepartments.add(department);
  const site = idOf(row.work?.siteId) ?? idOf(row.work?.site);
  if (site) ctx.namedSites.add(site);
  const display = text(row.displayName);
  const first = text(row.firstName);
  const last = text(row.surname);
  return {
    id: row.id,
    employeeNumber: idOf(row.work?.employeeIdInCompany),
    firstName: first,
    lastName: last,
    // Bob's displayName defaults to "first last"; anything else is the name the person goes by.
    preferredName:
      display && display !== [first, last].filter(Boolean).join(' ') ? (display.split(' ')[0] ?? null) : null,
    displayName: display,
    workEmail: email(row.email),
    personalEmail: email(row.home?.privateEmail),
    jobTitle: text(row.work?.title),
    managerRef: managerRef(row),
    groupIds: department ? [department] : [],
    locationId: site,
    employmentStatus: status,
    employmentStatusRaw: raw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate: isoDate(row.work?.startDate),
    terminationDate,
    customFields: customFieldsOf(row),
    updatedAt: null,
  };
}

/** Items of a list: active ones, archived ones someone still names, and named ids the list lacks. */
function listed(items: Map<string, HibobNamedItem>, named: Set<string>): HibobNamedItem[] {
  const out = [...items.values()].filter((i) => !i.archived || named.has(i.id));
  for (const id of named) if (!items.has(id)) out.push({ id, name: id, parentId: null, archived: false });
  return out;
}

/** Departments as DEPARTMENT groups (a nested list keeps its hierarchy as `parentId`). */
export function mapGroups(ctx: HibobContext): Group[] {
  const items = listed(ctx.departments, ctx.namedDepartments);
  const ids = new Set(items.map((d) => d.id));
  return items.map((d) => ({
    id: d.id,
    name: d.name,
    type: 'DEPARTMENT' as const,
    typeRaw: 'department',
    parentId: d.parentId && ids.has(d.parentId) ? d.parentId : null,
  }));
}

/** Sites as locations (the list has names only: no address or time zone). */
export function mapLocations(ctx: HibobContext): Location[] {
  return listed(ctx.sites, ctx.namedSites).map((s) => ({ id: s.id, name: s.name, address: null, timezone: null }));
}

export function mapCompany(ctx: HibobContext): Company {
  const ids = [...ctx.companyIds].sort();
  const id = ids[0] ?? 'hibob';
  return { id, name: ctx.companyName ?? `HiBob company ${id}`, legalName: null };
}
