import { describe, expect, it } from 'vitest';
import { RateLimiter, sharedRateLimiter } from '../../src/http/rate-limit.js';

describe('rate limiter', () => {
  it('spaces requests to the budget', async () => {
    const rl = new RateLimiter({ requests: 20, intervalMs: 1000, concurrency: 10 });
    const started = Date.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 30 }, () => rl.schedule(async () => void times.push(Date.now() - started))));
    // burst of one second's worth (20), then 10 more at 20/s: about 500 ms
    expect(Math.max(...times)).toBeGreaterThanOrEqual(400);
    expect(Math.max(...times)).toBeLessThan(1200);
  });

  it('caps concurrency', async () => {
    const rl = new RateLimiter({ requests: Infinity, intervalMs: 1000, concurrency: 3 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        rl.schedule(async () => {
          peak = Math.max(peak, ++inFlight);
          await new Promise((r) => setTimeout(r, 10));
          inFlight--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('pauses everyone when the server says wait', async () => {
    const rl = new RateLimiter({ requests: Infinity, intervalMs: 1000, concurrency: 5 });
    rl.pause(300);
    const started = Date.now();
    await rl.schedule(async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('is shared per vendor and credential, never keyed by the raw secret', () => {
    const o = { requests: 5, intervalMs: 1000, concurrency: 1 };
    expect(sharedRateLimiter('v', 'secret-a', o)).toBe(sharedRateLimiter('v', 'secret-a', o));
    expect(sharedRateLimiter('v', 'secret-a', o)).not.toBe(sharedRateLimiter('v', 'secret-b', o));
  });
});
