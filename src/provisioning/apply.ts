/**
 * applyPlan: execute a provisioning plan through app-supplied handlers, with a journal so that a
 * re-run (after a failure or a crash) does only what is left, bounded concurrency, retries with
 * exponential backoff, scheduled actions, safety stops and IT/security notifications.
 *
 * Length: one executor; its journal, retry, schedule and safety-stop steps share the run's state.
 */
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import type { AlertDeliveryOptions, DeliveryOutcome } from '../alerts/deliver.js';
import { deliverJournaled } from '../alerts/journaled.js';
import { ConfigError, ValidationError } from '../errors.js';
import { Redactor } from '../redact.js';
import type { Journal, JournalEntry } from './journal.js';
import { buildDigest } from './notify.js';
import { computePlanId, planActions } from './plan.js';
import { POLICY_SOURCE } from './rules.js';
import { checkSafety } from './safety.js';
import {
  ProvisioningPlanSchema,
  type ActionOfType,
  type ActionType,
  type ChangeNotification,
  type NotificationDigest,
  type NotifyAction,
  type PlanAction,
  type ProvisioningPlan,
  type SafetyAlert,
} from './types.js';
import { canonicalJson, errorMessage, sha256Hex } from './util.js';

export interface HandlerContext {
  /** Stable across re-plans and re-runs: use it to make the call idempotent on the app side. */
  idempotencyKey: string;
  /** 1 for the first try in this run, 2 for the first retry... */
  attempt: number;
}

export type ActionHandler<A> = (action: A, ctx: HandlerContext) => unknown;

/** One handler per action type. `notify` also receives digests and safety alerts (`employeeId: null`). */
export type ProvisioningHandlers = { [T in ActionType]: ActionHandler<ActionOfType<T>> };

export interface ApplyOptions {
  journal: Journal;
  /** Handler calls in flight at once (different people; one person's actions run in order). Default 4. */
  concurrency?: number;
  /** Retries per action after the first try. Default 3. Errors with `retryable: false` are not retried. */
  retries?: number;
  /** Exponential backoff: first delay `minMs` (default 200), multiplied by `factor` (2), capped at `maxMs` (5000). */
  retryDelay?: { minMs?: number; maxMs?: number; factor?: number };
  /** The run's clock: actions with a later `notBefore` are deferred. Default: now. */
  now?: Date;
  /** Lets an over-threshold plan run: must name this plan's `planId`. */
  approval?: { planId: string };
  /** Override the plan's notification mode. */
  notifications?: 'digest' | 'per_action';
  /**
   * An action journaled `started` but never finished (crash mid-call): `retry` (default) calls the
   * handler again with the same idempotency key; `hold` leaves it for a person to resolve.
   */
  interrupted?: 'retry' | 'hold';
  /** Redacts secrets from error messages and handler results before they are journaled. */
  redactor?: Redactor;
  /**
   * Deliver the digest and safety alerts to these channels (the rule set's
   * `policy.notifications.channels`) after the run's actions are journaled; see docs/alerts.md.
   */
  alerts?: AlertDeliveryOptions;
}

export type WaitingFor = 'not_before' | 'dependency' | 'approval';

export interface ActionOutcome {
  idempotencyKey: string;
  type: ActionType;
  employeeId: string | null;
  target: string;
  /** Handler calls made in this run. */
  attempts?: number;
  error?: string;
  notBefore?: string;
  waitingFor?: WaitingFor;
  /** For an action not attempted because an earlier one failed or is pending: that action's key. */
  blockedBy?: string;
}

export interface ApplyResult {
  planId: string;
  /** Executed successfully in this run. */
  done: ActionOutcome[];
  /** Already done in an earlier run (journal). */
  skipped: ActionOutcome[];
  /** Failed after retries (or not attempted because something they depend on failed); retried next run. */
  failed: ActionOutcome[];
  /** Not yet due (`notBefore`), waiting on a deferred action, or held by a safety stop. */
  deferred: ActionOutcome[];
  /** The safety alert when the run was halted (nothing executed), else null. */
  halted: SafetyAlert | null;
  /** Delivery of the safety alert to the notify handler. */
  alertDelivery: 'sent' | 'already_sent' | 'failed' | null;
  /** The digest sent in this run, if any. */
  digest: NotificationDigest | null;
  /**
   * Earlier plans' scheduled actions this plan supersedes (`plan.cancels`), now marked done
   * (`{ canceled: true }`) in the journal; `alreadyDone: true` when it had run before it could be canceled.
   */
  canceled: Array<{
    idempotencyKey: string;
    employeeId: string;
    type: ActionType;
    target: string;
    reason: string;
    alreadyDone: boolean;
  }>;
  /** Deliveries of this run's digest / safety alert to `options.alerts` channels (a failure never fails the run). */
  deliveries: DeliveryOutcome[];
}

function outcome(a: PlanAction, extra: Partial<ActionOutcome> = {}): ActionOutcome {
  return {
    idempotencyKey: a.idempotencyKey,
    type: a.type,
    employeeId: a.employeeId,
    target: a.target,
    ...(a.notBefore ? { notBefore: a.notBefore } : {}),
    ...extra,
  };
}

function validatePlan(plan: ProvisioningPlan): void {
  const r = ProvisioningPlanSchema.safeParse(plan);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ValidationError({
      message: `not a valid provisioning plan: ${issues.slice(0, 3).join('; ')}`,
      issues,
      code: 'plan_invalid',
    });
  }
  if (computePlanId(plan) !== plan.planId) {
    throw new ValidationError({
      message: `plan content does not match its planId ${plan.planId}: it was edited after planning; re-plan instead`,
      code: 'plan_edited',
    });
  }
}

/**
 * Execute a plan. Never throws for a handler failure (see `failed`); throws `ConfigError` for
 * missing handlers or bad options, `ValidationError` for an invalid or edited plan, and rethrows
 * journal errors (after letting in-flight actions finish) since progress could not be recorded.
 */
export async function applyPlan(
  plan: ProvisioningPlan,
  handlers: Partial<ProvisioningHandlers>,
  options: ApplyOptions,
): Promise<ApplyResult> {
  validatePlan(plan);
  const journal = options?.journal;
  if (!journal || typeof journal.markDone !== 'function')
    throw new ConfigError({
      message: 'applyPlan needs options.journal (e.g. new FileJournal(path))',
      code: 'journal_missing',
    });
  const concurrency = options.concurrency ?? 4;
  const retries = options.retries ?? 3;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ConfigError({
      message: `concurrency must be an integer >= 1 (got ${concurrency})`,
      code: 'apply_options_invalid',
    });
  if (!Number.isInteger(retries) || retries < 0)
    throw new ConfigError({
      message: `retries must be an integer >= 0 (got ${retries})`,
      code: 'apply_options_invalid',
    });
  const now = options.now ?? new Date();
  const mode = options.notifications ?? plan.settings.notifications.mode;
  const redactor = options.redactor ?? new Redactor();
  const retryOpts = {
    retries,
    factor: options.retryDelay?.factor ?? 2,
    minTimeout: options.retryDelay?.minMs ?? 200,
    maxTimeout: options.retryDelay?.maxMs ?? 5000,
    randomize: false,
  };

  const actions = planActions(plan);
  const entries = new Map<string, JournalEntry>();
  for (const e of await journal.list()) entries.set(e.key, e);
  const journalDone = new Set([...entries.values()].filter((e) => e.status === 'done').map((e) => e.key));

  const needed = new Set<ActionType>(['notify']);
  for (const a of actions) if (!journalDone.has(a.idempotencyKey)) needed.add(a.type);
  const missing = [...needed].filter((t) => typeof handlers?.[t] !== 'function');
  if (missing.length)
    throw new ConfigError({
      message: `applyPlan: missing handler(s) for ${missing.join(', ')}`,
      code: 'handler_missing',
    });

  const result: ApplyResult = {
    planId: plan.planId,
    done: [],
    skipped: [],
    failed: [],
    deferred: [],
    halted: null,
    alertDelivery: null,
    digest: null,
    canceled: [],
    deliveries: [],
  };

  /** Call a handler with retries. Never throws: returns the value or the last error. */
  const call = async (
    a: PlanAction,
    key: string,
  ): Promise<{ ok: boolean; value?: unknown; error?: unknown; attempts: number }> => {
    let attempts = 0;
    const handler = handlers[a.type] as ActionHandler<PlanAction>;
    try {
      const value = await pRetry(
        async (attempt) => {
          attempts = attempt;
          try {
            return await handler(a, { idempotencyKey: key, attempt });
          } catch (e) {
            throw e instanceof Error ? e : new Error(errorMessage(e));
          }
        },
        { ...retryOpts, shouldRetry: ({ error }) => (error as { retryable?: unknown }).retryable !== false },
      );
      return { ok: true, value, attempts };
    } catch (error) {
      return { ok: false, error, attempts };
    }
  };
  const safeResult = (v: unknown): unknown => (v === undefined ? undefined : redactor.redactValue(v));
  // Redact the whole message before cutting it: a secret cut in half would escape redaction.
  const safeError = (e: unknown): string => {
    const full = redactor.redact(errorMessage(e, Number.MAX_SAFE_INTEGER));
    return full.length > 500 ? `${full.slice(0, 500)}…` : full;
  };

  // ---- cancellations (protective: applied even when the run is halted) ------------------------
  for (const c of plan.cancels) {
    const e = entries.get(c.idempotencyKey);
    const info = {
      idempotencyKey: c.idempotencyKey,
      employeeId: c.employeeId,
      type: c.type,
      target: c.target,
      reason: c.reason.text,
    };
    if (e?.status === 'done') {
      const r = e.result as { canceled?: unknown } | undefined;
      if (!r || r.canceled !== true) result.canceled.push({ ...info, alreadyDone: true });
      continue;
    }
    await journal.markDone(c.idempotencyKey, { canceled: true, byPlan: plan.planId, reason: c.reason.text });
    result.canceled.push({ ...info, alreadyDone: false });
  }

  // ---- safety stop -------------------------------------------------------------------------
  const safety = checkSafety(plan, { now, done: journalDone, approval: options.approval });
  if (!safety.ok && safety.alert) {
    const alert = safety.alert;
    const key = `ik_alert_${sha256Hex(canonicalJson([plan.planId, alert.counts.deprovision, alert.counts.permissionChanges])).slice(0, 32)}`;
    if (entries.get(key)?.status === 'done') result.alertDelivery = 'already_sent';
    else {
      const alertAction: NotifyAction = {
        idempotencyKey: key,
        employeeId: null,
        target: 'safety-alert',
        user: null,
        reason: { eventId: plan.planId, eventType: 'SAFETY_STOP', ruleIds: [POLICY_SOURCE], text: alert.message },
        dependsOn: [],
        type: 'notify',
        notification: alert,
      };
      await journal.markStarted(key);
      const r = await call(alertAction, key);
      if (r.ok) {
        await journal.markDone(key, safeResult(r.value));
        result.alertDelivery = 'sent';
      } else {
        await journal.markFailed(key, safeError(r.error));
        result.alertDelivery = 'failed';
      }
    }
    for (const a of actions) {
      if (journalDone.has(a.idempotencyKey)) result.skipped.push(outcome(a));
      else
        result.deferred.push(
          outcome(a, {
            waitingFor: a.notBefore && Date.parse(a.notBefore) > now.getTime() ? 'not_before' : 'approval',
          }),
        );
    }
    if (options.alerts?.channels.length)
      result.deliveries = await deliverJournaled(
        alert,
        key,
        options.alerts,
        journal,
        (k) => entries.get(k)?.status === 'done',
      );
    result.halted = alert;
    return result;
  }

  // ---- execution ---------------------------------------------------------------------------
  type RunState = 'done' | 'deferred' | 'failed' | 'queued';
  const state = new Map<string, RunState>();
  const digestQueue: NotifyAction[] = [];
  let fatal: unknown = null;

  const groups = new Map<string, PlanAction[]>();
  for (const a of actions) {
    const g = a.employeeId ?? '';
    groups.set(g, [...(groups.get(g) ?? []), a]);
  }

  const runGroup = async (group: PlanAction[]): Promise<void> => {
    for (const a of group) {
      if (fatal) return;
      const key = a.idempotencyKey;
      if (journalDone.has(key)) {
        result.skipped.push(outcome(a));
        state.set(key, 'done');
        continue;
      }
      if (a.notBefore && Date.parse(a.notBefore) > now.getTime()) {
        result.deferred.push(outcome(a, { waitingFor: 'not_before' }));
        state.set(key, 'deferred');
        continue;
      }
      const blocker = a.dependsOn.find(
        (d) => !journalDone.has(d) && state.get(d) !== 'done' && state.get(d) !== 'queued',
      );
      if (blocker !== undefined) {
        const bs = state.get(blocker);
        if (bs === 'failed') {
          result.failed.push(
            outcome(a, {
              attempts: 0,
              error: `not attempted: depends on ${blocker}, which failed`,
              blockedBy: blocker,
            }),
          );
          state.set(key, 'failed');
        } else {
          result.deferred.push(outcome(a, { waitingFor: 'dependency', blockedBy: blocker }));
          state.set(key, 'deferred');
        }
        continue;
      }
      if (entries.get(key)?.status === 'started' && options.interrupted === 'hold') {
        result.failed.push(
          outcome(a, {
            attempts: 0,
            error: 'interrupted in an earlier run (started, never finished): held for manual review',
          }),
        );
        state.set(key, 'failed');
        continue;
      }
      if (a.type === 'notify' && mode === 'digest' && a.notification.kind === 'change') {
        digestQueue.push(a);
        state.set(key, 'queued');
        continue;
      }
      try {
        await journal.markStarted(key);
      } catch (e) {
        fatal ??= e;
        return;
      }
      const r = await call(a, key);
      try {
        if (r.ok) {
          await journal.markDone(key, safeResult(r.value));
          result.done.push(outcome(a, { attempts: r.attempts }));
          state.set(key, 'done');
        } else {
          const message = safeError(r.error);
          await journal.markFailed(key, message);
          result.failed.push(outcome(a, { attempts: r.attempts, error: message }));
          state.set(key, 'failed');
        }
      } catch (e) {
        fatal ??= e;
        return;
      }
    }
  };

  const limit = pLimit(concurrency);
  await Promise.allSettled([...groups.values()].map((g) => limit(() => runGroup(g))));
  if (fatal) throw fatal;

  // ---- digest -------------------------------------------------------------------------------
  if (digestQueue.length) {
    const items = digestQueue.map((a) => a.notification as ChangeNotification);
    const digest = buildDigest(plan.planId, items, { now, recipients: plan.settings.notifications.recipients });
    const keys = digestQueue.map((a) => a.idempotencyKey).sort();
    const key = `ik_digest_${sha256Hex(canonicalJson(keys)).slice(0, 32)}`;
    const digestAction: NotifyAction = {
      idempotencyKey: key,
      employeeId: null,
      target: 'digest',
      user: null,
      reason: {
        eventId: plan.planId,
        eventType: 'DIGEST',
        ruleIds: [POLICY_SOURCE],
        text: `digest of ${items.length} notification(s)`,
      },
      dependsOn: [],
      type: 'notify',
      notification: digest,
    };
    for (const k of keys) await journal.markStarted(k);
    const r = await call(digestAction, key);
    if (r.ok) {
      for (const a of digestQueue) {
        await journal.markDone(a.idempotencyKey, { digest: key });
        result.done.push(outcome(a, { attempts: r.attempts }));
      }
      result.digest = digest;
    } else {
      const message = safeError(r.error);
      for (const a of digestQueue) {
        await journal.markFailed(a.idempotencyKey, message);
        result.failed.push(outcome(a, { attempts: r.attempts, error: message }));
      }
    }
    if (options.alerts?.channels.length)
      result.deliveries = await deliverJournaled(
        digest,
        key,
        options.alerts,
        journal,
        (k) => entries.get(k)?.status === 'done',
      );
  }

  // Stable order for reports.
  const order = new Map(actions.map((a, i) => [a.idempotencyKey, i]));
  for (const list of [result.done, result.skipped, result.failed, result.deferred]) {
    list.sort((x, y) => (order.get(x.idempotencyKey) ?? 0) - (order.get(y.idempotencyKey) ?? 0));
  }
  return result;
}
