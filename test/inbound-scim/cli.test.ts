import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveScimCommand } from '../../src/cli/serve-scim.js';
import { user } from './helpers.js';

const TOKEN = 'cli-token-0123456789abcdef';
let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orgsync-serve-scim-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) } };
}

async function start(args: Partial<Parameters<typeof serveScimCommand>[0]> = {}) {
  const o = io();
  const ac = new AbortController();
  let listening!: (url: string) => void;
  const url = new Promise<string>((r) => (listening = r));
  const exit = serveScimCommand({ port: 0, token: TOKEN, store: dir, ...args }, o.io, {
    signal: ac.signal,
    onListening: (i) => listening(i.baseUrl),
  });
  const baseUrl = await Promise.race([
    url,
    exit.then((code): string => {
      throw new Error(`serve-scim exited ${code}: ${o.err.join('')}`);
    }),
  ]);
  return {
    ...o,
    baseUrl: () => baseUrl,
    stop: async () => {
      ac.abort();
      return exit;
    },
  };
}

describe('orgsync serve-scim', () => {
  it('serves the endpoint, prints change events, stores to disk and stops cleanly', async () => {
    const s = await start({ tenant: 'trial' });
    expect(s.baseUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
    const post = await fetch(`${s.baseUrl()}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(user('trial@acme.com', { title: 'Tester' })),
    });
    expect(post.status).toBe(201);
    const list = await fetch(`${s.baseUrl()}/Users?startIndex=1&count=2`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(((await list.json()) as { totalResults: number }).totalResults).toBe(1);
    expect((await fetch(`${s.baseUrl()}/Users`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect(await s.stop()).toBe(0);
    const printed = s.out.join('');
    expect(printed).toContain('SCIM 2.0 endpoint listening');
    expect(printed).toMatch(/HIRE {2}trial Test/);
    expect(printed).not.toContain(TOKEN);
    expect(s.err.join('')).not.toContain(TOKEN);
    const stored = JSON.parse(await fs.readFile(path.join(dir, 'trial.scim.json'), 'utf8'));
    expect(stored.users.map((u: { userName: string }) => u.userName)).toEqual(['trial@acme.com']);
  });

  it('reopens what it stored (single .json file store)', async () => {
    const file = path.join(dir, 'data.json');
    const a = await start({ store: file });
    await fetch(`${a.baseUrl()}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(user('keep@acme.com')),
    });
    expect(await a.stop()).toBe(0);
    const b = await start({ store: file });
    expect(b.out.join('')).toContain("1 user(s), 0 group(s) for tenant 'default'");
    expect(await b.stop()).toBe(0);
  });

  it('rejects bad arguments with exit code 2', async () => {
    const o = io();
    expect(await serveScimCommand({ port: 70000, token: TOKEN }, o.io)).toBe(2);
    expect(await serveScimCommand({ port: 0, token: '' }, o.io)).toBe(2);
    expect(await serveScimCommand({ port: 0, token: 'has space' }, o.io)).toBe(2);
    expect(await serveScimCommand({ port: 0, token: TOKEN, tenant: 'Bad Tenant' }, o.io)).toBe(2);
    expect(o.err.join('')).toMatch(/--port/);
  });

  it('fails with exit code 1 when the store is unreadable or the port is taken', async () => {
    await fs.writeFile(path.join(dir, 'default.scim.json'), 'not json');
    const o = io();
    expect(await serveScimCommand({ port: 0, token: TOKEN, store: dir }, o.io)).toBe(1);
    expect(o.err.join('')).toMatch(/cannot open the store/);
    await fs.rm(path.join(dir, 'default.scim.json'));
    const first = await start();
    const port = Number(new URL(first.baseUrl()).port);
    const o2 = io();
    expect(await serveScimCommand({ port, token: TOKEN, store: path.join(dir, 'other') }, o2.io)).toBe(1);
    expect(o2.err.join('')).toMatch(/cannot listen/);
    expect(await first.stop()).toBe(0);
  });

  it('--config keeps the data in the runtime database (refused until migrated; not with --store)', async () => {
    const db = path.join(dir, 'rt.db');
    const config = path.join(dir, 'runtime.json');
    await fs.writeFile(config, JSON.stringify({ store: { sqlite: db } }));
    const o = io();
    expect(await serveScimCommand({ port: 0, token: TOKEN, config }, o.io)).toBe(1);
    expect(o.err.join('')).toMatch(/orgsync migrate/);
    expect(await serveScimCommand({ port: 0, token: TOKEN, config, store: dir }, o.io)).toBe(2);
    const rtmod = await import('../../src/runtime/index.js');
    // A runtime tenant with the SCIM tenant's id, its next run an hour away.
    const keyring = rtmod.parseKeyring(rtmod.generateKeySpec('k1'));
    const open = async () => {
      const store = await rtmod.openStore({ sqlite: db }, { migrate: true });
      return rtmod.createRuntime({ store, queue: new rtmod.InProcessQueue(), keyring });
    };
    let rt = await open();
    await rt.addTenant({ id: 'default', connector: 'bamboohr', options: { subdomain: 'acme' } });
    await rt.store.recordRun('default', { nextRunAt: Date.now() + 3_600_000 });
    await rt.close();

    const a = await start({ store: undefined, config });
    const post = await fetch(`${a.baseUrl()}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(user('db@acme.com')),
    });
    expect(post.status).toBe(201);
    expect(await a.stop()).toBe(0);
    // The write was an on-demand trigger: the runtime tenant is due now.
    expect(a.out.join('')).toContain("Triggered runtime tenant 'default'");
    rt = await open();
    const status = (await rt.getTenant('default'))!.status;
    await rt.close();
    expect(status.triggeredAt).toBeGreaterThan(Date.now() - 60_000);
    expect(status.nextRunAt).toBeLessThanOrEqual(Date.now());
    const b = await start({ store: undefined, config });
    expect(b.out.join('')).toContain("1 user(s), 0 group(s) for tenant 'default'");
    expect(await b.stop()).toBe(0);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.scim.json'))).toEqual([]);
  });
});
