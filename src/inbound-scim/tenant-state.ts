/**
 * Per-tenant state: the tenant's users, groups and snapshot loaded once from the store, and its write
 * lock. A write runs on a draft copy; if it changed anything, the snapshot after is built, diffed against
 * the snapshot before and persisted before the copy is swapped in (a failure leaves the tenant as it was).
 * A store shared by several processes (a `version` per tenant): each request first checks the
 * tenant's version and reloads it when another process saved; a save refused because another
 * process saved in between reloads the tenant and applies the request again on the fresh data.
 */
import type { ChangeEvent } from '../changes.js';
import { diffSnapshots } from '../diff.js';
import type { OrgSnapshot } from '../model.js';
import { buildSnapshot } from './mapping.js';
import type { Collections, Draft } from './operations.js';
import { ScimStoreConflictError, type ScimStore } from './store.js';
import { ScimHttpError } from './errors.js';

/** Writes applied again after a conflicting save by another process, before giving up with 503. */
const CONFLICT_RETRIES = 10;

export interface TenantState extends Collections {
  id: string;
  name: string;
  snapshot: OrgSnapshot;
  /** The store's version of this data (shared stores only). */
  version: number | undefined;
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

  async get(tenant: string): Promise<TenantState> {
    const rt = await this.load(tenant);
    // Another process may have saved since: one version read per request, a reload when it moved.
    if (this.options.store.version && rt.version !== (await this.options.store.version(tenant))) await this.refresh(rt);
    return rt;
  }

  private load(tenant: string): Promise<TenantState> {
    let p = this.loading.get(tenant);
    if (!p) {
      p = (async () => {
        const rt: TenantState = {
          id: tenant,
          name: this.options.nameOf(tenant),
          users: new Map(),
          groups: new Map(),
          snapshot: undefined as unknown as OrgSnapshot,
          version: undefined,
          lock: Promise.resolve(),
          delivery: Promise.resolve(),
        };
        await this.refresh(rt);
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

  /** (Re)read the tenant from the store; an older version than the one held is never swapped in. */
  private async refresh(rt: TenantState): Promise<void> {
    const data = await this.options.store.load(rt.id);
    if (rt.version !== undefined && data.version !== undefined && data.version < rt.version) return;
    rt.users = new Map(data.users.map((u) => [u.id, u] as const));
    rt.groups = new Map(data.groups.map((g) => [g.id, g] as const));
    rt.snapshot = buildSnapshot(
      { users: [...rt.users.values()], groups: [...rt.groups.values()] },
      { id: rt.id, name: rt.name },
      this.options.now(),
    );
    rt.version = data.version;
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
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.writeOnce(rt, fn, (p) => (delivered = p));
        } catch (e) {
          if (!(e instanceof ScimStoreConflictError)) throw e;
          if (attempt >= CONFLICT_RETRIES)
            throw new ScimHttpError(503, undefined, 'The tenant is being changed concurrently; retry.');
          // A random pause (growing, at most 250 ms) so two workers racing on one tenant stop colliding.
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 10 * 2 ** attempt)));
          await this.refresh(rt);
        }
      }
    } finally {
      release();
      await delivered;
    }
  }

  private async writeOnce<T>(
    rt: TenantState,
    fn: (d: Draft) => T | Promise<T>,
    onDelivery: (p: Promise<void>) => void,
  ): Promise<T> {
    {
      // The version the draft is built on (a concurrent reader's refresh may move rt.version meanwhile).
      const base = rt.version;
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
        const saved = await this.options.store.save(rt.id, {
          users: [...d.users.values()],
          groups: [...d.groups.values()],
          ...(base !== undefined ? { version: base } : {}),
        });
        rt.users = d.users;
        rt.groups = d.groups;
        rt.snapshot = after;
        if (saved) rt.version = saved.version;
        if (events.length) {
          const info = { tenant: rt.id, previous: before, current: after };
          rt.delivery = rt.delivery.then(() => this.options.deliver(events, info));
          onDelivery(rt.delivery);
          this.options.committed?.(rt.id, before);
        }
      }
      return result;
    }
  }
}
