/** Builders for small, schema-valid snapshots used by the diff, org-chart and webhook tests. */
import { OrgSnapshotSchema, type Employee, type Group, type Location, type OrgSnapshot } from '../../src/model.js';

let counter = 0;

export function makeEmployee(overrides: Partial<Employee> & { id?: string } = {}): Employee {
  const id = overrides.id ?? `e${++counter}`;
  const firstName = overrides.firstName === undefined ? `First${id}` : overrides.firstName;
  const lastName = overrides.lastName === undefined ? `Last${id}` : overrides.lastName;
  return {
    id,
    employeeNumber: `N-${id}`,
    firstName,
    lastName,
    preferredName: null,
    displayName: [firstName, lastName].filter(Boolean).join(' '),
    workEmail: `${id}@example.com`,
    personalEmail: null,
    jobTitle: 'Engineer',
    managerId: null,
    groupIds: [],
    locationId: null,
    employmentStatus: 'ACTIVE',
    employmentStatusRaw: 'Active',
    employmentType: 'FULL_TIME',
    employmentTypeRaw: 'Full-Time',
    startDate: '2020-01-01',
    terminationDate: null,
    customFields: {},
    updatedAt: null,
    ...overrides,
  };
}

export function makeGroup(overrides: Partial<Group> & { id: string }): Group {
  return { name: `Group ${overrides.id}`, type: 'DEPARTMENT', typeRaw: null, parentId: null, ...overrides };
}

export function makeLocation(overrides: Partial<Location> & { id: string }): Location {
  return { name: `Location ${overrides.id}`, address: null, timezone: null, ...overrides };
}

export interface SnapshotParts {
  employees?: Employee[];
  groups?: Group[];
  locations?: Location[];
  connector?: string;
  companyId?: string;
  takenAt?: string;
}

/** A snapshot that passes `OrgSnapshotSchema` (asserted, so a broken helper fails loudly). */
export function makeSnapshot(parts: SnapshotParts = {}): OrgSnapshot {
  const snap: OrgSnapshot = {
    schemaVersion: 1,
    connector: parts.connector ?? 'bamboohr',
    takenAt: parts.takenAt ?? '2026-01-01T00:00:00Z',
    complete: true,
    company: { id: parts.companyId ?? 'acme', name: 'Acme Inc', legalName: null },
    employees: parts.employees ?? [],
    groups: parts.groups ?? [],
    locations: parts.locations ?? [],
    warnings: [],
  };
  const r = OrgSnapshotSchema.safeParse(snap);
  if (!r.success) throw new Error(`test helper produced an invalid snapshot: ${r.error.message}`);
  return snap;
}

/** Deep copy, so a test can mutate the "current" version without touching the "previous". */
export function clone<T>(v: T): T {
  return structuredClone(v);
}
