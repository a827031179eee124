/**
 * Pacing of the client-side limiter on a virtual clock (vitest fake timers fake `Date.now` and
 * `setTimeout`, so the numbers are exact and nothing depends on how busy the machine is): the
 * burst a fresh budget allows, the spacing of request *starts* at the budget's rate whatever each
 * request takes (the interval is not measured from responses), concurrency that overlaps waiting
 * with requests in flight, the headroom, and the pause a server's Retry-After imposes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../src/http/rate-limit.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Schedule `n` requests that each take `durationMs` (virtual), run the clock to the end, return start times (ms from t0). */
async function run(rl: RateLimiter, n: number, durationMs: number, sequential = false): Promise<number[]> {
  const t0 = Date.now();
  const starts: number[] = [];
  const one = () =>
    rl.schedule(async () => {
      starts.push(Date.now() - t0);
      if (durationMs > 0) await new Promise((r) => setTimeout(r, durationMs));
    });
  let all: Promise<unknown>;
  if (sequential) {
    all = (async () => {
      for (let i = 0; i < n; i++) await one();
    })();
  } else all = Promise.all(Array.from({ length: n }, one));
  let done = false;
  void all.then(() => (done = true));
  for (let i = 0; i < 100_000 && !done; i++) await vi.advanceTimersByTimeAsync(1);
  expect(done).toBe(true);
  return starts;
}

describe('rate limiter pacing (virtual clock)', () => {
  it("starts with one second's budget, then one request per 1/rate", async () => {
    const rl = new RateLimiter({ requests: 20, intervalMs: 1000, concurrency: 50, headroom: 0 });
    const starts = await run(rl, 60, 0);
    expect(starts.slice(0, 20).every((t) => t === 0)).toBe(true); // the initial burst
    // then 20/s: the 40 others within 2 s (one per 50 ms, each within a tick of its slot)
    for (let k = 20; k < 60; k++) expect(Math.abs(starts[k]! - (k - 19) * 50)).toBeLessThanOrEqual(2);
  });

  it('spaces request starts by 1/rate even when each request takes longer than that (concurrency overlaps them)', async () => {
    const rl = new RateLimiter({ requests: 20, intervalMs: 1000, concurrency: 4, headroom: 0 });
    const starts = await run(rl, 200, 150);
    // 150 ms per request, 4 at a time: 26/s possible, so once the first second's budget is spent
    // (after about 3.5 s at 26/s) the budget (20/s) decides, not the latency
    const after = starts.slice(120);
    const span = after[after.length - 1]! - after[0]!;
    expect(span / (after.length - 1)).toBeGreaterThanOrEqual(49);
    expect(span / (after.length - 1)).toBeLessThanOrEqual(52);
  });

  it('does not add the response time to the interval of a sequential caller', async () => {
    // One request at a time, 30 ms each: the next may start 50 ms after the previous *start*.
    const rl = new RateLimiter({ requests: 20, intervalMs: 1000, concurrency: 1, headroom: 0 });
    const starts = await run(rl, 80, 30, true);
    const gaps = starts.slice(41).map((t, i) => t - starts[40 + i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(51);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeLessThanOrEqual(50.5);
  });

  it('keeps the headroom (default 3%) below the published rate', async () => {
    const rl = new RateLimiter({ requests: 20, intervalMs: 1000, concurrency: 10 });
    const starts = await run(rl, 220, 0);
    // 200 after the burst at 19.4/s: 10.3 s, never faster than 20/s
    expect(starts[219]).toBeGreaterThanOrEqual(10_000);
    expect(starts[219]).toBeLessThanOrEqual(10_400);
  });

  it('stops everyone for the time the server asked; tokens from before the pause do not survive it', async () => {
    const rl = new RateLimiter({ requests: 20, intervalMs: 1000, concurrency: 30, headroom: 0 });
    await run(rl, 5, 0); // 15 tokens left
    rl.pause(200);
    const starts = await run(rl, 25, 0); // measured from the pause
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(200);
    // 1 token kept + 4 accrued during the 200 ms pause start at once, then one per 50 ms
    expect(starts.filter((t) => t <= 201).length).toBe(5);
    expect(Math.abs(starts[24]! - (200 + 20 * 50))).toBeLessThanOrEqual(2);
  });
});
