/** Unit tests: Workday's pure mappers (status, type, manager, names, organizations). */
import { describe, expect, it } from 'vitest';
import {
  digestWorker,
  mapEmploymentType,
  mapStatus,
  mapWorker,
  managerOf,
  WorkerDerivedLists,
  type WorkerRow,
} from '../../../connectors/workday/map.js';
import { WorkerSchema } from '../../../connectors/workday/schemas.js';

const TODAY = '2025-06-02';

const status = (s: Partial<NonNullable<WorkerRow['status']>>): WorkerRow['status'] => ({
  active: null,
  terminated: null,
  hireRescinded: null,
  hireDate: '2020-01-06-08:00',
  originalHireDate: null,
  firstDayOfWork: null,
  terminationDate: null,
  leaves: [],
  ...s,
});

const row = (over: Partial<WorkerRow> = {}): WorkerRow => ({
  id: 'w-self',
  employeeId: '100',
  contingentWorkerId: null,
  workerId: '100',
  userId: null,
  descriptor: 'Self Person',
  legalName: { first: 'Self', middle: null, last: 'Person', formatted: 'Self Person' },
  preferredName: null,
  emails: [],
  job: null,
  location: null,
  status: status({ active: '1', terminated: '0' }),
  organizations: [],
  managementChain: [],
  ...over,
});

describe('mapStatus', () => {
  it.each([
    ['active', { active: '1', terminated: '0' }, 'ACTIVE', 'Active=1 Terminated=0'],
    ['active (true/false booleans)', { active: 'true', terminated: 'false' }, 'ACTIVE', 'Active=true Terminated=false'],
    [
      'terminated in the past',
      { active: '0', terminated: '1', terminationDate: '2024-05-31-07:00' },
      'TERMINATED',
      'Active=0 Terminated=1',
    ],
    [
      'terminated today',
      { active: '0', terminated: '1', terminationDate: '2025-06-02-07:00' },
      'TERMINATED',
      'Active=0 Terminated=1',
    ],
    ['terminated without a date', { active: '0', terminated: '1' }, 'TERMINATED', 'Active=0 Terminated=1'],
    [
      'termination scheduled (Terminated=1, future date)',
      { active: '1', terminated: '1', terminationDate: '2025-07-01-07:00' },
      'ACTIVE',
      'Active=1 Terminated=1',
    ],
    [
      'termination scheduled (Terminated=0, future date)',
      { active: '1', terminated: '0', terminationDate: '2025-07-01-07:00' },
      'ACTIVE',
      'Active=1 Terminated=0',
    ],
    [
      'future hire (Active=0 before the hire date)',
      { active: '0', terminated: '0', hireDate: '2025-06-16-07:00' },
      'PENDING',
      'Active=0 Terminated=0',
    ],
    [
      'future hire with Active=1',
      { active: '1', terminated: '0', hireDate: '2025-06-16-07:00' },
      'PENDING',
      'Active=1 Terminated=0',
    ],
    [
      'hire rescinded',
      { active: '0', terminated: '0', hireRescinded: '1', hireDate: '2025-06-16-07:00' },
      'TERMINATED',
      'Active=0 Terminated=0 Hire_Rescinded=1',
    ],
    [
      'on leave',
      { active: '1', terminated: '0', leaves: [{ onLeave: '1', start: '2025-05-01-07:00', end: null }] },
      'LEAVE',
      'Active=1 Terminated=0 On_Leave=1',
    ],
    [
      'back from leave',
      { active: '1', terminated: '0', leaves: [{ onLeave: '0', start: '2025-01-01-08:00', end: '2025-03-01-08:00' }] },
      'ACTIVE',
      'Active=1 Terminated=0 On_Leave=0',
    ],
    [
      'leave by dates only',
      { active: '1', terminated: '0', leaves: [{ onLeave: null, start: '2025-05-01-07:00', end: null }] },
      'LEAVE',
      'Active=1 Terminated=0 On_Leave=(leave since 2025-05-01)',
    ],
    [
      'no Terminated flag but a passed termination date',
      { active: '0', terminationDate: '2025-01-31-08:00' },
      'TERMINATED',
      'Active=0',
    ],
    ['inactive, not terminated, hired long ago', { active: '0', terminated: '0' }, 'UNKNOWN', 'Active=0 Terminated=0'],
    ['no flags at all', {}, 'UNKNOWN', null],
    ['unreadable flag', { active: 'maybe', terminated: '0' }, 'UNKNOWN', 'Active=maybe Terminated=0'],
  ] as const)('%s', (_name, s, expected, raw) => {
    expect(mapStatus(status(s as Partial<NonNullable<WorkerRow['status']>>), TODAY)).toEqual({ status: expected, raw });
  });

  it('no Worker_Status_Data at all is UNKNOWN', () => {
    expect(mapStatus(null, TODAY)).toEqual({ status: 'UNKNOWN', raw: null });
  });
});

describe('mapEmploymentType', () => {
  const job = (workerType: [string, string] | null, time: string | null): WorkerRow['job'] => ({
    positionId: null,
    positionTitle: null,
    businessTitle: null,
    startDate: null,
    workerType: workerType ? { idType: workerType[0], id: workerType[1], descriptor: null } : null,
    timeType: time ? { id: time, descriptor: null } : null,
    jobProfileName: null,
    managerAsOfLastChange: [],
  });
  it.each([
    [job(['Employee_Type_ID', 'Regular'], 'Full_time'), 'FULL_TIME', 'Regular / Full_time'],
    [job(['Employee_Type_ID', 'Regular'], 'Part_time'), 'PART_TIME', 'Regular / Part_time'],
    [job(['Employee_Type_ID', 'Intern'], 'Full_time'), 'INTERN', 'Intern / Full_time'],
    [job(['Employee_Type_ID', 'Fixed_Term'], 'Full_time'), 'TEMPORARY', 'Fixed_Term / Full_time'],
    [job(['Employee_Type_ID', 'Temporary (Fixed Term)'], null), 'TEMPORARY', 'Temporary (Fixed Term)'],
    [job(['Employee_Type_ID', 'Seasonal'], 'Part_time'), 'TEMPORARY', 'Seasonal / Part_time'],
    [job(['Contingent_Worker_Type_ID', 'Consultant'], 'Full_time'), 'CONTRACTOR', 'Consultant / Full_time'],
    [job(['Employee_Type_ID', 'Regular'], null), 'OTHER', 'Regular'],
    [job(['Employee_Type_ID', 'Affiliate'], 'Variable'), 'OTHER', 'Affiliate / Variable'],
    [null, null, null],
  ] as const)('%j → %s', (j, type, raw) => {
    expect(mapEmploymentType(row({ job: j }))).toEqual({ type, raw });
  });

  it('a contingent worker without a worker type is still a CONTRACTOR', () => {
    expect(mapEmploymentType(row({ employeeId: null, contingentWorkerId: 'C-1' }))).toEqual({
      type: 'CONTRACTOR',
      raw: 'Contingent_Worker',
    });
  });
});

describe('managerOf', () => {
  const link = (orgId: string, managers: Array<{ wid: string | null; number: string | null }>) => ({
    orgId,
    orgName: orgId,
    managers,
  });
  it('takes the nearest organization manager, skipping the worker themselves', () => {
    const r = row({
      managementChain: [link('TOP', [{ wid: 'w-ceo', number: '1' }]), link('OWN', [{ wid: 'w-self', number: '100' }])],
    });
    expect(managerOf(r)).toEqual({ id: 'w-ceo' });
  });
  it('the top of the org has no manager', () => {
    expect(managerOf(row({ managementChain: [link('TOP', [{ wid: 'w-self', number: '100' }])] }))).toBeNull();
  });
  it('falls back to Manager_as_of_last_detected_manager_change, by employee number when there is no WID', () => {
    const j = {
      positionId: null,
      positionTitle: null,
      businessTitle: null,
      startDate: null,
      workerType: null,
      timeType: null,
      jobProfileName: null,
      managerAsOfLastChange: [{ wid: null, number: '42' }],
    };
    expect(managerOf(row({ job: j }))).toEqual({ employeeNumber: '42' });
  });
  it('a co-managed organization gives the first manager who is not the worker', () => {
    const r = row({
      managementChain: [
        link('OWN', [
          { wid: 'w-self', number: '100' },
          { wid: 'w-co', number: '7' },
        ]),
      ],
    });
    expect(managerOf(r)).toEqual({ id: 'w-co' });
  });
});

describe('mapWorker', () => {
  it('a rehire does not report the termination of the earlier employment', () => {
    const e = mapWorker(
      row({
        status: status({
          active: '1',
          terminated: '0',
          hireDate: '2023-03-01-08:00',
          terminationDate: '2021-06-30-07:00',
        }),
      }),
      { tenant: 't', today: TODAY },
    );
    expect(e.employmentStatus).toBe('ACTIVE');
    expect(e.terminationDate).toBeNull();
    expect(e.startDate).toBe('2023-03-01');
  });

  it('reads the pre-v30 Employment_Data/Position_Data layout', () => {
    const w = digestWorker(
      WorkerSchema.parse({
        Worker_Reference: {
          ID: [
            { '@type': 'WID', '#text': 'w1' },
            { '@type': 'Employee_ID', '#text': '5' },
          ],
        },
        Worker_Data: {
          Employment_Data: {
            Position_Data: {
              Position_Title: 'Legacy Title',
              Manager_as_of_last_detected_manager_change_Reference: { ID: { '@type': 'Employee_ID', '#text': '1' } },
            },
            Worker_Status_Data: { Active: '1', Hire_Date: '2010-01-01-08:00' },
          },
        },
      }),
    );
    const e = mapWorker(w, { tenant: 't', today: TODAY });
    expect(e).toMatchObject({
      id: 'w1',
      employeeNumber: '5',
      jobTitle: 'Legacy Title',
      managerRef: { employeeNumber: '1' },
      employmentStatus: 'ACTIVE',
    });
  });

  it('a worker without a WID is refused at validation', () => {
    const r = WorkerSchema.safeParse({ Worker_Reference: { ID: { '@type': 'Employee_ID', '#text': '5' } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/no WID/);
  });
});

describe('WorkerDerivedLists', () => {
  it('names chain-only organizations by descriptor until a member names them, and keeps chain parents', () => {
    const lists = new WorkerDerivedLists();
    lists.add(
      row({
        id: 'a',
        managementChain: [
          { orgId: 'TOP', orgName: 'Top (CEO)', managers: [] },
          { orgId: 'MID', orgName: 'Mid (VP)', managers: [] },
        ],
      }),
    );
    expect(lists.groupList()).toEqual([
      { id: 'TOP', name: 'Top (CEO)', type: 'DEPARTMENT', typeRaw: 'SUPERVISORY', parentId: null },
      { id: 'MID', name: 'Mid (VP)', type: 'DEPARTMENT', typeRaw: 'SUPERVISORY', parentId: 'TOP' },
    ]);
    lists.add(
      row({ id: 'b', organizations: [{ id: 'MID', name: 'Middle', type: 'DEPARTMENT', typeRaw: 'SUPERVISORY' }] }),
    );
    expect(lists.groupList()[1]).toEqual({
      id: 'MID',
      name: 'Middle',
      type: 'DEPARTMENT',
      typeRaw: 'SUPERVISORY',
      parentId: 'TOP',
    });
    lists.reset();
    expect(lists.groupList()).toEqual([]);
  });

  it('names the company after the company organization most workers belong to', () => {
    const lists = new WorkerDerivedLists();
    const co = (id: string, name: string) => ({ id, name, type: 'BUSINESS_UNIT' as const, typeRaw: 'COMPANY' });
    lists.add(row({ organizations: [co('UK', 'Acme Ltd')] }));
    lists.add(row({ organizations: [co('US', 'Acme, Inc.')] }));
    lists.add(row({ organizations: [co('US', 'Acme, Inc.')] }));
    expect(lists.company('acme')).toEqual({ id: 'acme', name: 'Acme, Inc.', legalName: 'Acme, Inc.' });
    expect(new WorkerDerivedLists().company('acme')).toEqual({ id: 'acme', name: 'acme', legalName: null });
  });
});
