import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bamboohr } from '../../connectors/bamboohr/index.js';
import {
  bambooDataFromSample,
  bamboohrRoutes,
  bambooId,
  type BambooSimData,
} from '../../connectors/bamboohr/simulator.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { sync } from '../../src/sync.js';
import { takeSnapshot } from '../../src/snapshot.js';
import type { OrgSnapshot } from '../../src/model.js';

let sim: Simulator;
let data: BambooSimData;
const connector = () =>
  bamboohr({ subdomain: 'acme', apiKey: data.apiKey, baseUrl: `${sim.url}/api`, http: { retry: { baseDelayMs: 1 } } });
const strip = (s: OrgSnapshot) => ({ ...s, takenAt: '', watermark: '' });

beforeEach(async () => {
  data = bambooDataFromSample(sampleOrg({ size: 50, today: '2026-06-01' }));
  // Everyone last changed well before the first snapshot.
  for (const r of data.rows) r['lastChanged'] = '2026-05-01T00:00:00+00:00';
  sim = await startSimulator(bamboohrRoutes(data));
});
afterEach(() => sim.close());

describe('sync(): BambooHR incremental', () => {
  it('reads only what changed and merges it into the previous snapshot (same result as a full read)', async () => {
    const t0 = new Date('2026-06-01T10:00:00Z');
    const first = await sync(connector(), { now: t0 });
    expect(first.mode).toBe('full');
    expect(first.snapshot.watermark).toBe(t0.toISOString());

    // HR changes after the watermark: a title change, a new hire, a deletion.
    const changedAt = '2026-06-01T10:30:00+00:00';
    const updated = data.rows.find((r) => r['id'] === bambooId(20))!;
    updated['jobTitle'] = 'Staff Software Engineer';
    updated['lastChanged'] = changedAt;
    data.rows.push({
      ...data.rows[data.rows.length - 1]!,
      id: '999',
      employeeNumber: '9999',
      firstName: 'Nova',
      lastName: 'Reyes',
      displayName: 'Nova Reyes',
      workEmail: 'nova.reyes@acme.example',
      supervisorId: updated['employeeNumber']!,
      lastChanged: changedAt,
    });
    data.inserted = ['999'];
    const gone = data.rows.findIndex((r) => r['id'] === bambooId(30));
    data.rows.splice(gone, 1);
    data.deleted = [{ id: bambooId(30), lastChanged: changedAt }];

    const before = sim.log.length;
    const t1 = new Date('2026-06-01T11:00:00Z');
    const second = await sync(connector(), { previous: first.snapshot, now: t1 });
    expect(second.mode).toBe('incremental');
    expect(second.changedIds).toEqual([bambooId(20), '999'].sort());
    expect(second.deletedIds).toEqual([bambooId(30)]);
    const calls = sim.log.slice(before).map((l) => l.path);
    expect(calls.some((p) => p.includes('/v1/employees/changed?since=2026-06-01T09%3A50%3A00Z'))).toBe(true); // watermark minus 10 min lookback

    const full = await takeSnapshot(connector(), { now: t1 });
    expect(strip(second.snapshot)).toEqual(strip(full));
    const nova = second.snapshot.employees.find((e) => e.id === '999')!;
    expect(nova.managerId).toBe(bambooId(20)); // employee-number reference resolved against the merged set
    expect(second.snapshot.watermark).toBe(t1.toISOString());
  });

  it('collapses records seen twice in the lookback overlap', async () => {
    const t0 = new Date('2026-06-01T10:00:00Z');
    const first = await sync(connector(), { now: t0 });
    // Changed just before the watermark: inside the lookback window, so read again.
    const r = data.rows.find((x) => x['id'] === bambooId(12))!;
    r['lastChanged'] = '2026-06-01T09:55:00+00:00';
    const second = await sync(connector(), { previous: first.snapshot, now: new Date('2026-06-01T11:00:00Z') });
    expect(second.changedIds).toEqual([bambooId(12)]);
    expect(second.snapshot.employees).toHaveLength(50);
    expect(new Set(second.snapshot.employees.map((e) => e.id)).size).toBe(50);
  });

  it('a failed incremental read throws incomplete and yields no snapshot', async () => {
    const first = await sync(connector(), { now: new Date('2026-06-01T10:00:00Z') });
    data.rows[0]!['lastChanged'] = '2026-06-01T10:30:00+00:00';
    sim.inject({ match: '/reports/custom', times: Infinity, fault: { type: 'status', status: 503 } });
    const err = await sync(
      bamboohr({
        subdomain: 'acme',
        apiKey: data.apiKey,
        baseUrl: `${sim.url}/api`,
        http: { retry: { retries: 1, baseDelayMs: 1 } },
      }),
      { previous: first.snapshot },
    ).catch((e) => e);
    expect(err.kind).toBe('incomplete');
  });

  it('mode "full" is the periodic reconcile; a snapshot of another connector is refused', async () => {
    const first = await sync(connector(), { now: new Date('2026-06-01T10:00:00Z') });
    expect((await sync(connector(), { previous: first.snapshot, mode: 'full' })).mode).toBe('full');
    const other = { ...first.snapshot, connector: 'gusto' };
    await expect(sync(connector(), { previous: other })).rejects.toThrow(/comes from 'gusto'/);
  });
});
