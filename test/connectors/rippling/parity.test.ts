/**
 * The same people read through Rippling's REST API and its legacy platform API give the same
 * normalized snapshot. One documented difference: the legacy Employee object carries no team
 * membership, so legacy employees' groupIds hold the department only (teams are still groups); and
 * only REST snapshots carry a `watermark` (the legacy API has no incremental read).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rippling } from '../../../connectors/rippling/index.js';
import { startRipplingSimulator } from '../../../connectors/rippling/simulator.js';
import type { OrgSnapshot } from '../../../src/model.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { fast } from './helpers.js';

const TODAY = '2026-03-02';
const NOW = new Date(`${TODAY}T12:00:00Z`);

let running: Simulator[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

async function both(
  size: number,
  restPageSize: number,
  legacyPageSize?: number,
  includeRemoteData = false,
): Promise<{ rest: OrgSnapshot; legacy: OrgSnapshot }> {
  const org = sampleOrg({ size, today: TODAY });
  const r = await startRipplingSimulator(org, { api: 'rest', routes: { pageSize: restPageSize } });
  const l = await startRipplingSimulator(org, { api: 'legacy' });
  running.push(r.sim, l.sim);
  const rest = await takeSnapshot(rippling({ ...r.options, includeRemoteData, http: fast }), { now: NOW });
  const legacy = await takeSnapshot(
    rippling({ ...l.options, ...(legacyPageSize ? { pageSize: legacyPageSize } : {}), includeRemoteData, http: fast }),
    { now: NOW },
  );
  return { rest, legacy };
}

function withoutRemote(s: OrgSnapshot): OrgSnapshot {
  const strip = <T extends { remoteData?: unknown }>(x: T): T => {
    const { remoteData: _r, ...rest } = x;
    return rest as T;
  };
  return {
    ...s,
    company: strip(s.company),
    employees: s.employees.map(strip),
    groups: s.groups.map(strip),
    locations: s.locations.map(strip),
  };
}

function expectSame(rest: OrgSnapshot, legacy: OrgSnapshot): void {
  const teams = new Set(rest.groups.filter((g) => g.type === 'TEAM').map((g) => g.id));
  const restWithoutTeams = {
    ...rest,
    employees: rest.employees.map((e) => ({ ...e, groupIds: e.groupIds.filter((g) => !teams.has(g)) })),
  };
  // Not vacuous: the REST side does carry team memberships, and every other field matches.
  expect(rest.employees.some((e) => e.groupIds.some((g) => teams.has(g)))).toBe(true);
  expect(legacy.employees.every((e) => e.groupIds.every((g) => !teams.has(g)))).toBe(true);
  // The REST definition reads incrementally, so its snapshots carry a watermark; legacy ones cannot.
  expect(rest.watermark).toBe(NOW.toISOString());
  expect(legacy.watermark).toBeUndefined();
  expect(withoutRemote(legacy)).toEqual({ ...withoutRemote(restWithoutTeams), watermark: undefined });
}

describe('Rippling: REST and legacy APIs give the same snapshot for the same people', () => {
  it('40 people (REST pages of 7, legacy pages of 7)', async () => {
    const { rest, legacy } = await both(40, 7, 7);
    expect(rest.employees).toHaveLength(40);
    expectSame(rest, legacy);
  });

  it('250 people with the default page sizes (3 legacy pages of 100), remote data ignored', async () => {
    const { rest, legacy } = await both(250, 100, undefined, true);
    expect(rest.employees).toHaveLength(250);
    expect(rest.employees[0]!.remoteData).toBeDefined();
    expect(legacy.employees[0]!.remoteData).not.toEqual(rest.employees[0]!.remoteData); // the raw rows do differ
    expectSame(rest, legacy);
  });
});
