/**
 * The shared rate budget: two limiters on one Redis (two workers) draw from one bucket, and a
 * vendor's 429 + Retry-After seen by one blocks the credential for the other.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { simulators } from '../../connectors/simulators.js';
import { connectors } from '../../connectors/index.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { redisRateLimiter, type RedisLimiter } from '../../src/runtime/index.js';
import { services } from './helpers.js';

const svc = await services();

describe.skipIf(!svc.ok)('redisRateLimiter (shared by workers)', () => {
  const prefix = `orgsync-test-rl-${randomBytes(4).toString('hex')}`;
  const limiters: RedisLimiter[] = [];
  const make = () => {
    const l = redisRateLimiter({ connection: { host: '127.0.0.1', port: 6379 }, prefix });
    limiters.push(l);
    return l;
  };
  afterAll(async () => {
    for (const l of limiters) await l.close();
    const { Redis } = await import('ioredis');
    const redis = new Redis({ host: '127.0.0.1', port: 6379 });
    const stale = await redis.keys(`${prefix}:*`);
    if (stale.length) await redis.del(...stale);
    redis.disconnect();
  });

  it('a 429 + Retry-After seen by one worker blocks the credential for another; the budget is shared', async () => {
    const running = await simulators['bamboohr']!.start(sampleOrg({ size: 10 }));
    try {
      const [a, b] = [make(), make()];
      const http = (l: RedisLimiter) => ({
        limiter: l.provider,
        rateLimit: { requests: 20, intervalMs: 1000, concurrency: 2 },
      });
      running.sim.inject({
        match: '/v1/reports/custom',
        fault: { type: 'status', status: 429, headers: { 'Retry-After': '2' } },
      });
      const first = takeSnapshot(connectors['bamboohr']!({ ...(running.options as any), http: http(a) }));
      // Wait for the 429 and for worker a to have recorded the pause in Redis (not a fixed sleep: under load
      // a's event loop may take longer than any fixed delay to read the 429), then start "another worker".
      for (let i = 0; !running.sim.log.some((l) => l.status === 429); i++) {
        if (i > 1500) throw new Error('the simulator never answered 429');
        await new Promise((r) => setTimeout(r, 20));
      }
      const throttledAt = running.sim.log.find((l) => l.status === 429)!.at;
      const seen = running.sim.log.length;
      // (The pause key lives for the Retry-After only: once that is over there is nothing left to wait for.)
      const { Redis } = await import('ioredis');
      const probe = new Redis({ host: '127.0.0.1', port: 6379 });
      try {
        while (!(await probe.keys(`${prefix}:rl:*:blocked`)).length && Date.now() - throttledAt < 2000)
          await new Promise((r) => setTimeout(r, 10));
      } finally {
        probe.disconnect();
      }
      const second = takeSnapshot(connectors['bamboohr']!({ ...(running.options as any), http: http(b) }));
      await Promise.all([first, second]);
      const after = running.sim.log.slice(seen);
      expect(after.length).toBeGreaterThan(0);
      // Nobody, neither worker, sent anything during the vendor's Retry-After.
      expect(Math.min(...after.map((l) => l.at)) - throttledAt).toBeGreaterThanOrEqual(1900);
    } finally {
      await running.sim.close();
    }
  }, 60_000);

  it('two workers together stay within one credential budget', async () => {
    const running = await simulators['bamboohr']!.start(sampleOrg({ size: 10 }), {
      rateLimit: { requestsPerSecond: 4, burst: 4 },
    });
    try {
      const ls = [make(), make(), make()];
      const runs = ls.flatMap((l) =>
        [0, 1].map(() =>
          takeSnapshot(
            connectors['bamboohr']!({
              ...(running.options as any),
              http: { limiter: l.provider, rateLimit: { requests: 3, intervalMs: 1000, concurrency: 2 } },
            }),
          ),
        ),
      );
      await Promise.all(runs);
      expect(running.sim.stats.throttled).toBe(0);
      expect(running.sim.stats.requests).toBeGreaterThanOrEqual(12);
    } finally {
      await running.sim.close();
    }
  }, 30_000);
});
