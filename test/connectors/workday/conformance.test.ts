/**
 * The shared connector conformance suite on the Workday simulator, and an incremental sync after
 * simulated HR changes compared with a full snapshot of the changed company.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { workday } from '../../../connectors/workday/index.js';
import { workdaySimulator } from '../../../connectors/workday/simulator.js';
import { applySampleChanges, sampleOrg } from '../../../src/simulator/sample-org.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { sync } from '../../../src/sync.js';
import { runConnectorConformance } from '../../../src/testing/conformance.js';
import { fast } from './helpers.js';

runConnectorConformance(workday, workdaySimulator);

describe('Workday simulator updates (demo and incremental sync)', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('an incremental sync after simulated HR changes equals a full snapshot of the changed company', async () => {
    const today = '2026-03-02';
    const org = sampleOrg({ size: 60, today });
    const running = await workdaySimulator.start(org);
    sim = running.sim;
    const requests = () => running.sim.log.length;
    const connector = workday({
      ...(running.options as { host: string; tenant: string; username: string; password: string }),
      pageSize: 25,
      http: fast,
    });
    const t0 = new Date(`${today}T08:00:00Z`);
    const first = await takeSnapshot(connector, { now: t0 });
    running.update(applySampleChanges(org, today), new Date(`${today}T09:00:00Z`));
    const t1 = new Date(`${today}T10:00:00Z`);
    const before = requests();
    const result = await sync(connector, { previous: first, now: t1 });
    const syncRequests = requests() - before;
    expect(result.mode).toBe('incremental');
    // The five changed people and the new hire, and nobody else.
    expect(result.changedIds.length).toBeGreaterThanOrEqual(6);
    expect(result.changedIds.length).toBeLessThan(12);
    const full = await takeSnapshot(connector, { now: t1 });
    expect(result.snapshot.employees).toEqual(full.employees);
    expect(result.snapshot.groups).toEqual(full.groups);
    expect(result.snapshot.locations).toEqual(full.locations);
    expect(result.snapshot.company).toEqual(full.company);
    const leaver = full.employees.filter((e) => e.employmentStatus === 'TERMINATED' && e.terminationDate === today);
    expect(leaver).toHaveLength(1);
    expect(result.changedIds).toContain(leaver[0]!.id);
    // Two change windows (one page each), nothing else: the lists derived from the changed workers
    // are merged into the previous snapshot's (no full walk).
    expect(syncRequests).toBe(2);
  });
});
