/**
 * Abort signals of a request: the caller's per-request signal, the client's (`http.signal`, long-lived:
 * the runtime's per-connector cancel) and the sync's deadline. One request listens to all three.
 *
 * Linked by hand rather than with `AbortSignal.any`: on Node 20 each `any` registers weak references
 * and a finalizer on every source, and per request that was a measurable part of a steady-state runtime
 * job (scripts/bench-runtime.ts; docs/scale.md). Hand links put one listener per request in flight on
 * each source (a client's or a caller's signal may serve many requests at once), so the sources are
 * allowed many listeners (`allowManyListeners`, as undici does for a fetch's signal); every link is
 * removed when its request settles, so none accumulates.
 */
import { defaultMaxListeners, getMaxListeners, setMaxListeners } from 'node:events';

/**
 * Let `signal` carry one listener per request in flight without Node's MaxListenersExceededWarning,
 * unless its owner has set a limit of their own.
 */
export function allowManyListeners(signal: AbortSignal | undefined): void {
  try {
    // (Infinity, not 0: Node 20's getMaxListeners throws for an EventTarget whose limit is 0.)
    if (signal && getMaxListeners(signal) === defaultMaxListeners) setMaxListeners(Infinity, signal);
  } catch {
    // A signal of another realm or a polyfill: Node neither counts nor limits its listeners.
  }
}

/**
 * One signal that aborts, with that source's reason, as soon as any of `sources` does (or at once when
 * one already has). A single source is returned as it is. Call `unlink` when the work settles.
 */
export function anySignal(sources: ReadonlyArray<AbortSignal | undefined>): {
  signal: AbortSignal | undefined;
  unlink: () => void;
} {
  const signals = sources.filter((s): s is AbortSignal => s !== undefined);
  // Each source gets one listener per request in flight (here, or the attempt's link to a single one).
  for (const s of signals) allowManyListeners(s);
  if (signals.length <= 1) return { signal: signals[0], unlink: noop };
  const ac = new AbortController();
  const links: Array<[AbortSignal, () => void]> = [];
  const unlink = () => {
    for (const [s, f] of links) s.removeEventListener('abort', f);
    links.length = 0;
  };
  for (const s of signals) {
    if (s.aborted) {
      unlink();
      ac.abort(s.reason);
      break;
    }
    const onAbort = () => {
      unlink();
      ac.abort(s.reason);
    };
    s.addEventListener('abort', onAbort, { once: true });
    links.push([s, onAbort]);
  }
  return { signal: ac.signal, unlink };
}

const noop = () => undefined;
