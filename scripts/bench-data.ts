/** Synthetic snapshots for the diff and org-chart benchmarks (no I/O, linear to build). */
import type { Employee, OrgSnapshot } from '../src/model.js';

const DEPTS = 40;
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function syntheticSnapshot(size: number): OrgSnapshot {
  const employees: Employee[] = new Array(size);
  for (let i = 0; i < size; i++) {
    // a tree: each person reports to (i-1)/8, so depth grows with log8(size)
    const manager = i === 0 ? null : `e${Math.floor((i - 1) / 8)}`;
    employees[i] = {
      id: `e${i}`,
      employeeNumber: String(100000 + i),
      firstName: `First${i}`,
      lastName: `Last${i}`,
      preferredName: null,
      displayName: `First${i} Last${i}`,
      workEmail: `person${i}@acme.example`,
      personalEmail: null,
      jobTitle: i % 10 === 0 ? 'Manager' : 'Engineer',
      managerId: manager,
      groupIds: [`g${i % DEPTS}`],
      locationId: `l${i % 5}`,
      employmentStatus: i % 50 === 0 ? 'TERMINATED' : 'ACTIVE',
      employmentStatusRaw: null,
      employmentType: 'FULL_TIME',
      employmentTypeRaw: null,
      startDate: '2024-01-15',
      terminationDate: i % 50 === 0 ? '2025-01-01' : null,
      customFields: { costCenter: `cc${i % 13}` },
      updatedAt: '2026-05-01T00:00:00.000Z',
    };
  }
  // Sorted by id, as every snapshot orgsync takes or writes is ("e0" < "e1" < "e10" < "e100" ...).
  employees.sort(byId);
  return {
    schemaVersion: 1,
    connector: 'bench',
    takenAt: '2026-06-01T00:00:00.000Z',
    complete: true,
    company: { id: 'acme', name: 'Acme', legalName: null },
    employees,
    groups: Array.from({ length: DEPTS }, (_, i) => ({
      id: `g${i}`,
      name: `Dept ${i}`,
      type: 'DEPARTMENT' as const,
      parentId: null,
    })),
    locations: Array.from({ length: 5 }, (_, i) => ({
      id: `l${i}`,
      name: `Office ${i}`,
      address: null,
      timezone: null,
    })),
    warnings: [],
  };
}

/** A copy with `fraction` of employees changed (title, manager, group, termination, hire, removal in turn). */
export function mutate(s: OrgSnapshot, fraction: number): OrgSnapshot {
  const step = Math.max(1, Math.round(1 / fraction));
  const employees: Employee[] = [];
  let k = 0;
  for (let i = 0; i < s.employees.length; i++) {
    const e = s.employees[i]!;
    if (i % step !== 7 % step) {
      employees.push(e);
      continue;
    }
    switch (k++ % 6) {
      case 0:
        employees.push({ ...e, jobTitle: 'Senior Engineer' });
        break;
      case 1:
        employees.push({ ...e, managerId: 'e1' });
        break;
      case 2:
        employees.push({ ...e, groupIds: ['g1'] });
        break;
      case 3:
        employees.push({ ...e, employmentStatus: 'TERMINATED', terminationDate: '2026-05-30' });
        break;
      case 4:
        employees.push({ ...e, workEmail: `new.${e.workEmail}` });
        break;
      default:
        break; // removed
    }
  }
  for (let j = 0; j < Math.round(s.employees.length * fraction * 0.2); j++) {
    employees.push({
      ...s.employees[1]!,
      id: `new${j}`,
      employeeNumber: `9${j}`,
      workEmail: `new${j}@acme.example`,
      displayName: `New ${j}`,
    });
  }
  employees.sort(byId);
  return { ...s, takenAt: '2026-06-02T00:00:00.000Z', employees };
}

/**
 * Reporting lines for the plan benchmark, under e0 (the CFO: the starter rule "reportsTo equals
 * cfo@acme.example" grants billing access to everyone below). `flat`: everyone reports to e0;
 * `chain`: e(i) reports to e(i-1), one line `size` deep; `cycle`: the same chain, and in the next
 * snapshot e0 reports to the last person, turning the line into a cycle. In `flat` and `chain` the
 * CFO's title changes. Either way the CFO has an event and everyone else is below them, so every
 * person is evaluated for indirect effects (and keeps their access).
 */
export function reportingLines(
  size: number,
  shape: 'flat' | 'chain' | 'cycle',
): { previous: OrgSnapshot; current: OrgSnapshot } {
  const base = syntheticSnapshot(size);
  // `base` is sorted by id (e0 first); e(n) is the person numbered n, wherever the sort put them.
  const people = base.employees.map((e) => {
    const n = Number(e.id.slice(1));
    return {
      ...e,
      employmentStatus: 'ACTIVE' as const,
      terminationDate: null,
      managerId: n === 0 ? null : shape === 'flat' ? 'e0' : `e${n - 1}`,
    };
  });
  people[0] = { ...people[0]!, workEmail: 'cfo@acme.example' };
  const previous: OrgSnapshot = { ...base, employees: people };
  const moved = people.slice();
  moved[0] =
    shape === 'cycle'
      ? { ...moved[0]!, managerId: `e${size - 1}` }
      : { ...moved[0]!, jobTitle: 'Chief Financial Officer' };
  return { previous, current: { ...base, takenAt: '2026-06-02T00:00:00.000Z', employees: moved } };
}
