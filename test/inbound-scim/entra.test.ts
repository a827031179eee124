/**
 * Microsoft Entra ID provisioning, replayed: the request sequence and bodies of Microsoft's
 * "Develop and plan provisioning for a SCIM endpoint" (user and group operations) and of
 * "Known issues ... SCIM 2.0 protocol compliance" (the requests sent without and with the
 * `aadOptscim062020` flag), plus Entra's `manager` as a plain string.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/changes.js';
import { client, CORE_GROUP, CORE_USER, ENTERPRISE, expectScimError, makeHandler, patchOp } from './helpers.js';

const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const enc = encodeURIComponent;

function setup() {
  const events: ChangeEvent[][] = [];
  const h = makeHandler({ onChanges: (e) => void events.push(e) });
  const scim = client(h);
  const types = () => events.flat().map((e) => `${e.type}${e.kind === 'employee' ? `:${e.employeeId}` : ''}`);
  return { h, scim, events, types };
}

const createUserBody = (userName: string, externalId: string) => ({
  schemas: [CORE_USER, ENTERPRISE],
  externalId,
  userName,
  active: true,
  emails: [{ primary: true, type: 'work', value: `${userName}@testuser.com` }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
});

describe('Microsoft Entra ID provisioning sequence', () => {
  it('test connection, match, create, read, query, update, disable, delete a user', async () => {
    const { h, scim, types } = setup();
    // Test connection / matching: Entra asks for a random user and group, with and without quotes.
    const probe = await scim('GET', `/Users?filter=${enc('userName eq "2a1e4c02-66dc-4d1f-a4a2-cb24e0fc0b1a"')}`);
    expect(probe.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
    expect(
      (await scim('GET', `/Groups?excludedAttributes=members&filter=${enc('displayName eq "b8f1a6b2-random"')}`)).json
        .totalResults,
    ).toBe(0);
    expect(
      (await scim('GET', `/Users?filter=${enc('externalId eq 0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef')}`)).json
        .totalResults,
    ).toBe(0);

    // Create User
    const created = await scim(
      'POST',
      '/Users',
      createUserBody('Test_User_00aa00aa', '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef'),
    );
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect(created.json).toMatchObject({
      id,
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_00aa00aa',
      active: true,
    });
    expect(types()).toEqual([`HIRE:${id}`]);

    // Get User / Get User by query (userName; externalId unquoted, as Entra sends it; work email)
    expect((await scim('GET', `/Users/${id}`)).json.userName).toBe('Test_User_00aa00aa');
    expect((await scim('GET', `/Users?filter=${enc('userName eq "Test_User_00aa00aa"')}`)).json.Resources[0].id).toBe(
      id,
    );
    // As it appears on the wire in Entra's logs: spaces as '+', '@' percent-encoded.
    expect((await scim('GET', '/Users?filter=userName+eq+"test_user_00aa00aa"')).json.totalResults).toBe(1);
    expect(
      (await scim('GET', `/Users?filter=${enc('externalId eq 0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef')}`)).json
        .Resources[0].id,
    ).toBe(id);
    expect(
      (await scim('GET', `/Users?filter=${enc('emails[type eq "work"].value eq "Test_User_00aa00aa@testuser.com"')}`))
        .json.totalResults,
    ).toBe(1);
    expect((await scim('GET', `/Users?filter=${enc('userName eq "non-existent user"')}`)).json.totalResults).toBe(0);

    // Update User [Multi-valued properties]
    const multi = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ),
    );
    expect(multi.status).toBe(200);
    expect(multi.json.emails).toEqual([{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }]);
    expect(multi.json.name).toEqual({
      formatted: 'givenName familyName',
      familyName: 'updatedFamilyName',
      givenName: 'givenName',
    });

    // Update User [Single-valued properties]
    const single = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({ op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }),
    );
    expect(single.json.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');

    // Disable User, as Entra sends it without the aadOptscim062020 flag: "Replace" and "False".
    const disabled = await scim('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(disabled.status).toBe(200);
    expect(disabled.json.active).toBe(false);
    expect(types().at(-1)).toBe(`TERMINATION:${id}`);
    // A disabled user is still returned (soft delete), with active false.
    const byName = await scim(
      'GET',
      `/Users?filter=${enc('userName eq "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"')}`,
    );
    expect(byName.json.Resources[0].active).toBe(false);
    // Restore (boolean, with the flag).
    const restored = await scim('PATCH', `/Users/${id}`, {
      Operations: [{ op: 'replace', path: 'active', value: true }],
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    });
    expect(restored.json.active).toBe(true);
    expect(types().at(-1)).toBe(`REHIRE:${id}`);

    // Delete User
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(types().at(-1)).toBe(`REMOTE_DELETED:${id}`);
    expect((await h.snapshot('acme')).employees).toEqual([]);
  });

  it('replace of several attributes, without and with the aadOptscim062020 flag', async () => {
    const { h, scim } = setup();
    const id = (await scim('POST', '/Users', createUserBody('pvlo', 'ext-1'))).json.id;
    // Without the flag: one Replace per attribute, including an extension path.
    const without = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp(
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Eqpj' },
      ),
    );
    expect(without.json).toMatchObject({
      displayName: 'Pvlo',
      externalId: 'Eqpj',
      name: { givenName: 'Gtfd', familyName: 'Pkqf' },
      [ENTERPRISE]: { employeeNumber: 'Eqpj' },
    });
    expect(without.json.emails[0].value).toBe('TestBcwqnm@test.microsoft.com');
    // With the flag: one path-less replace with dotted and URN-qualified keys.
    const withFlag = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp(
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            [`${ENTERPRISE}:employeeNumber`]: 'Aklq',
          },
        },
      ),
    );
    expect(withFlag.json).toMatchObject({
      displayName: 'Bjfe',
      name: { givenName: 'Kkom', familyName: 'Unua', formatted: 'givenName familyName' },
      [ENTERPRISE]: { employeeNumber: 'Aklq' },
    });
    expect(withFlag.json.emails).toEqual([{ value: 'TestMhvaes@test.microsoft.com', type: 'work', primary: true }]);
    // Single-value string add ("Add" without the flag).
    expect(
      (await scim('PATCH', `/Users/${id}`, patchOp({ op: 'Add', path: 'nickName', value: 'Babs' }))).json.nickName,
    ).toBe('Babs');
    const e = (await h.snapshot('acme')).employees[0]!;
    expect(e).toMatchObject({
      displayName: 'Bjfe',
      firstName: 'Kkom',
      lastName: 'Unua',
      employeeNumber: 'Aklq',
      workEmail: 'testmhvaes@test.microsoft.com',
      preferredName: 'Babs',
    });
  });

  it('creates typed values the first time a value path is written (addresses, phone numbers)', async () => {
    const { scim } = setup();
    const id = (await scim('POST', '/Users', createUserBody('addr', 'ext-2'))).json.id;
    const res = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp(
        { op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Microsoft Way' },
        { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
        { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '98052' },
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 425 555 0100' },
        { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 425 555 0199' },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.json.addresses).toEqual([
      { type: 'work', streetAddress: '1 Microsoft Way', locality: 'Redmond', postalCode: '98052' },
    ]);
    expect(res.json.phoneNumbers).toEqual([
      { type: 'work', value: '+1 425 555 0100' },
      { type: 'mobile', value: '+1 425 555 0199' },
    ]);
  });

  it('manager as a plain string (id, userName, capitalised Manager), cleared with Remove or an empty value', async () => {
    const { h, scim, types } = setup();
    const boss = (await scim('POST', '/Users', createUserBody('boss@contoso.com', 'ext-boss'))).json.id;
    const other = (await scim('POST', '/Users', createUserBody('other-boss@contoso.com', 'ext-other'))).json.id;
    // POST with "Manager": "<id>" (Microsoft's own sample capitalises it).
    const body = {
      ...createUserBody('emp@contoso.com', 'ext-emp'),
      [ENTERPRISE]: { Manager: boss, department: 'Sales' },
    };
    const emp = (await scim('POST', '/Users', body)).json;
    expect(emp[ENTERPRISE]).toEqual({ department: 'Sales', manager: { value: boss } });
    let e = (await h.snapshot('acme')).employees.find((x) => x.id === emp.id)!;
    expect(e.managerId).toBe(boss);
    expect(e.groupIds).toContain('department:Sales');

    // PATCH add with a plain string value, as Entra sends it.
    await scim('PATCH', `/Users/${emp.id}`, patchOp({ op: 'Add', path: `${ENTERPRISE}:manager`, value: other }));
    e = (await h.snapshot('acme')).employees.find((x) => x.id === emp.id)!;
    expect(e.managerId).toBe(other);
    expect(types().at(-1)).toBe(`MANAGER_CHANGE:${emp.id}`);

    // A manager given by userName (what some Entra mappings send) resolves to that user's id.
    await scim(
      'PATCH',
      `/Users/${emp.id}`,
      patchOp({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: 'boss@contoso.com' }),
    );
    e = (await h.snapshot('acme')).employees.find((x) => x.id === emp.id)!;
    expect(e.managerId).toBe(boss);

    // manager.value on a user without a manager yet.
    const emp2 = (await scim('POST', '/Users', createUserBody('emp2@contoso.com', 'ext-emp2'))).json.id;
    await scim('PATCH', `/Users/${emp2}`, patchOp({ op: 'Replace', path: `${ENTERPRISE}:manager.value`, value: boss }));
    expect((await h.snapshot('acme')).employees.find((x) => x.id === emp2)!.managerId).toBe(boss);

    // Removing: Remove, or a replace with an empty value.
    await scim('PATCH', `/Users/${emp.id}`, patchOp({ op: 'Remove', path: `${ENTERPRISE}:manager` }));
    expect((await h.snapshot('acme')).employees.find((x) => x.id === emp.id)!.managerId).toBeNull();
    await scim('PATCH', `/Users/${emp2}`, patchOp({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }));
    expect((await h.snapshot('acme')).employees.find((x) => x.id === emp2)!.managerId).toBeNull();
    expect((await scim('GET', `/Users/${emp2}`)).json[ENTERPRISE]).toBeUndefined();
  });

  it('group operations: create, get without members, rename, add and remove members (both styles), delete', async () => {
    const { h, scim, types } = setup();
    const u1 = (await scim('POST', '/Users', createUserBody('u1@contoso.com', 'e1'))).json.id;
    const u2 = (await scim('POST', '/Users', createUserBody('u2@contoso.com', 'e2'))).json.id;

    // Create Group, with Entra's extra (non-URN) schema in `schemas`.
    const created = await scim('POST', '/Groups', {
      schemas: [CORE_GROUP, ADSCIM_GROUP],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
    });
    expect(created.status).toBe(201);
    expect(created.json.schemas).toEqual([CORE_GROUP]);
    const gid = created.json.id;

    // Get Group / Get Group by displayName, without members.
    await scim('PATCH', `/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: u1 }] }));
    const got = await scim('GET', `/Groups/${gid}?excludedAttributes=members`);
    expect(got.json.members).toBeUndefined();
    expect(got.json.displayName).toBe('displayName');
    const byName = await scim(
      'GET',
      `/Groups?excludedAttributes=members&filter=${enc('displayName eq "displayName"')}`,
    );
    expect(byName.json.Resources).toHaveLength(1);
    expect(byName.json.Resources[0].members).toBeUndefined();
    expect(types()).toContain(`GROUP_CHANGE:${u1}`);

    // Update Group [Non-member attributes]: 204.
    const renamed = await scim(
      'PATCH',
      `/Groups/${gid}`,
      patchOp({ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }),
    );
    expect(renamed.status).toBe(204);
    expect(types()).toContain('GROUP_RENAMED');

    // Update Group [Add Members], the same member twice: kept once.
    await scim(
      'PATCH',
      `/Groups/${gid}`,
      patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: u2 }, { value: u1 }] }),
    );
    expect((await scim('GET', `/Groups/${gid}`)).json.members.map((m: any) => m.value)).toEqual([u1, u2]);

    // Update Group [Remove Members], without the flag: path "members" and a value list.
    const removed = await scim(
      'PATCH',
      `/Groups/${gid}`,
      patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: u1 }] }),
    );
    expect(removed.status).toBe(204);
    expect((await scim('GET', `/Groups/${gid}`)).json.members.map((m: any) => m.value)).toEqual([u2]);
    // With the flag: a value filter in the path.
    await scim('PATCH', `/Groups/${gid}`, patchOp({ op: 'remove', path: `members[value eq "${u2}"]` }));
    expect((await scim('GET', `/Groups/${gid}`)).json.members).toBeUndefined();
    const snap = await h.snapshot('acme');
    expect(snap.employees.every((e) => !e.groupIds.includes(gid))).toBe(true);
    expect(types().filter((t) => t === `GROUP_CHANGE:${u1}` || t === `GROUP_CHANGE:${u2}`)).toHaveLength(4);

    // A value list naming nobody removes nobody (never "all members").
    await scim('PATCH', `/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: u1 }] }));
    await scim('PATCH', `/Groups/${gid}`, patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null }] }));
    expect((await scim('GET', `/Groups/${gid}`)).json.members).toHaveLength(1);

    // Delete Group
    expect((await scim('DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect(types().at(-1)).toBe('GROUP_DELETED');
    expectScimError(await scim('GET', `/Groups/${gid}`), 404);
  });

  it('ignores attributes of extensions this endpoint does not serve instead of failing the request', async () => {
    const { scim } = setup();
    const custom = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
    const res = await scim('POST', '/Users', {
      ...createUserBody('cx@contoso.com', 'cx'),
      schemas: [CORE_USER, custom],
      [custom]: { costCode: '42' },
    });
    expect(res.status).toBe(201);
    expect(res.json.schemas).toEqual([CORE_USER]);
    const patched = await scim(
      'PATCH',
      `/Users/${res.json.id}`,
      patchOp({ op: 'Add', path: `${custom}:costCode`, value: '43' }, { op: 'Add', path: 'title', value: 'Rep' }),
    );
    expect(patched.status).toBe(200);
    expect(patched.json.title).toBe('Rep');
  });
});
