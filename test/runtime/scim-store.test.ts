/**
 * The inbound SCIM store on the runtime's SQL store (src/runtime/scim-store.ts), on SQLite (always)
 * and PostgreSQL (own schema; skipped with a message when unreachable outside CI): the store contract
 * the file store meets (restart, ordering, queued saves) plus what several workers need — two
 * handlers on one database never lose each other's acknowledged writes, and userName stays unique.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createScimHandler,
  ScimStoreConflictError,
  type ScimTenantData,
  type StoredResource,
} from '../../src/inbound-scim/index.js';
import { openStore, SqlScimStore, type SqlStore } from '../../src/runtime/index.js';
import { client, CORE_GROUP, ENTERPRISE, ids, patchOp, TOKEN_A, user } from '../inbound-scim/helpers.js';
import { PG_URL, services } from './helpers.js';

const svc = await services();
const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-pg14-scim-'));
const schema = `pg14_scim_${randomBytes(4).toString('hex')}`;
const opened: SqlStore[] = [];

afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  if (svc.ok) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
});

const resource = (id: string, kind: 'User' | 'Group', extra: Record<string, unknown>): StoredResource =>
  ({
    id,
    ...extra,
    meta: { resourceType: kind, created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z' },
  }) as StoredResource;

// [name, enabled, open, several workers]: SQLite is one process per file (docs/runtime.md); its
// connections in one process block each other synchronously, so the multi-worker cases are PostgreSQL's.
const variants: Array<[string, boolean, () => Promise<SqlStore>, boolean]> = [
  ['SQLite', true, () => openStore({ sqlite: path.join(dir, 'rt.db') }, { migrate: true }), false],
  ['PostgreSQL', svc.ok, () => openStore({ postgres: { connectionString: PG_URL, schema } }, { migrate: true }), true],
];

describe.each(variants)('SqlScimStore on %s', (name, enabled, openSql, multi) => {
  // Each "worker" is its own SqlStore (own connections) on the same database.
  const worker = async () => {
    const sql = await openSql();
    opened.push(sql);
    return new SqlScimStore(sql);
  };
  let n = 0;
  const tenant = () => `${name.toLowerCase()}-t${++n}`;
  const handler = (store: SqlScimStore, t: string, newId = ids(`${t}-r`)) =>
    createScimHandler({ store, tenants: [{ id: t, token: TOKEN_A }], newId });

  it.skipIf(!enabled)('survives a restart: a new worker serves and snapshots the same data', async () => {
    const t = tenant();
    const h1 = handler(await worker(), t);
    const scim1 = client(h1);
    const ann = (await scim1('POST', '/Users', { ...user('ann@acme.com'), [ENTERPRISE]: { department: 'Eng' } })).json;
    const bob = (await scim1('POST', '/Users', user('bob@acme.com'))).json;
    await scim1('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: 'Team',
      members: [{ value: ann.id }, { value: bob.id }],
    });
    await scim1('PATCH', `/Users/${bob.id}`, patchOp({ op: 'replace', path: 'active', value: false }));
    expect((await scim1('DELETE', `/Users/${ann.id}`)).status).toBe(204);
    const cid = (await scim1('POST', '/Users', user('cid@acme.com'))).json;
    const before = await h1.snapshot(t);
    const listBefore = (await scim1('GET', '/Users')).json;
    await h1.close();

    const h2 = handler(await worker(), t, ids('other'));
    const scim2 = client(h2);
    expect({ ...(await h2.snapshot(t)), takenAt: '' }).toEqual({ ...before, takenAt: '' });
    // Same list in the same order (creation order, as the file store keeps it).
    expect((await scim2('GET', '/Users')).json).toEqual(listBefore);
    expect(listBefore.Resources.map((r: { id: string }) => r.id)).toEqual([bob.id, cid.id]);
    expect((await scim2('POST', '/Users', user('BOB@acme.com'))).status).toBe(409); // case-insensitive
    expect((await scim2('POST', '/Users', user('ann@acme.com'))).status).toBe(201); // freed by the delete
    await h2.close();
  });

  it.skipIf(!enabled || !multi)('two workers on one database: no acknowledged write is lost', async () => {
    const t = tenant();
    const [a, b] = [handler(await worker(), t, ids('a')), handler(await worker(), t, ids('b'))];
    const [sa, sb] = [client(a), client(b)];
    // Both have the tenant loaded (cached) before the other writes.
    expect((await sa('GET', '/Users')).json.totalResults).toBe(0);
    expect((await sb('GET', '/Users')).json.totalResults).toBe(0);
    const posts = Array.from({ length: 16 }, (_, i) => (i % 2 ? sb : sa)('POST', '/Users', user(`u${i}@acme.com`)));
    const statuses = (await Promise.all(posts)).map((r) => r.status);
    expect(statuses).toEqual(Array(16).fill(201));
    for (const s of [sa, sb]) expect((await s('GET', '/Users?count=100')).json.totalResults).toBe(16);
    const fresh = handler(await worker(), t);
    expect((await fresh.snapshot(t)).employees).toHaveLength(16);
    await Promise.all([a.close(), b.close(), fresh.close()]);
  });

  it.skipIf(!enabled || !multi)('two workers posting the same userName at once: one 201, one 409', async () => {
    const t = tenant();
    const [a, b] = [handler(await worker(), t, ids('a')), handler(await worker(), t, ids('b'))];
    const [sa, sb] = [client(a), client(b)];
    await Promise.all([sa('GET', '/Users'), sb('GET', '/Users')]);
    for (let i = 0; i < 5; i++) {
      const r = await Promise.all([
        sa('POST', '/Users', user(`dup${i}@acme.com`)),
        sb('POST', '/Users', user(`DUP${i}@acme.com`)),
      ]);
      expect(r.map((x) => x.status).sort()).toEqual([201, 409]);
    }
    expect((await sa('GET', '/Users?count=100')).json.totalResults).toBe(5);
    await Promise.all([a.close(), b.close()]);
  });

  it.skipIf(!enabled)('save: compare-and-set on the version; queued saves without one, the last wins', async () => {
    const t = tenant();
    const s1 = await worker();
    const s2 = await worker();
    const data = (k: number): ScimTenantData => ({
      users: Array.from({ length: k }, (_, i) => resource(`u${i}`, 'User', { userName: `u${i}` })),
      groups: [resource('g1', 'Group', { displayName: `G${k}` })],
    });
    const v1 = (await s1.save(t, { ...data(2), version: 0 })).version;
    expect(v1).toBe(1);
    expect(await s2.version(t)).toBe(1);
    // s2 saves on top of version 1; s1 still holds version 1: its compare-and-set fails, nothing written.
    const l2 = await s2.load(t);
    expect(l2.version).toBe(1);
    expect((await s2.save(t, { ...data(3), version: 1 })).version).toBe(2);
    await expect(s1.save(t, { ...data(9), version: 1 })).rejects.toBeInstanceOf(ScimStoreConflictError);
    expect((await s1.load(t)).users).toHaveLength(3);
    // Without a version: queued in this process, each replaces what is stored.
    await Promise.all(Array.from({ length: 10 }, (_, i) => s1.save(t, data(i + 1))));
    const last = await s2.load(t);
    expect(last.users.map((u) => u.id)).toEqual(data(10).users.map((u) => u.id));
    expect(last.groups[0]!['displayName']).toBe('G10');
    expect(last.version).toBe(12);
  });
});
