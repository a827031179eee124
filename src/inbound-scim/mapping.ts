/**
 * What the inbound endpoint holds, as an orgsync `OrgSnapshot` (connector `scim-inbound`, company id
 * = tenant). The mapping is the SCIM client connector's own (`connectors/scim/map.ts`, its pure
 * functions `buildContext`, `mapUser`, `derivedGroups` and `resolveManagers`, and the core's
 * `finalizeEmployees`), so a user pushed here and the same user read from a SCIM server by the
 * connector become the same Employee:
 * - `active` true -> ACTIVE, false -> TERMINATED, absent -> UNKNOWN (raw value kept);
 * - Enterprise `department` / `division` / `costCenter` -> DEPARTMENT / DIVISION / COST_CENTER
 *   groups with ids `department:<name>` …;
 * - SCIM Groups -> groups (type as the connector maps them) and the members' `groupIds`;
 *   members of type Group -> nested groups (`parentId`);
 * - Enterprise `manager` -> `managerId` (by id; an Entra-style userName/externalId reference is
 *   resolved to the id when it matches exactly one user).
 */
import { buildContext, derivedGroups, mapUser, resolveManagers, type ScimContext } from '../../connectors/scim/map.js';
import { ScimGroupSchema, ScimUserSchema, type ScimGroup, type ScimUser } from '../../connectors/scim/schemas.js';
import { finalizeEmployees, type ConnectorDefinition, type EmployeeDraft } from '../connector/define.js';
import { OrgSnapshotSchema, SCHEMA_VERSION, type Employee, type OrgSnapshot } from '../model.js';

type Rec = Record<string, unknown>;

export const INBOUND_CONNECTOR_ID = 'scim-inbound';

/** The identity `finalizeEmployees` reports errors under (it only reads `id` and `name`). */
const SOURCE = { id: INBOUND_CONNECTOR_ID, name: 'SCIM inbound' } as unknown as ConnectorDefinition<Record<string, unknown>, unknown>;

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
const mappedUsers = new WeakMap<Rec, { membership: string; employee: Employee | null }>();

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
function mapOne(u: Rec, ctx: ScimContext): Employee | null {
  const id = typeof u['id'] === 'string' ? u['id'] : String(u['id']);
  const membership = (ctx.membership.get(id) ?? []).join('\u0000');
  const hit = mappedUsers.get(u);
  if (hit && hit.membership === membership) return hit.employee;
  const r = ScimUserSchema.safeParse(u);
  let employee: Employee | null = null;
  if (r.success) {
    const draft: EmployeeDraft = mapUser(r.data as ScimUser, ctx);
    // The core's per-employee finalization (defaults, manager reference, validation). A SCIM manager
    // reference is an id, so nothing in it depends on the other employees; its warnings are
    // recomputed below for the whole tenant.
    employee = finalizeEmployees(SOURCE, [{ draft, raw: u }], false).employees[0] ?? null;
  }
  mappedUsers.set(u, { membership, employee });
  return employee;
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
  const mapped: Employee[] = [];
  for (const u of source.users) {
    const e = mapOne(u, ctx);
    if (e) mapped.push(e);
    else warnings.push(`user ${String(u['id'])}: not readable as a SCIM User; left out`);
  }
  // Same warning the core's finalizeEmployees gives; resolveManagers drops it when it resolves the reference.
  const ids = new Set(mapped.map((e) => e.id));
  const managerWarnings = mapped.filter((e) => e.managerId && !ids.has(e.managerId)).map((e) => `employee ${e.id}: manager ${e.managerId} is not in the snapshot`);
  const resolved = resolveManagers(mapped, managerWarnings);
  const employees = resolved.employees;
  const groups = [...ctx.groups, ...derivedGroups(employees, new Set(ctx.groups.map((g) => g.id)))];
  const groupIds = new Set(groups.map((g) => g.id));
  for (const e of employees) for (const g of e.groupIds) if (!groupIds.has(g)) warnings.push(`employee ${e.id}: group ${g} is not in the snapshot`);
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
    warnings: [...warnings, ...resolved.warnings],
  });
  return { ...rest, employees: [...employees].sort(byId) };
}
