/**
 * Cause and idempotency keys of a provisioning plan, in one place.
 *
 * An action's idempotency key is derived from (cause key, action type, target) only, so re-planning the
 * same change gives the same keys and a journal can recognise work already done. The cause key is the
 * event id, or a semantic id that stays the same across re-plans of the same fact (a hire on a start date,
 * a termination on a date), so that `cancellations` can recompute the keys an earlier plan used.
 */
import type { ProvisioningPlan } from '../types.js';
import { canonicalJson, sha256Hex } from '../util.js';

export interface Cause {
  /** Idempotency scope: an event id, or a semantic id such as `termination:e1:2025-03-31`. */
  key: string;
  eventId: string;
  eventType: string;
}

export function idempotencyKey(causeKey: string, type: string, target: string): string {
  return `ik_${sha256Hex(canonicalJson([causeKey, type, target])).slice(0, 32)}`;
}

export function computePlanId(plan: Omit<ProvisioningPlan, 'planId'> & { planId?: string }): string {
  const { planId: _ignored, ...content } = plan;
  return `plan_${sha256Hex(canonicalJson(content)).slice(0, 24)}`;
}

/** A cause named by its event; `key` defaults to the event id. */
export const causeOf = (ev: { id: string; type: string }, key = ev.id): Cause => ({
  key,
  eventId: ev.id,
  eventType: ev.type,
});

/** Onboarding of `employeeId` starting `startDate` (the event id when no start date is known). */
export function hireCauseKey(kind: 'hire' | 'rehire', employeeId: string, startDateOrEventId: string): string {
  return `${kind}:${employeeId}:${startDateOrEventId}`;
}

/** Deprovisioning of `employeeId` on `dateOrEventId` (the event id when no termination date is known). */
export function terminationCauseKey(employeeId: string, dateOrEventId: string): string {
  return `termination:${employeeId}:${dateOrEventId}`;
}

/** An indirect effect on `employeeId` of the change `eventId` (a group's, or a manager's above them). */
export function indirectCauseKey(eventId: string, employeeId: string): string {
  return `${eventId}:${employeeId}`;
}
