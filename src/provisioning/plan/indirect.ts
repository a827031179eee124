/**
 * Indirect effects: people without an event of their own whose access or profile changed because a
 * group above them, or a manager above them, changed.
 */
import type { EmployeeChangeEvent, GroupChangeEvent } from '../../changes.js';
import type { OrgSnapshot } from '../../model.js';
import { entitlementRefs, evaluateRules, type Condition, type RuleContext } from '../rules.js';
import { ascendingLookup } from '../rules/people-index.js';
import type { PlanAction } from '../types.js';
import { cmp } from '../util.js';
import { Builder } from './builder.js';
import { ACTIVE_LIKE, modeOf, type Env } from './context.js';
import { sameEntitlements } from './entitlements.js';
import { guard, replaceWithNotice } from './guards.js';
import { causeOf, indirectCauseKey, type Cause } from './keys.js';
import { ruleInputsChanged } from './inputs.js';
import { profileChanges, userProfile } from './profile.js';
import { reconcile } from './reconcile.js';

/** A change that can cause indirect effects (a group event, or an employee event of a manager above). */
type IndirectCause = { id: string; type: string };

/**
 * Spread causes down a graph (`below(id)`: the ids directly under `id`), each id reached getting
 * the cause with the smallest event id among the sources above it (`self`: a source reaches
 * itself too). Sources are visited in event-id order and a node reached once is final (everything
 * under it was reached then too), so this is linear in the graph whatever its depth, and
 * cycle-safe. `deep: false`: one level only.
 */
function spreadDown(
  sources: Array<[string, IndirectCause]>,
  below: (id: string) => Iterable<string> | undefined,
  opts: { deep: boolean; self: boolean },
): Map<string, IndirectCause> {
  const out = new Map<string, IndirectCause>();
  const done = new Set<string>();
  for (const [src, cause] of [...sources].sort((a, b) => cmp(a[1].id, b[1].id))) {
    if (done.has(src)) continue; // it and everything under it already have a smaller cause
    let stack: string[];
    if (opts.self) stack = [src];
    else {
      done.add(src);
      stack = [...(below(src) ?? [])];
    }
    while (stack.length) {
      const id = stack.pop()!;
      if (!out.has(id)) out.set(id, cause);
      if (done.has(id) || (!opts.deep && id !== src)) continue;
      done.add(id);
      const next = below(id);
      if (next) for (const c of next) stack.push(c);
    }
  }
  return out;
}

/** Add `v` to the set at `k` of a map of sets. */
function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

export interface IndirectOptions {
  /** Evaluate everyone below a changed manager or group (the reference the tests compare with). */
  evaluateAll?: boolean;
  /** Steps of upward walks before switching to one walk down from every changed manager (default: the people in both snapshots). */
  causeWalkBudget?: number;
}

/**
 * The manager cause of a person: the usable event with the smallest id among the managers with events
 * above them (either snapshot's reporting lines; `deep: false`: direct managers only). The same
 * answer as spreading causes down from every manager with events, which visits everyone below them
 * (the whole org when the top changed); asked only for the few people whose inputs changed, walking
 * up from each is cheaper. The walks share a step budget; past it, the causes are spread down once
 * (linear) and read from that, so the worst case stays linear.
 */
function managerCauses(
  env: Env,
  previous: OrgSnapshot,
  sources: Array<[string, IndirectCause]>,
  deep: boolean,
  budget = env.prevCtx.employeesById.size + env.curCtx.employeesById.size,
): (id: string) => IndirectCause | undefined {
  if (!sources.length) return () => undefined;
  const sourceCause = new Map(sources);
  const prevById = env.prevCtx.employeesById;
  const curById = env.curCtx.employeesById;
  let spread: Map<string, IndirectCause> | undefined;
  let steps = 0;
  return (id) => {
    if (spread) return spread.get(id);
    // Everyone reachable upwards (at least one step: a person is their own cause only through a cycle).
    let best: IndirectCause | undefined;
    const seen = new Set<string>();
    const stack: string[] = [];
    const pushParents = (x: string) => {
      const a = prevById.get(x)?.managerId;
      const b = curById.get(x)?.managerId;
      if (a) stack.push(a);
      if (b && b !== a) stack.push(b);
    };
    pushParents(id);
    while (stack.length) {
      const m = stack.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      if (++steps > budget) {
        spread = spreadDown(sources, reportsIn(previous, env.curCtx), { deep, self: false });
        return spread.get(id);
      }
      const c = sourceCause.get(m);
      if (c && (!best || cmp(c.id, best.id) < 0)) best = c;
      if (deep) pushParents(m);
    }
    return best;
  };
}

/**
 * Indirect effects: people without an event of their own whose entitlements or profile changed
 * because one of their groups (or an ancestor group) changed, or a manager above them changed.
 * Only people whose rule inputs differ between the snapshots (inputs.ts: own fields, groups,
 * location, manager chain; one cheap pass) are evaluated: for everyone else both evaluations would
 * be equal, so they have no indirect effect. Who is below which change is then found for those
 * people only (group hierarchy: once; managers: managerCauses). Linear in the org size, whatever
 * the depth of reporting lines. `evaluateAll` evaluates everyone below a change instead.
 */
export function planIndirect(
  env: Env,
  previous: OrgSnapshot,
  current: OrgSnapshot,
  direct: Set<string>,
  groupEvents: GroupChangeEvent[],
  empEvents: Map<string, EmployeeChangeEvent[]>,
  opts: IndirectOptions = {},
): Map<string, PlanAction[]> {
  const out = new Map<string, PlanAction[]>();
  const prevById = env.prevCtx.employeesById;
  const usable = (c: IndirectCause) => modeOf(env.rs, c.type) !== 'ignore';

  // Groups under a changed group (either snapshot's hierarchy, the group itself included).
  const children = new Map<string, Set<string>>();
  for (const gs of [previous.groups, current.groups])
    for (const g of gs) if (g.parentId) addTo(children, g.parentId, g.id);
  const groupsBelow = (sources: GroupChangeEvent[]) =>
    spreadDown(
      sources.map((ge) => [ge.groupId, ge]),
      (id) => children.get(id),
      { deep: true, self: true },
    );
  // Any group event (even an ignored one) decides that group causes explain the change; the smallest usable one is named.
  const groupHit = groupsBelow(groupEvents);
  const groupCause = groupsBelow(groupEvents.filter(usable));

  // People under a manager with events (either snapshot's reporting lines).
  // Without `reportsTo` rules a manager's change can only matter to direct reports (`manager` attribute, managerEmail).
  const deep = env.rs.rules.some((r) => r.enabled && usesAttribute(r.when, 'reportsTo'));
  const sources: Array<[string, IndirectCause]> = [];
  for (const [mid, evs] of empEvents) {
    const first = evs.filter(usable).sort((a, b) => cmp(a.id, b.id))[0];
    if (first) sources.push([mid, first]);
  }
  if (!groupHit.size && !sources.length) return out;
  const inputsChanged = opts.evaluateAll ? () => true : ruleInputsChanged(env.prevCtx, env.curCtx, deep);
  const managerCause = managerCauses(env, previous, sources, deep, opts.causeWalkBudget);

  // (any order: the plan sorts people by id; snapshots are sorted, so previous versions are found walking forward)
  const previousOf = ascendingLookup(prevById);
  for (const emp of current.employees) {
    if (direct.has(emp.id)) continue;
    const prev = previousOf(emp.id);
    if (!prev || !ACTIVE_LIKE.has(emp.employmentStatus) || !inputsChanged(prev, emp)) continue;
    // Attribute to a cause in this change set: a change of one of their groups (or ancestors), else of a manager up the chain.
    let c: IndirectCause | undefined;
    let byGroup = false;
    if (groupHit.size)
      for (const ids of [prev.groupIds, emp.groupIds])
        for (const gid of ids) {
          if (!groupHit.has(gid)) continue;
          byGroup = true;
          const g = groupCause.get(gid);
          if (g && (!c || cmp(g.id, c.id) < 0)) c = g;
        }
    if (!byGroup) c = managerCause(emp.id);
    if (!c) continue;

    const before = evaluateRules(env.rs, prev, env.prevCtx);
    const after = evaluateRules(env.rs, emp, env.curCtx);
    const entChanged = !sameEntitlements(entitlementRefs(before), entitlementRefs(after));
    const profChanged =
      env.rs.policy.profileSync &&
      profileChanges(userProfile(prev, env.prevCtx), userProfile(emp, env.curCtx)).length > 0;
    if (!entChanged && !profChanged) continue;
    const cause: Cause = causeOf(c, indirectCauseKey(c.id, emp.id));
    const b = new Builder(env, emp);
    reconcile(b, cause, prev, {});
    let actions = b.actions;
    if (modeOf(env.rs, c.type) === 'notify') {
      actions = replaceWithNotice(
        env,
        emp,
        actions,
        cause,
        'manual_action_required',
        `${emp.displayName}: ${c.type} changes this person's access; needs manual action`,
      );
    }
    actions = guard(env, emp, prev, actions, cause);
    if (actions.length) out.set(emp.id, actions);
  }
  return out;
}

/**
 * Direct reports in either snapshot's reporting lines (manager id -> report ids), each report listed
 * once per manager: the current line, and the previous one where it differs.
 */
function reportsIn(previous: OrgSnapshot, cur: RuleContext): (id: string) => string[] | undefined {
  const reports = new Map<string, string[]>();
  const add = (m: string, id: string) => {
    const a = reports.get(m);
    if (a) a.push(id);
    else reports.set(m, [id]);
  };
  for (const e of cur.employeesById.values()) if (e.managerId) add(e.managerId, e.id);
  for (const e of previous.employees)
    if (e.managerId && cur.employeesById.get(e.id)?.managerId !== e.managerId) add(e.managerId, e.id);
  return (id) => reports.get(id);
}

function usesAttribute(c: Condition, attr: string): boolean {
  if ('all' in c) return c.all.some((x) => usesAttribute(x, attr));
  if ('any' in c) return c.any.some((x) => usesAttribute(x, attr));
  if ('not' in c) return usesAttribute(c.not, attr);
  return c.attribute === attr;
}
