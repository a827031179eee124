/**
 * What the inbound endpoint holds, as an orgsync `OrgSnapshot` (connector `scim-inbound`, company id
 * = tenant). The mapping is the SCIM client connector's own (`connectors/scim/map.ts`, its pure
 * functions `buildContext`, `mapUser`, `derivedGroups`, its `scimManagers` hook, and the core's
 * `finalizeEmployees` and manager resolution), so a user pushed here and the same user read from a SCIM server by the
 * connector become the same Employee:
 * - `active` true -> ACTIVE, false -> TERMINATED, absent -> UNKNOWN (raw value kept);
 * - Enterprise `department` / `division` / `costCenter` -> DEPARTMENT / DIVISION / COST_CENTER
 *   groups with ids `department:<name>` …;
 * - SCIM Groups -> groups (type as the connector maps them) and the members' `groupIds`;
 *   members of type Group -> nested groups (`parentId`);
 * - Enterprise `manager` -> `managerId` (by id; an Entra-style userName/externalId reference is
 *   resolved to the id when it matches exactly one user; otherwise null with a warning).
 */
import { buildContext, derivedGroups, mapUser, scimManagers, type ScimContext } from '../../connectors/scim/map.js';
import { ScimGroupSchema, ScimUserSchema, type ScimGroup, type ScimUser } from '../../connectors/scim/schemas.js';
import {
  finalizeEmployees,
  type ConnectorDefinition,
  type EmployeeDraft,
  type ManagerRef,
} from '../connector/define.js';
import { managerResolver } from '../connector/managers.js';
import { OrgSnapshotSchema, SCHEMA_VERSION, type Employee, type OrgSnapshot } from '../model.js';

type Rec = Record<string, unknown>;

export const INBOUND_CONNECTOR_ID = 'scim-inbound';

/** The identity `finalizeEmployees` reports errors under (it only reads `id` and `name`). */
const SOURCE = { id: INBOUND_CONNECTOR_ID, name: 'SCIM inbound' } as unknown as ConnectorDefinition<
  Record<string, unknown>,
  unknown
>;

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export interface SnapshotSource {
  users: readonly Rec[];
  groups: readonly Rec[];
}

/**
 * Per-resource work is cached on the stored objects themselves (the handler never mutates a stored
 * resource, it replaces it), so a write re-maps only what it touched: parsing a user and mapping it
 * to an Employee depends on nothing but the user and the groups listing it as a member.
 */
const parsedGroups = new WeakMap<Rec, ScimGroup | null>();
const mappedUsers = new WeakMap<Rec, Mapped>();
interface Mapped {
  membership: string;
  employee: Employee | null;
  /** The manager reference, resolved against the whole tenant in `buildSnapshot`. */
  ref: ManagerRef | null;
}

function parseGroup(g: Rec): ScimGroup | null {
  let r = parsedGroups.get(g);
  if (r === undefined) {
    const p = ScimGroupSchema.safeParse(g);
    r = p.success ? p.data : null;
    parsedGroups.set(g, r);
  }
  return r;
}

/** The user as an Employee before manager references are resolved against the other users. */
function mapOne(u: Rec, ctx: ScimContext): Mapped {
  const id = typeof u['id'] === 'string' ? u['id'] : String(u['id']);
  const membership = (ctx.membership.get(id) ?? []).join('\u0000');
  const hit = mappedUsers.get(u);
  if (hit && hit.membership === membership) return hit;
  const r = ScimUserSchema.safeParse(u);
  let employee: Employee | null = null;
  let ref: ManagerRef | null = null;
  if (r.success) {
    const draft: EmployeeDraft = mapUser(r.data as ScimUser, ctx);
    // The core's per-employee finalization (defaults, validation); the manager reference depends on
    // the other users and is resolved in `buildSnapshot`.
    ref = draft.managerRef ?? null;
    employee =
      finalizeEmployees(SOURCE, [{ draft: { ...draft, managerRef: null }, raw: u }], false).employees[0] ?? null;
  }
  const out = { membership, employee, ref };
  mappedUsers.set(u, out);
  return out;
}

export function buildSnapshot(source: SnapshotSource, company: { id: string; name: string }, now: Date): OrgSnapshot {
  const warnings: string[] = [];
  const groupRows: ScimGroup[] = [];
  for (const g of source.groups) {
    const r = parseGroup(g);
    if (r) groupRows.push(r);
    else warnings.push(`group ${String(g['id'])}: not readable as a SCIM Group; left out`);
  }
  const ctx = buildContext(groupRows, { pageSize: 0, filterSupported: true, maxResults: null });
  const mapped: Mapped[] = [];
  for (const u of source.users) {
    const m = mapOne(u, ctx);
    if (m.employee) mapped.push(m);
    else warnings.push(`user ${String(u['id'])}: not readable as a SCIM User; left out`);
  }
  // Manager references resolved as the SCIM connector's are (core resolver, `scimManagers` hook).
  const all = new Map(mapped.map((m) => [m.employee!.id, { draft: m.employee! }]));
  const resolver = managerResolver(all, scimManagers);
  const managerWarnings: string[] = [];
  const employees = mapped.map(({ employee, ref }) => {
    const managerId = ref ? resolver.resolve(employee!.id, ref, (w) => managerWarnings.push(w)) : null;
    return managerId === employee!.managerId ? employee! : { ...employee!, managerId };
  });
  const groups = [...ctx.groups, ...derivedGroups(employees, new Set(ctx.groups.map((g) => g.id)))];
  const groupIds = new Set(groups.map((g) => g.id));
  for (const e of employees)
    for (const g of e.groupIds)
      if (!groupIds.has(g)) warnings.push(`employee ${e.id}: group ${g} is not in the snapshot`);
  // Everything but the employees is validated here; each employee was validated when it was mapped.
  const rest = OrgSnapshotSchema.parse({
    schemaVersion: SCHEMA_VERSION,
    connector: INBOUND_CONNECTOR_ID,
    takenAt: now.toISOString(),
    complete: true,
    company: { id: company.id, name: company.name, legalName: null },
    employees: [],
    groups: [...groups].sort(byId),
    locations: [],
    warnings: [...warnings, ...managerWarnings],
  });
  return { ...rest, employees: [...employees].sort(byId) };
}
