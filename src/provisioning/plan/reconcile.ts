/**
 * Lifecycle handler: attribute changes of an employed person (direct or indirect): profile sync, identity
 * relink and the entitlement delta; onboarding when they now match the rules and have no account.
 */
import type { EmployeeChangeEvent } from '../../changes.js';
import type { Employee } from '../../model.js';
import { evaluateRules } from '../rules.js';
import type { Builder } from './builder.js';
import { ACTIVE_LIKE, startInstant } from './context.js';
import { entitlementDelta, roleConflictDetails } from './entitlements.js';
import type { Cause } from './keys.js';
import { onboard } from './onboard.js';
import { profileChanges, userProfile } from './profile.js';

/** Profile sync and entitlement delta after attribute changes (direct or indirect). */
export function reconcile(
  b: Builder,
  cause: Cause,
  prev: Employee | undefined,
  opts: { identity?: EmployeeChangeEvent },
): void {
  const { env, emp } = b;
  if (!ACTIVE_LIKE.has(emp.employmentStatus)) return;
  const at = emp.employmentStatus === 'PENDING' ? startInstant(env, emp) : undefined;
  const prevSet = prev ? evaluateRules(env.rs, prev, env.prevCtx) : null;
  const curSet = evaluateRules(env.rs, emp, env.curCtx);
  const acct = env.accounts?.get(emp.id);
  const accountExists = acct ? acct.status !== 'deleted' : prevSet !== null;
  if (!accountExists) {
    if (curSet && prev) onboard(b, cause, { rehire: false, set: curSet });
    return;
  }
  const profile = userProfile(emp, env.curCtx);
  let updateKey: string | undefined;
  const changes = env.rs.policy.profileSync && prev ? profileChanges(userProfile(prev, env.prevCtx), profile) : [];
  const identity = opts.identity;
  if (changes.length || identity) {
    const previousEmployeeId = identity?.previousEmployeeId;
    if (identity && previousEmployeeId && previousEmployeeId !== emp.id) {
      changes.unshift({ field: 'employeeId', before: previousEmployeeId, after: emp.id });
    }
    updateKey = b.add(
      {
        type: 'updateUser',
        target: `user:${emp.id}:profile`,
        profile,
        changes,
        reactivate: false,
        ...(previousEmployeeId ? { previousEmployeeId } : {}),
      },
      cause,
      {
        text: `${cause.eventType}: update ${changes.map((c) => c.field).join(', ') || 'identity link'}`,
        notBefore: at,
      },
    );
  }
  const actual = acct && acct.status !== 'deleted' ? acct.entitlements : undefined;
  const delta = prev ? entitlementDelta(prevSet, curSet, actual) : { grants: [], revokes: [] };
  const keys = b.applyDelta(delta, cause, at, [updateKey]);
  if (identity) {
    b.notify('identity_changed', 'warning', cause, `${emp.displayName}: HR record id changed; account relinked`, {
      granted: delta.grants,
      revoked: delta.revokes,
      notBefore: at,
      details: [
        `previous employee id ${identity.previousEmployeeId ?? '(unknown)'}${identity.matchedOn ? `, matched on ${identity.matchedOn}` : ''}`,
      ],
      dependsOn: [updateKey, ...keys],
    });
  } else if (keys.length) {
    b.notify('permissions_changed', 'info', cause, `${emp.displayName}: permissions changed (${cause.eventType})`, {
      granted: delta.grants,
      revoked: delta.revokes,
      notBefore: at,
      details: roleConflictDetails(curSet),
      dependsOn: keys,
    });
  }
}
