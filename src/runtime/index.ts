/**
 * `orgsync/runtime`: run many tenants (customer connections) embedded (SQLite file + in-process
 * queue) or distributed (PostgreSQL + BullMQ on Redis). A separate entry so `orgsync` itself never
 * loads better-sqlite3, pg or bullmq. See docs/runtime.md.
 */
import { SqlStore } from './store/store.js';
import { openSqlite } from './store/sqlite.js';
import { openPostgres, type PostgresOptions } from './store/postgres.js';

export { createRuntime, type Runtime, type RuntimeOptions, type TenantStatusLine } from './runtime.js';
export { runTenantJob, type HandlersFor, type JobContext, type JobObserver, type JobOutcome } from './job.js';
export { parseKeyring, createKeyring, generateKeySpec, type Keyring } from './crypto.js';
export {
  SqlStore,
  SnapshotCache,
  isLeaseLost,
  type TenantRow,
  type NewEvent,
  type CommitSync,
  type Lease,
} from './store/store.js';
export { MIGRATIONS, type SqlDriver, type Querier, type Migration } from './store/sql.js';
export { openSqlite } from './store/sqlite.js';
export { openPostgres, type PostgresOptions } from './store/postgres.js';
export { InProcessQueue, type InProcessQueueOptions } from './queue/inprocess.js';
export type { TenantQueue } from './queue/types.js';
export { scheduleTick, type TickOptions } from './scheduler.js';
export * from './types.js';

export type StoreConfig = { sqlite: string } | { postgres: PostgresOptions };

/**
 * Open (and optionally migrate) a store from configuration. `snapshotCacheBytes`: budget of the
 * worker's cache of latest snapshot bodies (default 64 MiB, about 1,000 tenants of 50 people; 0: off).
 */
export async function openStore(
  c: StoreConfig,
  o: { migrate?: boolean; snapshotCacheBytes?: number } = {},
): Promise<SqlStore> {
  const driver = 'sqlite' in c ? await openSqlite(c.sqlite) : await openPostgres(c.postgres);
  const store = new SqlStore(
    driver,
    o.snapshotCacheBytes !== undefined ? { snapshotCacheBytes: o.snapshotCacheBytes } : {},
  );
  if (o.migrate) await store.migrate();
  return store;
}
export { SqlScimStore } from './scim-store.js';
export { BullMQQueue, jobIdOf, type BullMQQueueOptions } from './queue/bullmq.js';
export { redisRateLimiter, type RedisLimiter, type RedisLimiterOptions } from './redis-limiter.js';
export { runtimeFromConfig, parseRuntimeConfig, RuntimeConfigSchema, type RuntimeConfig } from './config.js';
export {
  EventDelivery,
  checkEndpointUrl,
  type DeliveryOptions,
  type EndpointInput,
  type AttemptResult,
} from './delivery/deliver.js';
export { DeliveryStore, type DeadLetter, type DeliveryLine, type EndpointRow } from './delivery/store.js';
export {
  verifyEventDelivery,
  signEventDelivery,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DELIVERY_HEADER,
  type EventDeliveryBody,
  type DeliveredEvent,
  type VerifyEventDeliveryInput,
} from './delivery/signature.js';
export { prune, retentionOf, DEFAULT_RETENTION, type RetentionOptions, type PruneResult } from './retention.js';
