/**
 * Embedded queue: an in-process set of waiting tenants and a concurrency cap. Single process by
 * design (the embedded store is a local file); a tenant is never run twice at once here, and the
 * store lease still guards it.
 */
import type { TenantQueue } from './types.js';

export interface InProcessQueueOptions {
  /** Tenant jobs at once (default 4). */
  concurrency?: number;
  /** Called with a job's error (the job records failures itself; this is for logging). */
  onError?: (tenantId: string, error: unknown) => void;
}

export class InProcessQueue implements TenantQueue {
  readonly kind = 'in-process';
  private readonly waiting = new Set<string>();
  private readonly running = new Set<string>();
  private handler: ((tenantId: string) => Promise<void>) | null = null;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly concurrency: number;

  constructor(private readonly options: InProcessQueueOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  async enqueue(tenantId: string): Promise<void> {
    if (this.closed) return;
    // A running tenant's job re-runs itself when triggered meanwhile (job.ts); anything later is
    // due in the store and picked up by the next tick. So a running tenant is not queued again.
    if (this.running.has(tenantId)) return;
    this.waiting.add(tenantId);
    this.pump();
  }

  async start(process: (tenantId: string) => Promise<void>): Promise<void> {
    this.handler = process;
    this.pump();
  }

  async size(): Promise<number> {
    return this.waiting.size + this.running.size;
  }

  /** Resolves when no job is waiting or running. */
  idle(): Promise<void> {
    if (!this.waiting.size && !this.running.size) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.clear();
    await this.idle();
  }

  private pump(): void {
    if (!this.handler) return;
    for (const id of [...this.waiting]) {
      if (this.running.size >= this.concurrency) break;
      if (this.running.has(id)) continue;
      this.waiting.delete(id);
      this.running.add(id);
      const h = this.handler;
      void h(id)
        .catch((e) => this.options.onError?.(id, e))
        .finally(() => {
          this.running.delete(id);
          this.pump();
          if (!this.waiting.size && !this.running.size) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }
}
