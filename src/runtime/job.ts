/**
 * The tenant job, one code path for both deployments: lease → resume open plans → (halted? stop)
 * → sync (incremental, or full on the reconcile schedule) → diff → plan → commit (snapshot, events,
 * plan and the next run in one statement/transaction) → apply through the store-backed journal.
 * A trigger that arrived while the job ran makes it run once more before it lets go of the lease.
 * Every write under the lease carries its fencing token (store.ts): once another worker has taken the
 * lease over, the next write is refused (`lease_lost`) and the job stops with outcome 'lost'.
 */
import type { ConnectorFactory } from '../connector/define.js';
import { diffSnapshots } from '../diff.js';
import { OrgsyncError } from '../errors.js';
import type { LimiterProvider } from '../http/rate-limit.js';
import type { Logger } from '../http/client.js';
import {
  applyPlan,
  checkSafety,
  planActions,
  planProvisioning,
  type ApplyResult,
  type ProvisioningHandlers,
  type ProvisioningPlan,
  type RuleSetInput,
} from '../provisioning/index.js';
import { Redactor } from '../redact.js';
import { sync } from '../sync.js';
import type { Keyring } from './crypto.js';
import {
  isLeaseLost,
  leaseLostError,
  splitSnapshotOver,
  type JobLoad,
  type Lease,
  type NewEvent,
  type SqlStore,
} from './store/store.js';
import type { TenantRecord } from './types.js';

export type HandlersFor =
  | Partial<ProvisioningHandlers>
  | ((tenant: TenantRecord) => Partial<ProvisioningHandlers> | Promise<Partial<ProvisioningHandlers>>);

export interface JobContext {
  store: SqlStore;
  keyring: Keyring;
  connectors: Record<string, ConnectorFactory<any>>;
  handlers?: HandlersFor | undefined;
  clock: () => Date;
  /** This worker's id (lease owner). */
  workerId: string;
  /** Lease time to live; renewed every third of it while the job runs (default 30 s). */
  leaseTtlMs: number;
  /** Snapshots kept per tenant (default 3). */
  retention: number;
  limiter?: LimiterProvider | undefined;
  logger?: Logger | undefined;
  /** Options passed to applyPlan. */
  apply?: { concurrency?: number; retries?: number; retryDelay?: { minMs?: number; maxMs?: number } } | undefined;
  /** Called inside the lease, when the job starts and ends its work on the tenant (metrics, tests). */
  observer?: JobObserver | undefined;
  /** Longest backoff after repeated failures (default: the tenant's incremental interval). */
  maxBackoffMs?: number | undefined;
  /**
   * Per tenant, what this worker's last run of it connected with (connector id, options, *encrypted*
   * credentials; the runtime keeps one map per worker): the next job builds its connector from it while
   * its lease+read is in flight, and keeps it only if the read shows the same (see `prepare`).
   */
  prepared?: Map<string, PreparedTenant> | undefined;
  /**
   * Per tenant, the connector this worker's last job of it used, when its sync succeeded (at most
   * `BUILT_MAX`, least recently used dropped): the next job uses it as it is when the read shows the same
   * connector, options and encrypted credentials (no decryption, no build). A connector reads afresh on
   * every sync (lookups, "as of" date), so only what outlives a sync is shared: an OAuth access token
   * until it expires, the rate limiter's memory of recent requests. Dropped when a job's lease is lost.
   */
  built?: Map<string, Built> | undefined;
  /**
   * Told the database's time at each lease take/renewal (the runtime's clock follows it), with how
   * long ago the statement was sent: the sample is late by up to that (the answer may have waited
   * for other work of this process, such as building the connector or mapping a page).
   */
  onDbTime?: ((dbNowMs: number, uncertaintyMs: number) => void) | undefined;
  /**
   * Read ahead (default true; PostgreSQL only): a worker holding the tenant's connector and latest
   * snapshot from its own last run of it starts the incremental read while its lease+read is in flight,
   * and uses it only if the lease is granted and the read shows the very state it started from (see
   * `readAhead`). `false`: no vendor request before the lease is granted.
   */
  readAhead?: boolean | undefined;
  /**
   * While a committed plan is being applied, the tenant's next run is at most this far away (the
   * schedule's `claimMs`, default 10 min): a job lost mid-apply (worker killed, its queue job's retries
   * spent while the database was down) is claimed again by a tick instead of waiting a whole interval.
   */
  claimMs?: number | undefined;
}

export interface JobObserver {
  leased?(tenantId: string): void | Promise<void>;
  released?(tenantId: string, outcome: JobOutcome): void | Promise<void>;
  /**
   * Time spent in each phase of a job (`lease`, `decrypt`, `connector`, `sync`, `serialise`, `diff`,
   * `commit`, ...), in ms, as the job goes (benchmarks: scripts/bench-runtime.ts --phases).
   * Unlike `released`, it does not keep the commit from releasing the lease.
   */
  phase?(tenantId: string, phase: string, ms: number): void;
}

/** `mark(name)`: the time since the previous mark goes to phase `name` (no-op without observer.phase). */
function phaseClock(ctx: JobContext, tenantId: string): (name: string) => void {
  const report = ctx.observer?.phase;
  if (!report) return () => undefined;
  let last = performance.now();
  return (name) => {
    const t = performance.now();
    report(tenantId, name, t - last);
    last = t;
  };
}

/**
 * `lost`: another worker took the tenant's lease over while this job ran (it paused or lost the database
 * for longer than the lease): everything it would have written after that was refused, and it stopped.
 */
export type JobOutcome = 'synced' | 'halted' | 'failed' | 'busy' | 'missing' | 'lost';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tenant's connector inputs as last read (credentials still encrypted). */
export interface PreparedTenant {
  key: string;
  connector: string;
  options: Record<string, unknown>;
  ciphertext: string | null;
}

/**
 * A tenant's connector with what goes with it: the redactor knowing its secrets, its request count, and
 * the abort controller its requests listen to (a job's abort is linked to it while the job uses it).
 */
interface Built {
  key: string;
  connector: ReturnType<ConnectorFactory<any>>;
  redactor: Redactor;
  requests: { n: number };
  controller: AbortController;
  /** What the last run with it committed, when it ended in the steady state (no plan, nothing failed). */
  basis?: Basis | undefined;
}

/** The tenant's stored state after a run: its latest snapshot (body id, head text) and next full sync. */
interface Basis {
  bodyId: string;
  head: string;
  nextFullAt: number;
}

/** An incremental read started while the lease+read was in flight (see `readAhead`). */
interface ReadAhead {
  built: Built;
  basis: Basis;
  /** When the read started (the run's time when it is used). */
  startedAt: number;
  result: Promise<Awaited<ReturnType<typeof sync>>>;
}

const PREPARED_MAX = 10_000;
/** Connectors a worker keeps between jobs (see `JobContext.built`). */
export const BUILT_MAX = 512;
const keyOf = (connector: string, options: unknown, ciphertext: string | null) =>
  `${connector}\n${ciphertext ?? ''}\n${JSON.stringify(options)}`;

/** Decrypt the credentials and build the tenant's connector (bound to the job's abort signal). */
function buildConnector(
  ctx: JobContext,
  tenantId: string,
  t: { connector: string; options: Record<string, unknown> },
  ciphertext: string | null,
  redactor: Redactor,
): Built {
  const credentials: Record<string, string> = ciphertext ? JSON.parse(ctx.keyring.decrypt(ciphertext, tenantId)) : {};
  for (const v of Object.values(credentials)) redactor.add(v);
  const factory = ctx.connectors[t.connector];
  if (!factory)
    throw new OrgsyncError({ kind: 'config', message: `tenant '${tenantId}': unknown connector '${t.connector}'` });
  const requests = { n: 0 };
  const controller = new AbortController();
  const connector = factory({
    ...t.options,
    ...credentials,
    http: {
      ...((t.options['http'] as object | undefined) ?? {}),
      signal: controller.signal,
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
      ...(ctx.logger ? { logger: ctx.logger } : {}),
      onProgress: (e: { type: string }) => void (e.type === 'request' && requests.n++),
    },
  });
  return { key: keyOf(t.connector, t.options, ciphertext), connector, redactor, requests, controller };
}

/** This worker's connector of the tenant from an earlier job, taken out while a job uses it. */
function takeBuilt(ctx: JobContext, tenantId: string): Built | undefined {
  const b = ctx.built?.get(tenantId);
  if (!b) return undefined;
  ctx.built!.delete(tenantId);
  return b.controller.signal.aborted ? undefined : b;
}

/** Keep a connector whose sync succeeded for the tenant's next job on this worker (most recent last). */
function keepBuilt(ctx: JobContext, tenantId: string, b: Built): void {
  const m = ctx.built;
  if (!m || b.controller.signal.aborted) return;
  m.delete(tenantId);
  m.set(tenantId, b);
  if (m.size > BUILT_MAX) m.delete(m.keys().next().value!);
}

export async function runTenantJob(ctx: JobContext, tenantId: string): Promise<JobOutcome> {
  const { store } = ctx;
  const mark = phaseClock(ctx, tenantId);
  // Another worker may hold the lease (a re-delivered job whose first worker died): wait for it
  // to expire, up to one lease period; if it is still held, the holder is alive and will see the trigger.
  const deadline = Date.now() + ctx.leaseTtlMs + 1000;
  const abort = new AbortController();
  let leased: Awaited<ReturnType<SqlStore['leaseAndLoad']>>;
  let prebuilt: Built | undefined;
  let ahead: ReadAhead | undefined;
  let sentAt = 0;
  for (;;) {
    sentAt = Date.now();
    const leasing = store.leaseAndLoad(tenantId, ctx.workerId, ctx.leaseTtlMs);
    leasing.catch(() => undefined); // (awaited below; not an unhandled rejection meanwhile)
    // While the lease+read travels (PostgreSQL): with the connector this worker kept from the tenant's
    // last run, read ahead from the state that run left; else build the connector as it was last time
    // (kept only when the read shows the same connector, options and encrypted credentials).
    if (!prebuilt) {
      prebuilt = takeBuilt(ctx, tenantId);
      // The lease+read goes out first: the pool hands over its connection on the next tick, which would
      // otherwise wait for the read-ahead's first request to be built and sent.
      if (prebuilt?.basis) await new Promise<void>((r) => process.nextTick(r));
      ahead = prebuilt && readAhead(ctx, tenantId, prebuilt);
      prebuilt ??= await prepare(ctx, tenantId);
    }
    try {
      leased = await leasing;
    } catch (e) {
      if (ahead) await cancelReadAhead(ahead, 'the lease could not be taken');
      throw e;
    }
    if (leased) break;
    if (ahead) {
      // Another worker holds the tenant: stop reading now (the connector is dropped with its signal).
      await cancelReadAhead(ahead, 'the tenant is leased by another worker');
      ahead = prebuilt = undefined;
    }
    if (Date.now() > deadline) {
      await store.trigger(tenantId, ctx.clock().getTime());
      return 'busy';
    }
    await wait(Math.min(500, ctx.leaseTtlMs / 4));
  }
  mark('lease');
  ctx.onDbTime?.(leased.now, Date.now() - sentAt);
  let preloaded: JobLoad | undefined | null = leased.load;
  const lease = new Heartbeat(ctx, tenantId, { token: leased.token }, abort);
  let outcome: JobOutcome = 'missing';
  let lost = false;
  try {
    await ctx.observer?.leased?.(tenantId);
    mark('start');
    for (let round = 0; round < 3; round++) {
      let startedAt = ctx.clock().getTime();
      // On the database-corrected clock, the first round's time is never before the lease on the database
      // clock (the correction can lag it by a response's latency): a run leased after a trigger is recorded
      // after it. (A caller's own `clock` is taken as it is.)
      const floor = round === 0 && ctx.onDbTime ? leased.now : 0;
      // The commit may release the lease itself (one round trip fewer) unless an observer must be
      // told before the lease goes (it runs inside the lease).
      const r = await runOnce(
        ctx,
        tenantId,
        lease,
        preloaded,
        floor,
        ctx.observer?.released ? undefined : { startedAt },
        mark,
        prebuilt ?? takeBuilt(ctx, tenantId),
        ahead,
      );
      // A run that used the read-ahead started when the read did (a trigger after that runs it again).
      if (r.startedAt !== undefined) startedAt = r.startedAt;
      preloaded = null;
      prebuilt = ahead = undefined;
      if (r.stale) {
        // The read raced a takeover's commit (the lease was expired and taken while the previous holder
        // committed): nothing was written; read again. Still stale after three rounds: left to the schedule.
        outcome = 'busy';
        continue;
      }
      outcome = r.outcome;
      if (lease.released || outcome !== 'synced' || (r.triggeredAt ?? 0) <= startedAt) break;
    }
    return outcome;
  } catch (e) {
    if (!isLeaseLost(e)) throw e;
    // Fenced out: another worker owns the tenant now and carries on; nothing of this run after the
    // takeover was written. Not an error of the tenant (no failure recorded, no retry): logged once.
    lost = true;
    outcome = 'lost';
    ctx.logger?.warn?.(
      `tenant ${tenantId}: lease lost to another worker during the run (this worker paused or lost the database for longer than the lease, ${ctx.leaseTtlMs} ms); its results were discarded`,
    );
    return outcome;
  } finally {
    await lease.stop();
    if (!lease.released) {
      await Promise.resolve(ctx.observer?.released?.(tenantId, outcome)).catch(() => undefined);
      if (!lost) await store.releaseLease(tenantId, lease.lease).catch(() => undefined);
    }
    mark('end');
  }
}

/**
 * The job's lease: its fencing token, renewed every third of its TTL (only while it still carries the
 * token); stopped (and any renewal in flight awaited) before a commit releases it. A renewal that finds
 * the lease taken over aborts the job's requests (`signal`); its next write is refused anyway.
 */
class Heartbeat {
  released = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> = Promise.resolve();
  readonly signal: AbortSignal;
  constructor(
    private readonly ctx: JobContext,
    private readonly tenantId: string,
    readonly lease: Lease,
    private readonly abort: AbortController,
  ) {
    this.signal = abort.signal;
    this.start();
  }
  start(): void {
    if (this.timer || this.released) return;
    const { ctx } = this;
    this.timer = setInterval(
      () => {
        const sentAt = Date.now();
        this.inFlight = ctx.store.renewLease(this.tenantId, this.lease, ctx.leaseTtlMs).then(
          (now) =>
            now === null ? this.abort.abort(leaseLostError(this.tenantId)) : ctx.onDbTime?.(now, Date.now() - sentAt),
          () => undefined,
        );
      },
      Math.max(100, ctx.leaseTtlMs / 3),
    );
  }
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }
}

/**
 * One pass. Round trips for a tenant with nothing to apply: the lease with the read (tenant,
 * credentials, last snapshot, unfinished plan count), and the commit, which releases the lease when
 * `fold` is given and no trigger arrived since `fold.startedAt`.
 */
async function runOnce(
  ctx: JobContext,
  tenantId: string,
  hold: Heartbeat,
  preloaded: JobLoad | undefined | null,
  notBefore: number,
  fold: { startedAt: number } | undefined,
  mark: (phase: string) => void,
  prebuilt: Built | undefined,
  ahead: ReadAhead | undefined,
): Promise<{ outcome: JobOutcome; triggeredAt: number | null; stale?: boolean; startedAt?: number }> {
  const { store } = ctx;
  const { signal, lease } = hold;
  // Read with the lease on the first round (null: read now, for a re-run).
  let loaded: JobLoad | undefined;
  try {
    loaded = preloaded === null ? await store.loadJob(tenantId) : preloaded;
  } catch (e) {
    if (ahead) await cancelReadAhead(ahead, 'the tenant could not be read');
    throw e;
  }
  const tenant = loaded?.tenant;
  const key = loaded && tenant ? keyOf(tenant.connector, tenant.options, loaded.credentials) : '';
  // The read-ahead is this run's sync only when it started from exactly what the read shows: the same
  // connector, options and credentials, the same latest snapshot (body and head), no plan open or
  // halted, and no full sync due. Otherwise it is stopped and its connector dropped.
  const useAhead =
    ahead !== undefined &&
    loaded !== undefined &&
    tenant !== undefined &&
    ahead.built === prebuilt &&
    ahead.built.key === key &&
    loaded.activePlans === 0 &&
    loaded.snapshotBodyId === ahead.basis.bodyId &&
    loaded.snapshotHead === ahead.basis.head &&
    tenant.status.nextFullAt > ahead.startedAt;
  if (ahead && !useAhead) {
    await cancelReadAhead(ahead, 'the tenant changed since this worker last ran it');
    prebuilt = undefined;
  }
  if (!loaded || !tenant) {
    ctx.prepared?.delete(tenantId);
    return { outcome: 'missing', triggeredAt: null };
  }
  // Built for other options or credentials (changed since): not used, and not kept.
  if (prebuilt?.key !== key) prebuilt = undefined;
  if (prebuilt) prebuilt.basis = undefined; // (set again below when this run ends in the steady state)
  remember(ctx, tenantId, {
    key,
    connector: tenant.connector,
    options: tenant.options,
    ciphertext: loaded.credentials,
  });
  const now = useAhead ? new Date(ahead!.startedAt) : new Date(Math.max(ctx.clock().getTime(), notBefore));
  const redactor = prebuilt?.redactor ?? new Redactor();
  // Actions that failed in this run (resumed plans and the new one): the run is retried with backoff.
  const failedActions: string[] = [];
  let requests = { n: 0 };
  /** The connector, once its sync has succeeded: kept for the tenant's next job on this worker. */
  let healthy: Built | undefined;
  let unlink = () => undefined as void;
  let aheadTaken = false;
  try {
    const handlers = typeof ctx.handlers === 'function' ? await ctx.handlers(tenant) : ctx.handlers;

    if (loaded.activePlans > 0) {
      // 1. Plans left open (crash mid-apply, failed or not-yet-due actions) or approved since.
      for (const p of await store.plans(tenantId, ['open', 'approved'])) {
        if (!handlers) break;
        const r = await applyStored(
          ctx,
          tenant,
          p.plan as ProvisioningPlan,
          handlers,
          redactor,
          p.status === 'approved',
          lease,
        );
        if (!r.halted) failedActions.push(...r.failed.map((a) => a.error ?? 'failed'));
      }
      const fresh = (await store.getTenant(tenantId))!;
      const halted = fresh.status.haltedPlanId ? await store.getPlan(tenantId, fresh.status.haltedPlanId) : undefined;
      if (halted?.status === 'halted') {
        // Nothing runs for this tenant until a person approves the halted plan (or re-plans).
        await store.recordRun(tenantId, { nextRunAt: now.getTime() + tenant.schedule.incrementalEveryMs }, lease);
        return { outcome: 'halted', triggeredAt: null };
      }
    }

    // 2. Sync.
    mark('decrypt');
    const built = prebuilt ?? buildConnector(ctx, tenantId, tenant, loaded.credentials, redactor);
    const connector = built.connector;
    // The job's abort (its lease lost) aborts the connector's requests, and the connector with them.
    const onAbort = () => built.controller.abort(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    unlink = () => signal.removeEventListener('abort', onAbort);
    requests = built.requests;
    if (!useAhead) requests.n = 0; // (a read-ahead counts from its start)
    mark('connector');
    const previous = loaded.snapshot;
    const full = !previous || tenant.status.nextFullAt <= now.getTime();
    aheadTaken = true;
    const result = useAhead
      ? await ahead!.result
      : await sync(connector, { previous, mode: full ? 'full' : 'auto', now });
    healthy = built;
    const current = result.snapshot;
    mark('sync');

    // 3. Diff and plan. A body (people, groups, locations) identical to the stored one has no
    // changes: the diff is skipped. Equal to the loaded body, it is not serialised either (the stored
    // text is the commit's).
    const split = splitSnapshotOver(current, previous, loaded.snapshotBody);
    mark('serialise');
    const unchanged =
      previous !== undefined &&
      loaded.snapshotBody === split.body &&
      previous.connector === current.connector &&
      previous.company.id === current.company.id &&
      Date.parse(current.takenAt) >= Date.parse(previous.takenAt);
    const changes = previous && !unchanged ? diffSnapshots(previous, current) : [];
    mark('diff');
    let plan: ProvisioningPlan | undefined;
    let halt = false;
    if (tenant.rules && changes.length) {
      plan = planProvisioning(changes, tenant.rules as RuleSetInput, {
        ...(previous ? { previous } : {}),
        current,
        now,
      });
      if (planActions(plan).length === 0 && plan.cancels.length === 0) plan = undefined;
      else halt = !checkSafety(plan, { now }).ok;
    }
    const events: NewEvent[] = [
      {
        type: 'sync.completed',
        data: {
          mode: result.mode,
          ...(result.reason ? { reason: result.reason } : {}),
          employees: current.employees.length,
          changes: changes.length,
          takenAt: current.takenAt,
        },
      },
      ...changes.map((c) => ({ type: 'change' as const, data: c })),
    ];
    if (plan)
      events.push({
        type: halt ? 'plan.halted' : 'plan.created',
        data: { planId: plan.planId, actions: planActions(plan).length },
      });
    // 4. Commit: snapshot, events, plan and the run record at once. With nothing to apply and nothing
    // failed, the same statement releases the lease (unless a trigger arrived meanwhile: then the job
    // runs again). No change and no plan: nothing observable is lost if a database crash loses this
    // commit (the tenant runs again and finds the same), so it does not wait for the WAL flush
    // (docs/scale.md). A plan this job is about to apply keeps the next run within `claimMs` until it
    // is applied (step 6 sets the real one).
    const interval = tenant.schedule.incrementalEveryMs;
    const applying = Boolean(plan && handlers);
    const claimMs = ctx.claimMs ?? 600_000;
    const release =
      fold && !plan && !failedActions.length
        ? { unlessTriggeredAfter: useAhead ? ahead!.startedAt : fold.startedAt }
        : undefined;
    mark('plan+events');
    if (release) await hold.stop();
    mark('heartbeat-stop');
    const committed = await store
      .commitSync(tenantId, {
        snapshot: current,
        split,
        relaxed: changes.length === 0 && !plan,
        release,
        lease,
        expectSeq: loaded.snapshotSeq,
        mode: result.mode,
        events,
        plan: plan ? { planId: plan.planId, status: halt ? 'halted' : 'open', body: plan } : undefined,
        retention: ctx.retention,
        previousBody: loaded.snapshotBody,
        at: now.getTime(),
        run: {
          lastSyncAt: now.getTime(),
          lastMode: result.mode,
          ...(full ? { lastFullAt: now.getTime(), nextFullAt: now.getTime() + tenant.schedule.fullEveryMs } : {}),
          nextRunAt: applying
            ? Math.min(now.getTime() + interval, Math.max(now.getTime(), ctx.clock().getTime()) + claimMs)
            : now.getTime() + interval,
          lastErrorKind: null,
          lastError: null,
          failures: 0,
          requestsLastRun: requests.n,
          ...(halt && plan ? { haltedPlanId: plan.planId } : {}),
        },
      })
      .then(
        (c) => {
          if (c.released) hold.released = true;
          else if (release) hold.start(); // kept: a trigger arrived (the job runs once more) or a stale read
          return c;
        },
        (e: unknown) => {
          if (release) hold.start();
          throw e;
        },
      );
    if (committed.stale) return { outcome: 'synced', triggeredAt: null, stale: true };
    let { triggeredAt } = committed;
    mark('commit');
    // The state this commit left, for a read-ahead by this worker's next run of the tenant.
    const bodyId = !plan && !failedActions.length ? store.cachedBodyId(tenantId) : undefined;
    if (bodyId)
      built.basis = {
        bodyId,
        head: split.head,
        nextFullAt: full ? now.getTime() + tenant.schedule.fullEveryMs : tenant.status.nextFullAt,
      };

    // 5. Apply (a halted plan only sends its safety alert to IT/security through `notify`).
    if (plan && handlers) {
      const r = await applyStored(ctx, tenant, plan, handlers, redactor, false, lease);
      if (!r.halted) failedActions.push(...r.failed.map((a) => a.error ?? 'failed'));
    }
    // 6. The next run: the schedule's, or sooner with backoff when actions failed (a transient app or
    // database error must not leave a plan open for a whole interval). Written before triggered_at is
    // read, so a trigger landing after this write is either seen below or still due in the store.
    if (failedActions.length) {
      const failures = tenant.status.failures + 1;
      await store.recordRun(
        tenantId,
        {
          failures,
          lastErrorKind: 'apply',
          lastError: redactor.redact(`${failedActions.length} action(s) failed: ${failedActions[0]}`).slice(0, 500),
          nextRunAt: now.getTime() + backoffMs(ctx, tenant, failures),
        },
        lease,
      );
    } else if (applying) await store.recordRun(tenantId, { nextRunAt: now.getTime() + interval }, lease);
    if (applying || failedActions.length)
      triggeredAt = (await store.getTenant(tenantId))?.status.triggeredAt ?? triggeredAt;
    return { outcome: halt ? 'halted' : 'synced', triggeredAt, ...(useAhead ? { startedAt: ahead!.startedAt } : {}) };
  } catch (e) {
    // Fenced out (a refused write, or requests aborted by a renewal that found the lease taken): nothing
    // more is written by this worker.
    if (isLeaseLost(e) || (signal.aborted && isLeaseLost(signal.reason))) throw leaseLostError(tenantId);
    const kind = e instanceof OrgsyncError ? e.kind : 'internal';
    const message = redactor.redact(e instanceof Error ? e.message : String(e)).slice(0, 500);
    const failures = tenant.status.failures + 1;
    await store.recordRun(
      tenantId,
      {
        failures,
        lastErrorKind: kind,
        lastError: message,
        nextRunAt: now.getTime() + backoffMs(ctx, tenant, failures),
        requestsLastRun: requests.n,
      },
      lease,
    );
    await store.appendEvents(
      tenantId,
      [{ type: 'sync.failed', data: { kind, message, failures } }],
      now.getTime(),
      lease,
    );
    ctx.logger?.warn?.(`tenant ${tenantId}: ${kind} error: ${message}`);
    return { outcome: 'failed', triggeredAt: null };
  } finally {
    unlink();
    // A read-ahead this run would have used, left behind by a failure before the sync: stopped.
    if (useAhead && !aheadTaken) await cancelReadAhead(ahead!, 'the run failed before its sync');
    if (healthy) keepBuilt(ctx, tenantId, healthy);
  }
}

/**
 * Read ahead: this worker kept the tenant's connector from its last run, which ended in the steady state
 * (no plan, nothing failed: `Built.basis`), and holds the snapshot that run committed in its snapshot
 * cache. The incremental read from that snapshot starts while the lease+read travels; the run uses it
 * only if the lease is granted and the read shows that very snapshot and no full sync due (runOnce),
 * and stops it otherwise. What decides who runs the tenant and what is stored is unchanged: the lease
 * and the fenced commit. PostgreSQL only (SQLite answers in-process: nothing to overlap).
 */
function readAhead(ctx: JobContext, tenantId: string, built: Built): ReadAhead | undefined {
  const basis = built.basis;
  if (ctx.readAhead === false || ctx.store.dialect !== 'postgres' || !basis) return undefined;
  const startedAt = ctx.clock().getTime();
  if (basis.nextFullAt <= startedAt) return undefined;
  const previous = ctx.store.cachedSnapshot(tenantId, basis.bodyId, basis.head);
  if (!previous) return undefined;
  built.requests.n = 0;
  const result = sync(built.connector, { previous, mode: 'auto', now: new Date(startedAt) });
  result.catch(() => undefined); // (awaited by the run, or when stopped)
  return { built, basis, startedAt, result };
}

/** Stop a read-ahead the run will not use: its requests are aborted (and its connector with them). */
async function cancelReadAhead(ahead: ReadAhead, why: string): Promise<void> {
  ahead.built.controller.abort(new Error(`read-ahead stopped: ${why}`));
  await ahead.result.catch(() => undefined);
}

/** The connector as last run, built while the lease+read is in flight (undefined: none known, or it failed). */
async function prepare(ctx: JobContext, tenantId: string): Promise<Built | undefined> {
  const p = ctx.prepared?.get(tenantId);
  // SQLite answers in-process (synchronously): nothing to overlap there.
  if (!p || ctx.store.dialect !== 'postgres') return undefined;
  // Let the lease+read go out first (the driver sends it on a later tick).
  await new Promise<void>((r) => setImmediate(r));
  try {
    return buildConnector(ctx, tenantId, p, p.ciphertext, new Redactor());
  } catch {
    return undefined; // built again (and failing properly) once the read is in
  }
}

function remember(ctx: JobContext, tenantId: string, p: PreparedTenant): void {
  const m = ctx.prepared;
  if (!m) return;
  m.delete(tenantId);
  m.set(tenantId, p);
  if (m.size > PREPARED_MAX) m.delete(m.keys().next().value!);
}

/** Wait before the next attempt after `failures` failed runs: 5 s, 10 s, ... capped at the interval. */
function backoffMs(ctx: JobContext, tenant: TenantRecord, failures: number): number {
  const cap = ctx.maxBackoffMs ?? tenant.schedule.incrementalEveryMs;
  return Math.min(cap, 5_000 * 2 ** Math.min(failures - 1, 20));
}

async function applyStored(
  ctx: JobContext,
  tenant: TenantRecord,
  plan: ProvisioningPlan,
  handlers: Partial<ProvisioningHandlers>,
  redactor: Redactor,
  approved: boolean,
  lease: Lease,
): Promise<ApplyResult> {
  const { store } = ctx;
  const now = ctx.clock();
  // Every journal mark is fenced: once another worker has the lease, the next mark is refused and
  // applyPlan stops before calling another handler.
  const r = await applyPlan(plan, handlers, {
    journal: store.journal(tenant.id, ctx.clock, lease),
    now,
    redactor,
    interrupted: 'retry',
    ...(approved ? { approval: { planId: plan.planId } } : {}),
    ...(ctx.apply ?? {}),
  });
  const events: NewEvent[] = [
    ...r.done.map((a) => ({ type: 'action.done' as const, data: { planId: plan.planId, ...a } })),
    ...r.failed.map((a) => ({ type: 'action.failed' as const, data: { planId: plan.planId, ...a } })),
  ];
  const finished = !r.halted && r.failed.length === 0 && r.deferred.length === 0;
  if (finished)
    events.push({
      type: 'plan.applied',
      data: { planId: plan.planId, done: r.done.length, skipped: r.skipped.length },
    });
  if (events.length) await store.appendEvents(tenant.id, events, now.getTime(), lease);
  if (r.halted) return r;
  await store.setPlanStatus(tenant.id, plan.planId, finished ? 'applied' : 'open', undefined, lease);
  if (approved || tenant.status.haltedPlanId === plan.planId)
    await store.recordRun(tenant.id, { haltedPlanId: null }, lease);
  return r;
}
