/**
 * Guards that replace planned actions with a notification: the never-touch (break-glass) list, an
 * UNKNOWN employment status, and events whose mode is `notify` (manual action).
 */
import type { EmployeeChangeEvent } from '../../changes.js';
import type { Employee } from '../../model.js';
import type { RuleSet } from '../rules.js';
import type { NotificationCategory, PlanAction } from '../types.js';
import { Builder, describe } from './builder.js';
import { modeOf, type Env } from './context.js';
import { buildForEvents } from './events.js';
import { causeOf, type Cause } from './keys.js';

export function isNeverTouch(rs: RuleSet, ...emps: Array<Employee | undefined>): boolean {
  const ids = new Set(rs.policy.neverTouch.employeeIds);
  const emails = new Set(rs.policy.neverTouch.emails.map((e) => e.trim().toLowerCase()));
  return emps.some(
    (e) =>
      !!e && (ids.has(e.id) || [e.workEmail, e.personalEmail].some((m) => !!m && emails.has(m.trim().toLowerCase()))),
  );
}

/** Replace planned actions with one notification (break-glass, UNKNOWN status, manual mode). */
export function replaceWithNotice(
  env: Env,
  emp: Employee,
  actions: PlanAction[],
  cause: Cause,
  category: NotificationCategory,
  summary: string,
  extra: string[] = [],
): PlanAction[] {
  if (!actions.length) return [];
  const b = new Builder(env, emp);
  b.notify(category, 'warning', cause, summary, {
    details: [
      ...extra,
      ...actions
        .filter((a) => a.type !== 'notify' || a.notification.kind !== 'change' || a.notification.category !== category)
        .map((a) => `would have: ${describe(a)}`),
    ],
  });
  return b.actions;
}

export function guard(
  env: Env,
  emp: Employee,
  prev: Employee | undefined,
  actions: PlanAction[],
  cause: Cause,
): PlanAction[] {
  if (!actions.length) return actions;
  if (isNeverTouch(env.rs, emp, prev)) {
    return replaceWithNotice(
      env,
      emp,
      actions,
      cause,
      'skipped_break_glass',
      `${emp.displayName}: on the never-touch (break-glass) list; skipped`,
    );
  }
  return actions;
}

/**
 * UNKNOWN status: nothing is provisioned or deprovisioned. IT is told when the person's events
 * would otherwise have done something (planned as if the status were still the previous one, or
 * ACTIVE), or when the status has just become UNKNOWN.
 */
export function unknownStatus(
  env: Env,
  emp: Employee,
  prev: Employee | undefined,
  events: EmployeeChangeEvent[],
): PlanAction[] {
  const relevant = events.filter((e) => modeOf(env.rs, e.type) !== 'ignore');
  if (!relevant.length) return [];
  const assumed = prev && prev.employmentStatus !== 'UNKNOWN' ? prev.employmentStatus : 'ACTIVE';
  const stand = { ...emp, employmentStatus: assumed };
  const prevStand = prev && prev.employmentStatus === 'UNKNOWN' ? { ...prev, employmentStatus: assumed } : prev;
  const would = buildForEvents(
    env,
    relevant.map((e) => ({ ...e, employee: stand, ...(prevStand ? { previous: prevStand } : {}) })),
    stand,
    prevStand,
  );
  const justBecame = !!prev && prev.employmentStatus !== 'UNKNOWN';
  if (!would.length && !justBecame) return [];
  const b = new Builder(env, emp);
  b.notify(
    'skipped_unknown_status',
    'warning',
    causeOf(relevant[0]!),
    `${emp.displayName}: employment status UNKNOWN (vendor value: ${emp.employmentStatusRaw ?? 'none'}); nothing provisioned or deprovisioned`,
    {
      details: [
        ...(justBecame ? [`status changed from ${prev!.employmentStatus} to UNKNOWN`] : []),
        ...would.filter((a) => a.type !== 'notify').map((a) => `would have: ${describe(a)}`),
      ],
    },
  );
  return b.actions;
}
