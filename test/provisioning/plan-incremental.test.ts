/**
 * The planner evaluates indirect effects only for people whose rule inputs changed (inputs.ts).
 * Property: on randomized orgs, changes and rule sets (seeded PRNG, bounded sizes), its plan is
 * byte-identical to the full evaluation of everyone below a changed manager or group
 * (`evaluateAll`, causes spread down from every changed manager as before), including when the events are only part of the changes (records that changed
 * without an event of their own), reporting cycles, dangling managers and group cycles.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/changes.js';
import { diffSnapshots } from '../../src/diff.js';
import type { Employee, EmploymentStatus, Group, GroupType, Location } from '../../src/model.js';
import type { Condition, RuleSetInput } from '../../src/provisioning/index.js';
import { planProvisioning, planProvisioningWith } from '../../src/provisioning/plan.js';
import { ruleInputsChanged } from '../../src/provisioning/plan/inputs.js';
import { createRuleContext } from '../../src/provisioning/rules.js';
import { rng as prng } from '../../src/simulator/sample-org.js';
import { emp, GROUPS, LOCATIONS, snap } from './helpers.js';

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;

const GROUP_TYPES: GroupType[] = ['DEPARTMENT', 'TEAM', 'DIVISION'];
const STATUSES: EmploymentStatus[] = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'LEAVE', 'PENDING', 'TERMINATED'];
const CITIES = ['Berlin', 'Paris', 'New York', 'Dublin'];
const TITLES = ['Engineer', 'Engineering Manager', 'CFO', 'Accountant'];

interface Org {
  employees: Employee[];
  groups: Group[];
  locations: Location[];
}

function randomManager(r: Rand, i: number, n: number, shape: number): string | null {
  if (shape === 0) return i === 0 ? null : `e${i - 1}`; // one long line
  const x = r();
  if (x < 0.15) return null;
  if (x < 0.2) return 'ghost'; // not in the snapshot
  if (x < 0.23) return `e${i}`; // themselves
  return `e${int(r, n)}`; // anyone: cycles happen
}

function randomOrg(r: Rand): Org {
  const n = 2 + int(r, 25);
  const shape = int(r, 3);
  const groups: Group[] = Array.from({ length: int(r, 6) }, (_, i) => ({
    id: `g${i}`,
    name: `Group ${i}`,
    type: pick(r, GROUP_TYPES),
    // mostly a hierarchy; sometimes itself, a later group or a missing one (cycles, dangling parents)
    parentId: i > 0 && chance(r, 0.6) ? `g${int(r, i)}` : chance(r, 0.2) ? `g${int(r, i + 3)}` : null,
  }));
  const locations: Location[] = CITIES.slice(0, 1 + int(r, 3)).map((name, i) => ({
    id: `l${i}`,
    name,
    address: null,
    timezone: 'UTC',
  }));
  const employees = Array.from({ length: n }, (_, i) =>
    emp(`e${i}`, {
      workEmail: chance(r, 0.1) ? null : `e${i}@acme.example`,
      managerId: randomManager(r, i, n, shape),
      jobTitle: pick(r, TITLES),
      groupIds: groups.length ? [...new Set(Array.from({ length: int(r, 3) }, () => pick(r, groups).id))] : [],
      locationId: chance(r, 0.8) ? pick(r, locations).id : null,
      employmentStatus: pick(r, STATUSES),
      customFields: {
        ...(chance(r, 0.5) ? { region: pick(r, ['EU', 'eu', 'US']) } : {}),
        ...(chance(r, 0.3) ? { onCall: chance(r, 0.5) } : {}),
        ...(chance(r, 0.2) ? { tags: ['a', pick(r, ['b', 'c'])] } : {}),
      },
    }),
  );
  return { employees, groups, locations };
}

/** A changed copy (new objects throughout, as two snapshots read from files would be). */
function changeOrg(r: Rand, org: Org): Org {
  const rate = pick(r, [0.05, 0.15, 0.4]);
  const n = org.employees.length;
  const groups = org.groups
    .filter(() => !chance(r, rate / 3))
    .map((g) => ({
      ...g,
      ...(chance(r, rate) ? { name: `${g.name}*` } : {}),
      ...(chance(r, rate) ? { parentId: chance(r, 0.5) ? null : `g${int(r, org.groups.length + 1)}` } : {}),
    }));
  if (chance(r, rate)) groups.push({ id: 'g-new', name: 'New group', type: 'TEAM', parentId: 'g0' });
  const locations = org.locations.map((l) => ({ ...l, ...(chance(r, rate / 2) ? { name: `${l.name} HQ` } : {}) }));
  const employees: Employee[] = [];
  for (const e of org.employees) {
    if (chance(r, rate / 4)) continue; // gone
    const c: Employee = { ...e, groupIds: [...e.groupIds], customFields: { ...e.customFields } };
    if (chance(r, rate)) c.workEmail = chance(r, 0.2) ? null : `${e.id}.new@acme.example`;
    if (chance(r, rate)) c.managerId = chance(r, 0.2) ? null : `e${int(r, n + 2)}`;
    if (chance(r, rate)) c.jobTitle = pick(r, TITLES);
    if (chance(r, rate) && groups.length) c.groupIds = [pick(r, groups).id];
    if (chance(r, rate)) c.locationId = pick(r, locations).id;
    if (chance(r, rate)) c.customFields = { ...c.customFields, region: pick(r, ['EU', 'US']) };
    if (chance(r, rate)) c.customFields = { ...c.customFields, tags: ['a', 'c'] };
    if (chance(r, rate)) {
      c.employmentStatus = pick(r, STATUSES);
      if (c.employmentStatus === 'TERMINATED') c.terminationDate = '2025-03-01';
    }
    if (chance(r, rate / 2)) c.displayName = `${e.displayName} Jr`;
    employees.push(c);
  }
  for (let i = 0; i < int(r, 3); i++)
    employees.push(emp(`e${n + i}`, { managerId: `e${int(r, n)}`, employmentStatus: pick(r, STATUSES) }));
  return { employees, groups, locations };
}

function randomLeaf(r: Rand, org: Org): Condition {
  const person = pick(r, org.employees);
  const someone = pick(r, [person.workEmail ?? person.id, person.id, person.workEmail?.toUpperCase() ?? 'nobody']);
  const groupName = org.groups.length ? pick(r, org.groups).name : 'Group 0';
  switch (int(r, 14)) {
    case 0:
    case 1:
      return { attribute: 'reportsTo', op: 'equals', value: someone };
    case 2:
      return { attribute: 'reportsTo', op: 'exists', ...(chance(r, 0.3) ? { value: false } : {}) };
    case 3:
      return { attribute: 'reportsTo', op: 'matches', pattern: `^e${int(r, 5)}` };
    case 4:
      return { attribute: 'manager', op: 'equals', value: someone };
    case 5:
    case 12:
      return { attribute: 'group', op: 'equals', value: groupName, includeParents: chance(r, 0.7) };
    case 6:
    case 13:
      return { attribute: 'department', op: 'in', values: [groupName, 'Group 1'], includeParents: chance(r, 0.7) };
    case 7:
      return { attribute: 'location', op: 'equals', value: pick(r, CITIES) };
    case 8:
      return { attribute: 'customField', field: 'region', op: 'equals', value: 'EU', ignoreCase: chance(r, 0.5) };
    case 9:
      return { attribute: 'customField', field: 'tags', op: 'in', values: ['c'] };
    case 10:
      return { attribute: 'title', op: 'matches', pattern: '^Eng' };
    default:
      return { attribute: pick(r, ['email', 'status'] as const), op: 'exists' };
  }
}

function randomCondition(r: Rand, org: Org, depth = 0): Condition {
  const x = r();
  if (depth < 2 && x < 0.12) return { not: randomCondition(r, org, depth + 1) };
  if (depth < 2 && x < 0.24) return { any: [randomCondition(r, org, depth + 1), randomCondition(r, org, depth + 1)] };
  if (depth < 2 && x < 0.32) return { all: [randomCondition(r, org, depth + 1), randomCondition(r, org, depth + 1)] };
  return randomLeaf(r, org);
}

function randomRules(r: Rand, org: Org): RuleSetInput {
  const rules = Array.from({ length: 1 + int(r, 4) }, (_, i) => ({
    id: `r${i}`,
    when: randomCondition(r, org),
    priority: int(r, 3),
    ...(chance(r, 0.1) ? { enabled: false } : {}),
    grant: chance(r, 0.5)
      ? { role: pick(r, ['member', 'admin']), permissions: [`p${i}`] }
      : { groups: [`grp${int(r, 3)}`], licenses: chance(r, 0.5) ? ['seat'] : [] },
  }));
  const modes = ['auto', 'auto', 'notify', 'ignore'] as const;
  return {
    version: 1,
    rules,
    ...(chance(r, 0.5) ? { defaultEntitlements: { role: 'viewer' } } : {}),
    policy: {
      profileSync: chance(r, 0.6),
      createAccountsFor: chance(r, 0.3) ? 'all' : 'matched',
      events: {
        MANAGER_CHANGE: pick(r, modes),
        EMAIL_CHANGE: pick(r, modes),
        GROUP_RENAMED: pick(r, modes),
        GROUP_REPARENTED: pick(r, modes),
      },
      thresholds: { maxDeprovisionPercent: 100, maxDeprovisionCount: 1000, maxPermissionChangePercent: 100 },
    },
  };
}

describe('incremental planning: only people whose rule inputs changed are evaluated', () => {
  it('gives byte-identical plans to evaluating everyone below a change (600 random orgs, changes, rule sets)', () => {
    let withIndirect = 0;
    let partialEvents = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const r = prng(seed);
      const before = randomOrg(r);
      const after = changeOrg(r, before);
      const previous = snap(before.employees, { groups: before.groups, locations: before.locations });
      const current = snap(after.employees, {
        groups: after.groups,
        locations: after.locations,
        takenAt: '2025-03-02T12:00:00Z',
      });
      let events: ChangeEvent[] = diffSnapshots(previous, current, { now: '2025-03-02', validate: false });
      if (chance(r, 0.3)) {
        // only some of the events (a caller filtering them): records also change without an event
        events = events.filter(() => chance(r, 0.6));
        partialEvents++;
      }
      const rules = randomRules(r, before);
      const ctx = {
        previous,
        current,
        now: new Date('2025-03-02T12:00:00Z'),
        ...(chance(r, 0.3)
          ? { existingAccounts: before.employees.map((e) => ({ employeeId: e.id, status: 'active' as const })) }
          : {}),
      };
      // the reference: everyone below a change evaluated, causes spread down from every changed manager,
      // with both snapshots' people in reverse id order (lookups by hash, no sorted-index shortcut)
      const reversed = (s: typeof previous) => ({
        ...s,
        employees: [...s.employees].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)),
      });
      const refCtx = { ...ctx, previous: reversed(previous), current: reversed(current) };
      const reference = planProvisioningWith(events, rules, refCtx, { evaluateAll: true, causeWalkBudget: 0 });
      const full = JSON.stringify(reference);
      expect(JSON.stringify(planProvisioning(events, rules, ctx)), `seed ${seed}`).toBe(full);
      // people sorted by id, as snapshots are: found by binary search and walking forward
      const sorted = (s: typeof previous) => ({
        ...s,
        employees: [...s.employees].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      });
      const sortedCtx = { ...ctx, previous: sorted(previous), current: sorted(current) };
      expect(JSON.stringify(planProvisioning(events, rules, sortedCtx)), `seed ${seed} sorted`).toBe(full);
      expect(JSON.stringify(planProvisioning(events, rules, refCtx)), `seed ${seed} reversed`).toBe(full);
      // causes found by walking up, by spreading down, and by walking up until the budget runs out
      for (const causeWalkBudget of [0, 3])
        expect(JSON.stringify(planProvisioningWith(events, rules, ctx, { causeWalkBudget })), `seed ${seed}`).toBe(
          full,
        );
      const hasEvent = new Set(events.flatMap((e) => (e.kind === 'employee' ? [e.employeeId] : [])));
      if (reference.employees.some((p) => !hasEvent.has(p.employeeId))) withIndirect++;
    }
    // The property is not vacuous: many cases had indirect effects (people without events in the plan).
    expect(withIndirect).toBeGreaterThan(60);
    expect(partialEvents).toBeGreaterThan(100);
  }, 120_000);
});

describe('ruleInputsChanged: who needs evaluating', () => {
  // cfo <- vp <- ic (a line), and a cycle x <-> y under nobody
  const people = [
    emp('cfo', { groupIds: ['g-fin'], locationId: 'loc-ber' }),
    emp('vp', { managerId: 'cfo' }),
    emp('ic', { managerId: 'vp', groupIds: ['g-platform'] }),
    emp('x', { managerId: 'y' }),
    emp('y', { managerId: 'x' }),
  ];
  const copy = (es: Employee[]) =>
    es.map((e) => ({ ...e, groupIds: [...e.groupIds], customFields: { ...e.customFields } }));
  const changedFor = (
    after: Employee[],
    deep: boolean,
    o: { groups?: Group[]; locations?: Location[] } = {},
  ): string[] => {
    const prevCtx = createRuleContext(snap(people));
    const curCtx = createRuleContext(snap(after, o));
    const test = ruleInputsChanged(prevCtx, curCtx, deep);
    return after
      .filter((e) => prevCtx.employeesById.has(e.id) && test(prevCtx.employeesById.get(e.id)!, e))
      .map((e) => e.id);
  };
  const edit = (id: string, o: Partial<Employee>) => copy(people).map((e) => (e.id === id ? { ...e, ...o } : e));

  it('nobody when nothing read by the rules changed (equal copies, a title change at the top only touches the top)', () => {
    expect(changedFor(copy(people), true)).toEqual([]);
    expect(changedFor(edit('cfo', { jobTitle: 'Chief Financial Officer' }), true)).toEqual(['cfo']);
    expect(
      changedFor(edit('cfo', { employmentStatusRaw: 'Working', updatedAt: '2025-03-02T00:00:00Z' }), true),
    ).toEqual([]);
  });
  it('a manager email change reaches the whole line below with reportsTo rules, direct reports without', () => {
    expect(changedFor(edit('cfo', { workEmail: 'cfo2@acme.example' }), true)).toEqual(['cfo', 'vp', 'ic']);
    expect(changedFor(edit('cfo', { workEmail: 'cfo2@acme.example' }), false)).toEqual(['cfo', 'vp']);
    // a manager's own manager only matters for chains
    expect(changedFor(edit('vp', { managerId: null }), true)).toEqual(['vp', 'ic']);
    expect(changedFor(edit('vp', { managerId: null }), false)).toEqual(['vp']);
  });
  it('a cycle is settled: unchanged members are unchanged, a change in it reaches every member', () => {
    expect(changedFor(edit('x', { displayName: 'X' }), true)).toEqual(['x']);
    expect(changedFor(edit('x', { workEmail: null }), true)).toEqual(['x', 'y']);
  });
  it('a departed manager, a renamed parent group, a renamed location', () => {
    expect(
      changedFor(
        copy(people).filter((e) => e.id !== 'vp'),
        true,
      ),
    ).toEqual(['ic']);
    const groups = GROUPS.map((g) => (g.id === 'g-eng' ? { ...g, name: 'R&D' } : g));
    expect(changedFor(copy(people), true, { groups })).toEqual(['ic']); // via g-platform's parent
    const locations = LOCATIONS.map((l) => (l.id === 'loc-ber' ? { ...l, name: 'Berlin Mitte' } : l));
    expect(changedFor(copy(people), true, { locations })).toEqual(['cfo']);
  });
});
