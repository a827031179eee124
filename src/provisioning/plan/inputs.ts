/**
 * Which people's rule inputs can differ between the two snapshots of a plan.
 *
 * An indirect effect is found by evaluating the rules (and the user profile) for a person twice,
 * before (previous record, previous snapshot's lookups) and after, and comparing. Both evaluations
 * are pure functions of the same rule set and of these inputs only:
 * - the person's own fields that rules and the profile read (sameRuleInputs below);
 * - their groups and the groups' ancestors (id, name, type, parentId), their location (name);
 * - their direct manager (present or not, work email: `manager`, `managerEmail`) and, with
 *   `reportsTo` rules, everyone up the chain (present or not, work email, managerId).
 * When none of those differ, the two evaluations give the same result and the person has no
 * indirect effect, so the planner skips evaluating them. Anything not compared field by field
 * (a nested custom field value that is not the same object) counts as different: this may
 * evaluate someone needlessly, never skip someone whose access changed.
 *
 * Everything is computed on demand and memoized per plan: a manager's chain once per person above
 * the people asked about, each group and location once. Linear in the people asked about and their
 * ancestors, whatever the depth of the reporting lines (cycles included).
 */
import type { Employee, Group, Location } from '../../model.js';
import { sameCustomFields } from '../../diff/compare.js';
import type { RuleContext } from '../rules.js';
import { PeopleIndex } from '../rules/people-index.js';

/**
 * Own fields read by `evaluateRules` (attributeValues, reportsTo) and `userProfile`: id, employeeNumber,
 * workEmail, personalEmail, firstName, lastName, displayName, jobTitle, managerId, locationId,
 * employmentStatus, employmentType, startDate, groupIds, customFields (written out below: one
 * monomorphic property read each, this runs for everyone below a changed manager).
 */
function sameArray(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether two versions of a person agree on every field the rules and the profile read. */
export function sameRuleInputs(a: Employee, b: Employee): boolean {
  if (a === b) return true;
  if (
    a.id !== b.id ||
    a.employeeNumber !== b.employeeNumber ||
    a.workEmail !== b.workEmail ||
    a.personalEmail !== b.personalEmail ||
    a.firstName !== b.firstName ||
    a.lastName !== b.lastName ||
    a.displayName !== b.displayName ||
    a.jobTitle !== b.jobTitle ||
    a.managerId !== b.managerId ||
    a.locationId !== b.locationId ||
    a.employmentStatus !== b.employmentStatus ||
    a.employmentType !== b.employmentType ||
    a.startDate !== b.startDate
  )
    return false;
  return sameArray(a.groupIds, b.groupIds) && sameCustomFields(a.customFields, b.customFields);
}

function sameGroup(a: Group | undefined, b: Group | undefined): boolean {
  if (a === b) return true;
  return !!a && !!b && a.name === b.name && a.type === b.type && a.parentId === b.parentId;
}

function sameLocation(a: Location | undefined, b: Location | undefined): boolean {
  if (a === b) return true;
  return !!a && !!b && a.name === b.name;
}

/**
 * Whether `start` or a node up its line changed. `parent` is only asked about unchanged nodes
 * (whose parent is the same in both snapshots), so the line followed is the same in both; a cycle
 * of unchanged nodes is unchanged. Memoized: each node is settled once.
 */
function lineChanged(
  start: string | null | undefined,
  changed: (id: string) => boolean,
  parent: (id: string) => string | null | undefined,
  memo: Map<string, boolean | null>,
): boolean {
  // Nodes on the walk are marked `null` in the memo until settled (no separate set per walk).
  let path: string[] | undefined;
  let id = start;
  let result = false;
  while (id) {
    const known = memo.get(id);
    if (known === null) break; // back on this walk: a cycle of unchanged nodes
    if (known !== undefined) {
      result = known;
      break;
    }
    if (changed(id)) {
      memo.set(id, true);
      result = true;
      break;
    }
    (path ??= []).push(id);
    memo.set(id, null);
    id = parent(id);
  }
  if (path) for (const x of path) memo.set(x, result);
  return result;
}

/**
 * A test for "this person's rule inputs may differ between the snapshots" (`prev`: their previous
 * record, `cur`: their current one). `deep`: rules use `reportsTo`, so the whole manager chain is an
 * input, not only the direct manager.
 */
export function ruleInputsChanged(
  prevCtx: RuleContext,
  curCtx: RuleContext,
  deep: boolean,
): (prev: Employee, cur: Employee) => boolean {
  const prevPeople = prevCtx.employeesById;
  const curPeople = curCtx.employeesById;
  // A manager as seen from below: present or not, work email, and (for chains) their own manager.
  const differs = (a: Employee | undefined, b: Employee | undefined): boolean => {
    if (a === b) return false;
    if (!a || !b || a.workEmail !== b.workEmail) return true;
    return deep && a.managerId !== b.managerId;
  };
  // Sorted snapshots: everyone who changed as a manager is seen, once, on one forward walk through
  // both (no lookup per manager); when nobody did, no manager line needs walking.
  const changedManagers = changedAsManagers(prevPeople, curPeople, differs);
  const managerChanged = changedManagers
    ? (id: string) => changedManagers.has(id)
    : (id: string) => differs(prevPeople.get(id), curPeople.get(id));
  const noManagerChanged = changedManagers?.size === 0;
  const chainMemo = new Map<string, boolean | null>();
  const managerOf = (id: string) => curPeople.get(id)?.managerId;

  const groupMemo = new Map<string, boolean | null>();
  const groupChanged = (id: string) => !sameGroup(prevCtx.groupsById.get(id), curCtx.groupsById.get(id));
  const parentGroup = (id: string) => curCtx.groupsById.get(id)?.parentId;

  const locationMemo = new Map<string, boolean>();
  const locationChanged = (id: string): boolean => {
    let v = locationMemo.get(id);
    if (v === undefined)
      locationMemo.set(id, (v = !sameLocation(prevCtx.locationsById.get(id), curCtx.locationsById.get(id))));
    return v;
  };

  return (prev, cur) => {
    if (!sameRuleInputs(prev, cur)) return true;
    if (cur.managerId && !noManagerChanged) {
      if (deep ? lineChanged(cur.managerId, managerChanged, managerOf, chainMemo) : managerChanged(cur.managerId))
        return true;
    }
    for (const g of cur.groupIds) if (lineChanged(g, groupChanged, parentGroup, groupMemo)) return true;
    return !!cur.locationId && locationChanged(cur.locationId);
  };
}

/**
 * The ids of people who differ as a manager seen from below (`differs`) between two sorted people
 * indexes, from one forward walk through both; `undefined` when either is not sorted.
 */
function changedAsManagers(
  prev: ReadonlyMap<string, Employee>,
  cur: ReadonlyMap<string, Employee>,
  differs: (a: Employee | undefined, b: Employee | undefined) => boolean,
): Set<string> | undefined {
  if (!(prev instanceof PeopleIndex && cur instanceof PeopleIndex && prev.sorted && cur.sorted)) return undefined;
  const out = new Set<string>();
  const a = prev.list;
  const b = cur.list;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x && y && x.id === y.id) {
      if (differs(x, y)) out.add(y.id);
      i++;
      j++;
    } else if (!y || (x && x.id < y.id)) {
      out.add(x!.id); // only in the previous snapshot
      i++;
    } else {
      out.add(y.id); // only in the current one
      j++;
    }
  }
  return out;
}
