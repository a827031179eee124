/**
 * `createRuntime({ store, queue, handlers, keyring, clock })`: tenants, schedules, the tenant job,
 * the event log and approvals over a store (SQLite file or PostgreSQL) and a queue (in-process or
 * BullMQ). The same calls work in both deployments; only the configuration differs.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { connectors as builtIn } from '../../connectors/index.js';
import type { ConnectorFactory } from '../connector/define.js';
import { ConfigError, ValidationError } from '../errors.js';
import type { Logger } from '../http/client.js';
import type { LimiterProvider } from '../http/rate-limit.js';
import { parseRuleSet } from '../provisioning/index.js';
import { parseKeyring, type Keyring } from './crypto.js';
import {
  runTenantJob,
  type HandlersFor,
  type JobObserver,
  type JobOutcome,
  type PreparedTenant,
  type JobContext,
} from './job.js';
import type { TenantQueue } from './queue/types.js';
import { scheduleTick, type TickOptions } from './scheduler.js';
import { EventDelivery, type AttemptResult, type DeliveryOptions, type EndpointInput } from './delivery/deliver.js';
import type { DeadLetter, DeliveryLine, EndpointRow } from './delivery/store.js';
import { prune, retentionOf, type PruneResult, type RetentionOptions } from './retention.js';
import type { SqlStore } from './store/store.js';
import { DEFAULT_SCHEDULE, type RuntimeEvent, type StoredPlan, type TenantInput, type TenantRecord } from './types.js';

export interface RuntimeOptions {
  store: SqlStore;
  queue: TenantQueue;
  /** Provisioning callbacks, or a function choosing them per tenant. Without them plans are recorded, not applied. */
  handlers?: HandlersFor;
  /** Default: parsed from `ORGSYNC_KEYS`. */
  keyring?: Keyring;
  clock?: () => Date;
  /** Connector factories by id (default: the built-in connectors). */
  connectors?: Record<string, ConnectorFactory<any>>;
  /** Rate limiter shared by every worker (e.g. `redisRateLimiter(...)`); default: per process. */
  limiter?: LimiterProvider;
  logger?: Logger;
  observer?: JobObserver;
  workerId?: string;
  leaseTtlMs?: number;
  /**
   * PostgreSQL: a worker that ran a tenant last, and ended in the steady state, starts its next
   * incremental read while the lease is being taken, and uses it only if the lease is granted and
   * nothing changed meanwhile (default true). `false`: no vendor request before the lease is granted.
   */
  readAhead?: boolean;
  /** Snapshots kept per tenant (a number, default 3) or every retention window (retention.ts). */
  retention?: number | RetentionOptions;
  /** Outbound event delivery to the endpoints added with `addEndpoint` (on by default; `false`: this worker does not deliver). */
  delivery?: DeliveryOptions | false;
  apply?: { concurrency?: number; retries?: number; retryDelay?: { minMs?: number; maxMs?: number } };
  tick?: TickOptions & { everyMs?: number };
  env?: Record<string, string | undefined>;
}

export interface TenantStatusLine {
  id: string;
  connector: string;
  lastSyncAt: number | null;
  nextRunAt: number;
  lagMs: number;
  lastErrorKind: string | null;
  pendingApprovals: string[];
  requestsLastRun: number;
  eventOffset: number;
  /** Per endpoint: events not yet delivered, dead letters, the last failed attempt. */
  delivery: Array<{
    endpointId: string;
    pending: number;
    deadLetters: number;
    attempts: number;
    lastError: string | null;
  }>;
}

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface Runtime {
  readonly store: SqlStore;
  readonly queue: TenantQueue;
  readonly workerId: string;
  addTenant(t: TenantInput): Promise<TenantRecord>;
  getTenant(id: string): Promise<TenantRecord | undefined>;
  listTenants(): Promise<TenantRecord[]>;
  removeTenant(id: string): Promise<boolean>;
  /** Run a tenant now (webhook, SCIM write, API call); coalesces with a run already waiting. */
  trigger(id: string): Promise<void>;
  /** Claim due tenants and enqueue them; returns their ids. */
  tick(): Promise<string[]>;
  /** Run one tenant's job in this process (no queue). */
  runNow(id: string): Promise<JobOutcome>;
  /** Consume the queue in this process (and tick on `tick.everyMs`, default 10 s). */
  start(o?: { schedule?: boolean }): Promise<void>;
  events(id: string, after?: number, limit?: number): Promise<RuntimeEvent[]>;
  plans(id: string): Promise<StoredPlan[]>;
  approve(id: string, planId: string, by?: string): Promise<void>;
  status(): Promise<TenantStatusLine[]>;
  /** Re-encrypt every tenant's credentials and endpoint secret with the active key (after adding a new one first in ORGSYNC_KEYS). */
  rekey(): Promise<number>;
  /** Deliver a tenant's events (or every tenant's) to an HTTPS endpoint; the secret is returned once. */
  addEndpoint(e: EndpointInput): Promise<{ endpoint: EndpointRow; secret: string }>;
  listEndpoints(): Promise<EndpointRow[]>;
  removeEndpoint(id: string): Promise<boolean>;
  /** Delivery state per endpoint x tenant. */
  deliveries(): Promise<DeliveryLine[]>;
  /** Batches whose attempts ran out (default: not yet redelivered). */
  deadLetters(f?: {
    tenantId?: string;
    endpointId?: string;
    status?: 'dead' | 'redelivered' | 'all';
  }): Promise<DeadLetter[]>;
  /** Send a dead letter again now (one attempt). */
  redeliver(deadLetterId: string): Promise<AttemptResult & { deadLetter: DeadLetter }>;
  /** One delivery pass in this process (what the running worker does every `delivery.everyMs`); returns batches delivered. */
  deliverNow(): Promise<number>;
  /** Apply the retention windows now (a running worker does it every `retention.everyMs`). */
  prune(): Promise<PruneResult>;
  close(): Promise<void>;
}

export function createRuntime(o: RuntimeOptions): Runtime {
  const store = o.store;
  const queue = o.queue;
  // Default clock: this machine's, corrected to the database's (measured at start, every tick and
  // every lease), so a worker whose wall clock is off schedules, triggers and stamps as the others do.
  let skew: number | null = null;
  const clock = o.clock ?? (() => new Date(Date.now() + (skew ?? 0)));
  // A sample (the database's time minus ours when its answer was handled) is late by up to the time
  // since its statement was sent: taken when that is small (5 ms), when there is none yet, or when the
  // last is 30 s old (a clock may have been stepped). A late sample would set this worker's clock
  // back: its triggers and schedules would be stamped early, and a rerun decided on a wrong time.
  let skewAt = 0;
  const onDbTime = o.clock
    ? undefined
    : (db: number, uncertaintyMs = 0) => {
        const now = Date.now();
        if (skew !== null && uncertaintyMs > 5 && now - skewAt < 30_000) return;
        skew = db - now;
        skewAt = now;
      };
  const syncClock = async (always = false) => {
    if (onDbTime && (always || skew === null)) onDbTime(await store.dbNow());
  };
  let keyring = o.keyring;
  const keys = (): Keyring => (keyring ??= parseKeyring((o.env ?? process.env)['ORGSYNC_KEYS']));
  const connectors = o.connectors ?? (builtIn as Record<string, ConnectorFactory<any>>);
  const workerId = o.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let timer: NodeJS.Timeout | null = null;
  const retention = retentionOf(o.retention);
  const delivery = new EventDelivery(store, keys, workerId, o.delivery || {}, o.logger, clock);
  let lastPrune = 0;
  // Per tenant, what this worker last connected with (encrypted credentials): see JobContext.prepared.
  const prepared = new Map<string, PreparedTenant>();
  // Per tenant, the connector of this worker's last successful job of it: see JobContext.built.
  const built: JobContext['built'] = new Map();
  const jobCtx = () => ({
    prepared,
    built,
    store,
    keyring: keys(),
    connectors,
    handlers: o.handlers,
    clock,
    workerId,
    leaseTtlMs: o.leaseTtlMs ?? 30_000,
    readAhead: o.readAhead,
    retention: retention.snapshots,
    limiter: o.limiter,
    logger: o.logger,
    observer: o.observer,
    apply: o.apply,
    onDbTime,
    claimMs: o.tick?.claimMs,
  });

  const rt: Runtime = {
    store,
    queue,
    workerId,
    async addTenant(t) {
      if (!t || typeof t.id !== 'string' || !TENANT_ID.test(t.id))
        throw new ValidationError({
          message: `tenant id must be 1-128 letters, digits, '.', '_' or '-' (got ${JSON.stringify(t?.id)})`,
          code: 'tenant_invalid',
        });
      const factory = connectors[t.connector];
      if (!factory)
        throw new ConfigError({
          message: `tenant '${t.id}': unknown connector '${t.connector}'. One of: ${Object.keys(connectors).join(', ')}`,
          code: 'tenant_invalid',
        });
      const secrets = new Set<string>(factory.definition.secrets as readonly string[]);
      const options = { ...(t.options ?? {}) };
      for (const k of Object.keys(options)) {
        if (secrets.has(k))
          throw new ConfigError({
            message: `tenant '${t.id}': '${k}' is a secret; pass it in credentials (encrypted at rest), not options`,
            code: 'tenant_invalid',
          });
      }
      const rules = t.rules ? parseRuleSet(t.rules) : null;
      const schedule = { ...DEFAULT_SCHEDULE, ...(t.schedule ?? {}) };
      if (!(schedule.incrementalEveryMs >= 1000) || !(schedule.fullEveryMs >= schedule.incrementalEveryMs)) {
        throw new ConfigError({
          message: `tenant '${t.id}': schedule needs incrementalEveryMs >= 1000 and fullEveryMs >= incrementalEveryMs`,
          code: 'tenant_invalid',
        });
      }
      await syncClock();
      const credentials =
        t.credentials && Object.keys(t.credentials).length ? keys().encrypt(JSON.stringify(t.credentials), t.id) : null;
      await store.upsertTenant(
        { id: t.id, connector: t.connector, options, credentials, rules: rules ? t.rules : null, schedule },
        clock().getTime(),
      );
      return (await store.getTenant(t.id))!;
    },
    getTenant: (id) => store.getTenant(id),
    listTenants: () => store.listTenants(),
    removeTenant: (id) => store.removeTenant(id),
    async trigger(id) {
      await syncClock();
      if (!(await store.trigger(id, clock().getTime())))
        throw new ConfigError({ message: `unknown tenant '${id}'`, code: 'tenant_unknown' });
      await queue.enqueue(id);
    },
    async tick() {
      await syncClock(true);
      return scheduleTick(store, queue, clock().getTime(), o.tick);
    },
    runNow: (id) => runTenantJob(jobCtx(), id),
    async start(s = {}) {
      await store.assertMigrated();
      await syncClock(true);
      // A job that wrote events wakes this worker's delivery at once (others poll every delivery.everyMs).
      await queue.start((id) => runTenantJob(jobCtx(), id).then(() => void delivery.kick()));
      if (o.delivery !== false) delivery.start();
      if (s.schedule !== false) {
        const every = o.tick?.everyMs ?? 10_000;
        const loop = () => {
          const sweep = async () => {
            await rt.tick();
            if (Date.now() - lastPrune >= retention.everyMs) {
              lastPrune = Date.now();
              await rt.prune();
            }
          };
          sweep()
            .catch((e) => o.logger?.error?.(`schedule tick failed: ${(e as Error).message}`))
            .finally(() => {
              if (timer) timer = setTimeout(loop, every);
            });
        };
        timer = setTimeout(loop, 0);
      }
    },
    events: (id, after, limit) => store.readEvents(id, after, limit),
    plans: (id) => store.plans(id),
    async approve(id, planId, by = 'api') {
      const p = await store.getPlan(id, planId);
      if (!p) throw new ConfigError({ message: `tenant '${id}' has no plan ${planId}`, code: 'plan_unknown' });
      await syncClock();
      if (p.status !== 'halted')
        throw new ConfigError({
          message: `plan ${planId} of tenant '${id}' is ${p.status}, not halted: nothing to approve`,
          code: 'plan_not_halted',
        });
      const now = clock().getTime();
      await store.setPlanStatus(id, planId, 'approved', { at: now, by });
      await store.appendEvents(id, [{ type: 'plan.approved', data: { planId, by } }], now);
      await rt.trigger(id);
      delivery.kick();
    },
    async status() {
      const now = clock().getTime();
      const out: TenantStatusLine[] = [];
      const lines = new Map<string, DeliveryLine[]>();
      for (const l of await delivery.store.lines()) lines.set(l.tenantId, [...(lines.get(l.tenantId) ?? []), l]);
      const halted = new Map<string, string[]>();
      for (const p of await store.driver.query<{ tenant_id: string; plan_id: string }>(
        `SELECT tenant_id, plan_id FROM plans WHERE status = 'halted' ORDER BY created_at, plan_id`,
      )) {
        halted.set(p.tenant_id, [...(halted.get(p.tenant_id) ?? []), p.plan_id]);
      }
      for (const t of await store.listTenants()) {
        const pending = halted.get(t.id) ?? [];
        out.push({
          id: t.id,
          connector: t.connector,
          lastSyncAt: t.status.lastSyncAt,
          nextRunAt: t.status.nextRunAt,
          lagMs: Math.max(0, now - t.status.nextRunAt),
          lastErrorKind: t.status.lastErrorKind,
          pendingApprovals: pending,
          requestsLastRun: t.status.requestsLastRun,
          eventOffset: t.status.eventSeq,
          delivery: (lines.get(t.id) ?? []).map((l) => ({
            endpointId: l.endpointId,
            pending: l.pending,
            deadLetters: l.deadLetters,
            attempts: l.attempts,
            lastError: l.lastError,
          })),
        });
      }
      return out;
    },
    async rekey() {
      const k = keys();
      let n = 0;
      for (const t of await store.listTenants()) {
        const c = await store.getCredentials(t.id);
        if (!c || k.keyIdOf(c) === k.activeKeyId) continue;
        await store.setCredentials(t.id, k.encrypt(k.decrypt(c, t.id), t.id));
        n++;
      }
      return n + (await delivery.rekey());
    },
    addEndpoint: (e) => delivery.addEndpoint(e, clock().getTime()),
    listEndpoints: () => delivery.store.endpoints(),
    removeEndpoint: (id) => delivery.store.removeEndpoint(id),
    deliveries: () => delivery.store.lines(),
    deadLetters: (f) => delivery.store.deadLetters(f),
    redeliver: (id) => delivery.redeliver(id),
    deliverNow: () => delivery.pass(),
    prune: () => prune(store, retention, clock().getTime()),
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await delivery.stop();
      await queue.close();
      await store.close();
    },
  };
  return rt;
}
