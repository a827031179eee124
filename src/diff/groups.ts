/**
 * Group events: created, renamed, reparented, deleted.
 */
import type { FieldChange, GroupChangeEvent, GroupChangeType } from '../changes.js';
import type { Group } from '../model.js';
import { compareStrings, eventId } from './compare.js';
import { TYPE_RANK } from './types.js';

function groupEvent(
  type: GroupChangeType,
  group: Group,
  previous: Group | undefined,
  changes: FieldChange[],
): GroupChangeEvent {
  const ev: GroupChangeEvent = {
    id: eventId({ type, subject: `group:${group.id}`, changes }),
    kind: 'group',
    type,
    groupId: group.id,
    group,
    changes,
  };
  if (previous) ev.previous = previous;
  return ev;
}

export function diffGroups(
  prev: Map<string, Group>,
  cur: Map<string, Group>,
  early: GroupChangeEvent[],
  late: GroupChangeEvent[],
): void {
  for (const [id, g] of cur) {
    const p = prev.get(id);
    if (!p) {
      early.push(
        groupEvent('GROUP_CREATED', g, undefined, [
          { field: 'name', before: null, after: g.name },
          { field: 'type', before: null, after: g.type },
          { field: 'parentId', before: null, after: g.parentId },
        ]),
      );
      continue;
    }
    if (p.name !== g.name)
      early.push(groupEvent('GROUP_RENAMED', g, p, [{ field: 'name', before: p.name, after: g.name }]));
    if ((p.parentId ?? null) !== (g.parentId ?? null)) {
      early.push(
        groupEvent('GROUP_REPARENTED', g, p, [
          { field: 'parentId', before: p.parentId ?? null, after: g.parentId ?? null },
        ]),
      );
    }
  }
  for (const [id, p] of prev) {
    if (!cur.has(id)) late.push(groupEvent('GROUP_DELETED', p, p, []));
  }
}

export function byGroupThenType(a: GroupChangeEvent, b: GroupChangeEvent): number {
  return compareStrings(a.groupId, b.groupId) || TYPE_RANK[a.type] - TYPE_RANK[b.type];
}
