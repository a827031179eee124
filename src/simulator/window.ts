/**
 * A vendor's own request budget inside a simulator route: at most `limit` requests in any rolling
 * `windowMs`. For vendors whose throttling the generic token bucket of `startSimulator` cannot
 * imitate (a per-minute budget, a 429 without `Retry-After`): the route asks `take()` and answers
 * the way the vendor does when it returns false.
 */
export interface RollingWindow {
  /** Count a request; false when the budget of the current window is spent (the request is not counted). */
  take(now?: number): boolean;
  /** Requests counted in the current window. */
  used(now?: number): number;
}

export function rollingWindow(limit: number, windowMs: number): RollingWindow {
  const stamps: number[] = [];
  const prune = (now: number) => {
    while (stamps.length && stamps[0]! <= now - windowMs) stamps.shift();
  };
  return {
    take(now = Date.now()) {
      prune(now);
      if (stamps.length >= limit) return false;
      stamps.push(now);
      return true;
    },
    used(now = Date.now()) {
      prune(now);
      return stamps.length;
    },
  };
}
