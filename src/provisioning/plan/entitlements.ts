/**
 * Entitlement deltas: what to grant and revoke going from one rule result to another, given what the
 * account actually has.
 */
import {
  entitlementKey,
  entitlementRefs,
  type EntitlementRef,
  type Entitlements,
  type EntitlementSet,
  type ResolvedEntitlement,
} from '../rules.js';

export interface Delta {
  grants: Array<ResolvedEntitlement & { replaces?: string }>;
  revokes: ResolvedEntitlement[];
}

export function actualRefs(actual: Entitlements): EntitlementRef[] {
  const out: EntitlementRef[] = [];
  if (actual.role) out.push({ type: 'role', value: actual.role });
  for (const v of actual.licenses ?? []) out.push({ type: 'license', value: v });
  for (const v of actual.groups ?? []) out.push({ type: 'group', value: v });
  for (const v of actual.permissions ?? []) out.push({ type: 'permission', value: v });
  return out;
}

/**
 * What to grant and revoke going from `prev` to `cur` (rule results). With the account's actual
 * entitlements known, grants skip what it already has and revokes only touch what it has;
 * entitlements granted by hand (never produced by a rule) are left alone.
 */
export function entitlementDelta(
  prev: EntitlementSet | null,
  cur: EntitlementSet | null,
  actual?: Entitlements,
): Delta {
  const prevRefs = new Map(
    entitlementRefs(prev)
      .filter((r) => r.type !== 'role')
      .map((r) => [entitlementKey(r), r]),
  );
  const curRefs = new Map(
    entitlementRefs(cur)
      .filter((r) => r.type !== 'role')
      .map((r) => [entitlementKey(r), r]),
  );
  const has = actual ? new Set(actualRefs(actual).map(entitlementKey)) : null;
  const grants: Delta['grants'] = [];
  const revokes: Delta['revokes'] = [];

  const curRole = cur?.role ?? null;
  const prevRole = prev?.role ?? null;
  const baseRole = actual ? (actual.role ?? null) : (prevRole?.value ?? null);
  if (curRole && curRole.value !== baseRole) {
    grants.push({
      type: 'role',
      value: curRole.value,
      ruleIds: [curRole.ruleId],
      ...(baseRole ? { replaces: baseRole } : {}),
    });
  } else if (!curRole && prevRole && (actual ? actual.role === prevRole.value : true)) {
    revokes.push({ type: 'role', value: prevRole.value, ruleIds: [prevRole.ruleId] });
  }
  for (const [k, r] of prevRefs) if (!curRefs.has(k) && (!has || has.has(k))) revokes.push(r);
  for (const [k, r] of curRefs) if (has ? !has.has(k) : !prevRefs.has(k)) grants.push(r);
  return { grants, revokes };
}

export function entitlementSetFromActual(actual: Entitlements): EntitlementSet {
  const refs = actualRefs(actual);
  return {
    source: 'rules',
    matchedRuleIds: [],
    role: actual.role ? { value: actual.role, ruleId: '$account' } : null,
    items: refs.filter((r) => r.type !== 'role').map((r) => ({ ...r, ruleIds: ['$account'] })),
    roleConflict: null,
  };
}

export const refText = (r: EntitlementRef): string => `${r.type}:${r.value}`;

/** Same entitlements, from the same rules, in the same order. */
export function sameEntitlements(a: ResolvedEntitlement[], b: ResolvedEntitlement[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.type !== y.type || x.value !== y.value || x.ruleIds.length !== y.ruleIds.length) return false;
    for (let j = 0; j < x.ruleIds.length; j++) if (x.ruleIds[j] !== y.ruleIds[j]) return false;
  }
  return true;
}

/** The notification detail for a role conflict, if the rules had one. */
export function roleConflictDetails(set: EntitlementSet | null | undefined): string[] {
  const rc = set?.roleConflict;
  if (!rc) return [];
  const overridden = rc.overridden.map((o) => `${o.role} (${o.ruleId})`).join(', ');
  return [`role ${rc.chosen.role} from rule ${rc.chosen.ruleId} overrides ${overridden}`];
}
