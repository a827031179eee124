/**
 * Distributed queue: BullMQ on Redis. The job id is derived from the tenant id, so while a tenant
 * waits, further enqueues are absorbed (BullMQ ignores an add whose job id exists); the payload is
 * `{ tenantId }` only. A worker killed mid-job loses its BullMQ lock; the stalled-job check hands
 * the job to another worker, which then waits for the store lease of the dead one to expire.
 */
import { createRequire } from 'node:module';
import { ConfigError } from '../../errors.js';
import type { TenantQueue } from './types.js';

export interface BullMQQueueOptions {
  /** Redis connection: `redis://host:port` or ioredis options. */
  connection: string | { host: string; port: number; [k: string]: unknown };
  /** Key prefix (default `orgsync`); one per deployment (tests use one per run). */
  prefix?: string;
  /** Queue name (default `tenants`). */
  name?: string;
  /** Tenant jobs at once in this worker process (default 4). */
  concurrency?: number;
  /** BullMQ job lock; a worker that stops renewing it for this long is considered dead (default 30 s). */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (default 30 s). */
  stalledIntervalMs?: number;
  onError?: (error: unknown) => void;
}

type Bull = typeof import('bullmq');

function connectionOf(c: BullMQQueueOptions['connection']): Record<string, unknown> {
  if (typeof c !== 'string') return { ...c, maxRetriesPerRequest: null };
  const u = new URL(c);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    maxRetriesPerRequest: null,
  };
}

/** BullMQ refuses custom ids that are integers or contain ':'; tenant ids never contain ':'. */
export const jobIdOf = (tenantId: string): string => `tenant-${tenantId}`;

export class BullMQQueue implements TenantQueue {
  readonly kind = 'bullmq';
  private bull: Bull;
  private queue: InstanceType<Bull['Queue']>;
  private worker: InstanceType<Bull['Worker']> | null = null;
  private readonly connection: Record<string, unknown>;

  constructor(private readonly o: BullMQQueueOptions) {
    const require = createRequire(import.meta.url);
    try {
      this.bull = require('bullmq') as Bull;
    } catch (e) {
      throw new ConfigError({
        message: `the distributed queue needs bullmq (npm install bullmq@6): ${(e as Error).message}`,
        code: 'dependency_missing',
      });
    }
    this.connection = connectionOf(o.connection);
    this.queue = new this.bull.Queue(o.name ?? 'tenants', {
      connection: this.connection as any,
      prefix: o.prefix ?? 'orgsync',
    });
    this.queue.on('error', (e) => o.onError?.(e));
  }

  private static readonly JOB_OPTS = {
    removeOnComplete: true,
    removeOnFail: true,
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
  } as const;

  async enqueue(tenantId: string): Promise<void> {
    await this.queue.add('tenant', { tenantId }, { jobId: jobIdOf(tenantId), ...BullMQQueue.JOB_OPTS });
  }

  /** One pipelined `addBulk` per 500 tenants (a schedule tick of thousands is a few round trips). */
  async enqueueMany(tenantIds: string[]): Promise<void> {
    for (let i = 0; i < tenantIds.length; i += 500) {
      await this.queue.addBulk(
        tenantIds.slice(i, i + 500).map((tenantId) => ({
          name: 'tenant',
          data: { tenantId },
          opts: { jobId: jobIdOf(tenantId), ...BullMQQueue.JOB_OPTS },
        })),
      );
    }
  }

  async start(process: (tenantId: string) => Promise<void>): Promise<void> {
    this.worker = new this.bull.Worker(
      this.o.name ?? 'tenants',
      async (job) => process(String((job.data as { tenantId: string }).tenantId)),
      {
        connection: this.connection as any,
        prefix: this.o.prefix ?? 'orgsync',
        concurrency: this.o.concurrency ?? 4,
        lockDuration: this.o.lockDurationMs ?? 30_000,
        stalledInterval: this.o.stalledIntervalMs ?? 30_000,
        maxStalledCount: 5,
      },
    );
    this.worker.on('error', (e) => this.o.onError?.(e));
    await this.worker.waitUntilReady();
  }

  async size(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  /** Remove every key of this queue (tests). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }
}
