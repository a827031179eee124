/**
 * Pure mapping from SCIM 2.0 (RFC 7643) Users and Groups to the orgsync model. No I/O here.
 *
 * Quirks handled (see README.md for sources):
 * - Attribute names are case-insensitive (`Active`, `Manager`, `resources`): records are
 *   canonicalized in `schemas.ts` before they get here.
 * - `active` arrives as a boolean, or as the strings `"True"`/`"False"` (Entra without
 *   `aadOptscim062020`, OneLogin templates). Absent `active` is UNKNOWN (never ACTIVE, never
 *   TERMINATED); anything else unreadable (e.g. an unrendered template `"{$user.active}"`) is
 *   UNKNOWN with the raw value kept.
 * - `active: false` is TERMINATED: SCIM has no notion of leave or of a future hire, and an IdP that
 *   pre-creates a future hire does so with `active: false`, so such people read as TERMINATED until
 *   they start (the safe direction: no access is granted early).
 * - `manager` arrives as `{value, $ref, displayName}` (RFC), `{value}`, a plain string (Entra sends
 *   the manager's id or userName), a number, under the capitalised key `Manager`, or as a
 *   non-standard `managerId`. The value is taken as the manager's id (RFC: `manager.value` is the
 *   manager's `id`); a value that matches no id is resolved by the core (`scimManagers` hook, in
 *   full and incremental reads alike) against userName, externalId, employee number and work
 *   email; a single match wins, otherwise managerId is null with a snapshot warning.
 * - Emails: `type` is optional and free-form; the work email is the primary `work` one, else any
 *   `work` one, else the primary non-home one, else the first untyped/other one, else `userName`
 *   when it is an email address. The personal email is the `home` one.
 * - Enterprise `department`, `division` and `costCenter` are free text; they become groups with
 *   ids derived from the (trimmed, whitespace-collapsed) name: `department:Engineering`,
 *   `division:Corporate`, `costCenter:CC-100`. Case variants stay distinct groups.
 * - Group membership comes from both `Group.members` and `User.groups` (merged). `User.groups`
 *   entries of `type: "indirect"` (membership through a nested group) are skipped: nesting is
 *   expressed by `Group.parentId`, and `groupIds` holds direct memberships.
 * - Members of `type: "Group"` (or untyped members whose value is a group id) are nested groups:
 *   the child's `parentId` is its parent (the lowest parent id when nested in several; explicit
 *   `type: "Group"` links before inferred ones; a link that would close a cycle is dropped).
 * - `userType` is free-form: `Contractor`/`Vendor`/`Consultant` → CONTRACTOR, `Intern` → INTERN,
 *   `Temporary`/`Temp`/`Seasonal` → TEMPORARY, `Part-Time` → PART_TIME, `Full-Time` → FULL_TIME.
 *   A bare `Employee` says nothing about full or part time: type null, raw kept. Other values →
 *   OTHER with the raw value kept.
 * - SCIM has no hire or termination dates (start/termination dates are null) and no locations.
 */
import type { EmployeeDraft, ManagerHook, ManagerRef } from '../../src/connector/define.js';
import { bool, email, idOf, isoDateTime, text } from '../../src/connector/map-helpers.js';
import type { Company, Employee, EmploymentStatus, EmploymentType, Group } from '../../src/model.js';
import { getCI, nonNegInt } from './paging.js';
import { ENTERPRISE_USER, type EnterpriseUser, type ScimGroup, type ScimUser } from './schemas.js';

export interface ScimContext {
  /** `count` sent with every list request. */
  pageSize: number;
  /** `filter.supported` from /ServiceProviderConfig (null: unknown, the server did not say). */
  filterSupported: boolean | null;
  /** `filter.maxResults` from /ServiceProviderConfig (null: not given). */
  maxResults: number | null;
  groups: Group[];
  /** Group ids, for telling nested groups from users among untyped members. */
  groupIds: Set<string>;
  /** user id -> ids of the groups that list the user as a member. */
  membership: Map<string, string[]>;
}

export const DEFAULT_PAGE_SIZE = 100;

/** `filter.supported` and `filter.maxResults` from a ServiceProviderConfig body (tolerant). */
export function serviceProviderInfo(spc: unknown): { filterSupported: boolean | null; maxResults: number | null } {
  const filter = getCI(spc, 'filter');
  const supported = bool(getCI(filter, 'supported'));
  const max = nonNegInt(getCI(filter, 'maxResults'));
  return { filterSupported: supported, maxResults: max !== undefined && max > 0 ? max : null };
}

/** Page size: the `pageSize` option (default 100), never above the server's `filter.maxResults`. */
export function pageSizeFor(option: number | undefined, maxResults: number | null): number {
  const wanted = option ?? DEFAULT_PAGE_SIZE;
  return maxResults ? Math.max(1, Math.min(wanted, maxResults)) : wanted;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Ids of groups derived from enterprise attributes. */
export const DERIVED_PREFIX = { department: 'department:', division: 'division:', costCenter: 'costCenter:' } as const;
const DERIVED_TYPE = { department: 'DEPARTMENT', division: 'DIVISION', costCenter: 'COST_CENTER' } as const;

export function derivedGroupId(kind: keyof typeof DERIVED_PREFIX, name: unknown): string | null {
  const t = text(name);
  return t ? `${DERIVED_PREFIX[kind]}${norm(t)}` : null;
}

/** Build the mapping context from the server's groups (deduplicated by id; first wins). */
export function buildContext(
  groupRows: ScimGroup[],
  info: { pageSize: number; filterSupported: boolean | null; maxResults: number | null },
): ScimContext {
  const byId = new Map<string, ScimGroup>();
  for (const g of groupRows) if (!byId.has(g.id)) byId.set(g.id, g);
  const groupIds = new Set(byId.keys());
  const membership = new Map<string, string[]>();
  /** child group id -> parents, from `type: "Group"` members (explicit) or untyped members that are group ids (inferred). */
  const parents = { explicit: new Map<string, string[]>(), inferred: new Map<string, string[]>() };
  const push = (m: Map<string, string[]>, k: string, v: string) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const g of byId.values()) {
    for (const m of g.members ?? []) {
      const type = text(m.type)?.toLowerCase() ?? null;
      if (type === 'group') push(parents.explicit, m.value, g.id);
      else if (type === null && groupIds.has(m.value)) push(parents.inferred, m.value, g.id);
      else push(membership, m.value, g.id);
    }
  }
  const parentOf = new Map<string, string>();
  const wouldCycle = (child: string, parent: string) => {
    for (let p: string | undefined = parent, i = 0; p !== undefined && i <= byId.size; p = parentOf.get(p), i++)
      if (p === child) return true;
    return false;
  };
  // Explicit links first, then inferred ones; within each, children and parents in id order.
  for (const links of [parents.explicit, parents.inferred]) {
    for (const child of [...links.keys()].sort()) {
      if (!byId.has(child) || parentOf.has(child)) continue;
      const candidates = [...new Set(links.get(child))].filter((p) => p !== child).sort();
      const parent = candidates.find((p) => !wouldCycle(child, p));
      if (parent) parentOf.set(child, parent);
    }
  }
  const groups: Group[] = [...byId.values()].map((g) => ({
    id: g.id,
    name: text(g.displayName) ?? g.id,
    type: 'OTHER',
    typeRaw: 'Group',
    parentId: parentOf.get(g.id) ?? null,
  }));
  return { ...info, groups, groupIds, membership };
}

/** Status from `active`: true → ACTIVE, false → TERMINATED, absent or unreadable → UNKNOWN (raw kept). */
export function mapStatus(active: unknown): { status: EmploymentStatus; raw: string | null } {
  if (active === undefined || active === null) return { status: 'UNKNOWN', raw: null };
  const raw =
    typeof active === 'string' || typeof active === 'number' || typeof active === 'boolean' ? String(active) : null;
  const b = bool(active);
  if (b === true) return { status: 'ACTIVE', raw };
  if (b === false) return { status: 'TERMINATED', raw };
  return { status: 'UNKNOWN', raw };
}

const TYPE_BY_USER_TYPE: Record<string, EmploymentType | null> = {
  employee: null,
  fulltime: 'FULL_TIME',
  fulltimeemployee: 'FULL_TIME',
  regular: 'FULL_TIME',
  parttime: 'PART_TIME',
  parttimeemployee: 'PART_TIME',
  contractor: 'CONTRACTOR',
  contract: 'CONTRACTOR',
  consultant: 'CONTRACTOR',
  vendor: 'CONTRACTOR',
  contingent: 'CONTRACTOR',
  contingentworker: 'CONTRACTOR',
  freelancer: 'CONTRACTOR',
  intern: 'INTERN',
  internship: 'INTERN',
  temporary: 'TEMPORARY',
  temp: 'TEMPORARY',
  seasonal: 'TEMPORARY',
};

export function mapUserType(userType: unknown): { type: EmploymentType | null; raw: string | null } {
  const raw = text(userType);
  if (!raw) return { type: null, raw: null };
  const key = raw.toLowerCase().replace(/[^a-z]/g, '');
  return Object.prototype.hasOwnProperty.call(TYPE_BY_USER_TYPE, key)
    ? { type: TYPE_BY_USER_TYPE[key]!, raw }
    : { type: 'OTHER', raw };
}

type Email = NonNullable<ScimUser['emails']>[number];

/** Work and personal email from `emails[]` (types optional, `primary` maybe a string), falling back to an email-shaped `userName`. */
export function emailsOf(
  emails: ScimUser['emails'],
  userName: unknown,
): { work: string | null; personal: string | null } {
  const list = (emails ?? [])
    .map((e: Email) => ({
      value: email(e.value),
      type: text(e.type)?.toLowerCase() ?? null,
      primary: bool(e.primary) === true,
    }))
    .filter((e) => e.value);
  const pick = (f: (e: (typeof list)[number]) => boolean) => list.find(f)?.value ?? null;
  const work =
    pick((e) => e.type === 'work' && e.primary) ??
    pick((e) => e.type === 'work') ??
    pick((e) => e.primary && e.type !== 'home') ??
    pick((e) => e.type === null || e.type === 'other') ??
    email(userName);
  const personal = pick((e) => e.type === 'home' && e.primary) ?? pick((e) => e.type === 'home');
  return { work, personal };
}

/** The manager reference, from whichever shape the server used. */
export function managerRefOf(user: ScimUser): ManagerRef | null {
  const ext = (user[ENTERPRISE_USER] ?? null) as EnterpriseUser | null;
  const m: unknown = ext?.manager ?? ext?.managerId ?? user.managerId;
  let value: string | null = null;
  if (typeof m === 'string' || typeof m === 'number') value = idOf(m);
  else if (m && typeof m === 'object') value = idOf((m as { value?: unknown }).value);
  // RFC 7643: `manager.value` is the manager's id, but Entra and OneLogin templates send a userName,
  // an external id or an employee number there: the core tries the id first, then the others.
  return value ? { value } : null;
}

/**
 * The manager-reference hook of the SCIM connector: an untyped `manager` value is an id, else
 * exactly one user's userName, externalId, employee number or work email (case-insensitive).
 */
export const scimManagers: ManagerHook = {
  userName: (e) => text(e.customFields?.['userName']),
  externalId: (e) => text(e.customFields?.['externalId']),
  valueKeys: ['id', 'userName', 'externalId', 'employeeNumber', 'workEmail'],
};

/** Map one SCIM User. */
export function mapUser(user: ScimUser, ctx: ScimContext): EmployeeDraft {
  const ext = (user[ENTERPRISE_USER] ?? null) as EnterpriseUser | null;
  const { status, raw: statusRaw } = mapStatus(user.active);
  const { type, raw: typeRaw } = mapUserType(user.userType);
  const { work, personal } = emailsOf(user.emails, user.userName);
  const groupIds = [
    derivedGroupId('department', ext?.department),
    derivedGroupId('division', ext?.division),
    derivedGroupId('costCenter', ext?.costCenter),
  ].filter((g): g is string => g !== null);
  groupIds.push(...(ctx.membership.get(user.id) ?? []));
  for (const g of user.groups ?? []) {
    const id = idOf(g.value);
    if (id && text(g.type)?.toLowerCase() !== 'indirect') groupIds.push(id);
  }
  const customFields: Record<string, unknown> = {};
  const userName = text(user.userName);
  const externalId = text(user.externalId);
  const organization = text(ext?.organization);
  if (userName) customFields['userName'] = userName;
  if (externalId) customFields['externalId'] = externalId;
  if (organization) customFields['organization'] = organization;
  return {
    id: user.id,
    employeeNumber: text(ext?.employeeNumber),
    firstName: text(user.name?.givenName),
    lastName: text(user.name?.familyName),
    preferredName: text(user.nickName),
    displayName: text(user.displayName) ?? text(user.name?.formatted),
    workEmail: work,
    personalEmail: personal,
    jobTitle: text(user.title),
    managerRef: managerRefOf(user),
    groupIds,
    locationId: null,
    employmentStatus: status,
    employmentStatusRaw: statusRaw,
    employmentType: type,
    employmentTypeRaw: typeRaw,
    startDate: null,
    terminationDate: null,
    customFields,
    updatedAt: isoDateTime(user.meta?.lastModified),
  };
}

/**
 * Department, division and cost-center groups named by the employees' derived group ids. A
 * department's parent is its division when every person in it who has a division has the same one.
 */
export function derivedGroups(
  employees: ReadonlyArray<Pick<Employee, 'groupIds'>>,
  known: ReadonlySet<string> = new Set(),
): Group[] {
  const out = new Map<string, Group>();
  const divisionsOf = new Map<string, Set<string>>();
  for (const e of employees) {
    let division: string | null = null;
    const departments: string[] = [];
    for (const id of e.groupIds) {
      if (known.has(id)) continue;
      for (const kind of Object.keys(DERIVED_PREFIX) as Array<keyof typeof DERIVED_PREFIX>) {
        const prefix = DERIVED_PREFIX[kind];
        if (!id.startsWith(prefix) || id.length === prefix.length) continue;
        if (!out.has(id))
          out.set(id, { id, name: id.slice(prefix.length), type: DERIVED_TYPE[kind], typeRaw: kind, parentId: null });
        if (kind === 'division') division = id;
        if (kind === 'department') departments.push(id);
      }
    }
    if (division)
      for (const d of departments) (divisionsOf.get(d) ?? divisionsOf.set(d, new Set()).get(d)!).add(division);
  }
  for (const [dept, divisions] of divisionsOf) if (divisions.size === 1) out.get(dept)!.parentId = [...divisions][0]!;
  return [...out.values()];
}

/** The company: SCIM has none, so it is the service (host and path of the base URL). */
export function mapCompany(baseUrl: string): Company {
  const u = new URL(baseUrl);
  const path = u.pathname.replace(/\/+$/, '');
  return { id: `${u.host}${path}`, name: u.hostname, legalName: null };
}

/** The incremental filter (RFC 7644 §3.4.2.2), to the second, rounded down so nothing is missed. */
export function lastModifiedFilter(since: Date): string {
  const t = Math.floor(since.getTime() / 1000) * 1000;
  return `meta.lastModified gt "${new Date(t).toISOString().replace('.000Z', 'Z')}"`;
}
