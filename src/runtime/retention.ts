/**
 * Retention: what keeps every table bounded. Snapshots are pruned to a count in the transaction
 * that adds one (store.ts); everything else here, by age, in a periodic sweep any worker may run
 * (`rt.prune()`; `start()` runs it every `everyMs`). Events are pruned only once every endpoint
 * has received them; journal entries only for tenants without an unfinished plan (the journal is
 * what stops an action from running twice while its plan is still being applied).
 */
import type { SqlStore } from './store/store.js';

export interface RetentionOptions {
  /** Snapshots kept per tenant (default 3; at least 1). */
  snapshots?: number;
  /** Events older than this are pruned once delivered to every endpoint (default 30 days). */
  eventsMs?: number;
  /** Finished journal entries (default 30 days), for tenants whose plans are all applied. */
  journalMs?: number;
  /** Applied plans (default 30 days). */
  plansMs?: number;
  /** Dead letters: redelivered ones this long after redelivery, undelivered ones this long after dying (default 90 days). */
  deadLettersMs?: number;
  /** How often a running worker sweeps (default 10 min). */
  everyMs?: number;
}

const DAY = 86_400_000;
export const DEFAULT_RETENTION: Required<RetentionOptions> = {
  snapshots: 3,
  eventsMs: 30 * DAY,
  journalMs: 30 * DAY,
  plansMs: 30 * DAY,
  deadLettersMs: 90 * DAY,
  everyMs: 600_000,
};

export function retentionOf(r: number | RetentionOptions | undefined): Required<RetentionOptions> {
  const o = typeof r === 'number' ? { snapshots: r } : (r ?? {});
  const out = { ...DEFAULT_RETENTION };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, number>)[k] = v;
  out.snapshots = Math.max(1, Math.floor(out.snapshots));
  return out;
}

export interface PruneResult {
  events: number;
  journal: number;
  plans: number;
  deadLetters: number;
}

/** Delete what the retention windows say is old, as of `now` (epoch ms). Returns rows deleted per table. */
export async function prune(store: SqlStore, r: Required<RetentionOptions>, now: number): Promise<PruneResult> {
  const d = store.driver;
  const count = async (sql: string, params: unknown[]) => (await d.query(`${sql} RETURNING 1 AS x`, params)).length;
  const events = await count(
    `DELETE FROM events WHERE at < $1 AND "offset" <= COALESCE((
       SELECT MIN(COALESCE(c.delivered, 0)) FROM endpoints e
       LEFT JOIN delivery_cursors c ON c.endpoint_id = e.id AND c.tenant_id = events.tenant_id
       WHERE e.tenant_id IS NULL OR e.tenant_id = events.tenant_id), "offset")`,
    [now - r.eventsMs],
  );
  const journal = await count(
    `DELETE FROM journal WHERE status <> 'started' AND finished_at IS NOT NULL AND finished_at < $1
       AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.tenant_id = journal.tenant_id AND p.status <> 'applied')`,
    [new Date(now - r.journalMs).toISOString()],
  );
  const plans = await count(`DELETE FROM plans WHERE status = 'applied' AND created_at < $1`, [now - r.plansMs]);
  const deadLetters = await count(
    `DELETE FROM dead_letters WHERE (status = 'redelivered' AND redelivered_at < $1) OR dead_at < $1`,
    [now - r.deadLettersMs],
  );
  return { events, journal, plans, deadLetters };
}
