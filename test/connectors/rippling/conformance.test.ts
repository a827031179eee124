/**
 * The shared connector conformance suite, run on both Rippling APIs. (Once `rippling` is in the
 * connector registry, test/conformance runs the REST variant too; the legacy one only runs here.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rippling, ripplingLegacyDefinition } from '../../../connectors/rippling/index.js';
import { ripplingLegacySimulator, ripplingSimulator } from '../../../connectors/rippling/simulator.js';
import type { ConnectorFactory } from '../../../src/connector/define.js';
import { applySampleChanges, sampleOrg } from '../../../src/simulator/sample-org.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { sync } from '../../../src/sync.js';
import { runConnectorConformance } from '../../../src/testing/conformance.js';
import { fast } from './helpers.js';

runConnectorConformance(rippling, ripplingSimulator);

/** The legacy variant as a factory whose definition (capabilities) is the legacy one. */
const ripplingLegacy = Object.defineProperty(
  (o: Parameters<typeof rippling>[0]) => rippling({ ...o, api: 'legacy' }),
  'definition',
  {
    value: ripplingLegacyDefinition,
    enumerable: true,
  },
) as unknown as ConnectorFactory<Record<string, unknown>>;
runConnectorConformance(ripplingLegacy, ripplingLegacySimulator);

describe('Rippling simulator updates (demo and incremental sync)', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('an incremental REST sync after simulated HR changes equals a full snapshot of the changed company', async () => {
    const today = '2026-03-02';
    const org = sampleOrg({ size: 60, today });
    const running = await ripplingSimulator.start(org);
    sim = running.sim;
    const connector = rippling({ ...(running.options as { apiToken: string }), http: fast });
    const t0 = new Date(`${today}T08:00:00Z`);
    const first = await takeSnapshot(connector, { now: t0 });
    running.update(applySampleChanges(org, today), new Date(`${today}T09:00:00Z`));
    const t1 = new Date(`${today}T10:00:00Z`);
    const result = await sync(connector, { previous: first, now: t1 });
    expect(result.mode).toBe('incremental');
    expect(result.changedIds.length).toBeGreaterThanOrEqual(5);
    expect(result.changedIds.length).toBeLessThan(15);
    const full = await takeSnapshot(connector, { now: t1 });
    expect(result.snapshot.employees).toEqual(full.employees);
    const leaver = full.employees.filter((e) => e.employmentStatus === 'TERMINATED' && e.terminationDate === today);
    expect(leaver).toHaveLength(1);
    expect(result.changedIds).toContain(leaver[0]!.id);
  });
});
