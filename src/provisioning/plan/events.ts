/**
 * One person's events → actions: picks the lifecycle handler (remote deletion, termination, hire,
 * leaving UNKNOWN, moved start date, leave, reconcile) for a set of events of one mode.
 */
import type { EmployeeChangeEvent, EmployeeChangeType } from '../../changes.js';
import type { Employee } from '../../model.js';
import { evaluateRules } from '../rules.js';
import type { PlanAction } from '../types.js';
import { Builder } from './builder.js';
import { ACTIVE_LIKE, type Env } from './context.js';
import { causeOf, hireCauseKey } from './keys.js';
import { leave } from './leave.js';
import { remoteDeleted, terminate } from './offboard.js';
import { onboard } from './onboard.js';
import { reconcile } from './reconcile.js';
import { hireMoved, terminationCalledOff } from './transitions.js';

/** Actions for one person's events (all of one mode). */
export function buildForEvents(
  env: Env,
  events: EmployeeChangeEvent[],
  emp: Employee,
  prev: Employee | undefined,
  allEvents: EmployeeChangeEvent[] = events,
): PlanAction[] {
  const b = new Builder(env, emp);
  if (!events.length) return b.actions;
  const find = (t: EmployeeChangeType): EmployeeChangeEvent | undefined => events.find((e) => e.type === t);
  const rd = find('REMOTE_DELETED');
  if (rd) {
    remoteDeleted(b, rd);
    return b.actions;
  }
  const term = find('TERMINATION');
  if (term) {
    terminate(b, term, prev, false);
    return b.actions;
  }
  const hire = find('REHIRE') ?? find('HIRE');
  const identity = find('IDENTITY_CHANGE');
  const primary =
    events.find((e) => e.type !== 'TERMINATION_SCHEDULED' && e.type !== 'LEAVE_START' && e.type !== 'LEAVE_END') ??
    events[0]!;
  if (hire) {
    if (emp.employmentStatus !== 'TERMINATED') {
      const set = evaluateRules(env.rs, emp, env.curCtx);
      const rehire = hire.type === 'REHIRE';
      if (set) {
        onboard(b, causeOf(hire, hireCauseKey(rehire ? 'rehire' : 'hire', emp.id, emp.startDate ?? hire.id)), {
          rehire,
          set,
          relinkFrom: identity?.previousEmployeeId,
        });
      }
    }
  } else if (
    prev &&
    emp.employmentStatus === 'TERMINATED' &&
    prev.employmentStatus !== 'TERMINATED' &&
    !allEvents.some((e) => e.type === 'TERMINATION')
  ) {
    // Terminated without a TERMINATION event (e.g. UNKNOWN -> TERMINATED is a PROFILE_UPDATE): deprovision all the same.
    terminate(b, primary, prev, false);
    return b.actions;
  } else if (prev && prev.employmentStatus === 'UNKNOWN' && ACTIVE_LIKE.has(emp.employmentStatus)) {
    // Leaving UNKNOWN: nothing was done while UNKNOWN, so make sure the account and access are there.
    const set = evaluateRules(env.rs, emp, env.curCtx);
    if (set) onboard(b, causeOf(primary), { rehire: false, ensure: true, set });
  } else if (prev && hireMoved(prev, emp) && ACTIVE_LIKE.has(emp.employmentStatus)) {
    // The start date of a pending hire moved: the earlier plan's actions are canceled (see cancellations); plan them anew.
    const set = evaluateRules(env.rs, emp, env.curCtx);
    if (set)
      onboard(b, causeOf(primary, hireCauseKey('hire', emp.id, emp.startDate ?? primary.id)), { rehire: false, set });
  } else {
    for (const ev of events) if (ev.type === 'LEAVE_START' || ev.type === 'LEAVE_END') leave(b, ev);
    reconcile(b, causeOf(primary), prev, identity ? { identity } : {});
  }
  if (prev && terminationCalledOff(prev, emp)) {
    b.notify(
      'deprovision_canceled',
      'info',
      causeOf(primary),
      `${emp.displayName}: scheduled termination on ${prev.terminationDate} called off; scheduled deprovisioning canceled`,
      {
        details: ['the termination date was removed in the HR system'],
      },
    );
  }
  const sched = find('TERMINATION_SCHEDULED');
  if (sched) terminate(b, sched, prev, true);
  return b.actions;
}
