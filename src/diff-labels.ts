/**
 * Display names for id-valued fields of change events (managerId, groupIds, locationId), so a
 * listing reads `manager: Ana Ruiz → Bo Chen` without the snapshots at hand. Added to each
 * FieldChange as `beforeLabel`/`afterLabel` after the event ids are computed (ids do not change).
 */
import type { ChangeEvent } from './changes.js';
import type { Employee, Group, Location } from './model.js';

interface Named {
  employees: readonly Employee[];
  groups: readonly Pick<Group, 'id' | 'name'>[];
  locations: readonly Pick<Location, 'id' | 'name'>[];
}

export function employeeDisplayName(e: Pick<Employee, 'displayName' | 'firstName' | 'lastName'>): string {
  return e.displayName?.trim() || [e.firstName, e.lastName].filter(Boolean).join(' ').trim();
}

/** Add labels in place; only the ids the events mention are looked up (one pass over the employees). */
export function labelChangeEvents(events: ChangeEvent[], previous: Named, current: Named): void {
  const people = new Set<string>();
  let needGroups = false;
  let needLocations = false;
  for (const e of events) {
    if (e.kind !== 'employee') continue;
    for (const c of e.changes) {
      if (c.field === 'managerId') {
        if (typeof c.before === 'string') people.add(c.before);
        if (typeof c.after === 'string') people.add(c.after);
      } else if (c.field === 'groupIds') needGroups = true;
      else if (c.field === 'locationId') needLocations = true;
    }
  }
  if (!people.size && !needGroups && !needLocations) return;
  const names = new Map<string, string>();
  // Current names win over previous ones (a manager renamed in the same sync shows the new name).
  for (const list of [previous.employees, current.employees]) {
    if (!people.size) break;
    for (const p of list) if (people.has(p.id)) names.set(p.id, employeeDisplayName(p) || p.id);
  }
  const groups = new Map<string, string>();
  if (needGroups) for (const list of [previous.groups, current.groups]) for (const g of list) groups.set(g.id, g.name);
  const locations = new Map<string, string>();
  if (needLocations)
    for (const list of [previous.locations, current.locations]) for (const l of list) locations.set(l.id, l.name);

  for (const e of events) {
    if (e.kind !== 'employee') continue;
    for (const c of e.changes) {
      if (c.field === 'managerId') {
        const label = (v: unknown) => (typeof v === 'string' ? names.get(v) : undefined);
        const [b, a] = [label(c.before), label(c.after)];
        if (b !== undefined) c.beforeLabel = b;
        if (a !== undefined) c.afterLabel = a;
      } else if (c.field === 'groupIds' && groups.size) {
        const label = (v: unknown) =>
          Array.isArray(v) ? v.map((id) => groups.get(String(id)) ?? String(id)) : undefined;
        const [b, a] = [label(c.before), label(c.after)];
        if (b !== undefined) c.beforeLabel = b;
        if (a !== undefined) c.afterLabel = a;
      } else if (c.field === 'locationId' && locations.size) {
        const label = (v: unknown) => (typeof v === 'string' ? locations.get(v) : undefined);
        const [b, a] = [label(c.before), label(c.after)];
        if (b !== undefined) c.beforeLabel = b;
        if (a !== undefined) c.afterLabel = a;
      }
    }
  }
}
