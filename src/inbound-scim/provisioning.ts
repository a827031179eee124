/**
 * Pushed changes -> provisioning plans, through the provisioning safety stops.
 *
 * Where the stop sits: AFTER the pushed data is committed and BEFORE any action is applied. The
 * store always mirrors what the identity provider says (refusing a SCIM write makes the IdP retry
 * or quarantine the app and leaves the two sides disagreeing, and nothing pushed may be lost); the
 * decision "should the app act on this" is the provisioning plan's, and an over-threshold plan is
 * halted there: `checkSafety` fails, the app is alerted (`onSafetyStop` / the `safetyStop` event)
 * and `applyPlan` itself refuses to run that plan without an explicit approval of its planId.
 *
 * Batching: a mass deprovisioning rarely arrives as one request (Okta and Entra send one PATCH per
 * user), so writes of a tenant are collected into a batch that is planned once it has been quiet
 * for `settleMs` (or has been open for `maxBatchMs`). The batch's plan is computed from the
 * snapshot before its first write to the snapshot after its last, exactly as
 * `planProvisioning(diffSnapshots(before, after), rules, { previous: before, current: after })`,
 * so the thresholds see the whole wave. A single request that empties a large group is one batch
 * on its own as soon as it settles (or on `flush()`).
 */
import type { ChangeEvent } from '../changes.js';
import { diffSnapshots } from '../diff.js';
import type { OrgSnapshot } from '../model.js';
import { planProvisioning, type PlanContext } from '../provisioning/plan.js';
import { parseRuleSet, type RuleSet, type RuleSetInput } from '../provisioning/rules.js';
import { checkSafety, type SafetyCheck } from '../provisioning/safety.js';
import type { ProvisioningPlan, SafetyAlert } from '../provisioning/types.js';

export interface InboundPlan {
  tenant: string;
  plan: ProvisioningPlan;
  /** `checkSafety(plan)` at planning time; `ok: false` means the plan is halted. */
  safety: SafetyCheck;
  /** True when the plan breached a threshold: nothing of it should run without approval. */
  halted: boolean;
  /** `diffSnapshots(previous, current)`: the batch's changes. */
  events: ChangeEvent[];
  previous: OrgSnapshot;
  current: OrgSnapshot;
}

export interface InboundProvisioningOptions {
  /** The provisioning rule set (validated when the handler is created). */
  rules: RuleSet | RuleSetInput;
  /** Quiet time (ms) after the last write before a batch is planned. Default 5000; 0 plans after every write. */
  settleMs?: number;
  /** Longest a batch stays open (ms) under a steady stream of writes. Default 60000. */
  maxBatchMs?: number;
  /** Accounts the app already has, per tenant (passed to `planProvisioning` as `existingAccounts`). */
  existingAccounts?: (tenant: string) => PlanContext['existingAccounts'] | Promise<PlanContext['existingAccounts']>;
  /** Every plan, halted or not. Apply it with `applyPlan` (which re-checks the thresholds). */
  onPlan?: (result: InboundPlan) => void | Promise<void>;
  /** A plan was halted by a safety threshold: alert a person (the alert says what and how to approve). */
  onSafetyStop?: (alert: SafetyAlert, result: InboundPlan) => void | Promise<void>;
}

interface Batch {
  previous: OrgSnapshot;
  openedAt: number;
  timer: NodeJS.Timeout | null;
}

export class ProvisioningBatcher {
  private readonly rules: RuleSet;
  private readonly settleMs: number;
  private readonly maxBatchMs: number;
  private readonly batches = new Map<string, Batch>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly options: InboundProvisioningOptions,
    private readonly deps: {
      now: () => Date;
      current: (tenant: string) => OrgSnapshot | undefined;
      emit: (result: InboundPlan) => Promise<void>;
      onError: (e: unknown, tenant: string) => void;
    },
  ) {
    this.rules = parseRuleSet(options.rules);
    this.settleMs = Math.max(0, options.settleMs ?? 5000);
    this.maxBatchMs = Math.max(0, options.maxBatchMs ?? 60_000);
  }

  /** A write of `tenant` committed; `before` is the snapshot before it. */
  noteWrite(tenant: string, before: OrgSnapshot): void {
    const now = this.deps.now().getTime();
    let b = this.batches.get(tenant);
    if (!b) {
      b = { previous: before, openedAt: now, timer: null };
      this.batches.set(tenant, b);
    }
    if (b.timer) clearTimeout(b.timer);
    b.timer = null;
    if (this.settleMs === 0 || now - b.openedAt >= this.maxBatchMs) {
      void this.flush(tenant);
      return;
    }
    const wait = Math.min(this.settleMs, Math.max(0, b.openedAt + this.maxBatchMs - now));
    b.timer = setTimeout(() => void this.flush(tenant), wait);
    b.timer.unref?.();
  }

  /** Plan the open batch of one tenant (or of all) now. Resolves when its callbacks are done. */
  async flush(tenant?: string): Promise<void> {
    if (tenant === undefined) {
      await Promise.all([...new Set([...this.batches.keys(), ...this.running.keys()])].map((t) => this.flush(t)));
      return;
    }
    const b = this.batches.get(tenant);
    if (b) {
      this.batches.delete(tenant);
      if (b.timer) clearTimeout(b.timer);
      const prev = this.running.get(tenant) ?? Promise.resolve();
      const run = prev.then(() => this.plan(tenant, b.previous));
      this.running.set(tenant, run);
      void run.finally(() => {
        if (this.running.get(tenant) === run) this.running.delete(tenant);
      });
    }
    await this.running.get(tenant);
  }

  close(): void {
    for (const b of this.batches.values()) if (b.timer) clearTimeout(b.timer);
  }

  private async plan(tenant: string, previous: OrgSnapshot): Promise<void> {
    try {
      const current = this.deps.current(tenant);
      if (!current) return;
      const now = this.deps.now();
      const events = diffSnapshots(previous, current, { now, allowOlder: true }); // in order by construction
      if (events.length === 0) return;
      const existingAccounts = this.options.existingAccounts ? await this.options.existingAccounts(tenant) : undefined;
      const plan = planProvisioning(events, this.rules, {
        previous,
        current,
        now,
        ...(existingAccounts ? { existingAccounts } : {}),
      });
      const safety = checkSafety(plan, { now });
      await this.deps.emit({ tenant, plan, safety, halted: !safety.ok, events, previous, current });
    } catch (e) {
      this.deps.onError(e, tenant);
    }
  }
}
