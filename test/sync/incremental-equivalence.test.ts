/**
 * Property: for every connector that can read incrementally, the previous snapshot plus the
 * incremental changes up to state S is the snapshot a full read of S gives — same people, same
 * managers, same groups, same warnings. Random HR changes (seeded) are applied to the sample company
 * round after round; after each round an incremental `sync` and a full `takeSnapshot` at the same
 * "now" must agree.
 *
 * SCIM is also run with the manager given as a userName and as an externalId (Entra attribute
 * mappings, OneLogin templates): before manager references were resolved in the core, only the full
 * read resolved them, and an incremental sync wrote the userName as `managerId`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bamboohr, connectors, scim } from '../../connectors/index.js';
import { bambooDataFromSample, bamboohrRoutes, bambooId } from '../../connectors/bamboohr/simulator.js';
import { scimDataFromSample, scimRoutes, scimUserId } from '../../connectors/scim/simulator.js';
import { startSimulator } from '../../src/simulator/server.js';
import { simulators, type RunningSimulator } from '../../connectors/simulators.js';
import type { OrgSnapshot } from '../../src/model.js';
import { rng, sampleOrg, type SampleOrg, type SamplePerson } from '../../src/simulator/sample-org.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { sync } from '../../src/sync.js';

let running: RunningSimulator | undefined;
afterEach(async () => {
  await running?.sim.close();
  running = undefined;
});

const TODAY = '2026-06-01';
const pick = <T>(r: () => number, list: readonly T[]): T | undefined =>
  list.length ? list[Math.floor(r() * list.length)] : undefined;

/** One round of random HR changes (hires may report to each other; deletions only where the vendor reports them). */
function mutate(org: SampleOrg, r: () => number, round: number, opts: { deletions: boolean }): SampleOrg {
  const people = org.people.map((p) => ({ ...p }));
  const working = () => people.filter((p) => p.status === 'active' && !p.terminationDate && p.key > 1);
  const n = 3 + Math.floor(r() * 5);
  let nextKey = Math.max(...people.map((p) => p.key)) + 1;
  const newHires: SamplePerson[] = [];
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(r() * (opts.deletions ? 9 : 8));
    const p = pick(r, working());
    if (!p) continue;
    switch (kind) {
      case 0:
        p.title = `${p.title} ${round}`;
        break;
      case 1: {
        const m = pick(
          r,
          people.filter((x) => x.key !== p.key && x.status !== 'terminated'),
        );
        if (m) p.managerKey = m.key;
        break;
      }
      case 2: {
        const d = pick(
          r,
          org.departments.filter((x) => x.name !== p.department),
        )!;
        p.department = d.name;
        p.division = d.division;
        p.team = null;
        break;
      }
      case 3:
        p.workEmail = p.workEmail.replace('@', `.r${round}@`);
        break;
      case 4:
        p.status = 'terminated';
        p.terminationDate = TODAY;
        p.terminationType = 'voluntary';
        break;
      case 5: {
        const onLeave = pick(
          r,
          people.filter((x) => x.status === 'leave'),
        );
        if (onLeave && r() < 0.5) onLeave.status = 'active';
        else p.status = 'leave';
        break;
      }
      case 6: {
        const gone = pick(
          r,
          people.filter((x) => x.status === 'terminated'),
        );
        if (gone) {
          gone.status = 'active';
          gone.terminationDate = null;
          gone.terminationType = null;
        }
        break;
      }
      case 7: {
        // A hire, managed by an existing person or by another hire of the same round.
        const key = nextKey++;
        const manager = newHires.length && r() < 0.5 ? newHires[newHires.length - 1]! : p;
        const hire: SamplePerson = {
          ...p,
          key,
          employeeNumber: String(1000 + key),
          firstName: 'Nova',
          lastName: `Reyes${key}`,
          preferredName: null,
          workEmail: `nova.reyes${key}@acme.example`,
          personalEmail: `nova${key}@mail.example`,
          title: 'Analyst',
          managerKey: manager.key,
          status: 'active',
          hireDate: TODAY,
          terminationDate: null,
          terminationType: null,
        };
        people.push(hire);
        newHires.push(hire);
        break;
      }
      case 8: {
        // Deleted at the vendor (not terminated): reports move to the CEO, as HR would do.
        const idx = people.indexOf(p);
        people.splice(idx, 1);
        for (const x of people) if (x.managerKey === p.key) x.managerKey = 1;
        break;
      }
    }
  }
  return { ...org, people };
}

const comparable = (s: OrgSnapshot) => ({ ...s, takenAt: '', watermark: '', warnings: [...s.warnings].sort() });

const cases: Array<{ vendor: string; label: string; data?: Record<string, unknown>; http?: Record<string, unknown> }> =
  [
    { vendor: 'bamboohr', label: 'bamboohr' },
    { vendor: 'rippling', label: 'rippling' },
    { vendor: 'workday', label: 'workday' },
    // 1 + N requests per read: the client budget is lifted (this property is about equivalence, not throttling).
    {
      vendor: 'personio',
      label: 'personio',
      http: { rateLimit: { requests: 1000, intervalMs: 1000, concurrency: 8 } },
    },
    { vendor: 'scim', label: 'scim (manager by id)' },
    { vendor: 'scim', label: 'scim (manager as a userName)', data: { managerAsString: 'userName' } },
    { vendor: 'scim', label: 'scim (manager as an externalId)', data: { managerAsString: 'externalId' } },
  ];

describe('incremental sync == full read (property, seeded)', () => {
  it('every connector that reads incrementally is covered here', () => {
    const incremental = Object.entries(connectors)
      .filter(([, f]) => f.definition.capabilities.incremental)
      .map(([id]) => id)
      .sort();
    expect([...new Set(cases.map((c) => c.vendor))].sort()).toEqual(incremental);
  });

  for (const c of cases) {
    it(`${c.label}: previous snapshot + changes up to S equals a full read of S`, async () => {
      let org = sampleOrg({ size: 60, today: TODAY });
      running = await simulators[c.vendor]!.start(org, undefined, c.data);
      const connector = connectors[c.vendor]!({ ...running.options, http: { retry: { baseDelayMs: 1 }, ...c.http } });
      expect(connector.capabilities.incremental).toBe(true);
      const deletions = connector.capabilities.incrementalDeletions;
      let t = Date.parse(`${TODAY}T08:00:00Z`);
      let previous = await takeSnapshot(connector, { now: new Date(t) });
      const r = rng(c.label.length * 7919 + 17);
      for (let round = 1; round <= 4; round++) {
        org = mutate(org, r, round, { deletions });
        running.update(org, new Date(t + 30 * 60_000));
        t += 60 * 60_000;
        const now = new Date(t);
        const inc = await sync(connector, { previous, now });
        expect(inc.mode).toBe('incremental');
        const full = await takeSnapshot(connector, { now });
        const byId = new Map(full.employees.map((e) => [e.id, e]));
        // Managers first, for a readable failure; then everything.
        expect(inc.snapshot.employees.map((e) => [e.id, e.managerId])).toEqual(
          full.employees.map((e) => [e.id, e.managerId]),
        );
        for (const e of inc.snapshot.employees)
          if (e.managerId) expect(byId.has(e.managerId), `${e.id}'s manager ${e.managerId}`).toBe(true);
        expect(inc.snapshot.groups).toEqual(full.groups);
        expect(comparable(inc.snapshot)).toEqual(comparable(full));
        previous = inc.snapshot;
      }
    });
  }
});

describe('incremental sync keeps the read warnings a full read reports', () => {
  it('SCIM without /Groups and /ServiceProviderConfig: the warnings are in the incremental snapshot too', async () => {
    const org = sampleOrg({ size: 30, today: TODAY });
    const data = scimDataFromSample(org, { managerAsString: 'userName' });
    const sim = await startSimulator(
      scimRoutes(data, { groupsNotImplemented: true, serviceProviderConfigNotImplemented: true }),
    );
    try {
      const connector = scim({
        baseUrl: `${sim.url}${data.basePath}`,
        token: data.token,
        http: { retry: { baseDelayMs: 1 } },
      });
      const t0 = new Date(`${TODAY}T08:00:00Z`);
      const first = await takeSnapshot(connector, { now: t0 });
      expect(first.warnings.some((w) => w.includes('/Groups is not implemented'))).toBe(true);
      expect(first.warnings.some((w) => w.includes('/ServiceProviderConfig was not available'))).toBe(true);
      const u = data.users.find((x) => x['id'] === scimUserId(12))!;
      u['title'] = 'Principal Engineer';
      u['meta'] = { ...(u['meta'] as object), lastModified: `${TODAY}T09:00:00Z` };
      const now = new Date(`${TODAY}T10:00:00Z`);
      const inc = await sync(connector, { previous: first, now });
      expect(inc.mode).toBe('incremental');
      expect(inc.changedIds).toEqual([scimUserId(12)]);
      const full = await takeSnapshot(connector, { now });
      expect(inc.snapshot.warnings).toEqual(full.warnings);
      expect(comparable(inc.snapshot)).toEqual(comparable(full));
    } finally {
      await sim.close();
    }
  });
});

describe('a manager reference that matched nobody is tried again by the next incremental sync', () => {
  it('BambooHR: a supervisor employee number nobody has yet resolves when that person is hired, as in a full read', async () => {
    const data = bambooDataFromSample(sampleOrg({ size: 30, today: TODAY }));
    for (const r of data.rows) r['lastChanged'] = '2026-05-01T00:00:00+00:00';
    const waiting = data.rows.find((r) => r['id'] === bambooId(20))!;
    waiting['supervisorId'] = '7777'; // the manager's record is not in BambooHR yet
    const sim = await startSimulator(bamboohrRoutes(data));
    try {
      const connector = bamboohr({
        subdomain: 'acme',
        apiKey: data.apiKey,
        baseUrl: `${sim.url}/api`,
        http: { retry: { baseDelayMs: 1 } },
      });
      const first = await sync(connector, { now: new Date(`${TODAY}T10:00:00Z`) });
      const w = (s: OrgSnapshot) => s.employees.find((e) => e.id === bambooId(20))!;
      expect(w(first.snapshot).managerId).toBeNull();
      expect(first.snapshot.warnings).toContain(
        `employee ${bambooId(20)}: manager employee number 7777 matched 0 employees; managerId left empty`,
      );
      expect(first.snapshot.unresolvedManagerRefs).toEqual({ [bambooId(20)]: { employeeNumber: '7777' } });

      // A second incremental sync with nothing changed keeps the reference (and the warning, as a full read does).
      const idle = await sync(connector, { previous: first.snapshot, now: new Date(`${TODAY}T10:30:00Z`) });
      expect(idle.changedIds).toEqual([]);
      expect(comparable(idle.snapshot)).toEqual(
        comparable(await takeSnapshot(connector, { now: new Date(`${TODAY}T10:30:00Z`) })),
      );

      // The manager is hired; the waiting person's own record does not change.
      data.rows.push({
        ...data.rows[0]!,
        id: '777',
        employeeNumber: '7777',
        firstName: 'Ines',
        lastName: 'Ortega',
        displayName: 'Ines Ortega',
        workEmail: 'ines.ortega@acme.example',
        supervisorId: '',
        lastChanged: `${TODAY}T10:45:00+00:00`,
      });
      data.inserted = ['777'];
      const now = new Date(`${TODAY}T11:00:00Z`);
      const second = await sync(connector, { previous: idle.snapshot, now });
      expect(second.mode).toBe('incremental');
      expect(second.changedIds).toEqual(['777']);
      expect(w(second.snapshot).managerId).toBe('777');
      expect(second.snapshot.unresolvedManagerRefs).toBeUndefined();
      expect(comparable(second.snapshot)).toEqual(comparable(await takeSnapshot(connector, { now })));
    } finally {
      await sim.close();
    }
  });
});
