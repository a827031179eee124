/**
 * Cancellation replay: the scheduled actions of earlier plans that a change supersedes, found by
 * planning the previous record again (same cause keys, so the same idempotency keys).
 */
import type { EmployeeChangeEvent } from '../../changes.js';
import type { Employee } from '../../model.js';
import { evaluateRules, POLICY_SOURCE } from '../rules.js';
import type { Cancellation, PlanAction } from '../types.js';
import { Builder } from './builder.js';
import type { Env } from './context.js';
import { causeOf, hireCauseKey } from './keys.js';
import { terminate } from './offboard.js';
import { onboard } from './onboard.js';
import { hireWithdrawn, terminationMoved } from './transitions.js';

/**
 * Scheduled actions of earlier plans that this change supersedes. Their keys are recomputed from
 * the previous record (same cause keys as when they were planned), so `applyPlan` can mark them
 * canceled in the journal before their date comes.
 */
export function cancellations(
  env: Env,
  emp: Employee,
  prev: Employee | undefined,
  events: EmployeeChangeEvent[],
): Cancellation[] {
  if (!prev) return [];
  const out: Cancellation[] = [];
  const first = events[0]!;
  const push = (actions: PlanAction[], text: string): void => {
    for (const a of actions) {
      if (
        a.type === 'notify' &&
        a.notification.kind === 'change' &&
        a.notification.category === 'deprovision_scheduled'
      )
        continue;
      out.push({
        idempotencyKey: a.idempotencyKey,
        employeeId: emp.id,
        type: a.type,
        target: a.target,
        reason: { eventId: first.id, eventType: first.type, ruleIds: [POLICY_SOURCE], text },
      });
    }
  };
  if (hireWithdrawn(prev, emp, events)) {
    const set = evaluateRules(env.rs, prev, env.prevCtx);
    if (set) {
      const text =
        emp.startDate && emp.startDate !== prev.startDate
          ? `start date moved from ${prev.startDate} to ${emp.startDate}`
          : `hire starting ${prev.startDate} withdrawn`;
      for (const kind of ['hire', 'rehire'] as const) {
        const sb = new Builder(env, prev);
        // hireWithdrawn: prev.startDate is set
        onboard(sb, causeOf(first, hireCauseKey(kind, prev.id, prev.startDate!)), { rehire: kind === 'rehire', set });
        push(sb.actions, text);
      }
    }
  }
  if (terminationMoved(prev, emp)) {
    const sb = new Builder(env, prev);
    const fake: EmployeeChangeEvent = {
      id: first.id,
      kind: 'employee',
      type: 'TERMINATION_SCHEDULED',
      employeeId: prev.id,
      employee: prev,
      changes: [],
      effectiveDate: prev.terminationDate,
    };
    terminate(sb, fake, prev, true);
    push(
      sb.actions,
      emp.terminationDate
        ? `termination date moved from ${prev.terminationDate} to ${emp.terminationDate}`
        : `termination on ${prev.terminationDate} called off`,
    );
  }
  return out;
}
