/**
 * Change detection between two complete org snapshots.
 *
 * `diffSnapshots(previous, current)` compares two snapshots of the same connector and company and
 * returns a deterministic list of {@link ChangeEvent}s (see `docs/change-events.md`):
 * lifecycle events (HIRE, REHIRE, TERMINATION, ...), field events (TITLE_CHANGE, MANAGER_CHANGE,
 * ...), identity changes (a person whose vendor id changed) and group events.
 *
 * The comparison is linear: employees are paired by id (one forward walk through both lists when
 * they are sorted by id, as snapshots are; a Map otherwise) and compared field by field; unchanged
 * employees allocate nothing.
 *
 * The parts live in ./diff/: types.ts (options, errors, change-type order), input.ts (validation),
 * compare.ts (value comparison, event ids), employees.ts (employee events), identity.ts (identity
 * changes), groups.ts (group events), format.ts (summaries and text output).
 */
import type { ChangeEvent, EmployeeChangeEvent, GroupChangeEvent } from './changes.js';
import { labelChangeEvents } from './diff-labels.js';
import { compareStrings } from './diff/compare.js';
import { compareEmployees, employeeEvent, newEmployeeEvents } from './diff/employees.js';
import { byGroupThenType, diffGroups } from './diff/groups.js';
import { matchIdentities } from './diff/identity.js';
import { checkSnapshot, duplicateId, idsStrictlyAscending, indexById, resolveToday } from './diff/input.js';
import { type DiffOptions, SnapshotOrderError, TYPE_RANK } from './diff/types.js';
import { ConfigError } from './errors.js';
import type { Employee, OrgSnapshot, OrgSnapshotInput } from './model.js';

export { CHANGE_TYPE_ORDER, SnapshotOrderError, type ChangeType, type DiffOptions } from './diff/types.js';
export { __fastEmployeeValidation } from './diff/input.js';
export { deepEqual, stableStringify } from './diff/compare.js';
export { withFieldsKeptAcrossStatus } from './diff/employees.js';
export { formatChangesText, summarizeChanges, type FormatChangesOptions } from './diff/format.js';

interface Paired {
  added: Employee[];
  removed: Employee[];
}

/**
 * Snapshots list their people sorted by id (`takeSnapshot`, files written by orgsync): pair them with
 * one forward walk through both lists, comparing kept people as they meet. No hash table: at
 * 1,000,000 people a `Map` of everyone no longer fits in the CPU's caches, and building and probing
 * it took 14x the time of 100,000 on the benchmark machine. `undefined` (after comparing some people
 * into `events`, which the caller empties) when either list is not strictly ascending; strictly, so
 * no id appears twice. Same events, in the same order, as `pairByMap`.
 */
function pairSorted(
  prevList: readonly Employee[],
  curList: readonly Employee[],
  today: string,
  events: EmployeeChangeEvent[],
): Paired | undefined {
  if (!idsStrictlyAscending(prevList)) return undefined;
  const added: Employee[] = [];
  const removed: Employee[] = [];
  let i = 0;
  let last: string | undefined;
  for (const c of curList) {
    const id = c.id;
    if (last !== undefined && !(last < id)) return undefined;
    last = id;
    while (i < prevList.length && prevList[i]!.id < id) removed.push(prevList[i++]!);
    if (i < prevList.length && prevList[i]!.id === id) compareEmployees(prevList[i++]!, c, today, events);
    else added.push(c);
  }
  while (i < prevList.length) removed.push(prevList[i++]!);
  return { added, removed };
}

/**
 * Any order: one Map (previous id -> position) plus a "seen" bitmap finds kept, added and removed
 * employees and duplicate ids in either snapshot without a second Map of everyone.
 */
function pairByMap(
  prevList: readonly Employee[],
  curList: readonly Employee[],
  today: string,
  events: EmployeeChangeEvent[],
): Paired {
  const prevIndex = new Map<string, number>();
  for (let i = 0; i < prevList.length; i++) {
    const id = prevList[i]!.id;
    if (prevIndex.has(id)) throw duplicateId('previous', 'employees', id);
    prevIndex.set(id, i);
  }
  const seen = new Uint8Array(prevList.length);
  const added: Employee[] = [];
  let addedIds: Set<string> | null = null;
  for (const c of curList) {
    const i = prevIndex.get(c.id);
    if (i !== undefined) {
      if (seen[i]) throw duplicateId('current', 'employees', c.id);
      seen[i] = 1;
      compareEmployees(prevList[i]!, c, today, events);
    } else {
      addedIds ??= new Set();
      if (addedIds.has(c.id)) throw duplicateId('current', 'employees', c.id);
      addedIds.add(c.id);
      added.push(c);
    }
  }
  const removed: Employee[] = [];
  if (curList.length - added.length < prevList.length) {
    for (let i = 0; i < prevList.length; i++) if (!seen[i]) removed.push(prevList[i]!);
  }
  return { added, removed };
}

// ---------------------------------------------------------------------------------------------
// diffSnapshots
// ---------------------------------------------------------------------------------------------

/**
 * Compare two complete snapshots of the same connector and company.
 *
 * Order of the result: group creations/renames/reparentings (by group id), then employee events
 * (by employee id, then {@link CHANGE_TYPE_ORDER}), then group deletions (by group id).
 *
 * @throws ValidationError a snapshot is not `complete: true`, fails `OrgSnapshotSchema`, or has duplicate ids
 * @throws ConfigError the snapshots are of different connectors or companies, or `options.now` is invalid
 * @throws SnapshotOrderError `current` was taken before `previous` (unless `options.allowOlder`)
 */
export function diffSnapshots(
  previous: OrgSnapshot | OrgSnapshotInput,
  current: OrgSnapshot | OrgSnapshotInput,
  options: DiffOptions = {},
): ChangeEvent[] {
  const today = resolveToday(options.now);
  const validate = options.validate ?? true;
  const prev = checkSnapshot(previous, 'previous', validate);
  const cur = checkSnapshot(current, 'current', validate);

  if (prev.connector !== cur.connector) {
    throw new ConfigError({
      message: `diffSnapshots: cannot diff snapshots of different connectors (${JSON.stringify(prev.connector)} vs ${JSON.stringify(cur.connector)})`,
      code: 'diff_connector_mismatch',
    });
  }
  if (prev.company.id !== cur.company.id) {
    throw new ConfigError({
      message: `diffSnapshots: cannot diff snapshots of different companies (${JSON.stringify(prev.company.id)} vs ${JSON.stringify(cur.company.id)})`,
      code: 'diff_company_mismatch',
    });
  }
  if (options.allowOlder !== true) {
    const [p, c] = [Date.parse(prev.takenAt), Date.parse(cur.takenAt)];
    if (c < p) throw new SnapshotOrderError(prev.takenAt, cur.takenAt);
  }

  let events: EmployeeChangeEvent[] = [];
  let paired = pairSorted(prev.employees, cur.employees, today, events);
  if (!paired) {
    events = [];
    paired = pairByMap(prev.employees, cur.employees, today, events);
  }
  const { added, removed } = paired;
  const prevGroups = indexById(prev.groups, 'groups', 'previous');
  const curGroups = indexById(cur.groups, 'groups', 'current');

  const matches = matchIdentities(removed, added);
  const matchedAdded = new Set<Employee>();
  const matchedRemoved = new Set<Employee>();
  for (const m of matches) {
    matchedAdded.add(m.added);
    matchedRemoved.add(m.removed);
    events.push(
      employeeEvent('IDENTITY_CHANGE', m.added, m.removed, [{ field: 'id', before: m.removed.id, after: m.added.id }], {
        previousEmployeeId: m.removed.id,
        matchedOn: m.matchedOn,
      }),
    );
    compareEmployees(m.removed, m.added, today, events);
  }
  for (const a of added) if (!matchedAdded.has(a)) newEmployeeEvents(a, today, events);
  for (const r of removed) {
    if (!matchedRemoved.has(r)) events.push(employeeEvent('REMOTE_DELETED', r, r, []));
  }

  events.sort((a, b) => compareStrings(a.employeeId, b.employeeId) || TYPE_RANK[a.type] - TYPE_RANK[b.type]);

  const early: GroupChangeEvent[] = [];
  const late: GroupChangeEvent[] = [];
  diffGroups(prevGroups, curGroups, early, late);
  early.sort(byGroupThenType);
  late.sort(byGroupThenType);

  const all: ChangeEvent[] = [...early, ...events, ...late];
  labelChangeEvents(all, prev, cur);
  return all;
}
