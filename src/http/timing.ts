/** Retry timing: how long to wait before the next attempt. */

/**
 * Parse a `Retry-After` header: delay-seconds or an HTTP date. Returns milliseconds to wait,
 * or undefined when absent/unparseable.
 */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = String(value).trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.max(0, Math.round(Number(v) * 1000));
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Parse an `X-RateLimit-Reset` header. Vendors send either epoch seconds, epoch milliseconds
 * or seconds until reset; values that look like epochs are treated as such.
 */
export function parseRateLimitReset(value: string | undefined | null, now = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = String(value).trim();
  if (!/^\d+(\.\d+)?$/.test(v)) return parseRetryAfter(v, now);
  const n = Number(v);
  if (n > 1e12) return Math.max(0, n - now); // epoch ms
  if (n > 1e9) return Math.max(0, n * 1000 - now); // epoch s
  return Math.round(n * 1000); // delta seconds
}

export interface BackoffOptions {
  /** First delay in ms (default 500). */
  baseDelayMs: number;
  /** Largest single computed delay (default 30 s). */
  maxDelayMs: number;
  /** Multiplier per attempt (default 2). */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 30_000, factor: 2 };

/**
 * Exponential backoff with "full jitter" (uniform between half and the whole exponential value),
 * used only when the server gave no time of its own.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): number {
  const exp = Math.min(opts.maxDelayMs, opts.baseDelayMs * Math.pow(opts.factor, Math.max(0, attempt - 1)));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Sleep that can be cancelled by an AbortSignal. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    if (ms <= 0) return resolve();
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
