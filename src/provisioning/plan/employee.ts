/**
 * All of one person's direct events → their actions (automatic ones, a to-do for manual ones, guards).
 */
import type { EmployeeChangeEvent } from '../../changes.js';
import { withFieldsKeptAcrossStatus } from '../../diff.js';
import type { PlanAction } from '../types.js';
import { cmp } from '../util.js';
import { eventRank, modeOf, type Env } from './context.js';
import { buildForEvents } from './events.js';
import { guard, isNeverTouch, replaceWithNotice, unknownStatus } from './guards.js';
import { causeOf } from './keys.js';

export function planEmployee(env: Env, events: EmployeeChangeEvent[]): PlanAction[] {
  const sorted = [...events].sort((a, b) => eventRank(a.type) - eventRank(b.type) || cmp(a.id, b.id));
  const prev = sorted.find((e) => e.previous)?.previous;
  // Attributes the vendor stopped sending along with a status change (BambooHR's type on leave) keep
  // their last known value: going on leave never clears an attribute or revokes what depends on it.
  const emp = prev ? withFieldsKeptAcrossStatus(prev, sorted[0]!.employee) : sorted[0]!.employee;
  if (emp.employmentStatus === 'UNKNOWN')
    return isNeverTouch(env.rs, emp, prev) ? [] : unknownStatus(env, emp, prev, sorted);
  const auto = sorted.filter((e) => modeOf(env.rs, e.type) === 'auto');
  const manual = sorted.filter((e) => modeOf(env.rs, e.type) === 'notify');
  const actions = buildForEvents(env, auto, emp, prev, sorted);
  if (manual.length) {
    // What `auto` would do for these events (on top of what is done automatically), as a to-do for IT.
    const would = buildForEvents(env, manual, emp, prev).filter(
      (a) => !actions.some((x) => x.idempotencyKey === a.idempotencyKey),
    );
    actions.push(
      ...replaceWithNotice(
        env,
        emp,
        would,
        causeOf(manual[0]!),
        'manual_action_required',
        `${emp.displayName}: ${manual.map((e) => e.type).join(', ')} needs manual action`,
      ),
    );
  }
  return guard(env, emp, prev, actions, causeOf(sorted[0]!));
}
