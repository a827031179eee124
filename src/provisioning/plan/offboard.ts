/**
 * Lifecycle handlers: termination (scheduled, effective, involuntary) and a record deleted in the HR system.
 */
import type { EmployeeChangeEvent } from '../../changes.js';
import type { Employee } from '../../model.js';
import { entitlementKey, entitlementRefs, evaluateRules, type ResolvedEntitlement, type RuleSet } from '../rules.js';
import { addDays } from '../util.js';
import type { Builder } from './builder.js';
import { dayStart } from './context.js';
import { actualRefs } from './entitlements.js';
import { causeOf, terminationCauseKey } from './keys.js';

/** Involuntary if the event's `terminationType` hint, or the employee's custom field, has one of the configured values. */
export function isInvoluntaryTermination(
  rs: RuleSet,
  ev: EmployeeChangeEvent,
  emp: Employee,
  prev?: Employee,
): boolean {
  const cfg = rs.policy.termination.involuntary;
  const hint =
    (ev as { terminationType?: unknown }).terminationType ??
    emp.customFields[cfg.field] ??
    (prev ? prev.customFields[cfg.field] : undefined);
  if (typeof hint !== 'string') return false;
  const h = hint.trim().toLowerCase();
  return cfg.values.some((v) => v.trim().toLowerCase() === h);
}

export function terminate(b: Builder, ev: EmployeeChangeEvent, prev: Employee | undefined, scheduled: boolean): void {
  const { env, emp } = b;
  const t = env.rs.policy.termination;
  const acct = env.accounts?.get(emp.id);
  if (acct?.status === 'deleted') return;
  const date = ev.effectiveDate ?? emp.terminationDate ?? null;
  const involuntary = isInvoluntaryTermination(env.rs, ev, emp, prev);
  const immediate = involuntary && t.involuntary.immediate;
  const at = immediate ? undefined : dayStart(env, date, t.effectiveAt === 'end_of_day');
  const cause = causeOf(ev, terminationCauseKey(emp.id, date ?? ev.id));
  let basis = scheduled ? emp : (prev ?? emp);
  // Entitlements to revoke are those the person had while employed.
  if (basis.employmentStatus === 'UNKNOWN' || basis.employmentStatus === 'TERMINATED')
    basis = { ...basis, employmentStatus: 'ACTIVE' };
  const set = evaluateRules(env.rs, basis, scheduled ? env.curCtx : env.prevCtx);
  const kind = involuntary ? 'involuntary termination' : 'termination';
  const when = at ? `at ${at}` : 'immediately';

  if (scheduled && at) {
    b.notify(
      'deprovision_scheduled',
      involuntary ? 'critical' : 'info',
      causeOf(ev),
      `${emp.displayName}: ${kind} scheduled; access ends ${at}`,
      {
        effectiveAt: at,
        details: [
          `policy: ${t.action}${t.action === 'suspend_then_delete' ? ` (delete after ${t.graceDays} days)` : ''}`,
        ],
      },
    );
  }

  const revokeKeys: string[] = [];
  const revoked: ResolvedEntitlement[] = [];
  if (t.revokeEntitlements && t.action !== 'delete') {
    const refs = new Map<string, ResolvedEntitlement>();
    for (const r of entitlementRefs(set)) refs.set(entitlementKey(r), r);
    if (acct?.entitlements)
      for (const r of actualRefs(acct.entitlements))
        if (!refs.has(entitlementKey(r))) refs.set(entitlementKey(r), { ...r, ruleIds: ['$account'] });
    revoked.push(...refs.values());
    revokeKeys.push(...b.applyDelta({ grants: [], revokes: revoked }, cause, at, [], kind));
  }
  let suspendKey: string | undefined;
  let deleteKey: string | undefined;
  let deleteAt: string | undefined;
  if (t.action !== 'delete' && acct?.status !== 'suspended') {
    suspendKey = b.add({ type: 'suspendUser', target: `user:${emp.id}` }, cause, {
      text: `${ev.type}: suspend the account ${when} (${kind}; policy ${t.action})`,
      notBefore: at,
      dependsOn: revokeKeys,
    });
  }
  if (t.action === 'delete') {
    deleteKey = b.add({ type: 'deleteUser', target: `user:${emp.id}` }, cause, {
      text: `${ev.type}: delete the account ${when} (${kind}; policy delete)`,
      notBefore: at,
    });
  } else if (t.action === 'suspend_then_delete') {
    deleteAt = addDays(at ?? env.now.toISOString(), t.graceDays);
    deleteKey = b.add({ type: 'deleteUser', target: `user:${emp.id}` }, cause, {
      text: `${ev.type}: delete the account ${t.graceDays} days after suspension`,
      notBefore: deleteAt,
      dependsOn: [suspendKey, ...revokeKeys],
    });
  }
  if (!suspendKey && !deleteKey && !revokeKeys.length) return;
  const did =
    t.action === 'delete'
      ? 'account deleted'
      : `account suspended${revoked.length ? `, ${revoked.length} entitlement(s) revoked` : ''}`;
  b.notify('deprovisioned', involuntary ? 'critical' : 'warning', cause, `${emp.displayName}: ${kind} — ${did}`, {
    revoked,
    notBefore: at,
    details: [
      ...(involuntary ? [`involuntary${immediate ? ': deprovisioned immediately' : ''}`] : []),
      ...(date ? [`termination date ${date}`] : ['no termination date known']),
      ...(deleteAt ? [`account deletion scheduled for ${deleteAt}`] : []),
    ],
    dependsOn: [t.action === 'delete' ? deleteKey : suspendKey, ...revokeKeys],
  });
}

export function remoteDeleted(b: Builder, ev: EmployeeChangeEvent): void {
  const { env, emp } = b;
  const acct = env.accounts?.get(emp.id);
  if (acct && acct.status !== 'active') return;
  const cause = causeOf(ev);
  const k = b.add({ type: 'suspendUser', target: `user:${emp.id}` }, cause, {
    text: `REMOTE_DELETED: the record disappeared from ${env.connector}; suspend (never delete) until reviewed`,
  });
  b.notify(
    'suspended_remote_deleted',
    'warning',
    cause,
    `${emp.displayName}: record deleted in ${env.connector}; account suspended pending review`,
    {
      details: [
        'orgsync never deletes an account because its HR record disappeared; review and delete by hand if intended',
      ],
      dependsOn: [k],
    },
  );
}
