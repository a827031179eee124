/**
 * Per-tenant state: the tenant's users, groups and snapshot loaded once from the store, and its write
 * lock. A write runs on a draft copy; if it changed anything, the snapshot after is built, diffed against
 * the snapshot before and persisted before the copy is swapped in (a failure leaves the tenant as it was).
 */
import type { ChangeEvent } from '../changes.js';
import { diffSnapshots } from '../diff.js';
import type { OrgSnapshot } from '../model.js';
import { buildSnapshot } from './mapping.js';
import type { Collections, Draft } from './operations.js';
import type { ScimStore } from './store.js';

export interface TenantState extends Collections {
  id: string;
  name: string;
  snapshot: OrgSnapshot;
  lock: Promise<void>;
  delivery: Promise<void>;
}

export interface TenantStatesOptions {
  store: ScimStore;
  now: () => Date;
  /** Company name of a tenant. */
  nameOf: (tenant: string) => string;
  /** Deliver a commit's change events (chained per tenant, in commit order). */
  deliver: (
    events: ChangeEvent[],
    info: { tenant: string; previous: OrgSnapshot; current: OrgSnapshot },
  ) => Promise<void>;
  /** A commit with change events happened (`before`: the snapshot before it). */
  committed?: (tenant: string, before: OrgSnapshot) => void;
}

export class TenantStates {
  private readonly loading = new Map<string, Promise<TenantState>>();
  /** Tenants loaded so far. */
  readonly loaded = new Map<string, TenantState>();

  constructor(private readonly options: TenantStatesOptions) {}

  get(tenant: string): Promise<TenantState> {
    let p = this.loading.get(tenant);
    if (!p) {
      p = (async () => {
        const data = await this.options.store.load(tenant);
        const users = new Map(data.users.map((u) => [u.id, u] as const));
        const groups = new Map(data.groups.map((g) => [g.id, g] as const));
        const name = this.options.nameOf(tenant);
        const snapshot = buildSnapshot(
          { users: [...users.values()], groups: [...groups.values()] },
          { id: tenant, name },
          this.options.now(),
        );
        const rt: TenantState = {
          id: tenant,
          name,
          users,
          groups,
          snapshot,
          lock: Promise.resolve(),
          delivery: Promise.resolve(),
        };
        this.loaded.set(tenant, rt);
        return rt;
      })();
      this.loading.set(tenant, p);
      // A failed load (unreadable store) is retried by the next request, never cached.
      p.catch(() => {
        if (this.loading.get(tenant) === p) this.loading.delete(tenant);
      });
    }
    return p;
  }

  /** Wait for every loaded tenant's pending writes and deliveries. */
  async drain(): Promise<void> {
    for (const rt of this.loaded.values()) await rt.lock.then(() => rt.delivery);
  }

  /**
   * Serialize writes per tenant: apply `fn` to a copy, and if it changed anything, build the
   * snapshot after, diff, persist, then swap the copy in. A failure anywhere leaves the tenant as
   * it was. The change events are delivered in commit order; the caller waits for its own.
   */
  async write<T>(rt: TenantState, fn: (d: Draft) => T | Promise<T>): Promise<T> {
    let release!: () => void;
    const turn = new Promise<void>((r) => (release = r));
    const prev = rt.lock;
    rt.lock = prev.then(() => turn);
    await prev;
    let delivered: Promise<void> = Promise.resolve();
    try {
      const d: Draft = { users: new Map(rt.users), groups: new Map(rt.groups), changed: false };
      const result = await fn(d);
      if (d.changed) {
        const before = rt.snapshot;
        const now = this.options.now();
        const after = buildSnapshot(
          { users: [...d.users.values()], groups: [...d.groups.values()] },
          { id: rt.id, name: rt.name },
          now,
        );
        // In order by construction (after is built from before); a clock stepping back must not refuse the write.
        const events = diffSnapshots(before, after, { now, allowOlder: true });
        await this.options.store.save(rt.id, { users: [...d.users.values()], groups: [...d.groups.values()] });
        rt.users = d.users;
        rt.groups = d.groups;
        rt.snapshot = after;
        if (events.length) {
          const info = { tenant: rt.id, previous: before, current: after };
          rt.delivery = rt.delivery.then(() => this.options.deliver(events, info));
          delivered = rt.delivery;
          this.options.committed?.(rt.id, before);
        }
      }
      return result;
    } finally {
      release();
      await delivered;
    }
  }
}
