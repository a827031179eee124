import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EmployeeChangeEvent, EmployeeChangeType, GroupChangeEvent } from '../../src/changes.js';
import type { Employee, Group, Location, OrgSnapshot } from '../../src/model.js';
import type { ActionType, PlanAction, ProvisioningHandlers, ProvisioningPlan } from '../../src/provisioning/index.js';

export function emp(id: string, o: Partial<Employee> = {}): Employee {
  const first = o.firstName ?? id.toUpperCase();
  return {
    id,
    employeeNumber: null,
    firstName: first,
    lastName: 'Test',
    preferredName: null,
    displayName: `${first} Test`,
    workEmail: `${id}@acme.example`,
    personalEmail: null,
    jobTitle: 'Engineer',
    managerId: null,
    groupIds: [],
    locationId: null,
    employmentStatus: 'ACTIVE',
    employmentStatusRaw: 'Active',
    employmentType: 'FULL_TIME',
    employmentTypeRaw: null,
    startDate: '2020-01-06',
    terminationDate: null,
    customFields: {},
    ...o,
  };
}

export const GROUPS: Group[] = [
  { id: 'g-eng', name: 'Engineering', type: 'DEPARTMENT', parentId: null },
  { id: 'g-platform', name: 'Platform', type: 'TEAM', parentId: 'g-eng' },
  { id: 'g-sales', name: 'Sales', type: 'DEPARTMENT', parentId: null },
  { id: 'g-fin', name: 'Finance', type: 'DEPARTMENT', parentId: null },
];

export const LOCATIONS: Location[] = [
  { id: 'loc-ber', name: 'Berlin', address: null, timezone: 'Europe/Berlin' },
  { id: 'loc-nyc', name: 'New York', address: null, timezone: 'America/New_York' },
];

export function snap(employees: Employee[], o: Partial<OrgSnapshot> = {}): OrgSnapshot {
  return {
    schemaVersion: 1,
    connector: 'bamboohr',
    takenAt: '2025-03-01T12:00:00Z',
    complete: true,
    company: { id: 'acme', name: 'Acme', legalName: null },
    employees,
    groups: GROUPS,
    locations: LOCATIONS,
    warnings: [],
    ...o,
  };
}

export function ev(
  type: EmployeeChangeType,
  employee: Employee,
  previous?: Employee,
  extra: Partial<EmployeeChangeEvent> = {},
): EmployeeChangeEvent {
  return {
    id: extra.id ?? `evt-${type.toLowerCase()}-${employee.id}`,
    kind: 'employee',
    type,
    employeeId: employee.id,
    employee,
    ...(previous ? { previous } : {}),
    changes: [],
    ...extra,
  };
}

export function gev(type: GroupChangeEvent['type'], group: Group, previous?: Group): GroupChangeEvent {
  return {
    id: `gevt-${type.toLowerCase()}-${group.id}`,
    kind: 'group',
    type,
    groupId: group.id,
    group,
    ...(previous ? { previous } : {}),
    changes: [],
  };
}

export function loadExample(name: string): unknown {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../../examples/rules/${name}.json`, import.meta.url)), 'utf8'));
}

export function actionsOf(plan: ProvisioningPlan, employeeId?: string): PlanAction[] {
  return plan.employees
    .filter((e) => employeeId === undefined || e.employeeId === employeeId)
    .flatMap((e) => e.actions);
}

export function summary(actions: PlanAction[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'grant':
      case 'revoke':
        return `${a.type} ${a.entitlement.type}:${a.entitlement.value}`;
      case 'notify':
        return `notify ${a.notification.kind === 'change' ? a.notification.category : a.notification.kind}`;
      case 'updateUser':
        return a.reactivate ? 'updateUser reactivate' : 'updateUser';
      default:
        return a.type;
    }
  });
}

export interface Call {
  type: ActionType;
  key: string;
  employeeId: string | null;
  action: PlanAction;
  attempt: number;
}

/** Handlers that record every call; `fail(action, attempt)` returning an error makes that call throw it. */
export function recordingHandlers(
  opts: { fail?: (a: PlanAction, attempt: number) => unknown; delayMs?: number } = {},
): {
  handlers: ProvisioningHandlers;
  calls: Call[];
  succeeded: Call[];
  inFlight: { now: number; max: number };
} {
  const calls: Call[] = [];
  const succeeded: Call[] = [];
  const inFlight = { now: 0, max: 0 };
  const make =
    (type: ActionType) =>
    async (action: PlanAction, ctx: { idempotencyKey: string; attempt: number }): Promise<unknown> => {
      const call: Call = { type, key: ctx.idempotencyKey, employeeId: action.employeeId, action, attempt: ctx.attempt };
      calls.push(call);
      inFlight.now++;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      try {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const err = opts.fail?.(action, ctx.attempt);
        if (err) throw err;
        succeeded.push(call);
        return { ok: true, type };
      } finally {
        inFlight.now--;
      }
    };
  const handlers = {
    createUser: make('createUser'),
    updateUser: make('updateUser'),
    grant: make('grant'),
    revoke: make('revoke'),
    suspendUser: make('suspendUser'),
    deleteUser: make('deleteUser'),
    sendWelcome: make('sendWelcome'),
    notify: make('notify'),
  } as unknown as ProvisioningHandlers;
  return { handlers, calls, succeeded, inFlight };
}
