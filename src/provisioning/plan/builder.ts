/**
 * The per-employee action builder: every action of a plan is added through `Builder.add`, which derives
 * its idempotency key (see keys.ts), de-duplicates, and attaches the reason and dependencies.
 */
import type { Employee } from '../../model.js';
import { DEFAULTS_SOURCE, POLICY_SOURCE, type EntitlementRef } from '../rules.js';
import type { ChangeNotification, NotificationCategory, PlanAction, Reason, Severity } from '../types.js';
import type { Env } from './context.js';
import { refText, type Delta } from './entitlements.js';
import { idempotencyKey, type Cause } from './keys.js';
import { userProfile, userRef } from './profile.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type ActionBody = DistributiveOmit<
  PlanAction,
  'idempotencyKey' | 'employeeId' | 'user' | 'reason' | 'notBefore' | 'dependsOn'
>;

export class Builder {
  readonly actions: PlanAction[] = [];
  constructor(
    readonly env: Env,
    readonly emp: Employee,
  ) {}

  add(
    body: ActionBody,
    cause: Cause,
    opts: { ruleIds?: string[]; text: string; notBefore?: string | undefined; dependsOn?: Array<string | undefined> },
  ): string {
    const key = idempotencyKey(cause.key, body.type, body.target);
    if (this.actions.some((a) => a.idempotencyKey === key)) return key;
    const reason: Reason = {
      eventId: cause.eventId,
      eventType: cause.eventType,
      ruleIds: opts.ruleIds ?? [POLICY_SOURCE],
      text: opts.text,
    };
    const deps = [...new Set((opts.dependsOn ?? []).filter((d): d is string => !!d && d !== key))];
    const { type, ...rest } = body;
    const action = {
      type,
      idempotencyKey: key,
      employeeId: this.emp.id,
      ...rest,
      user: userRef(this.emp),
      reason,
      ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
      dependsOn: deps,
    } as PlanAction;
    this.actions.push(action);
    return key;
  }

  notify(
    category: NotificationCategory,
    severity: Severity,
    cause: Cause,
    summary: string,
    opts: {
      granted?: EntitlementRef[];
      revoked?: EntitlementRef[];
      details?: string[];
      notBefore?: string | undefined;
      dependsOn?: Array<string | undefined>;
      effectiveAt?: string | null;
    },
  ): string {
    const e = this.emp;
    const profile = userProfile(e, this.env.curCtx);
    const notification: ChangeNotification = {
      kind: 'change',
      category,
      severity,
      employee: {
        id: e.id,
        displayName: e.displayName,
        email: e.workEmail,
        title: e.jobTitle,
        department: profile.department,
      },
      eventId: cause.eventId,
      eventType: cause.eventType,
      summary,
      granted: (opts.granted ?? []).map(({ type, value }) => ({ type, value })),
      revoked: (opts.revoked ?? []).map(({ type, value }) => ({ type, value })),
      effectiveAt: opts.effectiveAt !== undefined ? opts.effectiveAt : (opts.notBefore ?? null),
      details: opts.details ?? [],
      recipients: [...this.env.rs.policy.notifications.recipients],
    };
    return this.add({ type: 'notify', target: `${e.id}/notify:${category}`, notification }, cause, {
      text: summary,
      notBefore: opts.notBefore,
      dependsOn: opts.dependsOn ?? [],
    });
  }

  /** Grants and revokes for a delta; returns the keys. Revokes first (least privilege in between). */
  applyDelta(
    delta: Delta,
    cause: Cause,
    notBefore: string | undefined,
    dependsOn: Array<string | undefined>,
    revokeWhy?: string,
  ): string[] {
    const keys: string[] = [];
    const id = this.emp.id;
    for (const r of delta.revokes) {
      keys.push(
        this.add(
          { type: 'revoke', target: `${id}/${refText(r)}`, entitlement: { type: r.type, value: r.value } },
          cause,
          {
            ruleIds: r.ruleIds,
            text: `revoke ${refText(r)} (${revokeWhy ?? 'no longer granted'}; was from ${r.ruleIds.join(', ')})`,
            notBefore,
            dependsOn,
          },
        ),
      );
    }
    for (const g of delta.grants) {
      keys.push(
        this.add(
          {
            type: 'grant',
            target: `${id}/${refText(g)}`,
            entitlement: { type: g.type, value: g.value },
            ...(g.replaces ? { replaces: g.replaces } : {}),
          },
          cause,
          {
            ruleIds: g.ruleIds,
            text: `grant ${refText(g)}${g.replaces ? ` (replaces role ${g.replaces})` : ''} from ${g.ruleIds.map((r) => (r === DEFAULTS_SOURCE ? 'default entitlements' : `rule ${r}`)).join(', ')}`,
            notBefore,
            dependsOn,
          },
        ),
      );
    }
    return keys;
  }
}

/** One line describing an action (used in notifications and previews). */
export function describe(a: PlanAction): string {
  const when = a.notBefore ? ` (not before ${a.notBefore})` : '';
  switch (a.type) {
    case 'grant':
      return `grant ${refText(a.entitlement)}${a.replaces ? ` replacing role ${a.replaces}` : ''}${when}`;
    case 'revoke':
      return `revoke ${refText(a.entitlement)}${when}`;
    case 'notify':
      return `notify (${a.notification.kind === 'change' ? a.notification.category : a.notification.kind})${when}`;
    case 'updateUser':
      return `updateUser${a.reactivate ? ' (reactivate)' : ''}${a.changes.length ? ` ${a.changes.map((c) => c.field).join(', ')}` : ''}${when}`;
    default:
      return `${a.type}${when}`;
  }
}
