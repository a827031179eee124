/**
 * Property: for every connector, a transition that changes only a person's status (going on leave,
 * coming back, leaving, being rehired) produces exactly the status event — no PROFILE_UPDATE,
 * TITLE_CHANGE, MANAGER_CHANGE, … for fields the vendor stops (or resumes) sending along with the
 * status. Each vendor renders the same sample company; the transition is made in the vendor-neutral
 * sample and read back through the real connector from the vendor's simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectors } from '../../connectors/index.js';
import { simulators, type RunningSimulator } from '../../connectors/simulators.js';
import { ripplingLegacySimulator } from '../../connectors/rippling/simulator.js';
import { diffSnapshots } from '../../src/diff.js';
import type { EmploymentStatus } from '../../src/model.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { planProvisioning } from '../../src/provisioning/index.js';
import { applySampleChanges, sampleOrg, type SampleOrg, type SamplePerson } from '../../src/simulator/sample-org.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { sync } from '../../src/sync.js';

const TODAY = '2026-06-01';
let running: RunningSimulator | undefined;
afterEach(async () => {
  await running?.sim.close();
  running = undefined;
});

type Change = (p: SamplePerson) => void;
const transitions: Array<{ name: string; from: Change; to: Change }> = [
  { name: 'goes on leave', from: () => {}, to: (p) => void (p.status = 'leave') },
  { name: 'comes back from leave', from: (p) => void (p.status = 'leave'), to: (p) => void (p.status = 'active') },
  {
    name: 'is terminated',
    from: () => {},
    to: (p) => Object.assign(p, { status: 'terminated', terminationDate: '2026-05-29', terminationType: 'voluntary' }),
  },
  {
    name: 'is rehired',
    from: (p) =>
      Object.assign(p, { status: 'terminated', terminationDate: '2026-03-31', terminationType: 'voluntary' }),
    to: (p) => Object.assign(p, { status: 'active', terminationDate: null, terminationType: null }),
  },
];

/** The lifecycle event a status change is (docs/change-events.md), or none. */
function statusEvent(before: EmploymentStatus, after: EmploymentStatus): string[] {
  if (before === after) return [];
  if (after === 'TERMINATED') return ['TERMINATION'];
  if (before === 'TERMINATED') return ['REHIRE'];
  if (after === 'LEAVE') return ['LEAVE_START'];
  if (before === 'LEAVE') return ['LEAVE_END'];
  return ['PROFILE_UPDATE'];
}

const vendors = { ...simulators, 'rippling (legacy)': ripplingLegacySimulator };

/** Everyone of each kind the sample has: full-time, part-time, contractor, intern, temporary (working, not leaders). */
function subjects(org: SampleOrg): SamplePerson[] {
  const out: SamplePerson[] = [];
  for (const type of ['full_time', 'part_time', 'contractor', 'intern', 'temporary'] as const) {
    const p = org.people.find(
      (x) => x.type === type && x.status === 'active' && !x.terminationDate && x.key > org.departments.length,
    );
    if (p) out.push(p);
  }
  return out;
}

describe('a status-only transition yields exactly the status event, for every connector', () => {
  it('covers every shipped connector', () => {
    expect(Object.keys(connectors).every((id) => id in vendors)).toBe(true);
  });

  for (const [label, vendor] of Object.entries(vendors)) {
    for (const t of transitions) {
      it(`${label}: someone who ${t.name}`, async () => {
        const base = sampleOrg({ size: 60, today: TODAY });
        const keys = subjects(base).map((p) => p.key);
        expect(keys.length).toBe(5);
        const at = (change: Change): SampleOrg => ({
          ...base,
          people: base.people.map((p) => (keys.includes(p.key) ? applied(p, change) : p)),
        });
        const before = at(t.from);
        const after = at((p) => (t.from(p), t.to(p)));
        running = await vendor.start(before);
        const connector = connectors[vendor.id]!({ ...running.options, http: { retry: { baseDelayMs: 1 } } });
        const now = new Date(`${TODAY}T09:00:00Z`);
        const s0 = await takeSnapshot(connector, { now });
        running.update(after, new Date(`${TODAY}T09:30:00Z`));
        const s1 = await takeSnapshot(connector, { now: new Date(`${TODAY}T10:00:00Z`) });
        const events = diffSnapshots(s0, s1, { now: TODAY }).filter((e) => e.kind === 'employee');
        const expected = new Map<string, string[]>();
        const seen = new Map<string, string[]>();
        for (const e of events)
          seen.set(e.employeeId, [
            ...(seen.get(e.employeeId) ?? []),
            `${e.type} ${e.changes.map((c) => c.field).join(',')}`,
          ]);
        const byEmployeeNumber = new Map(s1.employees.map((e) => [e.employeeNumber, e]));
        for (const key of keys) {
          const p = base.people.find((x) => x.key === key)!;
          const e = byEmployeeNumber.get(p.employeeNumber) ?? s1.employees.find((x) => x.workEmail === p.workEmail);
          expect(e, `person ${key} in the snapshot`).toBeDefined();
          const prev = s0.employees.find((x) => x.id === e!.id)!;
          const types = statusEvent(prev.employmentStatus, e!.employmentStatus);
          if (types.length) expected.set(e!.id, types);
        }
        // Exactly the status events: same people, one event each, of the lifecycle type.
        const got = new Map([...seen].map(([id, list]) => [id, list.map((x) => x.split(' ')[0]!)]));
        expect(Object.fromEntries(got), JSON.stringify(Object.fromEntries(seen))).toEqual(Object.fromEntries(expected));
      });
    }
  }
});

describe('the demo (BambooHR): a leave and a termination are status events only, and the plan leaves the type alone', () => {
  it('no PROFILE_UPDATE employmentType, no updateUser employmentType', async () => {
    const org = sampleOrg({ size: 40, today: TODAY });
    running = await simulators['bamboohr']!.start(org);
    const connector = connectors['bamboohr']!({ ...running.options, http: { retry: { baseDelayMs: 1 } } });
    const t0 = new Date(`${TODAY}T09:00:00Z`);
    const first = await takeSnapshot(connector, { now: t0 });
    running.update(applySampleChanges(org, TODAY), new Date(`${TODAY}T09:30:00Z`));
    const second = await sync(connector, { previous: first, now: new Date(`${TODAY}T10:00:00Z`) });
    const events = diffSnapshots(first, second.snapshot, { now: TODAY });
    const types = events.map((e) => e.type);
    expect(types).toContain('LEAVE_START');
    expect(types).toContain('TERMINATION');
    const typeChanges = events.filter(
      (e) =>
        e.type !== 'LEAVE_START' && e.type !== 'TERMINATION' && e.changes.some((c) => c.field === 'employmentType'),
    );
    expect(typeChanges).toEqual([]);
    const onLeave = events.find((e) => e.type === 'LEAVE_START')!;
    expect(onLeave.kind === 'employee' && onLeave.changes.map((c) => c.field)).toEqual([
      'employmentStatus',
      'employmentStatusRaw',
      'employmentType',
      'employmentTypeRaw',
    ]);

    const rules = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../examples/rules/department-access.json', import.meta.url)), 'utf8'),
    );
    const plan = planProvisioning(events, rules, {
      previous: first,
      current: second.snapshot,
      now: new Date(`${TODAY}T10:00:00Z`),
    });
    const updates = plan.employees
      .flatMap((e) => e.actions)
      .filter((a) => a.type === 'updateUser' && a.changes.some((c) => c.field === 'employmentType'));
    expect(updates).toEqual([]);
    const leaveId = onLeave.kind === 'employee' ? onLeave.employeeId : '';
    // Access that depends on the type is not revoked for someone on leave.
    expect(
      plan.employees.find((e) => e.employeeId === leaveId)?.actions.filter((a) => a.type === 'revoke') ?? [],
    ).toEqual([]);
  });
});

function applied(p: SamplePerson, change: Change): SamplePerson {
  const copy = { ...p };
  change(copy);
  return copy;
}
