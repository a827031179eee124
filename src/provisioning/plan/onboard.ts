/**
 * Lifecycle handler: onboarding (HIRE, REHIRE, leaving UNKNOWN, or someone who now matches the rules).
 */
import { POLICY_SOURCE, type EntitlementSet } from '../rules.js';
import type { NotificationCategory } from '../types.js';
import type { Builder } from './builder.js';
import { startInstant } from './context.js';
import { entitlementDelta, entitlementSetFromActual, roleConflictDetails } from './entitlements.js';
import type { Cause } from './keys.js';
import { userProfile } from './profile.js';

/** Onboarding: HIRE, REHIRE, or someone who now matches the rules and has no account. */
export function onboard(
  b: Builder,
  cause: Cause,
  opts: {
    rehire: boolean;
    set: EntitlementSet;
    previousSet?: EntitlementSet | null;
    /** Status left UNKNOWN: make sure the account exists (upsert), no welcome. */
    ensure?: boolean;
    /** Identity change: the account is linked to this old employee id. */
    relinkFrom?: string | undefined;
  },
): void {
  const { env, emp } = b;
  const policy = env.rs.policy;
  const at = startInstant(env, emp);
  const acct = env.accounts?.get(emp.id);
  const profile = userProfile(emp, env.curCtx);
  let accountKey: string | undefined;
  let created = false;
  let reactivated = false;
  if (acct?.status === 'active') {
    // already has an account: only fix entitlements
  } else if (acct?.status === 'suspended') {
    accountKey = b.add(
      { type: 'updateUser', target: `user:${emp.id}:reactivate`, profile, changes: [], reactivate: true },
      cause,
      {
        text: `${cause.eventType}: reactivate the suspended account`,
        notBefore: at,
      },
    );
    reactivated = true;
  } else if (opts.relinkFrom && !acct) {
    accountKey = b.add(
      {
        type: 'updateUser',
        target: `user:${emp.id}:profile`,
        profile,
        changes: [{ field: 'employeeId', before: opts.relinkFrom, after: emp.id }],
        reactivate: opts.rehire,
        previousEmployeeId: opts.relinkFrom,
      },
      cause,
      {
        text: `${cause.eventType}: relink the account of ${opts.relinkFrom}${opts.rehire ? ' and reactivate it' : ''}`,
        notBefore: at,
      },
    );
    reactivated = opts.rehire;
  } else {
    accountKey = b.add(
      { type: 'createUser', target: `user:${emp.id}`, profile, rehire: (opts.rehire || opts.ensure === true) && !acct },
      cause,
      {
        ruleIds: opts.set.matchedRuleIds.length ? opts.set.matchedRuleIds : [POLICY_SOURCE],
        text: opts.ensure
          ? `${cause.eventType}: status no longer UNKNOWN: make sure the account exists (create, or reactivate)`
          : `${cause.eventType}: create the account${at ? ' on the start date' : ''}`,
        notBefore: at,
      },
    );
    created = true;
  }
  const actual = acct && acct.status !== 'deleted' ? acct.entitlements : undefined;
  const prevSet = opts.rehire && actual ? entitlementSetFromActual(actual) : (opts.previousSet ?? null);
  const delta = entitlementDelta(prevSet, opts.set, actual);
  const deltaKeys = b.applyDelta(delta, cause, at, [accountKey]);
  let welcomeKey: string | undefined;
  const welcome = opts.rehire ? policy.rehire.sendWelcome : policy.hire.sendWelcome;
  if ((created || reactivated) && welcome && !opts.ensure) {
    welcomeKey = b.add({ type: 'sendWelcome', target: `user:${emp.id}`, profile }, cause, {
      text: `${cause.eventType}: send the welcome message`,
      notBefore: at,
      dependsOn: [accountKey, ...deltaKeys],
    });
  }
  if (created || reactivated || deltaKeys.length) {
    const category: NotificationCategory = created
      ? 'account_created'
      : reactivated
        ? 'account_reactivated'
        : 'permissions_changed';
    const verb = opts.ensure
      ? 'status no longer UNKNOWN; account ensured and access granted'
      : created
        ? 'account created'
        : reactivated
          ? 'account reactivated'
          : 'permissions updated';
    b.notify(category, 'info', cause, `${emp.displayName}: ${verb} (${cause.eventType})`, {
      granted: delta.grants,
      revoked: delta.revokes,
      notBefore: at,
      details: roleConflictDetails(opts.set),
      dependsOn: [accountKey, ...deltaKeys, welcomeKey],
    });
  }
}
