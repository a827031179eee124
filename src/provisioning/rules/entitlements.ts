/**
 * Entitlement results: what the rules grant one employee (role conflicts resolved, defaults), in a
 * deterministic order.
 */
import type { Employee } from '../../model.js';
import { cmp } from '../util.js';
import { evaluateCondition, type RuleContext } from './conditions.js';
import { DEFAULTS_SOURCE, type Entitlements, type EntitlementType, type RuleSet } from './schema.js';

/** One entitlement: `{ type: 'permission', value: 'repo:write' }`. */
export interface EntitlementRef {
  type: EntitlementType;
  value: string;
}

export interface ResolvedEntitlement extends EntitlementRef {
  /** Rules (or `$defaults`) that grant it, in rule order. */
  ruleIds: string[];
}

export interface RoleConflict {
  chosen: { role: string; ruleId: string; priority: number };
  overridden: Array<{ role: string; ruleId: string; priority: number }>;
}

/** What the rules give one employee. */
export interface EntitlementSet {
  source: 'rules' | 'defaults' | 'none';
  matchedRuleIds: string[];
  role: { value: string; ruleId: string } | null;
  /** Non-role entitlements, sorted by type then value. */
  items: ResolvedEntitlement[];
  roleConflict: RoleConflict | null;
}

const TYPE_ORDER: Record<EntitlementType, number> = { role: 0, license: 1, group: 2, permission: 3 };

export function compareEntitlements(a: EntitlementRef, b: EntitlementRef): number {
  return TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || cmp(a.value, b.value);
}

export function entitlementKey(e: EntitlementRef): string {
  return `${e.type}:${e.value}`;
}

/**
 * Evaluate the rule set for one employee. Every enabled matching rule contributes (union);
 * the role comes from the matching rule with the highest priority, ties going to the earlier rule.
 * No match: `defaultEntitlements` (source `defaults`), or `null` when the rule set has none
 * (with `createAccountsFor: "all"`, an empty set with source `none` instead of `null`).
 */
export function evaluateRules(ruleSet: RuleSet, employee: Employee, ctx: RuleContext): EntitlementSet | null {
  // Runs per person (twice per person a plan evaluates): loops and module-level helpers, no closures.
  const grants: Grant[] = [];
  for (const r of ruleSet.rules)
    if (r.enabled && evaluateCondition(r.when, employee, ctx))
      grants.push({ ruleId: r.id, priority: r.priority, grant: r.grant });
  let source: EntitlementSet['source'];
  if (grants.length) {
    source = 'rules';
  } else if (ruleSet.defaultEntitlements) {
    grants.push({ ruleId: DEFAULTS_SOURCE, priority: 0, grant: ruleSet.defaultEntitlements });
    source = 'defaults';
  } else if (ruleSet.policy.createAccountsFor === 'all') {
    return { source: 'none', matchedRuleIds: [], role: null, items: [], roleConflict: null };
  } else {
    return null;
  }

  const items = new Map<string, ResolvedEntitlement>();
  const roleCandidates: RoleCandidate[] = [];
  const matchedRuleIds: string[] = [];
  for (let order = 0; order < grants.length; order++) {
    const g = grants[order]!;
    matchedRuleIds.push(g.ruleId);
    if (g.grant.role) roleCandidates.push({ role: g.grant.role, ruleId: g.ruleId, priority: g.priority, order });
    if (g.grant.licenses) for (const v of g.grant.licenses) add(items, 'license', v, g.ruleId);
    if (g.grant.groups) for (const v of g.grant.groups) add(items, 'group', v, g.ruleId);
    if (g.grant.permissions) for (const v of g.grant.permissions) add(items, 'permission', v, g.ruleId);
  }
  if (roleCandidates.length > 1) roleCandidates.sort(byPriority);
  const winner = roleCandidates[0];
  const overridden: RoleConflict['overridden'] = [];
  for (let i = 1; i < roleCandidates.length; i++) {
    const c = roleCandidates[i]!;
    if (c.role !== winner!.role) overridden.push({ role: c.role, ruleId: c.ruleId, priority: c.priority });
  }
  const sorted = [...items.values()];
  if (sorted.length > 1) sorted.sort(compareEntitlements);
  return {
    source,
    matchedRuleIds,
    role: winner ? { value: winner.role, ruleId: winner.ruleId } : null,
    items: sorted,
    roleConflict:
      winner && overridden.length
        ? { chosen: { role: winner.role, ruleId: winner.ruleId, priority: winner.priority }, overridden }
        : null,
  };
}

interface Grant {
  ruleId: string;
  priority: number;
  grant: Entitlements;
}
interface RoleCandidate {
  role: string;
  ruleId: string;
  priority: number;
  order: number;
}
const byPriority = (a: RoleCandidate, b: RoleCandidate): number => b.priority - a.priority || a.order - b.order;

function add(items: Map<string, ResolvedEntitlement>, type: EntitlementType, value: string, ruleId: string): void {
  const k = `${type}:${value}`;
  const cur = items.get(k);
  if (cur) {
    if (!cur.ruleIds.includes(ruleId)) cur.ruleIds.push(ruleId);
  } else items.set(k, { type, value, ruleIds: [ruleId] });
}

/** Flatten an entitlement set into refs (role first). */
export function entitlementRefs(set: EntitlementSet | null): ResolvedEntitlement[] {
  if (!set) return [];
  const out: ResolvedEntitlement[] = [];
  if (set.role) out.push({ type: 'role', value: set.role.value, ruleIds: [set.role.ruleId] });
  out.push(...set.items);
  return out;
}
