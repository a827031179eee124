/**
 * Deadlines. Two bounds keep a slow vendor from holding a sync forever:
 *
 * - per request (`http.timeoutMs`): a total deadline over connect + headers + body of one attempt,
 *   not an idle timer, so a server dripping one byte a second still times out;
 * - per sync (`http.syncTimeoutMs` / `syncTimeoutMs` of `takeSnapshot`/`sync`): when it passes, every
 *   request of that sync still in flight (or waiting for a retry or a rate-limit slot) is aborted and
 *   the sync fails with an `incomplete` error (`code: 'sync_timeout'`); no snapshot is produced.
 *
 * The sync deadline travels with the async context (AsyncLocalStorage), so two syncs on one connector
 * each keep their own deadline, and every request made inside the sync sees it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { OrgsyncError } from '../errors.js';

/** Default overall deadline of one sync: generous for large tenants behind strict rate limits. */
export const DEFAULT_SYNC_TIMEOUT_MS = 2 * 60 * 60 * 1000;

export interface Deadline {
  signal: AbortSignal;
  ms: number;
}

/** The reason a sync deadline aborts with (so the HTTP client can tell it from a user's cancel). */
export class SyncDeadlineReason extends Error {
  constructor(readonly ms: number) {
    super(`the sync exceeded its deadline of ${ms} ms`);
    this.name = 'SyncDeadlineReason';
  }
}

const store = new AsyncLocalStorage<Deadline>();

/** The deadline of the sync the caller runs in, if any. */
export function currentDeadline(): Deadline | undefined {
  return store.getStore();
}

/**
 * Run `fn` under an overall deadline of `ms`: when it passes, requests made by `fn` are aborted and
 * the returned promise rejects with `onTimeout()` (even if `fn` ignores the signal). Nested calls
 * keep the outer deadline too. `ms` of 0/undefined/Infinity: no deadline of its own.
 */
export async function runWithDeadline<T>(
  ms: number | undefined,
  fn: () => Promise<T>,
  onTimeout: (ms: number) => OrgsyncError,
): Promise<T> {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return fn();
  const outer = store.getStore();
  const ac = new AbortController();
  const signal = outer ? AbortSignal.any([outer.signal, ac.signal]) : ac.signal;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort(new SyncDeadlineReason(ms));
      reject(onTimeout(ms));
    }, ms);
  });
  try {
    return await Promise.race([store.run({ signal, ms }, fn), expired]);
  } finally {
    clearTimeout(timer);
  }
}
