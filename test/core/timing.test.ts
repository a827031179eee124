import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRateLimitReset, parseRetryAfter } from '../../src/http/timing.js';

describe('retry timing', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0); // in the past
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
  it('parses X-RateLimit-Reset as epoch seconds, epoch ms or a delta', () => {
    expect(parseRateLimitReset(String(now / 1000 + 10), now)).toBe(10_000);
    expect(parseRateLimitReset(String(now + 5000), now)).toBe(5000);
    expect(parseRateLimitReset('7', now)).toBe(7000);
  });
  it('backs off exponentially with jitter between half and the full value, capped', () => {
    const o = { baseDelayMs: 100, maxDelayMs: 1000, factor: 2 };
    expect(backoffDelay(1, o, () => 0)).toBe(50);
    expect(backoffDelay(1, o, () => 0.999)).toBeLessThanOrEqual(100);
    expect(backoffDelay(3, o, () => 0)).toBe(200);
    expect(backoffDelay(20, o, () => 1)).toBe(1000);
  });
});
