/**
 * What the studio shows for a rule set: who gets what (per department and per person, with the rules
 * that grant it) and the dry-run plan between the previous and the current snapshot, with the safety
 * stop. Pure functions over the provisioning module: nothing here re-implements rule evaluation.
 */
import type { ChangeEvent } from '../changes.js';
import { diffSnapshots } from '../diff.js';
import type { Employee, OrgSnapshot } from '../model.js';
import { checkSafety } from '../provisioning/safety.js';
import { describeAction, planActions, planProvisioning } from '../provisioning/plan.js';
import { createRuleContext, evaluateRules, type RuleContext, type RuleSet } from '../provisioning/rules.js';
import type { ProvisioningPlan, SafetyAlert, ThresholdBreach } from '../provisioning/types.js';
import { cmp } from '../provisioning/util.js';

/** One person's access under the edited rules. */
export interface PersonPreview {
  id: string;
  name: string;
  email: string | null;
  department: string | null;
  status: string;
  role: string | null;
  licenses: string[];
  groups: string[];
  permissions: string[];
  /** Rules (or `$defaults`) that match; empty: no account (or an empty one with `createAccountsFor: all`). */
  ruleIds: string[];
  source: 'rules' | 'defaults' | 'none' | 'no_account';
  roleConflict: string | null;
  /** "Jane Doe → role admin, groups engineering … because rules engineering, engineering-managers" */
  sentence: string;
}

export interface DepartmentPreview {
  department: string;
  people: number;
  withAccount: number;
  /** Role -> number of people in the department with it. */
  roles: Record<string, number>;
  /** Group -> count. */
  groups: Record<string, number>;
}

export interface AccessPreview {
  total: number;
  withAccount: number;
  departments: DepartmentPreview[];
  /** People (filtered by `query`, capped at `limit`), sorted by name. */
  people: PersonPreview[];
  matchingPeople: number;
}

export interface PlanPreview {
  available: boolean;
  /** Why there is no plan (no previous snapshot). */
  reason?: string;
  planId?: string;
  events?: number;
  actions?: number;
  byType?: Record<string, number>;
  /** Actions, one line each, capped. */
  lines?: Array<{ employeeId: string | null; name: string; action: string; reason: string; notBefore: string | null }>;
  truncated?: boolean;
  safety?: { ok: boolean; breaches: ThresholdBreach[]; message: string | null; alert: SafetyAlert | null };
  /** What a person runs to approve an over-threshold plan. */
  approval?: { required: boolean; command: string; option: string };
}

const NAME_SAFE = (e: Employee): string => e.displayName || [e.firstName, e.lastName].filter(Boolean).join(' ') || e.id;

function departmentOf(e: Employee, ctx: RuleContext): string | null {
  for (const id of e.groupIds) {
    const g = ctx.groupsById.get(id);
    if (g?.type === 'DEPARTMENT') return g.name;
  }
  return null;
}

function list(label: string, values: string[]): string | null {
  return values.length ? `${label} ${values.join(', ')}` : null;
}

export function personPreview(rules: RuleSet, e: Employee, ctx: RuleContext): PersonPreview {
  const set = evaluateRules(rules, e, ctx);
  const by = (t: string): string[] => (set ? set.items.filter((i) => i.type === t).map((i) => i.value) : []);
  const p: PersonPreview = {
    id: e.id,
    name: NAME_SAFE(e),
    email: e.workEmail,
    department: departmentOf(e, ctx),
    status: e.employmentStatus,
    role: set?.role?.value ?? null,
    licenses: by('license'),
    groups: by('group'),
    permissions: by('permission'),
    ruleIds: set?.matchedRuleIds ?? [],
    source: set ? set.source : 'no_account',
    roleConflict: set?.roleConflict
      ? `role ${set.roleConflict.chosen.role} (rule ${set.roleConflict.chosen.ruleId}) wins over ${set.roleConflict.overridden.map((o) => `${o.role} (rule ${o.ruleId})`).join(', ')}`
      : null,
    sentence: '',
  };
  const parts = [
    p.role ? `role ${p.role}` : null,
    list('licenses', p.licenses),
    list('groups', p.groups),
    list('permissions', p.permissions),
  ].filter(Boolean);
  const because =
    p.source === 'rules'
      ? `because rule${p.ruleIds.length === 1 ? '' : 's'} ${p.ruleIds.join(', ')}`
      : p.source === 'defaults'
        ? 'from the default entitlements (no rule matches)'
        : '';
  p.sentence =
    p.source === 'no_account'
      ? `${p.name} → no account (no rule matches)`
      : `${p.name} → ${parts.length ? parts.join(', ') : 'an account with no entitlements'}${because ? ` ${because}` : ''}`;
  return p;
}

/** Who gets what under `rules` in `snapshot` (terminated people are left out: they get nothing). */
export function accessPreview(
  rules: RuleSet,
  snapshot: OrgSnapshot,
  opts: { query?: string; limit?: number; department?: string } = {},
): AccessPreview {
  const ctx = createRuleContext(snapshot);
  const limit = Math.max(1, Math.min(opts.limit ?? 200, 1000));
  const q = (opts.query ?? '').trim().toLowerCase();
  const depts = new Map<string, DepartmentPreview>();
  const people: PersonPreview[] = [];
  let total = 0;
  let withAccount = 0;
  let matching = 0;
  for (const e of snapshot.employees) {
    if (e.employmentStatus === 'TERMINATED') continue;
    total++;
    const p = personPreview(rules, e, ctx);
    const has = p.source !== 'no_account';
    if (has) withAccount++;
    const dname = p.department ?? '(no department)';
    let d = depts.get(dname);
    if (!d) depts.set(dname, (d = { department: dname, people: 0, withAccount: 0, roles: {}, groups: {} }));
    d.people++;
    if (has) d.withAccount++;
    if (p.role) d.roles[p.role] = (d.roles[p.role] ?? 0) + 1;
    for (const g of p.groups) d.groups[g] = (d.groups[g] ?? 0) + 1;
    if (opts.department !== undefined && dname !== opts.department) continue;
    if (q && !`${p.name}\n${p.email ?? ''}\n${dname}\n${p.id}`.toLowerCase().includes(q)) continue;
    matching++;
    people.push(p);
  }
  people.sort((a, b) => cmp(a.name, b.name) || cmp(a.id, b.id));
  return {
    total,
    withAccount,
    departments: [...depts.values()].sort((a, b) => cmp(a.department, b.department)),
    people: people.slice(0, limit),
    matchingPeople: matching,
  };
}

const MAX_PLAN_LINES = 500;

/** The dry-run plan between two snapshots under `rules`, with the safety stop as `applyPlan` would see it. */
export function planPreview(
  rules: RuleSet,
  previous: OrgSnapshot | null,
  current: OrgSnapshot,
  now: Date = new Date(),
  /** The change events between the snapshots, when the caller caches them (they do not depend on the rules). */
  changes?: ChangeEvent[],
): PlanPreview {
  if (!previous)
    return {
      available: false,
      reason: 'No previous snapshot: start the studio with --previous P.json to see the plan.',
    };
  const events = changes ?? diffSnapshots(previous, current, { now });
  const plan: ProvisioningPlan = planProvisioning(events, rules, { previous, current, now });
  const actions = planActions(plan);
  const names = new Map(plan.employees.map((e) => [e.employeeId, e.displayName]));
  const byType: Record<string, number> = {};
  for (const a of actions) byType[a.type] = (byType[a.type] ?? 0) + 1;
  const safety = checkSafety(plan, { now });
  return {
    available: true,
    planId: plan.planId,
    events: events.length,
    actions: actions.length,
    byType,
    lines: actions.slice(0, MAX_PLAN_LINES).map((a) => ({
      employeeId: a.employeeId,
      name: a.employeeId ? (names.get(a.employeeId) ?? a.employeeId) : '(all)',
      action: describeAction(a),
      reason: `${a.reason.text}${a.reason.ruleIds.length ? ` [${a.reason.ruleIds.join(', ')}]` : ''}`,
      notBefore: a.notBefore ?? null,
    })),
    truncated: actions.length > MAX_PLAN_LINES,
    safety: { ok: safety.ok, breaches: safety.breaches, message: safety.alert?.message ?? null, alert: safety.alert },
    approval: {
      required: !safety.ok,
      command: `orgsync plan --rules RULES.json --from PREVIOUS.json --to CURRENT.json --format json --out plan.json && orgsync apply plan.json --approve ${plan.planId}`,
      option: `applyPlan(plan, handlers, { journal, approval: { planId: '${plan.planId}' } })`,
    },
  };
}
