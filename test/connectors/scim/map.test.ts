import { describe, expect, it } from 'vitest';
import {
  buildContext,
  derivedGroups,
  emailsOf,
  lastModifiedFilter,
  mapStatus,
  mapUser,
  mapUserType,
  managerRefOf,
  pageSizeFor,
  scimManagers,
  serviceProviderInfo,
} from '../../../connectors/scim/map.js';
import {
  canonicalUser,
  ENTERPRISE_USER,
  ScimGroupSchema,
  ScimUserSchema,
  type ScimGroup,
  type ScimUser,
} from '../../../connectors/scim/schemas.js';
import type { Employee } from '../../../src/model.js';
import { managerResolver } from '../../../src/connector/managers.js';

const user = (raw: Record<string, unknown>): ScimUser => ScimUserSchema.parse(raw);
const group = (raw: Record<string, unknown>): ScimGroup => ScimGroupSchema.parse(raw);
const makeEmployee = (o: Partial<Employee> & { id: string }): Employee => ({
  employeeNumber: null,
  firstName: null,
  lastName: null,
  preferredName: null,
  displayName: o.id,
  workEmail: null,
  personalEmail: null,
  jobTitle: null,
  managerId: null,
  groupIds: [],
  locationId: null,
  employmentStatus: 'ACTIVE',
  employmentStatusRaw: 'true',
  employmentType: null,
  employmentTypeRaw: null,
  startDate: null,
  terminationDate: null,
  customFields: {},
  ...o,
});
const ctx = (groups: ScimGroup[] = []) =>
  buildContext(groups, { pageSize: 100, filterSupported: true, maxResults: null });

describe('SCIM status and type mapping', () => {
  it.each([
    [true, 'ACTIVE', 'true'],
    [false, 'TERMINATED', 'false'],
    ['True', 'ACTIVE', 'True'],
    ['False', 'TERMINATED', 'False'],
    ['false', 'TERMINATED', 'false'],
    [1, 'ACTIVE', '1'],
    [undefined, 'UNKNOWN', null],
    [null, 'UNKNOWN', null],
    ['{$user.active}', 'UNKNOWN', '{$user.active}'],
    ['suspended', 'UNKNOWN', 'suspended'],
  ])('active %j -> %s', (active, status, raw) => {
    expect(mapStatus(active)).toEqual({ status, raw });
  });

  it.each([
    ['Employee', null],
    ['Full-Time', 'FULL_TIME'],
    ['part time', 'PART_TIME'],
    ['Contractor', 'CONTRACTOR'],
    ['Vendor', 'CONTRACTOR'],
    ['Consultant', 'CONTRACTOR'],
    ['Intern', 'INTERN'],
    ['Seasonal', 'TEMPORARY'],
    ['Guest', 'OTHER'],
  ])('userType %s -> %s, raw kept', (userType, type) => {
    expect(mapUserType(userType)).toEqual({ type, raw: userType });
  });

  it('no userType: no type and no raw value', () => {
    expect(mapUserType(undefined)).toEqual({ type: null, raw: null });
    expect(mapUserType('  ')).toEqual({ type: null, raw: null });
  });
});

describe('SCIM attribute quirks', () => {
  it('canonicalizes attribute names case-insensitively, exact spelling winning', () => {
    const u = canonicalUser({
      ID: 'x1',
      USERNAME: 'a@b.example',
      Active: 'False',
      active: true,
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': { Department: 'Ops', MANAGER: { Value: 'm1' } },
    }) as Record<string, any>;
    expect(u['id']).toBe('x1');
    expect(u['userName']).toBe('a@b.example');
    expect(u['active']).toBe(true);
    expect('Active' in u).toBe(false);
    expect(u[ENTERPRISE_USER]).toEqual({ department: 'Ops', manager: { value: 'm1' } });
  });

  it('moves enterprise attributes sent flat in PATCH-path form into the extension, and drops passwords', () => {
    const u = user({
      id: 'x2',
      [`${ENTERPRISE_USER}:department`]: 'Sales',
      [`${ENTERPRISE_USER}:manager`]: 'boss',
      password: 'hunter2hunter2',
    });
    expect(u[ENTERPRISE_USER]).toMatchObject({ department: 'Sales', manager: 'boss' });
    expect(JSON.stringify(u)).not.toContain('hunter2');
  });

  it('keeps a __proto__ attribute as plain data', () => {
    const u = user(
      JSON.parse('{"id":"x3","__proto__":{"polluted":"yes"},"name":{"givenName":"A","__proto__":{"polluted":"yes"}}}'),
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(u.id).toBe('x3');
  });

  it.each([
    [{ manager: { value: 'm1', $ref: '../Users/m1', displayName: 'M' } }, { value: 'm1' }],
    [{ manager: { value: 'm2' } }, { value: 'm2' }],
    [{ manager: 'm3' }, { value: 'm3' }],
    [{ manager: 12345 }, { value: '12345' }],
    [{ Manager: 'boss@corp.example' }, { value: 'boss@corp.example' }],
    [{ managerId: 'm5' }, { value: 'm5' }],
    [{ manager: { displayName: 'Only A Name' } }, null],
    [{ manager: '' }, null],
    [{}, null],
  ])('manager %j -> %j', (ext, ref) => {
    expect(managerRefOf(user({ id: 'u', [ENTERPRISE_USER]: ext }))).toEqual(ref);
  });

  it('picks the work email over a primary home one, accepts string booleans, falls back to an email userName', () => {
    expect(
      emailsOf(
        [
          { value: 'h@x.example', type: 'home', primary: true },
          { value: 'W@X.example', type: 'work' },
        ],
        null,
      ),
    ).toEqual({ work: 'w@x.example', personal: 'h@x.example' });
    expect(
      emailsOf(
        [
          { value: 'a@x.example', type: 'work' },
          { value: 'b@x.example', type: 'work', primary: 'True' },
        ],
        null,
      ).work,
    ).toBe('b@x.example');
    expect(emailsOf([{ value: 'o@x.example', type: 'other' }], null).work).toBe('o@x.example');
    expect(emailsOf(undefined, 'user@x.example')).toEqual({ work: 'user@x.example', personal: null });
    expect(emailsOf(undefined, 'jdoe')).toEqual({ work: null, personal: null });
  });
});

describe('SCIM groups and memberships', () => {
  const lead = group({ id: 'g1', displayName: 'Leadership', members: [{ value: 'u1', type: 'User' }] });
  const eng = group({
    id: 'g2',
    displayName: 'Engineering',
    members: [{ value: 'g3', type: 'Group' }, { value: 'u2' }],
  });
  const plat = group({ id: 'g3', displayName: 'Platform', members: [{ value: 'u3', type: 'User' }, { value: 'g2' }] });

  it('merges Group.members with User.groups (direct only), derives enterprise groups', () => {
    const c = ctx([lead, eng, plat]);
    const d = mapUser(
      user({
        id: 'u1',
        groups: [
          { value: 'g9', type: 'direct' },
          { value: 'g2', type: 'indirect' },
        ],
        [ENTERPRISE_USER]: { department: '  Customer   Success ', division: 'GTM', costCenter: 'CC 7' },
      }),
      c,
    );
    expect(d.groupIds).toEqual(['department:Customer Success', 'division:GTM', 'costCenter:CC 7', 'g1', 'g9']);
    expect(mapUser(user({ id: 'u2' }), c).groupIds).toEqual(['g2']); // untyped member that is not a group id -> user
  });

  it('nests groups by type Group or untyped group ids, dropping the link that would close a cycle', () => {
    const c = ctx([lead, eng, plat]);
    const byId = new Map(c.groups.map((g) => [g.id, g]));
    expect(byId.get('g3')!.parentId).toBe('g2');
    expect(byId.get('g2')!.parentId).toBeNull(); // g2 is also listed in g3: that link would be a cycle
    expect(byId.get('g1')).toEqual({ id: 'g1', name: 'Leadership', type: 'OTHER', typeRaw: 'Group', parentId: null });
  });

  it('deduplicates groups listed twice and names unnamed ones by id', () => {
    const c = ctx([lead, lead, group({ id: 'g7' })]);
    expect(c.groups.map((g) => [g.id, g.name])).toEqual([
      ['g1', 'Leadership'],
      ['g7', 'g7'],
    ]);
    expect(c.membership.get('u1')).toEqual(['g1']);
  });

  it('derives department/division/cost-center groups, a department parented by its single division', () => {
    const gs = derivedGroups([
      { groupIds: ['department:Eng', 'division:P&E', 'costCenter:200', 'g1'] },
      { groupIds: ['department:Eng', 'division:P&E'] },
      { groupIds: ['department:Ops', 'division:A'] },
      { groupIds: ['department:Ops', 'division:B'] },
      { groupIds: ['department:Solo'] },
    ]);
    const byId = new Map(gs.map((g) => [g.id, g]));
    expect(byId.get('department:Eng')).toEqual({
      id: 'department:Eng',
      name: 'Eng',
      type: 'DEPARTMENT',
      typeRaw: 'department',
      parentId: 'division:P&E',
    });
    expect(byId.get('department:Ops')!.parentId).toBeNull(); // two divisions: no parent
    expect(byId.get('department:Solo')!.parentId).toBeNull();
    expect(byId.get('costCenter:200')).toMatchObject({ type: 'COST_CENTER', name: '200' });
    expect(byId.has('g1')).toBe(false);
  });
});

describe('SCIM manager references (core resolver, scimManagers hook)', () => {
  const resolveAll = (employees: Employee[], refs: Record<string, string>) => {
    const all = new Map(employees.map((e) => [e.id, { draft: e }]));
    const r = managerResolver(all, scimManagers);
    const warnings: string[] = [];
    const ids = employees.map((e) =>
      refs[e.id] ? r.resolve(e.id, { value: refs[e.id]! }, (w) => warnings.push(w)) : null,
    );
    return { ids, warnings };
  };

  it('an id first; else exactly one userName, externalId, employee number or work email (case-insensitive)', () => {
    const a = makeEmployee({
      id: 'a',
      employeeNumber: 'E-1',
      workEmail: 'a.mail@corp.example',
      customFields: { userName: 'Boss@Corp.example', externalId: 'ext-a' },
    });
    const b = makeEmployee({ id: 'b' });
    const c = makeEmployee({ id: 'c' });
    const d = makeEmployee({ id: 'd' });
    const e = makeEmployee({ id: 'e' });
    const f = makeEmployee({ id: 'f' });
    const { ids, warnings } = resolveAll([a, b, c, d, e, f], {
      b: 'boss@corp.example',
      c: 'EXT-A',
      d: 'nobody',
      e: 'e-1',
      f: 'a',
    });
    expect(ids).toEqual([null, 'a', 'a', null, 'a', 'a']);
    expect(warnings).toEqual([
      'employee d: manager reference matched 0 employees (by id, userName, externalId, employeeNumber, workEmail); managerId left empty',
    ]);
  });

  it('an ambiguous match resolves to nobody, with a warning', () => {
    const a = makeEmployee({ id: 'a', employeeNumber: '7' });
    const b = makeEmployee({ id: 'b', customFields: { externalId: '7' } });
    const c = makeEmployee({ id: 'c' });
    const { ids, warnings } = resolveAll([a, b, c], { c: '7' });
    expect(ids).toEqual([null, null, null]);
    expect(warnings[0]).toMatch(/^employee c: manager reference matched 2 employees/);
  });
});

describe('SCIM discovery and filters', () => {
  it('reads filter.supported and maxResults tolerantly', () => {
    expect(serviceProviderInfo({ filter: { supported: true, maxResults: 200 } })).toEqual({
      filterSupported: true,
      maxResults: 200,
    });
    expect(serviceProviderInfo({ Filter: { Supported: 'False', MaxResults: '50' } })).toEqual({
      filterSupported: false,
      maxResults: 50,
    });
    expect(serviceProviderInfo({ filter: { maxResults: 0 } })).toEqual({ filterSupported: null, maxResults: null });
    expect(serviceProviderInfo(null)).toEqual({ filterSupported: null, maxResults: null });
  });

  it('page size is min(pageSize, maxResults) with 100 as the default', () => {
    expect(pageSizeFor(undefined, null)).toBe(100);
    expect(pageSizeFor(undefined, 25)).toBe(25);
    expect(pageSizeFor(500, 1000)).toBe(500);
    expect(pageSizeFor(500, 200)).toBe(200);
  });

  it('formats the lastModified filter to the second, rounded down', () => {
    expect(lastModifiedFilter(new Date('2026-03-04T05:06:07.999Z'))).toBe(
      'meta.lastModified gt "2026-03-04T05:06:07Z"',
    );
  });
});
