/**
 * The schedule tick: claim tenants whose next run is due (atomically, so several schedulers never
 * claim the same tenant) and enqueue them. Every worker may run it; the claim makes that safe.
 */
import type { SqlStore } from './store/store.js';
import type { TenantQueue } from './queue/types.js';

export interface TickOptions {
  /** Tenants claimed per tick (default 1000). */
  batch?: number;
  /** How long a claim holds before the tenant is claimed again if its job never ran (default 10 min). */
  claimMs?: number;
}

export async function scheduleTick(
  store: SqlStore,
  queue: TenantQueue,
  now: number,
  o: TickOptions = {},
): Promise<string[]> {
  const batch = o.batch ?? 1000;
  const claimed: string[] = [];
  for (let i = 0; i < 100; i++) {
    const ids = await store.claimDue(now, batch, o.claimMs ?? 600_000);
    if (queue.enqueueMany) await queue.enqueueMany(ids);
    else for (const id of ids) await queue.enqueue(id);
    claimed.push(...ids);
    if (ids.length < batch) break;
  }
  return claimed;
}
