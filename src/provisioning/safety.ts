/**
 * Safety stops: before a run executes anything, count what it is about to do and halt when that is
 * more than the plan's thresholds allow (mass deprovisioning, mass permission changes), unless the
 * run carries an explicit approval of this exact plan.
 */
import { planActions } from './plan.js';
import type { PlanAction, ProvisioningPlan, SafetyAlert, ThresholdBreach } from './types.js';
import { cmp } from './util.js';

export interface SafetyCheckOptions {
  now?: Date;
  /** Keys already done (they will not run again, so they do not count). */
  done?: ReadonlySet<string>;
  approval?: { planId: string } | undefined;
}

export interface SafetyCheck {
  ok: boolean;
  /** True when a matching approval let an over-threshold run proceed. */
  approved: boolean;
  breaches: ThresholdBreach[];
  alert: SafetyAlert | null;
}

/** Actions that would execute in a run at `now`: not done and not before their `notBefore`. */
export function dueActions(plan: ProvisioningPlan, now: Date, done: ReadonlySet<string> = new Set()): PlanAction[] {
  const t = now.getTime();
  return planActions(plan).filter((a) => !done.has(a.idempotencyKey) && (!a.notBefore || Date.parse(a.notBefore) <= t));
}

const SAMPLE_SIZE = 5;

export function checkSafety(plan: ProvisioningPlan, opts: SafetyCheckOptions = {}): SafetyCheck {
  const now = opts.now ?? new Date();
  const due = dueActions(plan, now, opts.done);
  const th = plan.settings.thresholds;
  const names = new Map(plan.employees.map((e) => [e.employeeId, e.displayName]));

  const deprov = new Set<string>();
  for (const a of due)
    if ((a.type === 'suspendUser' || a.type === 'deleteUser') && a.employeeId) deprov.add(a.employeeId);
  // Permission changes on existing accounts: not counting people being created or deprovisioned.
  const creating = new Set(
    planActions(plan)
      .filter((a) => a.type === 'createUser' && a.employeeId)
      .map((a) => a.employeeId!),
  );
  const perm = new Set<string>();
  for (const a of due) {
    if (
      (a.type === 'grant' || a.type === 'revoke') &&
      a.employeeId &&
      !deprov.has(a.employeeId) &&
      !creating.has(a.employeeId)
    )
      perm.add(a.employeeId);
  }
  const active = plan.stats.activeEmployees;
  const accounts = plan.stats.accounts ?? active;
  const pct = (n: number, base: number): number => (base > 0 ? Math.round((n / base) * 10000) / 100 : n > 0 ? 100 : 0);

  const breaches: ThresholdBreach[] = [];
  if (deprov.size > th.maxDeprovisionCount)
    breaches.push({ threshold: 'maxDeprovisionCount', limit: th.maxDeprovisionCount, actual: deprov.size });
  if (deprov.size >= th.minCountForPercent && pct(deprov.size, active) > th.maxDeprovisionPercent)
    breaches.push({
      threshold: 'maxDeprovisionPercent',
      limit: th.maxDeprovisionPercent,
      actual: pct(deprov.size, active),
    });
  if (perm.size >= th.minCountForPercent && pct(perm.size, accounts) > th.maxPermissionChangePercent)
    breaches.push({
      threshold: 'maxPermissionChangePercent',
      limit: th.maxPermissionChangePercent,
      actual: pct(perm.size, accounts),
    });
  if (th.maxPermissionChangeCount !== undefined && perm.size > th.maxPermissionChangeCount)
    breaches.push({ threshold: 'maxPermissionChangeCount', limit: th.maxPermissionChangeCount, actual: perm.size });

  if (!breaches.length) return { ok: true, approved: false, breaches, alert: null };
  if (opts.approval && opts.approval.planId === plan.planId) return { ok: true, approved: true, breaches, alert: null };

  const sample = (ids: Set<string>): string[] =>
    [...ids]
      .map((id) => names.get(id) ?? id)
      .sort(cmp)
      .slice(0, SAMPLE_SIZE);
  const parts: string[] = [];
  if (deprov.size) parts.push(`${deprov.size} of ${active} active employee(s) would be suspended or deleted`);
  if (perm.size) parts.push(`${perm.size} of ${accounts} account(s) would change permissions`);
  const alert: SafetyAlert = {
    kind: 'safety_alert',
    planId: plan.planId,
    createdAt: now.toISOString(),
    recipients: [...plan.settings.notifications.alertRecipients],
    message:
      `Provisioning halted: ${parts.join('; ')}. Over threshold: ` +
      breaches.map((b) => `${b.threshold} ${b.actual} > ${b.limit}`).join(', ') +
      `. Nothing was executed. Review the plan and re-run with approval { planId: "${plan.planId}" } to proceed.`,
    breaches,
    counts: {
      deprovision: deprov.size,
      permissionChanges: perm.size,
      activeEmployees: active,
      accounts,
      actionsDue: due.length,
    },
    samples: { deprovision: sample(deprov), permissionChanges: sample(perm) },
    approvalProvided: opts.approval ? opts.approval.planId : null,
  };
  return { ok: false, approved: false, breaches, alert };
}
