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
  const matched = ruleSet.rules.filter((r) => r.enabled && evaluateCondition(r.when, employee, ctx));
  let grants: Array<{ ruleId: string; priority: number; grant: Entitlements }>;
  let source: EntitlementSet['source'];
  if (matched.length) {
    grants = matched.map((r) => ({ ruleId: r.id, priority: r.priority, grant: r.grant }));
    source = 'rules';
  } else if (ruleSet.defaultEntitlements) {
    grants = [{ ruleId: DEFAULTS_SOURCE, priority: 0, grant: ruleSet.defaultEntitlements }];
    source = 'defaults';
  } else if (ruleSet.policy.createAccountsFor === 'all') {
    return { source: 'none', matchedRuleIds: [], role: null, items: [], roleConflict: null };
  } else {
    return null;
  }

  const items = new Map<string, ResolvedEntitlement>();
  const add = (type: EntitlementType, value: string, ruleId: string): void => {
    const k = `${type}:${value}`;
    const cur = items.get(k);
    if (cur) {
      if (!cur.ruleIds.includes(ruleId)) cur.ruleIds.push(ruleId);
    } else items.set(k, { type, value, ruleIds: [ruleId] });
  };
  const roleCandidates: Array<{ role: string; ruleId: string; priority: number; order: number }> = [];
  grants.forEach((g, order) => {
    if (g.grant.role) roleCandidates.push({ role: g.grant.role, ruleId: g.ruleId, priority: g.priority, order });
    for (const v of g.grant.licenses ?? []) add('license', v, g.ruleId);
    for (const v of g.grant.groups ?? []) add('group', v, g.ruleId);
    for (const v of g.grant.permissions ?? []) add('permission', v, g.ruleId);
  });
  roleCandidates.sort((a, b) => b.priority - a.priority || a.order - b.order);
  const [winner, ...rest] = roleCandidates;
  const overridden = rest
    .filter((c) => c.role !== winner?.role)
    .map(({ role, ruleId, priority }) => ({ role, ruleId, priority }));
  return {
    source,
    matchedRuleIds: grants.map((g) => g.ruleId),
    role: winner ? { value: winner.role, ruleId: winner.ruleId } : null,
    items: [...items.values()].sort(compareEntitlements),
    roleConflict:
      winner && overridden.length
        ? { chosen: { role: winner.role, ruleId: winner.ruleId, priority: winner.priority }, overridden }
        : null,
  };
}

/** Flatten an entitlement set into refs (role first). */
export function entitlementRefs(set: EntitlementSet | null): ResolvedEntitlement[] {
  if (!set) return [];
  const out: ResolvedEntitlement[] = [];
  if (set.role) out.push({ type: 'role', value: set.role.value, ruleIds: [set.role.ruleId] });
  out.push(...set.items);
  return out;
}
