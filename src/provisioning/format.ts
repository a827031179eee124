/**
 * Human-readable rendering of a plan (what `orgsync plan` prints). The JSON form is the plan
 * object itself: `JSON.stringify(plan, null, 2)`.
 */
import type { PlanAction, ProvisioningPlan } from './types.js';
import { cmp } from './util.js';

function actionLabel(a: PlanAction): string {
  switch (a.type) {
    case 'grant':
      return `grant ${a.entitlement.type}:${a.entitlement.value}${a.replaces ? ` (replaces role ${a.replaces})` : ''}`;
    case 'revoke':
      return `revoke ${a.entitlement.type}:${a.entitlement.value}`;
    case 'createUser':
      return `createUser ${a.profile.email ?? a.profile.employeeId}${a.rehire ? ' (rehire: reactivate if it exists)' : ''}`;
    case 'updateUser':
      if (a.reactivate) return 'updateUser: reactivate';
      return `updateUser ${a.changes.map((c) => c.field).join(', ')}${a.previousEmployeeId ? ` (relink from ${a.previousEmployeeId})` : ''}`;
    case 'notify':
      return `notify ${a.notification.kind === 'change' ? a.notification.category : a.notification.kind}`;
    default:
      return a.type;
  }
}

/** One line per action plus its reason; people sorted by id (plan order). */
export function formatPlanText(plan: ProvisioningPlan, opts: { now?: Date } = {}): string {
  const now = opts.now?.getTime();
  const lines: string[] = [];
  const actions = plan.employees.flatMap((e) => e.actions);
  const byType = new Map<string, number>();
  for (const a of actions) byType.set(a.type, (byType.get(a.type) ?? 0) + 1);
  const th = plan.settings.thresholds;
  const n = plan.settings.notifications;

  lines.push(`Provisioning plan ${plan.planId}`);
  lines.push(`Rule set: ${plan.ruleSet.name ?? plan.ruleSet.id ?? '(unnamed)'} (hash ${plan.ruleSet.hash})`);
  lines.push(
    `Source: ${plan.source.connector} snapshot ${plan.source.takenAt}${plan.source.previousTakenAt ? ` (compared with ${plan.source.previousTakenAt})` : ''}`,
  );
  lines.push(
    `${plan.stats.events} event(s) -> ${plan.stats.employees} person(s), ${plan.stats.actions} action(s)` +
      (byType.size
        ? `: ${[...byType.entries()]
            .sort(([a], [b]) => cmp(a, b))
            .map(([t, c]) => `${t} ${c}`)
            .join(', ')}`
        : ''),
  );
  lines.push(
    `Safety stop if more than ${th.maxDeprovisionPercent}% of ${plan.stats.activeEmployees} active employees or more than ${th.maxDeprovisionCount} people are suspended/deleted, ` +
      `or more than ${th.maxPermissionChangePercent}%${th.maxPermissionChangeCount !== undefined ? ` / ${th.maxPermissionChangeCount}` : ''} of accounts change permissions in one run`,
  );
  lines.push(
    `Notifications: ${n.mode} to ${n.recipients.length ? n.recipients.join(', ') : '(no recipients configured)'}`,
  );
  if (!actions.length) {
    lines.push('', 'Nothing to do.');
    return `${lines.join('\n')}\n`;
  }
  for (const e of plan.employees) {
    lines.push('', `${e.displayName}${e.email ? ` <${e.email}>` : ''} [${e.employeeId}]`);
    e.actions.forEach((a, i) => {
      let when = '';
      if (a.notBefore)
        when =
          now !== undefined && Date.parse(a.notBefore) <= now
            ? `  (due since ${a.notBefore})`
            : `  (not before ${a.notBefore})`;
      lines.push(`  ${String(i + 1).padStart(2)}. ${actionLabel(a)}${when}`);
      const rules = a.reason.ruleIds.length ? ` [${a.reason.ruleIds.join(', ')}]` : '';
      lines.push(`      ${a.reason.eventType} ${a.reason.eventId.slice(0, 12)}${rules}: ${a.reason.text}`);
    });
  }
  return `${lines.join('\n')}\n`;
}
