/**
 * Distributed queue: BullMQ on Redis. The job id is derived from the tenant id, so while a tenant
 * waits, further enqueues are absorbed (BullMQ ignores an add whose job id exists); the payload is
 * `{ tenantId }` only. A worker killed mid-job loses its BullMQ lock; the stalled-job check hands
 * the job to another worker, which then waits for the store lease of the dead one to expire.
 *
 * Retries do not use BullMQ's delayed jobs: their due time is the failing worker's `Date.now()` plus
 * the backoff, and they are promoted when a consuming worker's `Date.now()` passes it, so a worker
 * clock 90 minutes ahead parks a retry for 90 minutes (and the tenant's job id with it: schedule
 * claims are absorbed meanwhile), one behind retries at once. Here a job that threw is retried by
 * the worker that ran it after a relative timer (1 s, 2 s: no wall clock involved), added as a
 * plain waiting job; a worker that dies before that leaves the tenant to the schedule (due again
 * after `claimMs`), like any lost job.
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
  /** Runs of a tenant job that throws (default 3), waiting `retryDelayMs · 2^(n-1)` between them. */
  attempts?: number;
  /** First retry delay (default 1000 ms), measured with a relative timer in this process. */
  retryDelayMs?: number;
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
  /** Tenant -> runs that threw in a row (this process), and the retry timers pending. */
  private readonly failures = new Map<string, number>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;

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

  /** One BullMQ attempt per job, never `delay`: nothing BullMQ keeps depends on a worker's clock. */
  private static readonly JOB_OPTS = { removeOnComplete: true, removeOnFail: true, attempts: 1 } as const;

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
      async (job) => {
        const tenantId = String((job.data as { tenantId: string }).tenantId);
        try {
          await process(tenantId);
          this.failures.delete(tenantId);
        } catch (e) {
          this.retryLater(tenantId, e);
        }
      },
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

  /** A run that threw: enqueue again after a relative backoff (see the file comment), up to `attempts` runs. */
  private retryLater(tenantId: string, error: unknown): void {
    this.o.onError?.(error);
    const n = (this.failures.get(tenantId) ?? 0) + 1;
    if (n >= (this.o.attempts ?? 3) || this.closed) {
      this.failures.delete(tenantId);
      return;
    }
    this.failures.set(tenantId, n);
    const t = setTimeout(
      () => {
        this.retries.delete(t);
        if (!this.closed) this.enqueue(tenantId).catch((e) => this.o.onError?.(e));
      },
      (this.o.retryDelayMs ?? 1000) * 2 ** (n - 1),
    );
    this.retries.add(t);
  }

  async size(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    await this.worker?.close();
    await this.queue.close();
  }

  /** Remove every key of this queue (tests). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }
}
