/**
 * Incremental reads of SCIM and Rippling cannot see deletions: the person stays in the merged
 * snapshot (no false REMOTE_DELETED, no missed one either once reconciled). A periodic full
 * reconcile (`sync(..., { mode: 'full' })`) catches the deletion.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectors } from '../../connectors/index.js';
import { simulators, type RunningSimulator } from '../../connectors/simulators.js';
import { diffSnapshots } from '../../src/diff.js';
import { applySampleChanges, sampleOrg } from '../../src/simulator/sample-org.js';
import { sync } from '../../src/sync.js';
import { takeSnapshot } from '../../src/snapshot.js';

let running: RunningSimulator | undefined;
afterEach(async () => {
  await running?.sim.close();
  running = undefined;
});

for (const vendor of ['scim', 'rippling'] as const) {
  describe(`${vendor}: a deletion only a full reconcile sees`, () => {
    it('incremental sync keeps the deleted person; the full reconcile reports REMOTE_DELETED', async () => {
      const today = '2026-06-01';
      const org = sampleOrg({ size: 50, today });
      running = await simulators[vendor]!.start(org);
      const connector = connectors[vendor]!({ ...running.options, http: { retry: { baseDelayMs: 1 } } });
      const t0 = new Date(`${today}T08:00:00Z`);
      const first = await takeSnapshot(connector, { now: t0 });
      expect(connector.capabilities.incremental).toBe(true);
      expect(connector.capabilities.incrementalDeletions).toBe(false);

      // HR changes, and someone removed from the vendor outright (not terminated: deleted).
      const changed = applySampleChanges(org, today);
      const removedKey = changed.people.find(
        (p) => p.status === 'active' && p.key > 20 && !org.people.some((o) => o.key === p.key && o.title !== p.title),
      )!.key;
      const removedOrg = {
        ...changed,
        people: changed.people
          .filter((p) => p.key !== removedKey)
          .map((p) => (p.managerKey === removedKey ? { ...p, managerKey: 1 } : p)),
      };
      running.update(removedOrg, new Date(`${today}T09:00:00Z`));

      const t1 = new Date(`${today}T10:00:00Z`);
      const incremental = await sync(connector, { previous: first, now: t1 });
      expect(incremental.mode).toBe('incremental');
      expect(incremental.deletedIds).toEqual([]);
      expect(incremental.snapshot.employees).toHaveLength(first.employees.length + 1); // the hire; the deleted person is still there
      const events1 = diffSnapshots(first, incremental.snapshot, { now: t1 });
      expect(events1.filter((e) => e.type === 'REMOTE_DELETED')).toEqual([]);
      expect(events1.some((e) => e.type === 'HIRE')).toBe(true);
      expect(events1.some((e) => e.type === 'TITLE_CHANGE')).toBe(true);

      const reconcile = await sync(connector, { previous: incremental.snapshot, mode: 'full', now: t1 });
      expect(reconcile.mode).toBe('full');
      const events2 = diffSnapshots(incremental.snapshot, reconcile.snapshot, { now: t1 });
      const deleted = events2.filter((e) => e.type === 'REMOTE_DELETED');
      expect(deleted).toHaveLength(1);
      const full = await takeSnapshot(connector, { now: t1 });
      expect(reconcile.snapshot.employees.map((e) => e.id)).toEqual(full.employees.map((e) => e.id));
    });
  });
}
