/**
 * BullMQ retries of a tenant job that threw must not depend on the worker's wall clock. BullMQ's own
 * delayed retries take their due time from the failing worker's `Date.now()`: a clock stepped back
 * by 90 minutes right after a failure (NTP correcting a worker that ran ahead) parked the retry for
 * 90 minutes (the first case failed so before the fix). A worker 90 minutes behind made the retry due
 * at once for every other worker; in one process that shows only as the backoff kept (second case).
 * Shared Redis, own prefix.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BullMQQueue } from '../../src/runtime/index.js';
import { services } from './helpers.js';

const svc = await services();
const NINETY_MIN = 90 * 60_000;

async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!svc.ok)('BullMQ queue: retries independent of the worker clock', () => {
  const queues: BullMQQueue[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const q of queues.splice(0)) {
      await q.obliterate().catch(() => undefined);
      await q.close();
    }
  });

  const open = (o: { attempts?: number; retryDelayMs?: number } = {}) => {
    const q = new BullMQQueue({
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: `orgsync-test-pg14-retry-${randomBytes(4).toString('hex')}`,
      concurrency: 1,
      ...o,
    });
    queues.push(q);
    return q;
  };

  for (const [label, skewMs] of [
    ['ahead, then stepped back', NINETY_MIN],
    ['behind', -NINETY_MIN],
  ] as const) {
    it(`a job that threw while the worker clock was 90 min ${label} is retried after the backoff`, async () => {
      const realNow = Date.now.bind(Date);
      let skew = 0;
      vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
      const q = open({ retryDelayMs: 1000 });
      const runs: number[] = [];
      await q.start(async (tenantId) => {
        expect(tenantId).toBe('acme');
        runs.push(performance.now());
        if (runs.length === 1) {
          skew = skewMs; // the wall clock is off when the failure is handled
          throw new Error('database unreachable');
        }
      });
      await q.enqueue('acme');
      await until('the first run', () => runs.length >= 1);
      // The failure has been handled (nothing active any more); then the clock is right again.
      await until('the failed run to be handled', async () => (await activeCount(q)) === 0);
      skew = 0;
      await until('the retry', () => runs.length >= 2);
      // Relative timers never fire early: the backoff held however the wall clock moved.
      expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(950);
      expect(runs).toHaveLength(2);
    });
  }

  it('gives up after `attempts` runs (the schedule claims the tenant again later)', async () => {
    const q = open({ attempts: 3, retryDelayMs: 50 });
    const runs: string[] = [];
    const errors: unknown[] = [];
    (q as unknown as { o: { onError: (e: unknown) => void } }).o.onError = (e) => errors.push(e);
    await q.start(async (tenantId) => {
      runs.push(tenantId);
      throw new Error(`poison ${runs.length}`);
    });
    await q.enqueue('poison');
    await until('three runs', () => runs.length >= 3);
    await until('the queue to empty', async () => (await q.size()) === 0);
    await new Promise((r) => setTimeout(r, 500)); // longer than any further backoff (200 ms)
    expect(runs).toEqual(['poison', 'poison', 'poison']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['poison 1', 'poison 2', 'poison 3']);
    expect(await q.size()).toBe(0);
  });
});

async function activeCount(q: BullMQQueue): Promise<number> {
  const inner = (q as unknown as { queue: { getJobCounts(...s: string[]): Promise<Record<string, number>> } }).queue;
  const c = await inner.getJobCounts('active');
  return c['active'] ?? 0;
}
