/**
 * Lifecycle handler: leave of absence (LEAVE_START / LEAVE_END), when the policy suspends during leave.
 */
import type { EmployeeChangeEvent } from '../../changes.js';
import type { Builder } from './builder.js';
import { dayStart } from './context.js';
import { causeOf } from './keys.js';
import { userProfile } from './profile.js';

export function leave(b: Builder, ev: EmployeeChangeEvent): void {
  const { env, emp } = b;
  if (env.rs.policy.leave.action !== 'suspend') return;
  const acct = env.accounts?.get(emp.id);
  if (acct?.status === 'deleted') return;
  const cause = causeOf(ev);
  if (ev.type === 'LEAVE_START') {
    if (acct?.status === 'suspended') return;
    const at = dayStart(env, ev.effectiveDate);
    const k = b.add({ type: 'suspendUser', target: `user:${emp.id}` }, cause, {
      text: 'LEAVE_START: suspend during leave (policy leave.action = suspend)',
      notBefore: at,
    });
    b.notify('leave_suspended', 'info', cause, `${emp.displayName}: on leave; account suspended`, {
      notBefore: at,
      dependsOn: [k],
    });
  } else {
    if (acct?.status === 'active') return;
    const at = dayStart(env, ev.effectiveDate);
    const k = b.add(
      {
        type: 'updateUser',
        target: `user:${emp.id}:reactivate`,
        profile: userProfile(emp, env.curCtx),
        changes: [],
        reactivate: true,
      },
      cause,
      { text: 'LEAVE_END: reactivate the account (policy leave.action = suspend)', notBefore: at },
    );
    b.notify('account_reactivated', 'info', cause, `${emp.displayName}: back from leave; account reactivated`, {
      notBefore: at,
      dependsOn: [k],
    });
  }
}
