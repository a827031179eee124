/**
 * Client-side rate limiting, shared per vendor x credential: a token bucket for requests per
 * window plus a concurrency cap (p-limit). When a vendor answers 429/503 with a time to wait,
 * the whole budget pauses until then, so concurrent requests don't all hit the wall.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { createHash } from 'node:crypto';
import { sleep } from './timing.js';

export interface RateLimitOptions {
  /** Requests allowed per `intervalMs` (token bucket size and refill). Infinity disables it. */
  requests: number;
  /** Window for `requests`, in ms. */
  intervalMs: number;
  /** Requests in flight at once. */
  concurrency: number;
  /**
   * Fraction of the budget kept in reserve (default 0.03): requests reach the vendor with some
   * jitter, so running at exactly the published rate earns the occasional 429.
   */
  headroom?: number;
}

export class RateLimiter implements RateLimitStrategy {
  private tokens: number;
  private last = Date.now();
  private pausedUntil = 0;
  private readonly limit: LimitFunction;
  private waiters: Promise<void> = Promise.resolve();

  constructor(readonly options: RateLimitOptions) {
    this.tokens = Math.min(options.requests, burstOf(options));
    this.limit = pLimit(Math.max(1, options.concurrency));
  }

  /** Run `fn` when a token and a concurrency slot are available. */
  schedule<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.limit(async () => {
      await this.acquire(signal);
      return fn();
    });
  }

  /** Stop issuing requests until `ms` from now (server told us to wait). */
  pause(ms: number): void {
    const until = Date.now() + ms;
    if (until > this.pausedUntil) this.pausedUntil = until;
    // Tokens accrued before the pause are not valid after it: the server's window was exhausted.
    this.tokens = Math.min(this.tokens, 1);
  }

  private get rate(): number {
    return (this.options.requests * (1 - (this.options.headroom ?? 0.03))) / this.options.intervalMs;
  }

  private refill(): void {
    if (!Number.isFinite(this.options.requests)) return;
    const now = Date.now();
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(burstOf(this.options), this.tokens + elapsed * this.rate);
      this.last = now;
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    // Serialize acquisitions so tokens are handed out in order.
    const next = this.waiters.then(() => this.take(signal));
    this.waiters = next.catch(() => undefined);
    return next;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) {
        await sleep(pause, signal);
        continue;
      }
      if (!Number.isFinite(this.options.requests)) return;
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const wait = (1 - this.tokens) / this.rate;
      await sleep(Math.max(1, Math.ceil(wait)), signal);
    }
  }
}

/**
 * Burst size: at most the per-window budget, but never more than one second's worth (min 1),
 * so a fresh client does not fire a whole minute's budget at once into a server that counts
 * in shorter windows.
 */
function burstOf(o: RateLimitOptions): number {
  if (!Number.isFinite(o.requests)) return Infinity;
  const perSecond = (o.requests * 1000) / o.intervalMs;
  return Math.max(1, Math.min(o.requests, Math.ceil(perSecond)));
}

/**
 * What the request pipeline needs from a rate limiter: run a request when the budget allows, and
 * stop everyone using this credential when the vendor says to wait. `RateLimiter` (this process)
 * is the default; the runtime plugs in one shared by every worker (Redis) through `HttpOptions.limiter`.
 */
export interface RateLimitStrategy {
  schedule<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  pause(ms: number): void;
}

/** Which budget a client draws from: the vendor, a hash of the credential (never the credential), its limits. */
export interface LimiterKey {
  vendor: string;
  credentialHash: string;
  options: RateLimitOptions;
}

export type LimiterProvider = (key: LimiterKey) => RateLimitStrategy;

/** Stable, non-reversible id of a credential for limiter keys. */
export function credentialHash(credential: string): string {
  return createHash('sha256').update(credential).digest('hex').slice(0, 16);
}

const registry = new Map<string, RateLimiter>();

/**
 * The limiter shared by every client of one vendor and one credential in this process.
 * The credential is hashed; it is never kept in the key.
 */
export function sharedRateLimiter(vendor: string, credential: string, options: RateLimitOptions): RateLimiter {
  const h = credentialHash(credential);
  const key = `${vendor}:${h}:${options.requests}/${options.intervalMs}/${options.concurrency}`;
  let rl = registry.get(key);
  if (!rl) {
    rl = new RateLimiter(options);
    registry.set(key, rl);
  }
  return rl;
}
