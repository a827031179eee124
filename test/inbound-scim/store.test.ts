import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createScimHandler,
  FileScimStore,
  type ScimTenantData,
  type StoredResource,
} from '../../src/inbound-scim/index.js';
import { client, CORE_GROUP, ENTERPRISE, expectScimError, ids, patchOp, TOKEN_A, user } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orgsync-scim-store-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const open = (store: FileScimStore | string, newId = ids('r')) =>
  createScimHandler({ store, tenants: [{ id: 'acme', token: TOKEN_A }], newId });

function resource(id: string, kind: 'User' | 'Group', extra: Record<string, unknown>): StoredResource {
  return {
    id,
    ...extra,
    meta: { resourceType: kind, created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z' },
  } as StoredResource;
}

describe('FileScimStore', () => {
  it('survives a restart: a new handler on the same folder serves and snapshots the same data', async () => {
    const h1 = open(dir);
    const scim1 = client(h1);
    const ann = (await scim1('POST', '/Users', { ...user('ann@acme.com'), [ENTERPRISE]: { department: 'Eng' } })).json;
    const bob = (await scim1('POST', '/Users', user('bob@acme.com'))).json;
    await scim1('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: 'Team',
      members: [{ value: ann.id }, { value: bob.id }],
    });
    await scim1('PATCH', `/Users/${bob.id}`, patchOp({ op: 'replace', path: 'active', value: false }));
    const before = await h1.snapshot('acme');
    const listBefore = (await scim1('GET', '/Users')).json;
    await h1.close();

    expect(await fs.readdir(dir)).toEqual(['acme.scim.json']);
    const h2 = open(dir, ids('other'));
    const scim2 = client(h2);
    const after = await h2.snapshot('acme');
    expect({ ...after, takenAt: '' }).toEqual({ ...before, takenAt: '' });
    expect((await scim2('GET', '/Users')).json).toEqual(listBefore);
    // ... and keeps accepting writes on top of it.
    expect((await scim2('POST', '/Users', user('ann@acme.com'))).status).toBe(409);
    expect((await scim2('POST', '/Users', user('cid@acme.com'))).status).toBe(201);
    await h2.close();
    const h3 = open(dir);
    expect((await h3.snapshot('acme')).employees).toHaveLength(3);
  });

  it('writes atomically: the file is complete JSON after every write and no temp files remain', async () => {
    const h = open(dir);
    const scim = client(h);
    const file = path.join(dir, 'acme.scim.json');
    for (let i = 0; i < 10; i++) {
      await scim('POST', '/Users', user(`u${i}@acme.com`));
      const json = JSON.parse(await fs.readFile(file, 'utf8'));
      expect(json).toMatchObject({ kind: 'orgsync.scim-inbound-store', version: 1, tenant: 'acme' });
      expect(json.users).toHaveLength(i + 1);
    }
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('queues concurrent saves so they never interleave; the last one wins', async () => {
    const store = new FileScimStore({ dir });
    const data = (n: number): ScimTenantData => ({
      users: Array.from({ length: n }, (_, i) =>
        resource(`u${i}`, 'User', { userName: `u${i}`, pad: 'x'.repeat(2000) }),
      ),
      groups: [],
    });
    const writes = Array.from({ length: 30 }, (_, i) => store.save('acme', data(i + 1)));
    // Reads in between see a complete version, never a torn file.
    const reads = Array.from({ length: 10 }, () => store.load('acme').catch((e) => e));
    await Promise.all(writes);
    for (const r of await Promise.all(reads)) {
      expect(r).not.toBeInstanceOf(Error);
      expect((r as ScimTenantData).users.length).toBeGreaterThanOrEqual(0);
    }
    expect((await store.load('acme')).users).toHaveLength(30);
    await store.close();
  });

  it('never treats an unreadable file as an empty tenant (500, file left untouched)', async () => {
    const file = path.join(dir, 'acme.scim.json');
    await fs.writeFile(file, '{"kind": "orgsync.scim-inbound-store", "version": 1, "tenant": "acme", "users": [');
    const errors: unknown[] = [];
    const h = createScimHandler({
      store: dir,
      tenants: [{ id: 'acme', token: TOKEN_A }],
      onError: (e) => errors.push(e),
    });
    const scim = client(h);
    expectScimError(await scim('GET', '/Users'), 500);
    expectScimError(await scim('POST', '/Users', user('a@acme.com')), 500);
    expect(await fs.readFile(file, 'utf8')).toMatch(/"users": \[$/);
    expect(String((errors[0] as Error).message)).toMatch(/not valid JSON/);
    await expect(new FileScimStore({ dir }).load('acme')).rejects.toMatchObject({ code: 'store_corrupt' });
    await fs.writeFile(file, JSON.stringify({ kind: 'something-else' }));
    await expect(new FileScimStore({ dir }).load('acme')).rejects.toMatchObject({ code: 'store_corrupt' });
    // Once fixed, the next request loads it (a failed load is not cached).
    await fs.rm(file);
    expect((await scim('GET', '/Users')).status).toBe(200);
  });

  it('single-file mode holds one tenant and refuses to read another tenant from it', async () => {
    const file = path.join(dir, 'nested', 'scim.json');
    const store = new FileScimStore({ file });
    await store.save('acme', { users: [resource('u1', 'User', { userName: 'a' })], groups: [] });
    expect((await store.load('acme')).users).toHaveLength(1);
    await expect(store.load('globex')).rejects.toMatchObject({ code: 'store_tenant_mismatch' });
    expect(() => store.fileFor('../etc')).toThrow(/Invalid SCIM tenant id/);
    expect(() => new FileScimStore({} as never)).toThrow(/dir/);
  });
});
