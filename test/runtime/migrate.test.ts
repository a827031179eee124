/**
 * Schema upgrades keep what is in flight: a store at schema version 5 (leases in their own table) with a
 * lease held is migrated to 6 (leases on the tenant row); the lease is carried over, still refuses another
 * owner, and still fences writes. SQLite and PostgreSQL (own schema; skipped with a message when
 * unreachable outside CI).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openPostgres, openSqlite, SqlStore, type SqlDriver } from '../../src/runtime/index.js';
import { PG_URL, scratch } from './helpers.js';

const { pgUp, dir, schema } = await scratch('pg14_migrate', 'migrate');

/** A driver at schema version `upTo`, as an older orgsync left it. */
async function atVersion(d: SqlDriver, upTo: number): Promise<void> {
  const types = { bigint: d.dialect === 'postgres' ? 'BIGINT' : 'INTEGER', text: 'TEXT', dialect: d.dialect };
  await d.query(
    `CREATE TABLE orgsync_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${types.bigint} NOT NULL)`,
  );
  for (const m of MIGRATIONS.filter((x) => x.version <= upTo)) {
    for (const stmt of m.sql(types)) await d.query(stmt);
    await d.query(`INSERT INTO orgsync_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [
      m.version,
      m.name,
      Date.now(),
    ]);
  }
}

describe.each([
  ['SQLite', true, () => openSqlite(path.join(dir, 'v5.db'))],
  ['PostgreSQL', pgUp, () => openPostgres({ connectionString: PG_URL, schema })],
] as Array<[string, boolean, () => Promise<SqlDriver>]>)('migration 6 on %s', (_name, enabled, open) => {
  it.skipIf(!enabled)('moves held leases onto the tenant row; they keep excluding and fencing', async () => {
    const d = await open();
    const store = new SqlStore(d);
    try {
      await atVersion(d, 5);
      const now = Date.now();
      for (const id of ['held', 'free', 'expired'])
        await store.upsertTenant(
          {
            id,
            connector: 'bamboohr',
            options: {},
            credentials: null,
            rules: null,
            schedule: { incrementalEveryMs: 3_600_000, fullEveryMs: 86_400_000 },
          },
          now,
        );
      await d.query(`INSERT INTO leases (tenant_id, owner, expires_at, token) VALUES ($1, $2, $3, $4)`, [
        'held',
        'w1',
        now + 600_000,
        'tok-1',
      ]);
      await d.query(`INSERT INTO leases (tenant_id, owner, expires_at, token) VALUES ($1, $2, $3, $4)`, [
        'expired',
        'w1',
        now - 1000,
        'tok-0',
      ]);

      expect(await store.schemaVersion()).toBe(5);
      await expect(store.assertMigrated()).rejects.toMatchObject({ code: 'store_not_migrated' });
      expect(await store.migrate()).toEqual([6]);
      await store.assertMigrated();

      expect((await store.leases()).map((l) => [l.tenantId, l.owner])).toEqual([['held', 'w1']]);
      await expect(d.query(`SELECT 1 FROM leases`)).rejects.toThrow();
      // The carried lease still excludes another worker; an expired or absent one does not.
      expect(await store.acquireLease('held', 'w2', 30_000)).toBeNull();
      expect(await store.acquireLease('expired', 'w2', 30_000)).toEqual(expect.any(Number));
      expect(await store.acquireLease('free', 'w2', 30_000)).toEqual(expect.any(Number));
      // ... and still fences: a write under its token goes in, one under a stale token is refused.
      await store.recordRun('held', { failures: 0 }, { token: 'tok-1' });
      await expect(store.recordRun('held', { failures: 1 }, { token: 'tok-0' })).rejects.toMatchObject({
        code: 'lease_lost',
      });
      expect(await store.renewLease('held', { token: 'tok-1' }, 30_000)).toEqual(expect.any(Number));
      await store.releaseLease('held', { token: 'tok-1' });
      expect(await store.acquireLease('held', 'w2', 30_000)).toEqual(expect.any(Number));
      // Migrating again is a no-op.
      expect(await store.migrate()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
