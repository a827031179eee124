/**
 * The inbound SCIM store (what identity providers push, see src/inbound-scim/store.ts) on the
 * runtime's SQL store: PostgreSQL for any number of `serve-scim` workers, or the embedded SQLite
 * file. Tables `scim_tenants` (one row per tenant: `version`) and `scim_resources` (one row per
 * user or group, JSON body, insertion order kept in `pos`, `user_name` lower-cased and unique per
 * tenant), created by migration 4 (`orgsync migrate`).
 *
 * Concurrency across workers is optimistic: `load` returns the tenant's `version`; `save` commits
 * only if the version is still the one this process loaded or last saved (compare-and-set in the
 * same transaction as the rows), else it throws `ScimStoreConflictError` and writes nothing. The
 * handler then reloads the tenant and applies the request again on the fresh data (tenant-state.ts),
 * so two workers never overwrite each other's acknowledged writes, and uniqueness (userName) is
 * judged on what is stored. `save` writes only the rows that changed since the version it builds on.
 */
import type { ScimStore, ScimTenantData } from '../inbound-scim/store.js';
import { assertTenantId, ScimStoreConflictError } from '../inbound-scim/store.js';
import type { StoredResource } from '../inbound-scim/resource.js';
import type { Querier } from './store/sql.js';
import type { SqlStore } from './store/store.js';

interface Known {
  version: number;
  /** `kind:id` -> stored body text, as of `version`. */
  rows: Map<string, string>;
  nextPos: number;
}

export class SqlScimStore implements ScimStore {
  private readonly known = new Map<string, Known>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly store: SqlStore) {}

  /** The tenant's stored version (0: nothing stored yet). One cheap query: workers check it per request. */
  async version(tenant: string): Promise<number> {
    assertTenantId(tenant);
    const r = await this.store.driver.query<{ version: number }>(`SELECT version FROM scim_tenants WHERE tenant = $1`, [
      tenant,
    ]);
    return Number(r[0]?.version ?? 0);
  }

  async load(tenant: string): Promise<ScimTenantData> {
    assertTenantId(tenant);
    // One statement (one snapshot, on both databases): the version and the rows belong together.
    const found = await this.store.driver.query<{
      version: number | null;
      kind: string | null;
      id: string;
      body: string;
      pos: number;
    }>(
      `SELECT t.version, r.kind, r.id, r.body, r.pos FROM (SELECT CAST($1 AS TEXT) AS tenant) x
       LEFT JOIN scim_tenants t ON t.tenant = x.tenant
       LEFT JOIN scim_resources r ON r.tenant = x.tenant
       ORDER BY r.pos`,
      [tenant],
    );
    const version = Number(found[0]?.version ?? 0);
    const rows = found.filter((r) => r.kind !== null);
    const users: StoredResource[] = [];
    const groups: StoredResource[] = [];
    const texts = new Map<string, string>();
    let nextPos = 1;
    for (const r of rows) {
      texts.set(`${r.kind}:${r.id}`, r.body);
      (r.kind === 'User' ? users : groups).push(JSON.parse(r.body) as StoredResource);
      nextPos = Math.max(nextPos, Number(r.pos) + 1);
    }
    this.known.set(tenant, { version, rows: texts, nextPos });
    return { users, groups, version };
  }

  /**
   * With `data.version` (the handler): compare-and-set, `ScimStoreConflictError` when the tenant
   * moved. Without: replace whatever is stored (re-read once when another process saved). Saves of
   * one tenant in this process are queued, never interleaved.
   */
  save(tenant: string, data: ScimTenantData): Promise<{ version: number }> {
    assertTenantId(tenant);
    const next = (this.queues.get(tenant) ?? Promise.resolve()).then(() => this.saveNow(tenant, data));
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(tenant, tail);
    void tail.then(() => {
      if (this.queues.get(tenant) === tail) this.queues.delete(tenant);
    });
    return next;
  }

  private async saveNow(tenant: string, data: ScimTenantData): Promise<{ version: number }> {
    for (let attempt = 0; ; attempt++) {
      if (!this.known.has(tenant)) await this.load(tenant);
      try {
        return await this.write(tenant, data, this.known.get(tenant)!);
      } catch (e) {
        if (!(e instanceof ScimStoreConflictError) || data.version !== undefined || attempt >= 3) throw e;
        this.known.delete(tenant);
      }
    }
  }

  private async write(tenant: string, data: ScimTenantData, known: Known): Promise<{ version: number }> {
    const base = data.version ?? known.version;
    const want = new Map<string, { kind: 'User' | 'Group'; r: StoredResource; text: string }>();
    for (const [kind, list] of [
      ['User', data.users],
      ['Group', data.groups],
    ] as const)
      for (const r of list) want.set(`${kind}:${r.id}`, { kind, r, text: JSON.stringify(r) });
    const removed = [...known.rows.keys()].filter((k) => !want.has(k));
    const changed = [...want].filter(([k, w]) => known.rows.has(k) && known.rows.get(k) !== w.text);
    const added = [...want].filter(([k]) => !known.rows.has(k));
    const d = this.store.driver;
    const version = await d.tx(async (q) => {
      const v = await casVersion(q, tenant, base, known.version !== base);
      // Deletes, then updates, then inserts: a userName freed by one can be taken by another.
      for (const k of removed) {
        const [kind, id] = splitKey(k);
        await q.query(`DELETE FROM scim_resources WHERE tenant = $1 AND kind = $2 AND id = $3`, [tenant, kind, id]);
      }
      for (const [k, w] of changed) {
        const [, id] = splitKey(k);
        await q.query(
          `UPDATE scim_resources SET body = $4, user_name = $5 WHERE tenant = $1 AND kind = $2 AND id = $3`,
          [tenant, w.kind, id, w.text, userNameOf(w)],
        );
      }
      let pos = known.nextPos;
      for (const [, w] of added) {
        await q.query(
          `INSERT INTO scim_resources (tenant, kind, id, pos, user_name, body) VALUES ($1, $2, $3, $4, $5, $6)`,
          [tenant, w.kind, w.r.id, pos++, userNameOf(w), w.text],
        );
      }
      return { v, pos };
    });
    this.known.set(tenant, {
      version: version.v,
      rows: new Map([...want].map(([k, w]) => [k, w.text])),
      nextPos: version.pos,
    });
    return { version: version.v };
  }

  /** Waits for queued saves; the SqlStore itself is closed by its owner. */
  async close(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    this.known.clear();
  }
}

/** Move the tenant's version from `base` to `base + 1`, or throw: someone else saved since. */
async function casVersion(q: Querier, tenant: string, base: number, stale: boolean): Promise<number> {
  if (stale) throw new ScimStoreConflictError(tenant);
  const now = Date.now();
  const r =
    base === 0
      ? await q.query<{ version: number }>(
          `INSERT INTO scim_tenants (tenant, version, saved_at) VALUES ($1, 1, $2) ON CONFLICT (tenant) DO NOTHING RETURNING version`,
          [tenant, now],
        )
      : await q.query<{ version: number }>(
          `UPDATE scim_tenants SET version = version + 1, saved_at = $3 WHERE tenant = $1 AND version = $2 RETURNING version`,
          [tenant, base, now],
        );
  if (!r[0]) throw new ScimStoreConflictError(tenant);
  return Number(r[0].version);
}

const splitKey = (k: string): [string, string] => {
  const i = k.indexOf(':');
  return [k.slice(0, i), k.slice(i + 1)];
};

const userNameOf = (w: { kind: string; r: StoredResource }): string | null =>
  w.kind === 'User' && typeof w.r['userName'] === 'string' ? w.r['userName'].toLowerCase() : null;
