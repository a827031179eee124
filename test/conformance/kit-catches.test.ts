/**
 * The kit must catch what a contributor gets wrong (issue 15). A shipped connector (BambooHR) is
 * given deliberately broken mappers — the mistakes a contributor makes — and the kit's person-by-
 * person check (the same function every conformance run calls) must fail, naming the person and the
 * field in words. The unbroken connector passes the same check, so each failure comes from the mistake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bamboohr } from '../../connectors/bamboohr/index.js';
import type { CustomReportRow } from '../../connectors/bamboohr/schemas.js';
import { simulators, type RunningSimulator } from '../../connectors/simulators.js';
import { defineConnector, type ConnectorFactory, type EmployeeDraft } from '../../src/connector/define.js';
import type { OrgSnapshot } from '../../src/model.js';
import { sampleOrg } from '../../src/simulator/sample-org.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { assertSamplePeople, checkSamplePeople } from '../../src/testing/people.js';

const TODAY = '2026-06-01';
const NOW = new Date(`${TODAY}T12:00:00Z`);
const org = sampleOrg({ size: 120, today: TODAY });
const registration = simulators['bamboohr']!;
const person = (key: number) => org.people.find((p) => p.key === key)!;
const nameOf = (key: number) => `${person(key).firstName} ${person(key).lastName} (sample person #${key}`;

/** BambooHR with its employee mapper wrapped by `mistake` (row and the correct draft in, the broken draft out). */
function broken(mistake: (row: CustomReportRow, draft: EmployeeDraft) => EmployeeDraft): ConnectorFactory<any> {
  const def = bamboohr.definition;
  const map = def.employees.map!;
  return defineConnector({
    ...def,
    employees: {
      ...def.employees,
      map: (row: CustomReportRow, ctx: unknown) => mistake(row, map(row, ctx) as EmployeeDraft),
    },
  });
}

let running: RunningSimulator;
const read = (factory: ConnectorFactory<any>): Promise<OrgSnapshot> =>
  takeSnapshot(factory({ ...running.options, http: { retry: { retries: 0 } } }), { now: NOW });
/** The kit's verdict on a connector: the thrown report, or '' when every person reads right. */
const verdict = async (factory: ConnectorFactory<any>): Promise<string> => {
  try {
    assertSamplePeople('bamboohr', await read(factory), org, registration.sample, { today: TODAY });
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};
const counts = (s: OrgSnapshot) =>
  s.employees.reduce<Record<string, number>>(
    (m, e) => ((m[e.employmentStatus] = (m[e.employmentStatus] ?? 0) + 1), m),
    {},
  );

beforeAll(async () => {
  running = await registration.start(org);
});
afterAll(async () => {
  await running?.sim.close();
});

describe('the conformance kit catches contributor mistakes, person by person', () => {
  it('the sample company has people whose status alone decides them: leavers without a termination date, leave without dates', () => {
    const dateless = org.people.filter((p) => p.status === 'terminated' && p.terminationDate === null);
    expect(dateless.map((p) => p.key)).toEqual([33, 73, 113]);
    const leave = org.people.filter((p) => p.status === 'leave');
    expect(leave.length).toBeGreaterThan(0);
    expect(leave.every((p) => p.terminationDate === null && p.hireDate <= TODAY)).toBe(true);
  });

  it('control: the correct mapper passes the same check', async () => {
    expect(await verdict(bamboohr)).toBe('');
  });

  it('"Inactive" mapped to ACTIVE (dates still respected): names the dateless leavers and their status', async () => {
    const msg = await verdict(
      broken((row, d) =>
        row.status === 'Inactive' &&
        d.employmentStatus === 'TERMINATED' &&
        !(d.terminationDate && d.terminationDate <= TODAY)
          ? { ...d, employmentStatus: 'ACTIVE' }
          : d,
      ),
    );
    expect(msg).toContain('bamboohr reads 3 of 120 sample people wrongly');
    expect(msg).toContain(
      `${nameOf(33)}, employee 36): employment status should be TERMINATED (the person is terminated, with no termination date (the status alone says so)), but reads ACTIVE`,
    );
    for (const k of [73, 113]) expect(msg).toContain(nameOf(k));
  });

  it('PENDING and LEAVE swapped: the status counts still match, the kit names every person', async () => {
    const swap = broken((_row, d) =>
      d.employmentStatus === 'PENDING'
        ? { ...d, employmentStatus: 'LEAVE' }
        : d.employmentStatus === 'LEAVE'
          ? { ...d, employmentStatus: 'PENDING' }
          : d,
    );
    // Why a kit that compares counts passed it: both are 5.
    expect(counts(await read(swap))).toEqual(counts(await read(bamboohr)));
    const msg = await verdict(swap);
    const pending = org.people.filter((p) => p.status === 'pending');
    const leave = org.people.filter((p) => p.status === 'leave');
    expect(msg).toContain(`reads ${pending.length + leave.length} of 120 sample people wrongly`);
    expect(msg).toMatch(
      new RegExp(
        `${nameOf(pending[0]!.key).replace(/[()]/g, '\\$&')}[^\\n]*employment status should be PENDING \\(the person is a future hire starting ${pending[0]!.hireDate}\\), but reads LEAVE`,
      ),
    );
    expect(msg).toMatch(
      new RegExp(
        `${nameOf(leave[0]!.key).replace(/[()]/g, '\\$&')}[^\\n]*employment status should be LEAVE \\(the person is on leave, with no leave dates \\(the status alone says so\\)\\), but reads PENDING`,
      ),
    );
  });

  it('manager off by one: names the person, the manager they should have and the one they read', async () => {
    const msg = await verdict(
      broken((_row, d) =>
        d.managerRef && 'employeeNumber' in d.managerRef
          ? { ...d, managerRef: { employeeNumber: String(Number(d.managerRef.employeeNumber) + 1) } }
          : d,
      ),
    );
    const p = person(2); // reports to the CEO (#1); off by one names #2, themself
    expect(msg).toContain(
      `${nameOf(2)}, employee 5): manager should be ${person(1).firstName} ${person(1).lastName} (#1), but reads ${p.firstName} ${p.lastName} (#2)`,
    );
    expect(msg).toMatch(/reads 119 of 120 sample people wrongly/);
  });

  it('the wrong e-mail field (home instead of work): names the person and the work email', async () => {
    const msg = await verdict(broken((row, d) => ({ ...d, workEmail: String(row.homeEmail) })));
    const p = person(1);
    expect(msg).toContain(
      `${nameOf(1)}, employee 4): work email should be '${p.workEmail}', but reads '${p.personalEmail}'`,
    );
  });

  it('the termination date dropped: names the leavers and the scheduled termination', async () => {
    const msg = await verdict(broken((_row, d) => ({ ...d, terminationDate: null })));
    const scheduled = org.people.find((p) => p.status === 'active' && p.terminationDate)!;
    expect(msg).toContain(`${nameOf(scheduled.key)}`);
    expect(msg).toContain(
      `termination date should be '${scheduled.terminationDate}' (the person is active, with a future termination scheduled on ${scheduled.terminationDate}), but reads nothing`,
    );
    // The dateless leavers are right: their expected termination date is none.
    expect(msg).not.toContain(nameOf(33));
  });

  it('groups from the wrong column (division as department) and a swapped location: named in words', async () => {
    const snap = await read(broken((_row, d) => ({ ...d, groupIds: d.groupIds.slice(1), locationId: null })));
    const check = checkSamplePeople(snap, org, registration.sample, { today: TODAY });
    const first = check.mismatches.filter((m) => m.key === 1).map((m) => m.message);
    expect(first).toContain(
      `${nameOf(1)}, employee 4): groups should include the department 'Executive' as a DEPARTMENT group, but the groups read are 'Corporate' (DIVISION)`,
    );
    expect(first).toContain(`${nameOf(1)}, employee 4): location should be '${person(1).location}', but reads nothing`);
  });

  it('the start date taken from the wrong field, and the employment type lost: named per person', async () => {
    const snap = await read(
      broken((_row, d) => ({
        ...d,
        startDate: d.terminationDate,
        employmentType: d.employmentType === 'CONTRACTOR' ? 'FULL_TIME' : d.employmentType,
      })),
    );
    const check = checkSamplePeople(snap, org, registration.sample, { today: TODAY });
    const contractor = org.people.find((p) => p.type === 'contractor')!;
    expect(check.mismatches.map((m) => m.message)).toContain(
      `${nameOf(contractor.key)}, employee ${Number(contractor.key) + 3}): employment type should be 'CONTRACTOR' (sample: contractor), but reads 'FULL_TIME' (vendor value 'Contractor')`,
    );
    expect(check.mismatches.filter((m) => m.field === 'startDate')).toHaveLength(120);
  });

  it('ids the simulator did not give (an employee number used as the id): every person missing, and strangers named', async () => {
    const snap = await read(broken((_row, d) => ({ ...d, id: `x${d.id}`, managerRef: null })));
    const check = checkSamplePeople(snap, org, registration.sample, { today: TODAY });
    expect(check.mismatches.filter((m) => m.field === 'presence' && m.key > 0)).toHaveLength(120);
    expect(check.mismatches.map((m) => m.message)).toContain(
      `${nameOf(33)}, employee 36), terminated, with no termination date (the status alone says so), is missing: no employee has id 36`,
    );
    expect(
      check.mismatches.some((m) => m.key === 0 && /employee x4 \(.*\) is nobody of the sample company/.test(m.message)),
    ).toBe(true);
  });

  it('a field declared not applicable is reported as such and not compared', () => {
    const scim = simulators['scim']!.sample;
    expect(scim.notApplicable?.location).toMatch(/no location/);
    const snap = { employees: [], groups: [], locations: [] } as unknown as OrgSnapshot;
    const check = checkSamplePeople(
      snap,
      sampleOrg({ size: 3, today: TODAY }),
      { ...scim, personId: (p) => `u${p.key}` },
      { today: TODAY },
    );
    expect(check.notApplicable).toEqual(scim.notApplicable);
    expect(check.mismatches.every((m) => m.field === 'presence')).toBe(true);
  });
});
