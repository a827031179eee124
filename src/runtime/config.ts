/**
 * Runtime configuration as data (a JSON file for `orgsync run --config`): the only thing that
 * differs between the embedded and the distributed deployment.
 *
 *   { "store": { "sqlite": "./orgsync-runtime.db" } }                       embedded (default)
 *   { "store": { "postgres": { "connectionString": "postgres://...", "schema": "orgsync" } },
 *     "queue": { "bullmq": { "connection": "redis://127.0.0.1:6379", "prefix": "orgsync" } } }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { InProcessQueue } from './queue/inprocess.js';
import { BullMQQueue } from './queue/bullmq.js';
import { redisRateLimiter, type RedisLimiter } from './redis-limiter.js';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
import type { DeliveryOptions } from './delivery/deliver.js';
import { SqlStore } from './store/store.js';
import { openSqlite } from './store/sqlite.js';
import { openPostgres } from './store/postgres.js';

const Redis = z.union([z.string(), z.object({ host: z.string(), port: z.number().int() }).passthrough()]);

export const RuntimeConfigSchema = z.strictObject({
  store: z
    .union([
      z.strictObject({ sqlite: z.string().min(1) }),
      z.strictObject({
        postgres: z.strictObject({
          connectionString: z.string().optional(),
          schema: z.string().optional(),
          max: z.number().int().min(1).optional(),
          applicationName: z.string().optional(),
          synchronousCommit: z.boolean().optional(),
          queryTimeoutMs: z.number().int().min(0).optional(),
        }),
      }),
    ])
    .default({ sqlite: './orgsync-runtime.db' }),
  queue: z
    .union([
      z.strictObject({ inProcess: z.strictObject({ concurrency: z.number().int().min(1).optional() }) }),
      z.strictObject({
        bullmq: z.strictObject({
          connection: Redis,
          prefix: z.string().optional(),
          concurrency: z.number().int().min(1).optional(),
          lockDurationMs: z.number().int().min(1000).optional(),
          stalledIntervalMs: z.number().int().min(500).optional(),
        }),
      }),
    ])
    .default({ inProcess: {} }),
  /** Share each credential's rate budget across workers through Redis (default: on with bullmq). */
  sharedRateLimit: z
    .union([z.strictObject({ redis: Redis, prefix: z.string().optional() }), z.literal(false)])
    .optional(),
  tickEveryMs: z.number().int().min(100).optional(),
  leaseTtlMs: z.number().int().min(1000).optional(),
  /** Read ahead while the lease is taken (default true; see docs/runtime.md "Read-ahead"). */
  readAhead: z.boolean().optional(),
  /** Snapshots kept per tenant, or every retention window (src/runtime/retention.ts). */
  retention: z
    .union([
      z.number().int().min(1),
      z.strictObject({
        snapshots: z.number().int().min(1).optional(),
        eventsMs: z.number().int().min(0).optional(),
        journalMs: z.number().int().min(0).optional(),
        plansMs: z.number().int().min(0).optional(),
        deadLettersMs: z.number().int().min(0).optional(),
        everyMs: z.number().int().min(1000).optional(),
      }),
    ])
    .optional(),
  /** Outbound event delivery (src/runtime/delivery/deliver.ts); false: this worker does not deliver. */
  delivery: z
    .union([
      z.literal(false),
      z.strictObject({
        everyMs: z.number().int().min(50).optional(),
        concurrency: z.number().int().min(1).optional(),
        batchSize: z.number().int().min(1).max(1000).optional(),
        timeoutMs: z.number().int().min(100).optional(),
        backoff: z
          .strictObject({ baseMs: z.number().int().min(1).optional(), maxMs: z.number().int().min(1).optional() })
          .optional(),
        maxAttempts: z.number().int().min(1).max(100).optional(),
        /** PEM file of extra CA certificates trusted for endpoints. */
        caFile: z.string().optional(),
      }),
    ])
    .optional(),
});
export type RuntimeConfig = z.input<typeof RuntimeConfigSchema>;

export function parseRuntimeConfig(input: unknown): z.output<typeof RuntimeConfigSchema> {
  const r = RuntimeConfigSchema.safeParse(input ?? {});
  if (!r.success)
    throw new ConfigError({
      message: `runtime config: ${r.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .slice(0, 3)
        .join('; ')}`,
      code: 'runtime_config_invalid',
    });
  return r.data;
}

function deliveryOf(d: Exclude<z.output<typeof RuntimeConfigSchema>['delivery'], false | undefined>): DeliveryOptions {
  const { caFile, ...rest } = d;
  if (!caFile) return rest as DeliveryOptions;
  try {
    return { ...(rest as DeliveryOptions), ca: readFileSync(caFile) };
  } catch (e) {
    throw new ConfigError({
      message: `runtime config: delivery.caFile: ${(e as Error).message}`,
      code: 'runtime_config_invalid',
    });
  }
}

/** Build a runtime from configuration (store migrations are not run here: `orgsync migrate`). */
export async function runtimeFromConfig(
  input: unknown,
  extra: Omit<RuntimeOptions, 'store' | 'queue'> = {},
): Promise<Runtime> {
  const c = parseRuntimeConfig(input);
  const driver = 'sqlite' in c.store ? await openSqlite(c.store.sqlite) : await openPostgres(c.store.postgres);
  const store = new SqlStore(driver);
  const queue =
    'bullmq' in c.queue
      ? new BullMQQueue(c.queue.bullmq)
      : new InProcessQueue({ concurrency: c.queue.inProcess.concurrency ?? 4 });
  const shared =
    c.sharedRateLimit ??
    ('bullmq' in c.queue ? { redis: c.queue.bullmq.connection, prefix: c.queue.bullmq.prefix } : false);
  let limiter: RedisLimiter | undefined;
  if (shared)
    limiter = redisRateLimiter({
      connection: shared.redis as any,
      ...(shared.prefix ? { prefix: shared.prefix } : {}),
    });
  const rt = createRuntime({
    store,
    queue,
    ...(limiter ? { limiter: limiter.provider } : {}),
    ...(c.leaseTtlMs ? { leaseTtlMs: c.leaseTtlMs } : {}),
    ...(c.readAhead !== undefined ? { readAhead: c.readAhead } : {}),
    ...(c.retention ? { retention: c.retention } : {}),
    ...(c.delivery === false ? { delivery: false as const } : c.delivery ? { delivery: deliveryOf(c.delivery) } : {}),
    ...(c.tickEveryMs ? { tick: { everyMs: c.tickEveryMs } } : {}),
    ...extra,
  });
  const close = rt.close.bind(rt);
  rt.close = async () => {
    await close();
    await limiter?.close();
  };
  return rt;
}
