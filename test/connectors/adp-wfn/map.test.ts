/** ADP mapping: the worker-vs-assignment status rules, dates, managers, groups, custom fields (pure functions). */
import { describe, expect, it } from 'vitest';
import {
  AdpDerivedLists,
  mapStatus,
  mapWorker,
  primaryAssignment,
  type AdpContext,
} from '../../../connectors/adp-wfn/map.js';
import { AdpWorkerSchema, type AdpWorker } from '../../../connectors/adp-wfn/schemas.js';
import { AOID, fixture } from './helpers.js';

const TODAY = '2026-06-01';
const workers = (): AdpWorker[] =>
  fixture('GET_hr_v2_workers.json').workers.map((w: unknown) => AdpWorkerSchema.parse(w));
const byId = (id: string) => workers().find((w) => w.associateOID === id)!;
const ctx = (): AdpContext => ({ today: TODAY, lists: new AdpDerivedLists() });

describe('ADP status: worker status vs the primary assignment', () => {
  it('reads every fixture worker as documented at the top of map.ts', () => {
    const got = Object.fromEntries(workers().map((w) => [w.associateOID, mapStatus(w, TODAY)]));
    expect(got[AOID.ceo]).toMatchObject({ status: 'ACTIVE', raw: 'Active / A (Active)', terminationDate: null });
    expect(got[AOID.engMgr]).toMatchObject({ status: 'ACTIVE', raw: 'A (Active)' }); // no worker status: the assignment decides
    expect(got[AOID.leave]).toMatchObject({ status: 'LEAVE', raw: 'Inactive / L (Leave)', terminationDate: null });
    expect(got[AOID.terminated]).toMatchObject({ status: 'TERMINATED', terminationDate: '2026-04-30' });
    expect(got[AOID.futureHire]).toMatchObject({ status: 'PENDING', startDate: '2026-06-15' });
    // Rehired 2024-03-04: the 2022 termination belongs to the earlier employment; a termination is scheduled.
    expect(got[AOID.rehire]).toMatchObject({
      status: 'ACTIVE',
      startDate: '2024-03-04',
      terminationDate: '2026-07-31',
    });
    // Inactive without a leave assignment: ADP does not say why. Never ACTIVE, never TERMINATED.
    expect(got[AOID.inactive]).toMatchObject({ status: 'UNKNOWN', raw: 'Inactive / A (Active)' });
  });

  const w = (workerStatus: unknown, assignment: Record<string, unknown>, dates: Record<string, unknown> = {}) =>
    AdpWorkerSchema.parse({
      associateOID: 'G3X',
      workerStatus,
      workerDates: dates,
      workAssignments: [{ primaryIndicator: true, ...assignment }],
    });
  const st = (code: string, shortName?: string) => ({
    statusCode: { codeValue: code, ...(shortName ? { shortName } : {}) },
  });

  it('samples send workerStatus: null; the assignment then decides', () => {
    expect(mapStatus(w(null, { assignmentStatus: st('L') }), TODAY).status).toBe('LEAVE');
    expect(mapStatus(w(null, { assignmentStatus: st('T', 'Retired') }), TODAY).status).toBe('TERMINATED');
    expect(mapStatus(w(null, { assignmentStatus: st('D', 'Deceased') }), TODAY).status).toBe('TERMINATED');
    expect(mapStatus(w(null, {}), TODAY)).toMatchObject({ status: 'UNKNOWN', raw: null });
  });

  it('a terminated worker needs no date (the status alone decides); event encodings T/A are read too', () => {
    expect(mapStatus(w(st('Terminated'), { assignmentStatus: st('T') }), TODAY)).toMatchObject({
      status: 'TERMINATED',
      terminationDate: null,
    });
    expect(mapStatus(w(st('T', 'Terminated'), {}), TODAY).status).toBe('TERMINATED');
    expect(mapStatus(w(st('A'), { assignmentStatus: st('A'), hireDate: '2020-01-01' }), TODAY).status).toBe('ACTIVE');
  });

  it('unknown codes are UNKNOWN with the raw values kept', () => {
    expect(mapStatus(w(st('Suspended'), { assignmentStatus: st('A') }), TODAY)).toMatchObject({
      status: 'UNKNOWN',
      raw: 'Suspended / A',
    });
    expect(mapStatus(w(st('Active'), { assignmentStatus: st('S', 'Suspended') }), TODAY)).toMatchObject({
      status: 'UNKNOWN',
      raw: 'Active / S (Suspended)',
    });
  });

  it('masked dates (year 0000) are no dates', () => {
    const r = mapStatus(
      w(st('Active'), { assignmentStatus: st('A'), hireDate: '0000-03-04' }, { originalHireDate: '2019-01-02' }),
      TODAY,
    );
    expect(r).toMatchObject({ status: 'ACTIVE', startDate: '2019-01-02' });
  });

  it('the primary assignment decides, not the first', () => {
    const rehire = byId(AOID.rehire);
    expect(rehire.workAssignments![0]!.primaryIndicator).toBe(false);
    expect(primaryAssignment(rehire)!.jobTitle).toBe('Support Specialist');
  });
});

describe('ADP worker mapping', () => {
  it('maps names, emails, manager references, org units, location, type and custom fields', () => {
    const c = ctx();
    const all = workers().map((w) => (c.lists.add(w), mapWorker(w, c)));
    const get = (id: string) => all.find((e) => e.id === id)!;
    expect(get(AOID.ceo)).toMatchObject({
      employeeNumber: '100001',
      firstName: 'Margaret',
      lastName: 'Okafor',
      workEmail: 'margaret.okafor@acme.example',
      personalEmail: 'maggie.okafor@mail.example',
      jobTitle: 'Chief Executive Officer',
      managerRef: null,
      groupIds: ['Department:EXEC', 'Business Unit:CORP'],
      locationId: 'HQ',
      employmentType: 'FULL_TIME',
      employmentTypeRaw: 'F (Full Time)',
      customFields: { 'T-Shirt Size': 'M', 'Remote Worker': false, 'Badge Expiry': null, positionID: 'POS100001' },
    });
    expect(get(AOID.engMgr).managerRef).toEqual({ id: AOID.ceo });
    expect(get(AOID.engMgr).customFields).toMatchObject({ Team: 'Platform' });
    // No associateOID in reportsTo: the employee id, resolved by the core.
    expect(get(AOID.rehire).managerRef).toEqual({ employeeNumber: '100001' });
    expect(get(AOID.rehire).employmentType).toBe('PART_TIME');
    expect(get(AOID.futureHire).workEmail).toBeNull();
    expect(get(AOID.terminated).locationId).toBe('REMOTE');
    expect(get(AOID.inactive)).toMatchObject({ employmentType: 'TEMPORARY', employmentTypeRaw: 'TMP (Seasonal)' });

    const groups = c.lists.groupList();
    // A masked label ("**") is no name: the code is used.
    expect(groups.find((g) => g.id === 'Department:CS')).toEqual({
      id: 'Department:CS',
      name: 'CS',
      type: 'DEPARTMENT',
      typeRaw: 'Department',
      parentId: null,
    });
    expect(groups.find((g) => g.id === 'Business Unit:PE')).toMatchObject({
      name: 'Product & Engineering',
      type: 'BUSINESS_UNIT',
    });
    expect(c.lists.locationList().find((l) => l.id === 'HQ')).toEqual({
      id: 'HQ',
      name: 'Headquarters',
      address: { line1: '1 ADP Blvd', line2: null, city: 'Roseland', region: 'NJ', postalCode: '07068', country: 'US' },
      timezone: null,
    });
  });

  it('custom fields that do not fit are skipped; prototype-like names stay data', () => {
    const w = AdpWorkerSchema.parse({
      associateOID: 'G3Y',
      customFieldGroup: {
        stringFields: [
          { nameCode: { codeValue: '__proto__' }, stringValue: 'x' },
          { nameCode: 'not an object', stringValue: 1 },
          'junk',
        ],
      },
      workAssignments: [{ assignmentStatus: { statusCode: { codeValue: 'A' } } }],
    });
    const e = mapWorker(w, ctx());
    expect(Object.keys(e.customFields ?? {})).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});
