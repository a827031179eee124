/**
 * Bounded storage: an unchanged sync rewrites the latest snapshot's head instead of adding a row;
 * changed ones add rows pruned to `retention.snapshots`; the sweep prunes old applied plans and
 * their journal entries (never those of a tenant with an unfinished plan) and old events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulators } from '../../connectors/simulators.js';
import { applySampleChanges, sampleOrg } from '../../src/simulator/sample-org.js';
import { createRuntime, generateKeySpec, InProcessQueue, openStore, parseKeyring } from '../../src/runtime/index.js';
import { companyDueDate } from './helpers.js';

const DAY = 86_400_000;

describe('retention (embedded)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orgsync-ret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps snapshots bounded and prunes old plans, journal entries and events by age', async () => {
    const org = sampleOrg({ size: 20, seed: 7 });
    const sim = await simulators['bamboohr']!.start(org);
    const store = await openStore({ sqlite: path.join(dir, 'rt.db') }, { migrate: true });
    const rt = createRuntime({
      store,
      queue: new InProcessQueue(),
      keyring: parseKeyring(generateKeySpec()),
      delivery: false,
      retention: { snapshots: 2, plansMs: 7 * DAY, journalMs: 7 * DAY, eventsMs: 7 * DAY },
    });
    try {
      const { apiKey, ...options } = sim.options as Record<string, string>;
      await rt.addTenant({ id: 'acme', connector: 'bamboohr', options, credentials: { apiKey: apiKey! } });
      const rows = async () =>
        await store.driver.query<{ seq: number; taken_at: number; head: string | null }>(
          `SELECT seq, taken_at, head FROM snapshots WHERE tenant_id = 'acme' ORDER BY seq`,
        );
      expect(await rt.runNow('acme')).toBe('synced');
      const [first] = await rows();
      expect(first!.head).toContain('"takenAt"');
      // Nothing changed: the same row, a newer head (takenAt), no new body.
      await new Promise((r) => setTimeout(r, 20));
      expect(await rt.runNow('acme')).toBe('synced');
      const again = await rows();
      expect(again.map((r) => r.seq)).toEqual([first!.seq]);
      expect(again[0]!.taken_at).toBeGreaterThan(first!.taken_at);
      const latest = (await store.latestSnapshot('acme'))!;
      expect(Date.parse(latest.takenAt)).toBe(again[0]!.taken_at);
      expect(latest.employees).toHaveLength(org.people.length);
      // Changes: new rows, pruned to 2.
      let cur = org;
      for (let i = 0; i < 3; i++) {
        cur = applySampleChanges(cur, companyDueDate());
        sim.update(cur, new Date(Date.now() + i));
        expect(await rt.runNow('acme')).toBe('synced');
      }
      expect((await rows()).map((r) => r.seq)).toEqual([first!.seq + 2, first!.seq + 3]);
      expect((await rt.events('acme')).filter((e) => e.type === 'change').length).toBeGreaterThan(0);

      // Old applied plan + its journal entries, old events; and a tenant with an open plan.
      const old = Date.now() - 30 * DAY;
      const iso = new Date(old).toISOString();
      await rt.addTenant({ id: 'busy', connector: 'bamboohr', options });
      for (const [t, status] of [
        ['acme', 'applied'],
        ['busy', 'open'],
      ] as const) {
        await store.driver.query(
          `INSERT INTO plans (tenant_id, plan_id, status, body, created_at) VALUES ($1, $2, $3, '{}', $4)`,
          [t, `plan_${t}`, status, old],
        );
        await store.driver.query(
          `INSERT INTO journal (tenant_id, key, status, attempts, started_at, finished_at) VALUES ($1, 'ik_1', 'done', 1, $2, $2)`,
          [t, iso],
        );
      }
      await store.appendEvents('busy', [{ type: 'change', data: {} }], old);
      const before = await store.counts();
      const pruned = await rt.prune();
      expect(pruned).toEqual({ events: 1, journal: 1, plans: 1, deadLetters: 0 });
      const after = await store.counts();
      expect(after.plans).toBe(before.plans! - 1);
      // The open plan of 'busy' keeps its journal (it is what stops an action from running twice).
      expect((await store.journal('busy').list()).map((e) => e.key)).toEqual(['ik_1']);
      expect(await store.journal('acme').list()).toEqual([]);
      expect(await rt.prune()).toEqual({ events: 0, journal: 0, plans: 0, deadLetters: 0 });
    } finally {
      await rt.close();
      await sim.sim.close();
    }
  });
});
