/**
 * The steady-state job (docs/scale.md "Runtime cost per tenant job"), on SQLite and PostgreSQL (own
 * schema; skipped with a message when unreachable outside CI): the commit releases the lease itself
 * (no separate release) unless a trigger arrived during the run (then the job runs once more, still
 * leased); an unchanged body skips the diff yet a real change is still found; the events a relaxed
 * commit wrote are read back complete and gap-free.
 */
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { connectors } from '../../connectors/index.js';
import { simulators } from '../../connectors/simulators.js';
import { applySampleChanges, sampleOrg } from '../../src/simulator/sample-org.js';
import { createRuntime, generateKeySpec, InProcessQueue, openStore, parseKeyring } from '../../src/runtime/index.js';
import type { SqlStore } from '../../src/runtime/index.js';
import { PG_URL, scratch, companyDueDate } from './helpers.js';

const { pgUp, dir, schema } = await scratch('pg14_job', 'job-commit');

describe.each([
  ['SQLite', true, () => openStore({ sqlite: path.join(dir, 'rt.db') }, { migrate: true })],
  ['PostgreSQL', pgUp, () => openStore({ postgres: { connectionString: PG_URL, schema } }, { migrate: true })],
] as Array<[string, boolean, () => Promise<SqlStore>]>)('tenant job commit on %s', (_name, enabled, open) => {
  it.skipIf(!enabled)('closing the store after the runtime closed it is a no-op, not an error', async () => {
    const store = await open();
    const rt = createRuntime({ store, queue: new InProcessQueue(), keyring: parseKeyring(generateKeySpec()) });
    await rt.close();
    await expect(store.close()).resolves.toBeUndefined();
    await expect(Promise.all([store.close(), store.close()])).resolves.toEqual([undefined, undefined]);
  });

  it.skipIf(!enabled)(
    'releases the lease in the commit; a trigger during the run keeps it and runs again',
    async () => {
      const org = sampleOrg({ size: 20, seed: 7 });
      const sim = await simulators['bamboohr']!.start(org);
      const store = await open();
      let trigger = false;
      let rounds = 0;
      const rt = createRuntime({
        store,
        queue: new InProcessQueue(),
        keyring: parseKeyring(generateKeySpec()),
        delivery: false,
        handlers: async (t) => {
          rounds++;
          // A webhook landing while the job runs (after it started): the job must go once more.
          if (trigger) {
            trigger = false;
            await store.trigger(t.id, Date.now() + 5);
            await new Promise((r) => setTimeout(r, 10));
          }
          return {};
        },
      });
      try {
        const { apiKey, ...options } = sim.options as Record<string, string>;
        await rt.addTenant({ id: 'acme', connector: 'bamboohr', options, credentials: { apiKey: apiKey! } });
        const release = vi.spyOn(store, 'releaseLease');
        expect(await rt.runNow('acme')).toBe('synced'); // first: full sync
        expect(await rt.runNow('acme')).toBe('synced'); // steady state
        expect(release).not.toHaveBeenCalled();
        expect(await store.leases()).toEqual([]);

        rounds = 0;
        trigger = true;
        expect(await rt.runNow('acme')).toBe('synced');
        expect(rounds).toBe(2); // ran again for the trigger
        expect(await store.leases()).toEqual([]);

        // A real change after steady runs: found (the diff is skipped only for an identical body).
        sim.update(applySampleChanges(org, companyDueDate()), new Date());
        expect(await rt.runNow('acme')).toBe('synced');
        const events = await rt.events('acme', 0);
        expect(events.map((e) => e.offset)).toEqual(events.map((_, i) => i + 1));
        const syncs = events.filter((e) => e.type === 'sync.completed').map((e) => (e.data as any).changes);
        expect(syncs.slice(0, -1).every((c) => c === 0)).toBe(true);
        expect(syncs.at(-1)).toBeGreaterThan(0);
        expect(events.filter((e) => e.type === 'change').length).toBe(syncs.at(-1));
        expect(await store.leases()).toEqual([]);
      } finally {
        await rt.close();
        await sim.sim.close();
      }
    },
  );

  it.skipIf(!enabled)(
    "keeps a tenant's connector between jobs; new credentials or a failed sync build it again",
    async () => {
      const sim = await simulators['bamboohr']!.start(sampleOrg({ size: 10, seed: 3 }));
      const store = await open();
      const builds: string[] = [];
      const real = connectors['bamboohr']!;
      const counting = Object.assign((o: Record<string, unknown>) => {
        builds.push(String(o['apiKey']));
        return real(o as never);
      }, real);
      const rt = createRuntime({
        store,
        queue: new InProcessQueue(),
        keyring: parseKeyring(generateKeySpec()),
        delivery: false,
        connectors: { bamboohr: counting as typeof real },
      });
      try {
        const { apiKey, ...options } = sim.options as Record<string, string>;
        const add = (key: string) =>
          rt.addTenant({ id: 'kept', connector: 'bamboohr', options, credentials: { apiKey: key } });
        await add(apiKey!);
        for (let i = 0; i < 3; i++) expect(await rt.runNow('kept')).toBe('synced');
        expect(builds).toEqual([apiKey]); // built once, then kept
        // New credentials (here: the same key encrypted again, a different ciphertext): built again.
        await add(apiKey!);
        expect(await rt.runNow('kept')).toBe('synced');
        expect(builds.length).toBe(2);
        // A wrong key: the sync fails and its connector is not kept; the next job builds one again.
        await add('not-the-key');
        expect(await rt.runNow('kept')).toBe('failed');
        const afterFirstFailure = builds.length;
        expect(await rt.runNow('kept')).toBe('failed');
        expect(builds.length).toBeGreaterThan(afterFirstFailure);
        expect(builds.at(-1)).toBe('not-the-key');
        // The right key again: used from the next job on, then kept.
        await add(apiKey!);
        expect(await rt.runNow('kept')).toBe('synced');
        expect(builds.at(-1)).toBe(apiKey);
        const settled = builds.length;
        expect(await rt.runNow('kept')).toBe('synced');
        expect(builds.length).toBe(settled);
      } finally {
        await rt.close();
        await sim.sim.close();
      }
    },
  );

  it.skipIf(!enabled)('a worker that holds the latest body does not read or parse it again', async () => {
    let org = sampleOrg({ size: 15, seed: 4 });
    const sim = await simulators['bamboohr']!.start(org);
    const store = await open();
    // What the job's read returned: the body text, or null when the database left it out.
    const bodies: Array<string | null> = [];
    for (const q of [store.driver, store.driver.relaxed].filter(Boolean) as Array<{ query: any }>) {
      const orig = q.query.bind(q);
      q.query = async (...a: unknown[]) => {
        const rows = await orig(...a);
        if (rows[0] && 'last_seq' in rows[0] && rows[0].last_seq !== null) bodies.push(rows[0].last_snapshot);
        return rows;
      };
    }
    const rt = createRuntime({
      store,
      queue: new InProcessQueue(),
      keyring: parseKeyring(generateKeySpec()),
      delivery: false,
    });
    try {
      const { apiKey, ...options } = sim.options as Record<string, string>;
      await rt.addTenant({ id: 'cached', connector: 'bamboohr', options, credentials: { apiKey: apiKey! } });
      expect(await rt.runNow('cached')).toBe('synced'); // full: writes the body (cached as written)
      expect(await rt.runNow('cached')).toBe('synced');
      expect(await rt.runNow('cached')).toBe('synced');
      expect(bodies).toEqual([null, null]);
      expect(store.snapshots!.usage.tenants).toBe(1);
      // The stored body is another one than this worker holds (as after another worker's commit): the read
      // returns it, and the run builds on it.
      sim.update((org = applySampleChanges(org, companyDueDate())), new Date());
      const body0 = bodies.length;
      await store.driver.query(`UPDATE snapshots SET body_id = 'elsewhere' WHERE tenant_id = $1`, ['cached']);
      expect(await rt.runNow('cached')).toBe('synced');
      expect(typeof bodies[body0]).toBe('string');
      expect(await rt.runNow('cached')).toBe('synced');
      expect(bodies[body0 + 1]).toBeNull(); // the changed body, cached as written
      const events = await rt.events('cached', 0);
      const syncs = events.filter((e) => e.type === 'sync.completed').map((e) => (e.data as any).changes);
      expect(syncs.slice(0, 3)).toEqual([0, 0, 0]);
      expect(syncs[3]).toBeGreaterThan(0);
      expect(syncs[4]).toBe(0);
    } finally {
      await rt.close();
      await sim.sim.close();
    }
  });

  it.skipIf(!enabled)('with an observer the lease is released after it is told (inside the lease)', async () => {
    const sim = await simulators['bamboohr']!.start(sampleOrg({ size: 10, seed: 9 }));
    const store = await open();
    const seen: Array<{ leases: number }> = [];
    const rt = createRuntime({
      store,
      queue: new InProcessQueue(),
      keyring: parseKeyring(generateKeySpec()),
      delivery: false,
      observer: { released: async () => void seen.push({ leases: (await store.leases()).length }) },
    });
    try {
      const { apiKey, ...options } = sim.options as Record<string, string>;
      await rt.addTenant({ id: 'obs', connector: 'bamboohr', options, credentials: { apiKey: apiKey! } });
      await rt.runNow('obs');
      await rt.runNow('obs');
      expect(seen.map((s) => s.leases)).toEqual([1, 1]);
      expect(await store.leases()).toEqual([]);
    } finally {
      await rt.close();
      await sim.sim.close();
    }
  });
});
