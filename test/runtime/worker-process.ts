/**
 * One runtime worker process for the multi-process test: PostgreSQL store, BullMQ queue, Redis
 * rate budget. Handlers act on a pretend SaaS app (a PostgreSQL table) that honours idempotency
 * keys, and log every call, so the test can tell a re-delivered action from a duplicated effect.
 * Env: RT_SCHEMA, RT_PREFIX, RT_WORKER, ORGSYNC_KEYS, RT_ACTION_DELAY_MS, RT_REDIS_PORT (6379),
 * RT_CLAIM_MS (20000), RT_LEASE_MS (store lease TTL, 3000), RT_LOCK_MS (BullMQ job lock, 3000; a worker
 * whose event loop stalls longer than this under load has its job handed to another worker, which then
 * runs the tenant again after it), RT_CLOCK_SKEW_MS (this process's wall clock is off by that much: Date
 * and Date.now() lie, as on a machine whose clock drifted).
 */
import pg from 'pg';
import { BullMQQueue, createRuntime, openStore, redisRateLimiter } from '../../src/runtime/index.js';
import type { ProvisioningHandlers } from '../../src/provisioning/index.js';

const schema = process.env['RT_SCHEMA']!;
const prefix = process.env['RT_PREFIX']!;
const worker = process.env['RT_WORKER']!;
const delay = Number(process.env['RT_ACTION_DELAY_MS'] ?? 0);
const redis = { host: '127.0.0.1', port: Number(process.env['RT_REDIS_PORT'] ?? 6379) };
const skew = Number(process.env['RT_CLOCK_SKEW_MS'] ?? 0);
if (skew) {
  const Real = Date;
  class Skewed extends Real {
    constructor(...a: unknown[]) {
      if (a.length === 0) super(Real.now() + skew);
      else super(...(a as [number]));
    }
    static override now(): number {
      return Real.now() + skew;
    }
  }
  globalThis.Date = Skewed as DateConstructor;
}
const url = process.env['RT_PG_URL']!;

const db = new pg.Pool({
  connectionString: url,
  application_name: `${prefix}-worker`,
  max: 3,
  options: `-c search_path=${schema}`,
  // A handler never waits forever on a connection or a query (a PostgreSQL restart cuts them all).
  connectionTimeoutMillis: 10_000,
  query_timeout: 30_000,
});
db.on('error', () => undefined);
const store = await openStore({
  postgres: { connectionString: url, schema, max: 4, applicationName: `${prefix}-worker` },
});
const limiter = redisRateLimiter({ connection: redis, prefix });
const queue = new BullMQQueue({
  connection: redis,
  prefix,
  concurrency: 4,
  lockDurationMs: Number(process.env['RT_LOCK_MS'] ?? 3000),
  stalledIntervalMs: 1000,
});

const handlersFor = (tenant: string): ProvisioningHandlers => {
  const h = (type: string) => async (_a: unknown, ctx: { idempotencyKey: string }) => {
    await db.query(`INSERT INTO app_calls (tenant, key, type, worker) VALUES ($1, $2, $3, $4)`, [
      tenant,
      ctx.idempotencyKey,
      type,
      worker,
    ]);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    // The app's side: the idempotency key makes a repeated call a no-op.
    await db.query(
      `INSERT INTO app_effects (tenant, key, type, worker) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [tenant, ctx.idempotencyKey, type, worker],
    );
    return { ok: true };
  };
  return {
    createUser: h('createUser'),
    updateUser: h('updateUser'),
    grant: h('grant'),
    revoke: h('revoke'),
    suspendUser: h('suspendUser'),
    deleteUser: h('deleteUser'),
    sendWelcome: h('sendWelcome'),
    notify: h('notify'),
  } as ProvisioningHandlers;
};

const rt = createRuntime({
  store,
  queue,
  limiter: limiter.provider,
  handlers: (t) => handlersFor(t.id),
  workerId: worker,
  leaseTtlMs: Number(process.env['RT_LEASE_MS'] ?? 3000),
  tick: { everyMs: 500, claimMs: Number(process.env['RT_CLAIM_MS'] ?? 20_000) },
  apply: { retries: 1, retryDelay: { minMs: 50, maxMs: 200 } },
  observer: {
    leased: async (tenant) =>
      void (await db.query(`INSERT INTO job_runs (tenant, worker, started_at) VALUES ($1, $2, clock_timestamp())`, [
        tenant,
        worker,
      ])),
    // Retried (idempotent): a write lost to the test's cut of every connection left a survivor's run open
    // although its job had ended (seen once; the job itself swallows an observer's error).
    released: async (tenant, outcome) => {
      for (let i = 0; ; i++) {
        try {
          await db.query(
            `UPDATE job_runs SET ended_at = clock_timestamp(), outcome = $3 WHERE tenant = $1 AND worker = $2 AND ended_at IS NULL`,
            [tenant, worker, outcome],
          );
          return;
        } catch (e) {
          if (i >= 40) throw e;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    },
  },
});
// RT_START_ON_MESSAGE=1: report ready once loaded, start consuming and ticking only on a 'start' message
// (a test that needs every worker to take part sends it to all of them once all are loaded).
if (process.env['RT_START_ON_MESSAGE'] === '1') {
  process.send?.({ ready: worker });
  await new Promise<void>((resolve) => process.on('message', (m) => m === 'start' && resolve()));
  await rt.start();
} else {
  await rt.start();
  process.send?.({ ready: worker });
}
const stop = async () => {
  await rt.close();
  await limiter.close();
  await db.end();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('message', (m) => m === 'stop' && void stop());
