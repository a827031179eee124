import { describe, expect, it } from 'vitest';
import { ChangeEventSchema, type ChangeEvent, type EmployeeChangeEvent } from '../../src/changes.js';
import {
  __fastEmployeeValidation,
  diffSnapshots,
  formatChangesText,
  SnapshotOrderError,
  summarizeChanges,
  withFieldsKeptAcrossStatus,
} from '../../src/diff.js';
import { ConfigError, ValidationError } from '../../src/errors.js';
import { EmployeeSchema, OrgSnapshotSchema, type Employee, type OrgSnapshot } from '../../src/model.js';
import { clone, makeEmployee, makeGroup, makeLocation, makeSnapshot } from './helpers.js';

const NOW = '2026-03-01';

/** Diff a single employee's before/after and return the events. */
function diffOne(before: Employee | null, after: Employee | null, now = NOW): ChangeEvent[] {
  const prev = makeSnapshot({ employees: before ? [before] : [] });
  const cur = makeSnapshot({ employees: after ? [after] : [] });
  return diffSnapshots(prev, cur, { now });
}

function types(events: readonly ChangeEvent[]): string[] {
  return events.map((e) => e.type);
}

function emp(events: readonly ChangeEvent[], type: string): EmployeeChangeEvent {
  const e = events.find((x) => x.type === type);
  if (!e || e.kind !== 'employee') throw new Error(`no ${type} event in ${types(events).join(',')}`);
  return e;
}

describe('diffSnapshots: refusals', () => {
  const a = makeSnapshot({ employees: [makeEmployee({ id: '1' })] });

  it('refuses snapshots of different connectors with a ConfigError', () => {
    const b = makeSnapshot({ employees: [makeEmployee({ id: '1' })], connector: 'gusto' });
    expect(() => diffSnapshots(a, b)).toThrow(ConfigError);
    expect(() => diffSnapshots(a, b)).toThrow(/different connectors.*bamboohr.*gusto/);
  });

  it('refuses a current snapshot taken before the previous one (SnapshotOrderError), unless allowOlder', () => {
    const older = makeSnapshot({ employees: [makeEmployee({ id: '1' })], takenAt: '2026-01-01T00:00:00Z' });
    const newer = makeSnapshot({
      employees: [
        makeEmployee({ id: '1', employmentStatus: 'TERMINATED', terminationDate: '2026-01-02' }),
        makeEmployee({ id: '2' }),
      ],
      takenAt: '2026-02-01T00:00:00+01:00',
    });
    const err = (() => {
      try {
        diffSnapshots(newer, older, { now: NOW });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SnapshotOrderError);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({
      kind: 'config',
      code: 'snapshots_out_of_order',
      previousTakenAt: newer.takenAt,
      currentTakenAt: older.takenAt,
    });
    // Forwards is fine; so is the same instant; backwards only on request.
    expect(diffSnapshots(older, newer, { now: NOW }).map((e) => e.type)).toEqual(['TERMINATION', 'HIRE']);
    expect(diffSnapshots(older, { ...older, takenAt: '2026-01-01T01:00:00+01:00' }, { now: NOW })).toEqual([]);
    expect(diffSnapshots(newer, older, { now: NOW, allowOlder: true }).map((e) => e.type)).toEqual([
      'REHIRE',
      'REMOTE_DELETED',
    ]);
  });

  it('refuses snapshots of different companies with a ConfigError', () => {
    const b = makeSnapshot({ employees: [makeEmployee({ id: '1' })], companyId: 'other-co' });
    expect(() => diffSnapshots(a, b)).toThrow(ConfigError);
    expect(() => diffSnapshots(a, b)).toThrow(/different companies/);
  });

  it('refuses an incomplete snapshot with a ValidationError', () => {
    const b = { ...clone(a), complete: false } as unknown as OrgSnapshot;
    let err: unknown;
    try {
      diffSnapshots(a, b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('snapshot_incomplete');
    expect((err as Error).message).toMatch(/current snapshot is not complete/);
    const noFlag = { ...clone(a) } as Record<string, unknown>;
    delete noFlag.complete;
    expect(() => diffSnapshots(noFlag as unknown as OrgSnapshot, a)).toThrow(/previous snapshot is not complete/);
  });

  it('refuses snapshots that fail OrgSnapshotSchema, listing where', () => {
    const b = clone(a);
    (b.employees[0] as unknown as Record<string, unknown>).startDate = '01/02/2020';
    let err: unknown;
    try {
      diffSnapshots(a, b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.join('\n')).toMatch(/employees\[0\]\.startDate/);
    expect(() => diffSnapshots('nope' as unknown as OrgSnapshot, a)).toThrow(ValidationError);
  });

  it('refuses duplicate employee ids in either snapshot', () => {
    const dup = makeSnapshot({ employees: [makeEmployee({ id: '1' }), makeEmployee({ id: '1', jobTitle: 'X' })] });
    expect(() => diffSnapshots(a, dup)).toThrow(/two employees with id "1"/);
    expect(() => diffSnapshots(dup, a)).toThrow(/previous snapshot has two employees/);
    const dupNew = makeSnapshot({
      employees: [makeEmployee({ id: '1' }), makeEmployee({ id: '2' }), makeEmployee({ id: '2' })],
    });
    expect(() => diffSnapshots(a, dupNew)).toThrow(ValidationError);
  });

  it('refuses an invalid options.now with a ConfigError', () => {
    expect(() => diffSnapshots(a, a, { now: '2026/01/01' })).toThrow(ConfigError);
    expect(() => diffSnapshots(a, a, { now: new Date('garbage') })).toThrow(ConfigError);
  });

  it('returns no events for identical snapshots', () => {
    expect(diffSnapshots(a, clone(a))).toEqual([]);
  });
});

describe('diffSnapshots: people sorted by id (as snapshots are) and in any order', () => {
  // A mix of every pairing case: kept (changed and not), added before, between and after the
  // previous ids, removed at the start, middle and end, and an identity change.
  const previous = [
    makeEmployee({ id: 'a0' }),
    makeEmployee({ id: 'b1', jobTitle: 'Engineer' }),
    makeEmployee({ id: 'c2' }),
    makeEmployee({ id: 'd3', managerId: 'b1' }),
    makeEmployee({ id: 'm4', employeeNumber: 'N-old' }),
    makeEmployee({ id: 'x5', employmentStatus: 'ACTIVE' }),
    makeEmployee({ id: 'z9' }),
  ];
  const current = [
    makeEmployee({ id: '00new' }),
    makeEmployee({ id: 'b1', jobTitle: 'Staff Engineer' }),
    makeEmployee({ id: 'c2' }),
    makeEmployee({ id: 'c25-new' }),
    makeEmployee({ id: 'd3', managerId: 'c2' }),
    makeEmployee({ id: 'n4', employeeNumber: 'N-old' }),
    makeEmployee({ id: 'x5', employmentStatus: 'TERMINATED', terminationDate: '2026-02-01' }),
    makeEmployee({ id: 'zz-new' }),
  ];
  const shuffle = <T>(xs: T[]): T[] => [xs[3]!, ...xs.slice(4).reverse(), xs[0]!, xs[2]!, xs[1]!];

  it('gives the same events whichever order either snapshot lists its people in', () => {
    const sorted = diffSnapshots(makeSnapshot({ employees: previous }), makeSnapshot({ employees: current }), {
      now: NOW,
    });
    expect(types(sorted)).toEqual(
      expect.arrayContaining([
        'HIRE',
        'TITLE_CHANGE',
        'MANAGER_CHANGE',
        'IDENTITY_CHANGE',
        'TERMINATION',
        'REMOTE_DELETED',
      ]),
    );
    expect(sorted.filter((e) => e.type === 'HIRE').map((e) => (e as EmployeeChangeEvent).employeeId)).toEqual([
      '00new',
      'c25-new',
      'zz-new',
    ]);
    expect(sorted.filter((e) => e.type === 'REMOTE_DELETED').map((e) => (e as EmployeeChangeEvent).employeeId)).toEqual(
      ['a0', 'z9'],
    );
    for (const [p, c] of [
      [shuffle(previous), current],
      [previous, shuffle(current)],
      [shuffle(previous), shuffle(current)],
      // sorted until the last person: the walk has compared people already when it finds out
      [previous, [...current.slice(0, -1), makeEmployee({ id: '01-late' })]],
    ] as const) {
      const got = diffSnapshots(makeSnapshot({ employees: [...p] }), makeSnapshot({ employees: [...c] }), { now: NOW });
      if (c[c.length - 1]!.id === '01-late') {
        expect(got.filter((e) => e.type === 'TITLE_CHANGE')).toHaveLength(1);
        expect(types(got).filter((t) => t === 'HIRE')).toHaveLength(3);
      } else expect(got).toEqual(sorted);
    }
  });

  it('refuses a duplicate id in a sorted list as in any other', () => {
    const a = makeSnapshot({ employees: [makeEmployee({ id: 'a' }), makeEmployee({ id: 'b' })] });
    const dup = makeSnapshot({
      employees: [makeEmployee({ id: 'a' }), makeEmployee({ id: 'b' }), makeEmployee({ id: 'b', jobTitle: 'X' })],
    });
    expect(() => diffSnapshots(a, dup)).toThrow(/current snapshot has two employees with id "b"/);
    expect(() => diffSnapshots(dup, a)).toThrow(/previous snapshot has two employees with id "b"/);
  });
});

describe('diffSnapshots: the fast employee validator never accepts what zod rejects', () => {
  it('is active for the current model', () => {
    expect(__fastEmployeeValidation.enabled).toBe(true);
  });

  const base = makeEmployee({ id: '7' });
  const broken: [string, unknown][] = [
    ['id', ''],
    ['id', 7],
    ['employeeNumber', undefined],
    ['firstName', 5],
    ['displayName', null],
    ['workEmail', undefined],
    ['groupIds', ['a', 3]],
    ['groupIds', 'a'],
    ['employmentStatus', 'FIRED'],
    ['employmentStatus', null],
    ['employmentType', 'SOMETIMES'],
    ['startDate', '2020-1-1'],
    ['terminationDate', '2020-01-01T00:00:00Z'],
    ['customFields', []],
    ['customFields', null],
    ['customFields', 'shirt=M'],
    ['updatedAt', '2020-01-01'],
    ['updatedAt', 5],
  ];
  it.each(broken)('rejects %s = %o, as zod does', (field, value) => {
    const bad = { ...base, [field]: value };
    expect(EmployeeSchema.safeParse(bad).success).toBe(false);
    expect(__fastEmployeeValidation.check!(bad)).toBe(false);
    const prev = makeSnapshot({ employees: [base] });
    const cur = { ...makeSnapshot(), employees: [bad] } as unknown as OrgSnapshot;
    expect(() => diffSnapshots(prev, cur)).toThrow(ValidationError);
  });

  it('accepts what zod accepts (optional fields absent, extra keys, remoteData)', () => {
    const ok: Record<string, unknown> = { ...base, remoteData: { anything: [1] }, extra: 'x' };
    delete ok.updatedAt;
    expect(EmployeeSchema.safeParse(ok).success).toBe(true);
    expect(__fastEmployeeValidation.check!(ok)).toBe(true);
  });

  it('still validates the rest of the snapshot with zod', () => {
    const prev = makeSnapshot({ employees: [base] });
    const cur = { ...clone(prev), takenAt: 'yesterday' };
    expect(() => diffSnapshots(prev, cur)).toThrow(/takenAt/);
    const cur2 = clone(prev);
    (cur2.groups as unknown[]).push({ id: 'g', name: 'G', type: 'SQUAD', parentId: null });
    expect(() => diffSnapshots(prev, cur2)).toThrow(/groups\[0\]\.type/);
  });

  it('applies schema defaults (warnings) on the fast path, and works with validate: false', () => {
    const prev = makeSnapshot({ employees: [base] }) as Record<string, unknown>;
    delete prev.warnings;
    const cur = clone(prev);
    (cur.employees as Employee[])[0]!.jobTitle = 'Boss';
    expect(OrgSnapshotSchema.safeParse(prev).success).toBe(true);
    expect(types(diffSnapshots(prev as OrgSnapshot, cur as OrgSnapshot))).toEqual(['TITLE_CHANGE']);
    expect(types(diffSnapshots(prev as OrgSnapshot, cur as OrgSnapshot, { validate: false }))).toEqual([
      'TITLE_CHANGE',
    ]);
  });
});

describe('diffSnapshots: employee lifecycle events', () => {
  it('HIRE for a new ACTIVE or PENDING id, with the start date as effective date', () => {
    const hire = makeEmployee({ id: '42', startDate: '2026-12-01', employmentStatus: 'PENDING' });
    const ev = diffOne(null, hire);
    expect(types(ev)).toEqual(['HIRE']);
    const h = emp(ev, 'HIRE');
    expect(h.employeeId).toBe('42');
    expect(h.employee).toEqual(hire);
    expect(h.previous).toBeUndefined();
    expect(h.effectiveDate).toBe('2026-12-01');
    expect(h.changes).toContainEqual({ field: 'employmentStatus', before: null, after: 'PENDING' });
    expect(types(diffOne(null, makeEmployee({ id: '43' })))).toEqual(['HIRE']);
  });

  it('no HIRE for a new id that is already TERMINATED', () => {
    expect(
      diffOne(null, makeEmployee({ id: '1', employmentStatus: 'TERMINATED', terminationDate: '2025-01-01' })),
    ).toEqual([]);
  });

  it('a new id with UNKNOWN status is a PROFILE_UPDATE, never a HIRE', () => {
    const ev = diffOne(
      null,
      makeEmployee({ id: '1', employmentStatus: 'UNKNOWN', employmentStatusRaw: 'Sabbatical-ish' }),
    );
    expect(types(ev)).toEqual(['PROFILE_UPDATE']);
    expect(emp(ev, 'PROFILE_UPDATE').changes).toEqual([{ field: 'employmentStatus', before: null, after: 'UNKNOWN' }]);
  });

  it('a new hire with a fixed end date also gets TERMINATION_SCHEDULED', () => {
    const ev = diffOne(null, makeEmployee({ id: '1', employmentType: 'CONTRACTOR', terminationDate: '2026-06-30' }));
    expect(types(ev)).toEqual(['HIRE', 'TERMINATION_SCHEDULED']);
    expect(emp(ev, 'TERMINATION_SCHEDULED').effectiveDate).toBe('2026-06-30');
  });

  it('TERMINATION when the status becomes TERMINATED, with the termination date', () => {
    const before = makeEmployee({ id: '1' });
    const after = {
      ...before,
      employmentStatus: 'TERMINATED' as const,
      employmentStatusRaw: 'Inactive',
      terminationDate: '2026-02-28',
    };
    const ev = diffOne(before, after);
    expect(types(ev)).toEqual(['TERMINATION']);
    const t = emp(ev, 'TERMINATION');
    expect(t.effectiveDate).toBe('2026-02-28');
    expect(t.previous).toEqual(before);
    expect(t.changes).toEqual([
      { field: 'employmentStatus', before: 'ACTIVE', after: 'TERMINATED' },
      { field: 'employmentStatusRaw', before: 'Active', after: 'Inactive' },
      { field: 'terminationDate', before: null, after: '2026-02-28' },
    ]);
  });

  it('TERMINATION from LEAVE and from PENDING (a hire that never started)', () => {
    for (const s of ['LEAVE', 'PENDING'] as const) {
      const ev = diffOne(
        makeEmployee({ id: '1', employmentStatus: s }),
        makeEmployee({ id: '1', employmentStatus: 'TERMINATED' }),
      );
      expect(types(ev)).toEqual(['TERMINATION']);
    }
  });

  it('TERMINATION_SCHEDULED when a future termination date appears or changes while not terminated', () => {
    const before = makeEmployee({ id: '1' });
    const scheduled = { ...before, terminationDate: '2026-04-15' };
    const ev = diffOne(before, scheduled);
    expect(types(ev)).toEqual(['TERMINATION_SCHEDULED']);
    expect(emp(ev, 'TERMINATION_SCHEDULED')).toMatchObject({
      effectiveDate: '2026-04-15',
      changes: [{ field: 'terminationDate', before: null, after: '2026-04-15' }],
    });
    const moved = diffOne(scheduled, { ...scheduled, terminationDate: '2026-05-01' });
    expect(types(moved)).toEqual(['TERMINATION_SCHEDULED']);
    expect(emp(moved, 'TERMINATION_SCHEDULED').changes[0]).toEqual({
      field: 'terminationDate',
      before: '2026-04-15',
      after: '2026-05-01',
    });
  });

  it('options.now decides what is in the future (today counts as scheduled, the past does not)', () => {
    const before = makeEmployee({ id: '1' });
    const after = { ...before, terminationDate: '2026-04-15' };
    expect(types(diffOne(before, after, '2026-04-15'))).toEqual(['TERMINATION_SCHEDULED']);
    expect(types(diffOne(before, after, '2026-04-16'))).toEqual(['PROFILE_UPDATE']);
    const asDate = diffSnapshots(makeSnapshot({ employees: [before] }), makeSnapshot({ employees: [after] }), {
      now: new Date('2026-04-16T23:00:00Z'),
    });
    expect(types(asDate)).toEqual(['PROFILE_UPDATE']);
  });

  it('a cancelled scheduled termination is a PROFILE_UPDATE', () => {
    const scheduled = makeEmployee({ id: '1', terminationDate: '2026-04-15' });
    const ev = diffOne(scheduled, { ...scheduled, terminationDate: null });
    expect(types(ev)).toEqual(['PROFILE_UPDATE']);
    expect(emp(ev, 'PROFILE_UPDATE').changes).toEqual([
      { field: 'terminationDate', before: '2026-04-15', after: null },
    ]);
  });

  it('REHIRE when a TERMINATED person is ACTIVE, PENDING or on LEAVE again', () => {
    const gone = makeEmployee({
      id: '1',
      employmentStatus: 'TERMINATED',
      terminationDate: '2025-01-01',
      startDate: '2020-01-01',
    });
    for (const s of ['ACTIVE', 'PENDING', 'LEAVE'] as const) {
      const back = { ...gone, employmentStatus: s, terminationDate: null, startDate: '2026-03-15' };
      const ev = diffOne(gone, back);
      expect(types(ev)).toEqual(['REHIRE']);
      const r = emp(ev, 'REHIRE');
      expect(r.effectiveDate).toBe('2026-03-15');
      expect(r.changes.map((c) => c.field)).toEqual(['employmentStatus', 'startDate', 'terminationDate']);
    }
  });

  it('LEAVE_START and LEAVE_END', () => {
    const active = makeEmployee({ id: '1' });
    const leave = { ...active, employmentStatus: 'LEAVE' as const, employmentStatusRaw: 'On Leave' };
    expect(types(diffOne(active, leave))).toEqual(['LEAVE_START']);
    const end = diffOne(leave, active);
    expect(types(end)).toEqual(['LEAVE_END']);
    expect(emp(end, 'LEAVE_END').changes).toEqual([
      { field: 'employmentStatus', before: 'LEAVE', after: 'ACTIVE' },
      { field: 'employmentStatusRaw', before: 'On Leave', after: 'Active' },
    ]);
  });

  it('PENDING -> ACTIVE (start date reached) is a PROFILE_UPDATE of employmentStatus', () => {
    const ev = diffOne(
      makeEmployee({ id: '1', employmentStatus: 'PENDING' }),
      makeEmployee({ id: '1', employmentStatus: 'ACTIVE' }),
    );
    expect(types(ev)).toEqual(['PROFILE_UPDATE']);
    expect(emp(ev, 'PROFILE_UPDATE').changes).toEqual([
      { field: 'employmentStatus', before: 'PENDING', after: 'ACTIVE' },
    ]);
  });

  it('transitions into or out of UNKNOWN are PROFILE_UPDATEs, never TERMINATION/HIRE/REHIRE', () => {
    const pairs: [Employee['employmentStatus'], Employee['employmentStatus']][] = [
      ['ACTIVE', 'UNKNOWN'],
      ['UNKNOWN', 'ACTIVE'],
      ['UNKNOWN', 'TERMINATED'],
      ['TERMINATED', 'UNKNOWN'],
      ['LEAVE', 'UNKNOWN'],
    ];
    for (const [from, to] of pairs) {
      const ev = diffOne(
        makeEmployee({ id: '1', employmentStatus: from, employmentStatusRaw: `raw-${from}` }),
        makeEmployee({ id: '1', employmentStatus: to, employmentStatusRaw: `raw-${to}` }),
      );
      expect(types(ev)).toEqual(['PROFILE_UPDATE']);
      expect(emp(ev, 'PROFILE_UPDATE').changes).toContainEqual({ field: 'employmentStatus', before: from, after: to });
    }
  });

  it('REMOTE_DELETED when an id disappears, distinct from TERMINATION', () => {
    const gone = makeEmployee({ id: '9', employeeNumber: null, workEmail: null });
    const ev = diffOne(gone, null);
    expect(types(ev)).toEqual(['REMOTE_DELETED']);
    const d = emp(ev, 'REMOTE_DELETED');
    expect(d.employee).toEqual(gone);
    expect(d.employeeId).toBe('9');
  });
});

describe('diffSnapshots: field events', () => {
  const base = makeEmployee({
    id: '1',
    managerId: 'm1',
    groupIds: ['g1', 'g2'],
    locationId: 'l1',
    customFields: { shirt: 'M', tags: ['a', 'b'], nested: { x: 1 } },
  });
  const snap = (e: Employee, extra: Employee[] = []) =>
    makeSnapshot({
      employees: [e, makeEmployee({ id: 'm1' }), makeEmployee({ id: 'm2' }), ...extra],
      groups: [makeGroup({ id: 'g1' }), makeGroup({ id: 'g2' }), makeGroup({ id: 'g3' })],
      locations: [makeLocation({ id: 'l1' }), makeLocation({ id: 'l2' })],
    });
  const diff = (after: Partial<Employee>) =>
    diffSnapshots(snap(base), snap({ ...clone(base), ...after }), { now: NOW });

  it('MANAGER_CHANGE', () => {
    const ev = diff({ managerId: 'm2' });
    expect(types(ev)).toEqual(['MANAGER_CHANGE']);
    // The managers' names ride along (added fields; before/after keep the ids) so a listing reads by name.
    expect(emp(ev, 'MANAGER_CHANGE').changes).toEqual([
      { field: 'managerId', before: 'm1', after: 'm2', beforeLabel: 'Firstm1 Lastm1', afterLabel: 'Firstm2 Lastm2' },
    ]);
    expect(formatChangesText(ev)).toContain('manager: Firstm1 Lastm1 → Firstm2 Lastm2');
  });

  it('TITLE_CHANGE', () => {
    const ev = diff({ jobTitle: 'Staff Engineer' });
    expect(emp(ev, 'TITLE_CHANGE').changes).toEqual([
      { field: 'jobTitle', before: 'Engineer', after: 'Staff Engineer' },
    ]);
  });

  it('GROUP_CHANGE compares groupIds as a set and shows sorted arrays', () => {
    expect(diff({ groupIds: ['g2', 'g1'] })).toEqual([]);
    expect(diff({ groupIds: ['g2', 'g1', 'g1'] })).toEqual([]);
    const ev = diff({ groupIds: ['g3', 'g1'] });
    expect(types(ev)).toEqual(['GROUP_CHANGE']);
    expect(emp(ev, 'GROUP_CHANGE').changes).toEqual([
      {
        field: 'groupIds',
        before: ['g1', 'g2'],
        after: ['g1', 'g3'],
        beforeLabel: ['Group g1', 'Group g2'],
        afterLabel: ['Group g1', 'Group g3'],
      },
    ]);
    expect(formatChangesText(ev)).toContain("groupIds: ['Group g1', 'Group g2'] → ['Group g1', 'Group g3']");
    const unsorted = diffOne(
      makeEmployee({ id: '1', groupIds: ['z', 'a', 'z'] }),
      makeEmployee({ id: '1', groupIds: ['m', 'b'] }),
    );
    expect(emp(unsorted, 'GROUP_CHANGE').changes).toEqual([
      { field: 'groupIds', before: ['a', 'z'], after: ['b', 'm'] },
    ]);
  });

  it('LOCATION_CHANGE', () => {
    const ev = diff({ locationId: 'l2' });
    expect(emp(ev, 'LOCATION_CHANGE').changes).toEqual([
      { field: 'locationId', before: 'l1', after: 'l2', beforeLabel: 'Location l1', afterLabel: 'Location l2' },
    ]);
    expect(formatChangesText(ev)).toContain("locationId: 'Location l1' (l1) → 'Location l2' (l2)");
  });

  it('EMAIL_CHANGE for workEmail, PROFILE_UPDATE for personalEmail', () => {
    expect(types(diff({ workEmail: 'new@example.com' }))).toEqual(['EMAIL_CHANGE']);
    const p = diff({ personalEmail: 'me@home.example' });
    expect(types(p)).toEqual(['PROFILE_UPDATE']);
    expect(emp(p, 'PROFILE_UPDATE').changes).toEqual([
      { field: 'personalEmail', before: null, after: 'me@home.example' },
    ]);
  });

  it('PROFILE_UPDATE for names, displayName, employeeNumber, employmentType, startDate', () => {
    const ev = diff({
      firstName: 'Janet',
      displayName: 'Janet Doe',
      employeeNumber: 'N-99',
      employmentType: 'PART_TIME',
      employmentTypeRaw: 'PT',
      startDate: '2021-01-01',
    });
    expect(types(ev)).toEqual(['PROFILE_UPDATE']);
    expect(emp(ev, 'PROFILE_UPDATE').changes.map((c) => c.field)).toEqual([
      'employeeNumber',
      'firstName',
      'displayName',
      'employmentType',
      'employmentTypeRaw',
      'startDate',
    ]);
  });

  it('customFields are deep-compared per key', () => {
    expect(diff({ customFields: { nested: { x: 1 }, tags: ['a', 'b'], shirt: 'M' } })).toEqual([]);
    const ev = diff({ customFields: { shirt: 'L', tags: ['b', 'a'], nested: { x: 1 }, added: true } });
    expect(emp(ev, 'PROFILE_UPDATE').changes).toEqual([
      { field: 'customFields.added', before: null, after: true },
      { field: 'customFields.shirt', before: 'M', after: 'L' },
      { field: 'customFields.tags', before: ['a', 'b'], after: ['b', 'a'] },
    ]);
    const removed = diff({ customFields: { shirt: 'M', tags: ['a', 'b'] } });
    expect(emp(removed, 'PROFILE_UPDATE').changes).toEqual([
      { field: 'customFields.nested', before: { x: 1 }, after: null },
    ]);
    const deep = diff({ customFields: { shirt: 'M', tags: ['a', 'b'], nested: { x: 2 } } });
    expect(emp(deep, 'PROFILE_UPDATE').changes).toEqual([
      { field: 'customFields.nested', before: { x: 1 }, after: { x: 2 } },
    ]);
  });

  it('treats a __proto__ custom field as plain data', () => {
    const before = makeEmployee({ id: '1', customFields: JSON.parse('{"__proto__":{"polluted":1},"a":1}') });
    const after = makeEmployee({ id: '1', customFields: JSON.parse('{"__proto__":{"polluted":2},"a":1}') });
    const ev = diffOne(before, after);
    expect(emp(ev, 'PROFILE_UPDATE').changes).toEqual([
      { field: 'customFields.__proto__', before: { polluted: 1 }, after: { polluted: 2 } },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(
      diffOne(before, makeEmployee({ id: '1', customFields: JSON.parse('{"__proto__":{"polluted":1},"a":1}') })),
    ).toEqual([]);
  });

  it('ignores remoteData, updatedAt, and raw values whose normalized value is unchanged', () => {
    expect(
      diff({
        remoteData: { a: 1 },
        updatedAt: '2026-02-02T10:00:00Z',
        employmentStatusRaw: 'active',
        employmentTypeRaw: 'full time',
      }),
    ).toEqual([]);
  });

  it('one employee can yield several events, each with only its own fields', () => {
    const ev = diff({
      jobTitle: 'Manager',
      managerId: 'm2',
      lastName: 'Smith',
      displayName: 'First1 Smith',
      workEmail: 'x@example.com',
      groupIds: ['g1'],
    });
    expect(types(ev)).toEqual(['EMAIL_CHANGE', 'TITLE_CHANGE', 'MANAGER_CHANGE', 'GROUP_CHANGE', 'PROFILE_UPDATE']);
    expect(emp(ev, 'TITLE_CHANGE').changes.map((c) => c.field)).toEqual(['jobTitle']);
    expect(emp(ev, 'MANAGER_CHANGE').changes.map((c) => c.field)).toEqual(['managerId']);
    expect(emp(ev, 'PROFILE_UPDATE').changes.map((c) => c.field)).toEqual(['lastName', 'displayName']);
    expect(new Set(ev.map((e) => e.id)).size).toBe(ev.length);
    for (const e of ev) expect(ChangeEventSchema.safeParse(e).success).toBe(true);
  });

  it('a termination with other changes splits fields between TERMINATION and the field events', () => {
    const ev = diff({
      employmentStatus: 'TERMINATED',
      employmentStatusRaw: 'Inactive',
      terminationDate: '2026-02-27',
      managerId: 'm2',
    });
    expect(types(ev)).toEqual(['TERMINATION', 'MANAGER_CHANGE']);
    expect(emp(ev, 'TERMINATION').changes.map((c) => c.field)).toEqual([
      'employmentStatus',
      'employmentStatusRaw',
      'terminationDate',
    ]);
  });

  it('fields the vendor stops sending with a status change belong to the status event, not to events of their own', () => {
    // BambooHR: "Full-Time" in employmentHistoryStatus becomes "Terminated"; some vendors also clear the manager.
    const full = { employmentType: 'FULL_TIME' as const, employmentTypeRaw: 'Full-Time' };
    const prev = snap({ ...clone(base), ...full });
    const ev = diffSnapshots(
      prev,
      snap({
        ...clone(base),
        employmentStatus: 'TERMINATED',
        employmentStatusRaw: 'Inactive / Terminated',
        terminationDate: '2026-02-27',
        managerId: null,
        employmentType: null,
        employmentTypeRaw: null,
        groupIds: [],
      }),
      { now: NOW },
    );
    expect(types(ev)).toEqual(['TERMINATION']);
    expect(emp(ev, 'TERMINATION').changes.map((c) => c.field)).toEqual([
      'managerId',
      'employmentStatus',
      'employmentStatusRaw',
      'employmentType',
      'employmentTypeRaw',
      'terminationDate',
      'groupIds',
    ]);
    // Going on leave: the type goes, and comes back with the return; a type that changed to another is a change.
    const leave = { employmentStatus: 'LEAVE' as const, employmentType: null, employmentTypeRaw: 'Leave of Absence' };
    const onLeave = snap({ ...clone(base), ...leave });
    expect(types(diffSnapshots(prev, onLeave, { now: NOW }))).toEqual(['LEAVE_START']);
    expect(types(diffSnapshots(onLeave, prev, { now: NOW }))).toEqual(['LEAVE_END']);
    const partTime = snap({
      ...clone(base),
      employmentStatus: 'LEAVE',
      employmentType: 'PART_TIME',
      employmentTypeRaw: 'Part-Time',
    });
    expect(types(diffSnapshots(prev, partTime, { now: NOW }))).toEqual(['LEAVE_START', 'PROFILE_UPDATE']);
    // Without a lifecycle change (ACTIVE -> PENDING, or no status change) a cleared field is a change as ever.
    expect(
      types(diffSnapshots(prev, snap({ ...clone(base), employmentType: null, employmentTypeRaw: null }), { now: NOW })),
    ).toEqual(['PROFILE_UPDATE']);
    expect(
      types(
        diffSnapshots(prev, snap({ ...clone(base), ...full, employmentStatus: 'PENDING', managerId: null }), {
          now: NOW,
        }),
      ),
    ).toEqual(['MANAGER_CHANGE', 'PROFILE_UPDATE']);
  });

  it('withFieldsKeptAcrossStatus: what orgsync last knew of the fields dropped with a status change', () => {
    const before = {
      ...clone(base),
      employmentType: 'FULL_TIME' as const,
      employmentTypeRaw: 'Full-Time',
      jobTitle: 'Engineer',
    };
    const after = {
      ...clone(base),
      employmentStatus: 'LEAVE' as const,
      employmentType: null,
      employmentTypeRaw: null,
      jobTitle: null,
      customFields: {},
    };
    const kept = withFieldsKeptAcrossStatus(before, after);
    expect(kept).toMatchObject({
      employmentStatus: 'LEAVE',
      employmentType: 'FULL_TIME',
      employmentTypeRaw: 'Full-Time',
      jobTitle: 'Engineer',
      customFields: before.customFields,
    });
    expect(after.employmentType).toBeNull(); // not modified
    const plain = { ...clone(base), jobTitle: null };
    expect(withFieldsKeptAcrossStatus(before, plain)).toBe(plain); // no status change: nothing kept
  });
});

describe('diffSnapshots: event ids', () => {
  const before = makeEmployee({ id: '1' });

  it('the same change diffed twice gets the same ids', () => {
    const prev = makeSnapshot({ employees: [before, makeEmployee({ id: '2' })] });
    const cur = makeSnapshot({
      employees: [{ ...before, jobTitle: 'B' }, makeEmployee({ id: '3' })],
      takenAt: '2026-02-01T00:00:00Z',
    });
    const a = diffSnapshots(prev, cur, { now: NOW });
    const b = diffSnapshots(clone(prev), { ...clone(cur), takenAt: '2026-02-02T00:00:00Z' }, { now: NOW });
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(a.every((e) => /^[0-9a-f]{64}$/.test(e.id))).toBe(true);
  });

  it('different after-values, types or employees give different ids', () => {
    const toB = diffOne(before, { ...before, jobTitle: 'B' })[0]!.id;
    const toC = diffOne(before, { ...before, jobTitle: 'C' })[0]!.id;
    const fromOther = diffOne({ ...before, jobTitle: 'Z' }, { ...before, jobTitle: 'B' })[0]!.id;
    const other = diffOne(makeEmployee({ id: '2', jobTitle: 'Engineer' }), makeEmployee({ id: '2', jobTitle: 'B' }))[0]!
      .id;
    expect(new Set([toB, toC, fromOther, other]).size).toBe(4);
    const mgrA = diffOne(before, { ...before, managerId: 'x' })[0]!.id;
    const mgrB = diffOne(before, { ...before, managerId: 'y' })[0]!.id;
    expect(mgrA).not.toBe(mgrB);
  });
});

describe('diffSnapshots: identity changes', () => {
  it('a removed id and a new id with the same employeeNumber are one IDENTITY_CHANGE plus field events', () => {
    const old = makeEmployee({
      id: 'old-1',
      employeeNumber: 'E100',
      workEmail: 'jane@example.com',
      jobTitle: 'Engineer',
    });
    const neu = { ...old, id: 'new-1', workEmail: 'jane.doe@example.com', jobTitle: 'Lead' };
    const ev = diffOne(old, neu);
    expect(types(ev)).toEqual(['IDENTITY_CHANGE', 'EMAIL_CHANGE', 'TITLE_CHANGE']);
    const ic = emp(ev, 'IDENTITY_CHANGE');
    expect(ic).toMatchObject({ employeeId: 'new-1', previousEmployeeId: 'old-1', matchedOn: 'employeeNumber' });
    expect(ic.previous).toEqual(old);
    expect(ic.employee).toEqual(neu);
    expect(ic.changes).toEqual([{ field: 'id', before: 'old-1', after: 'new-1' }]);
    expect(emp(ev, 'TITLE_CHANGE')).toMatchObject({
      employeeId: 'new-1',
      changes: [{ field: 'jobTitle', before: 'Engineer', after: 'Lead' }],
    });
    expect(ev.some((e) => e.type === 'HIRE' || e.type === 'REMOTE_DELETED')).toBe(false);
  });

  it('matches on workEmail case-insensitively when employee numbers are absent', () => {
    const old = makeEmployee({ id: 'a', employeeNumber: null, workEmail: 'Jane@Example.com' });
    const neu = { ...old, id: 'b', workEmail: 'jane@example.COM ' };
    const ev = diffOne(old, neu);
    expect(types(ev)).toEqual(['IDENTITY_CHANGE', 'EMAIL_CHANGE']);
    expect(emp(ev, 'IDENTITY_CHANGE').matchedOn).toBe('workEmail');
  });

  it('an identity change of a terminated record that comes back active also reports REHIRE', () => {
    const old = makeEmployee({ id: 'a', employeeNumber: 'E1', employmentStatus: 'TERMINATED' });
    const ev = diffOne(old, { ...old, id: 'b', employmentStatus: 'ACTIVE' });
    expect(types(ev)).toEqual(['IDENTITY_CHANGE', 'REHIRE']);
  });

  it('ambiguous matches fall back to HIRE + REMOTE_DELETED', () => {
    // Two removed records share the new record's employee number.
    const r1 = makeEmployee({ id: 'r1', employeeNumber: 'E1', workEmail: 'r1@example.com' });
    const r2 = makeEmployee({ id: 'r2', employeeNumber: 'E1', workEmail: 'r2@example.com' });
    const a1 = makeEmployee({ id: 'a1', employeeNumber: 'E1', workEmail: 'a1@example.com' });
    const ev = diffSnapshots(makeSnapshot({ employees: [r1, r2] }), makeSnapshot({ employees: [a1] }), { now: NOW });
    expect(types(ev)).toEqual(['HIRE', 'REMOTE_DELETED', 'REMOTE_DELETED']);

    // Number matches one removed record, email matches another.
    const s1 = makeEmployee({ id: 's1', employeeNumber: 'E5', workEmail: 's1@example.com' });
    const s2 = makeEmployee({ id: 's2', employeeNumber: 'E6', workEmail: 'shared@example.com' });
    const b1 = makeEmployee({ id: 'b1', employeeNumber: 'E5', workEmail: 'shared@example.com' });
    const ev2 = diffSnapshots(makeSnapshot({ employees: [s1, s2] }), makeSnapshot({ employees: [b1] }), { now: NOW });
    expect(types(ev2)).toEqual(['HIRE', 'REMOTE_DELETED', 'REMOTE_DELETED']);

    // One removed record, two new records claiming it.
    const t1 = makeEmployee({ id: 't1', employeeNumber: 'E7' });
    const n1 = makeEmployee({ id: 'n1', employeeNumber: 'E7' });
    const n2 = makeEmployee({ id: 'n2', employeeNumber: 'E7' });
    const ev3 = diffSnapshots(makeSnapshot({ employees: [t1] }), makeSnapshot({ employees: [n1, n2] }), { now: NOW });
    expect(types(ev3)).toEqual(['HIRE', 'HIRE', 'REMOTE_DELETED']);
  });

  it('unambiguous pairs are matched even when other pairs are ambiguous', () => {
    const ok = makeEmployee({ id: 'o1', employeeNumber: 'E1' });
    const amb1 = makeEmployee({ id: 'o2', employeeNumber: 'E2' });
    const amb2 = makeEmployee({ id: 'o3', employeeNumber: 'E2' });
    const ev = diffSnapshots(
      makeSnapshot({ employees: [ok, amb1, amb2] }),
      makeSnapshot({ employees: [{ ...ok, id: 'x1' }, makeEmployee({ id: 'x2', employeeNumber: 'E2' })] }),
      { now: NOW },
    );
    expect(ev.map((e) => `${e.type}:${e.kind === 'employee' ? e.employeeId : ''}`)).toEqual([
      'REMOTE_DELETED:o2',
      'REMOTE_DELETED:o3',
      'IDENTITY_CHANGE:x1',
      'HIRE:x2',
    ]);
  });
});

describe('diffSnapshots: groups and ordering', () => {
  it('GROUP_CREATED, GROUP_RENAMED, GROUP_REPARENTED, GROUP_DELETED', () => {
    const prev = makeSnapshot({
      groups: [
        makeGroup({ id: 'g1', name: 'Eng' }),
        makeGroup({ id: 'g2', name: 'Ops' }),
        makeGroup({ id: 'g3', name: 'Old' }),
      ],
    });
    const cur = makeSnapshot({
      groups: [
        makeGroup({ id: 'g1', name: 'Engineering' }),
        makeGroup({ id: 'g2', name: 'Ops', parentId: 'g1' }),
        makeGroup({ id: 'g4', name: 'New', type: 'TEAM' }),
      ],
    });
    const ev = diffSnapshots(prev, cur);
    expect(ev.map((e) => `${e.type}:${e.kind === 'group' ? e.groupId : ''}`)).toEqual([
      'GROUP_RENAMED:g1',
      'GROUP_REPARENTED:g2',
      'GROUP_CREATED:g4',
      'GROUP_DELETED:g3',
    ]);
    const renamed = ev[0]!;
    expect(renamed.changes).toEqual([{ field: 'name', before: 'Eng', after: 'Engineering' }]);
    expect(ev[1]!.changes).toEqual([{ field: 'parentId', before: null, after: 'g1' }]);
    for (const e of ev) expect(ChangeEventSchema.safeParse(e).success).toBe(true);
  });

  it('orders group creations first, then employees by id and type, then group deletions', () => {
    const prev = makeSnapshot({
      employees: [makeEmployee({ id: 'b' }), makeEmployee({ id: 'c' })],
      groups: [makeGroup({ id: 'gx' })],
    });
    const cur = makeSnapshot({
      employees: [makeEmployee({ id: 'c', jobTitle: 'T', employmentStatus: 'TERMINATED' }), makeEmployee({ id: 'a' })],
      groups: [makeGroup({ id: 'gy' })],
    });
    const ev = diffSnapshots(prev, cur, { now: NOW });
    expect(ev.map((e) => `${e.type}:${e.kind === 'employee' ? e.employeeId : e.groupId}`)).toEqual([
      'GROUP_CREATED:gy',
      'HIRE:a',
      'REMOTE_DELETED:b',
      'TERMINATION:c',
      'TITLE_CHANGE:c',
      'GROUP_DELETED:gx',
    ]);
    // Input order does not matter.
    const shuffled = { ...cur, employees: [...cur.employees].reverse() };
    expect(diffSnapshots(prev, shuffled, { now: NOW }).map((e) => e.id)).toEqual(ev.map((e) => e.id));
  });
});

describe('summarizeChanges and formatChangesText', () => {
  const prev = makeSnapshot({
    employees: [
      makeEmployee({ id: '7', firstName: 'Ann', lastName: 'Lee', displayName: 'Ann Lee', jobTitle: 'A' }),
      makeEmployee({ id: '8', displayName: 'Bo\nFake line' }),
    ],
    groups: [makeGroup({ id: 'g1', name: 'Engineering' })],
  });
  const cur = makeSnapshot({
    employees: [
      makeEmployee({ id: '7', firstName: 'Ann', lastName: 'Lee', displayName: 'Ann Lee', jobTitle: 'B' }),
      makeEmployee({
        id: '42',
        displayName: 'Jane Doe',
        jobTitle: 'Engineer',
        groupIds: ['g1'],
        startDate: '2026-12-01',
        employmentStatus: 'PENDING',
      }),
    ],
    groups: [makeGroup({ id: 'g1', name: 'Engineering' })],
  });
  const events = diffSnapshots(prev, cur, { now: NOW });

  it('counts events per type', () => {
    const s = summarizeChanges(events);
    expect(s.HIRE).toBe(1);
    expect(s.TITLE_CHANGE).toBe(1);
    expect(s.REMOTE_DELETED).toBe(1);
    expect(s.TERMINATION).toBe(0);
    expect(Object.values(s).reduce((a, b) => a + b, 0)).toBe(events.length);
  });

  it('lists one readable line per event', () => {
    const text = formatChangesText(events, cur);
    const lines = text.trimEnd().split('\n');
    expect(lines).toEqual([
      'HIRE  Jane Doe (id 42) — Engineer, Engineering, starts 2026-12-01, status PENDING',
      "TITLE_CHANGE  Ann Lee (id 7) — jobTitle: 'A' → 'B'",
      'REMOTE_DELETED  Bo\\nFake line (id 8) — no longer in the HR system (deleted at the source, not a termination)',
    ]);
    expect(formatChangesText([])).toBe('No changes.\n');
  });

  it('shows group names for group changes when groups are given, ids otherwise', () => {
    const ev = diffOne(makeEmployee({ id: '1', groupIds: ['g1'] }), makeEmployee({ id: '1', groupIds: ['g2'] }));
    expect(formatChangesText(ev)).toContain("groupIds: ['g1'] → ['g2']");
    expect(
      formatChangesText(ev, { groups: [makeGroup({ id: 'g1', name: 'Eng' }), makeGroup({ id: 'g2', name: 'Ops' })] }),
    ).toContain("groupIds: ['Eng'] → ['Ops']");
  });
});
