/**
 * Where tenant jobs wait. The payload is the tenant id and nothing else (no credentials, no
 * options): a worker reads the rest from the store. A tenant already waiting absorbs further
 * enqueues (a burst of webhooks is one job); the job itself re-runs once when a trigger arrived
 * after it started (see job.ts), so coalescing never loses a change.
 */
export interface TenantQueue {
  readonly kind: string;
  enqueue(tenantId: string): Promise<void>;
  /** Many at once (one round trip where the engine allows it); default: one `enqueue` each. */
  enqueueMany?(tenantIds: string[]): Promise<void>;
  /** Start consuming in this process. */
  start(process: (tenantId: string) => Promise<void>): Promise<void>;
  /** Jobs waiting + running (as far as this queue can tell). */
  size(): Promise<number>;
  close(): Promise<void>;
}
