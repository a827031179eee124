/**
 * planProvisioning: turn change events into a deterministic provisioning plan.
 *
 * Same input, byte-identical JSON. Every action carries a reason (event, rules) and an
 * idempotency key derived from (cause, action type, target) only, so re-planning the same change
 * gives the same keys and a journal can recognise work already done.
 *
 * This file assembles the plan; the parts live in ./plan/: keys.ts (cause and idempotency keys),
 * context.ts (the planning environment), builder.ts (adding actions), profile.ts, entitlements.ts,
 * the lifecycle handlers (onboard.ts, offboard.ts, leave.ts, reconcile.ts), events.ts (one person's
 * events → handlers), guards.ts (break-glass, UNKNOWN status, manual mode), employee.ts, indirect.ts
 * (effects on people below a changed group or manager), inputs.ts (whose rule inputs changed, so who
 * needs evaluating) and cancellations.ts (superseded schedules).
 */
import type { ChangeEvent, EmployeeChangeEvent, GroupChangeEvent } from '../changes.js';
import { ChangeEventSchema } from '../changes.js';
import { ValidationError } from '../errors.js';
import type { OrgSnapshot } from '../model.js';
import { createRuleContext, parseRuleSet, type RuleSet, type RuleSetInput } from './rules.js';
import {
  PLAN_KIND,
  PLAN_VERSION,
  type Cancellation,
  type EmployeePlan,
  type PlanAction,
  type ProvisioningPlan,
} from './types.js';
import { canonicalJson, cmp, sha256Hex } from './util.js';
import { cancellations } from './plan/cancellations.js';
import { eventRank, normalizeAccounts, type Env, type PlanContext } from './plan/context.js';
import { planEmployee } from './plan/employee.js';
import { planIndirect, type IndirectOptions } from './plan/indirect.js';
import { computePlanId } from './plan/keys.js';

export type { ExistingAccount, PlanContext } from './plan/context.js';
export { computePlanId, idempotencyKey } from './plan/keys.js';
export { userProfile } from './plan/profile.js';
export { isInvoluntaryTermination } from './plan/offboard.js';
export { describe as describeAction } from './plan/builder.js';

function countActive(s: OrgSnapshot): number {
  let n = 0;
  for (const e of s.employees) if (e.employmentStatus === 'ACTIVE') n++;
  return n;
}

/**
 * Plan the provisioning actions for a set of change events. Deterministic: the same events (in any
 * order), rule set and context give byte-identical JSON and the same `planId`.
 */
export function planProvisioning(
  changes: ChangeEvent[],
  rules: RuleSet | RuleSetInput,
  context: PlanContext,
): ProvisioningPlan {
  return planProvisioningWith(changes, rules, context, {});
}

/**
 * `planProvisioning` with internal options (not part of the public API), for tests: `evaluateAll`
 * evaluates the rules for everyone below a changed manager or group, not only those whose rule
 * inputs changed (the full evaluation the incremental planner is tested against; same plan,
 * slower); `causeWalkBudget: 0` finds manager causes by spreading down at once.
 */
export function planProvisioningWith(
  changes: ChangeEvent[],
  rules: RuleSet | RuleSetInput,
  context: PlanContext,
  opts: IndirectOptions,
): ProvisioningPlan {
  const rs = parseRuleSet(rules);
  if (!context || !context.current)
    throw new ValidationError({
      message: 'planProvisioning needs context.current (the snapshot the changes lead to)',
      code: 'plan_context_invalid',
    });
  const bad: string[] = [];
  changes.forEach((c, i) => {
    const r = ChangeEventSchema.safeParse(c);
    if (!r.success) bad.push(...r.error.issues.map((x) => `changes[${i}].${x.path.join('.')}: ${x.message}`));
  });
  if (bad.length)
    throw new ValidationError({
      message: `invalid change events: ${bad.slice(0, 3).join('; ')}`,
      issues: bad,
      code: 'change_events_invalid',
    });

  const curCtx = createRuleContext(context.current);
  const env: Env = {
    rs,
    curCtx,
    prevCtx: context.previous ? createRuleContext(context.previous) : curCtx,
    now: context.now ?? new Date(),
    accounts: normalizeAccounts(context.existingAccounts),
    connector: context.current.connector,
  };

  const byEmployee = new Map<string, EmployeeChangeEvent[]>();
  const groupEvents: GroupChangeEvent[] = [];
  for (const c of changes) {
    if (c.kind === 'employee') byEmployee.set(c.employeeId, [...(byEmployee.get(c.employeeId) ?? []), c]);
    else groupEvents.push(c);
  }

  const perEmployee = new Map<string, PlanAction[]>();
  const cancels: Cancellation[] = [];
  for (const [id, evs] of byEmployee) {
    const acts = planEmployee(env, evs);
    if (acts.length) perEmployee.set(id, acts);
    const sorted = [...evs].sort((a, b) => eventRank(a.type) - eventRank(b.type) || cmp(a.id, b.id));
    cancels.push(...cancellations(env, sorted[0]!.employee, sorted.find((e) => e.previous)?.previous, sorted));
  }
  if (context.previous) {
    for (const [id, acts] of planIndirect(
      env,
      context.previous,
      context.current,
      new Set(byEmployee.keys()),
      groupEvents,
      byEmployee,
      opts,
    ))
      perEmployee.set(id, acts);
  }

  const seen = new Set<string>();
  const employees: EmployeePlan[] = [];
  for (const id of [...perEmployee.keys()].sort(cmp)) {
    const actions = perEmployee
      .get(id)!
      .filter((a) => (seen.has(a.idempotencyKey) ? false : (seen.add(a.idempotencyKey), true)));
    const u = actions[0]!.user!;
    employees.push({ employeeId: id, displayName: u.displayName, email: u.email, actions });
  }

  // Denominator for the deprovisioning threshold: active people before the change.
  let activeEmployees: number;
  if (context.previous) activeEmployees = Math.max(countActive(context.previous), countActive(context.current));
  else {
    const leaving = changes.filter(
      (c) =>
        c.kind === 'employee' &&
        (c.type === 'TERMINATION' || c.type === 'REMOTE_DELETED') &&
        (c.previous ?? c.employee).employmentStatus === 'ACTIVE',
    ).length;
    activeEmployees = countActive(context.current) + leaving;
  }
  const accounts = env.accounts ? [...env.accounts.values()].filter((a) => a.status !== 'deleted').length : null;
  const n = rs.policy.notifications;

  const content: Omit<ProvisioningPlan, 'planId'> = {
    kind: PLAN_KIND,
    version: PLAN_VERSION,
    ruleSet: {
      id: rs.id ?? null,
      name: rs.name ?? null,
      hash: sha256Hex(canonicalJson(withoutChannels(rs))).slice(0, 16),
    },
    source: {
      connector: context.current.connector,
      takenAt: context.current.takenAt,
      previousTakenAt: context.previous?.takenAt ?? null,
    },
    settings: {
      thresholds: rs.policy.thresholds,
      notifications: {
        mode: n.mode,
        recipients: [...n.recipients],
        alertRecipients: [...(n.alertRecipients ?? n.recipients)],
      },
    },
    stats: {
      events: changes.length,
      activeEmployees,
      accounts,
      employees: employees.length,
      actions: employees.reduce((s, e) => s + e.actions.length, 0),
    },
    employees,
    cancels: cancels
      // not already an action of this plan, and each once
      .filter((c) => (seen.has(c.idempotencyKey) ? false : (seen.add(c.idempotencyKey), true)))
      .sort((a, b) => cmp(a.employeeId, b.employeeId) || cmp(a.idempotencyKey, b.idempotencyKey)),
  };
  const planId = computePlanId(content);
  const { kind, version, ...rest } = content;
  return { kind, version, planId, ...rest };
}

/** Alert channels are delivery settings, not what the plan does: they leave the rule set hash (and planId) alone. */
function withoutChannels(rs: RuleSet): unknown {
  const { channels: _channels, ...notifications } = rs.policy.notifications;
  return { ...rs, policy: { ...rs.policy, notifications } };
}

/** All actions of a plan, in plan order. */
export function planActions(plan: ProvisioningPlan): PlanAction[] {
  return plan.employees.flatMap((e) => e.actions);
}
