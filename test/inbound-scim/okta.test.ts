/**
 * Okta provisioning, replayed: the requests of Okta's "SCIM 2.0 Protocol Reference" (test
 * connection, user existence check, create, PUT-based updates from App Integration Wizard apps,
 * PATCH deactivation from OIN apps, import paging, group push and membership updates).
 */
import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/changes.js';
import { client, CORE_GROUP, CORE_USER, makeHandler } from './helpers.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const oktaUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [CORE_USER],
  userName,
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
  ...extra,
});

function setup() {
  const events: ChangeEvent[] = [];
  const h = makeHandler({ onChanges: (e) => void events.push(...e) });
  return { h, scim: client(h), events };
}

describe('Okta provisioning sequence', () => {
  it('test connection: GET /Users?startIndex=1&count=2, then the userName lookup', async () => {
    const { scim } = setup();
    const first = await scim('GET', '/Users?startIndex=1&count=2');
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
    // Okta reads these as integers.
    expect(typeof first.json.totalResults).toBe('number');
    const lookup = await scim(
      'GET',
      '/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100',
    );
    expect(lookup.json.totalResults).toBe(0);
    expect(lookup.json.Resources).toEqual([]);
    // With users present the connection test gets at most two.
    for (const n of [1, 2, 3]) await scim('POST', '/Users', oktaUser(`u${n}@okta.local`, { externalId: `x${n}` }));
    const again = await scim('GET', '/Users?startIndex=1&count=2');
    expect(again.json).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 2 });
  });

  it('create, read, PUT update, PATCH deactivate (OIN) and PUT deactivate/reactivate (AIW)', async () => {
    const { h, scim, events } = setup();
    // Determine if the user exists, then create it.
    expect(
      (await scim('GET', '/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100')).json
        .totalResults,
    ).toBe(0);
    const created = await scim('POST', '/Users', oktaUser('test.user@okta.local'));
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect(created.json).toMatchObject({
      userName: 'test.user@okta.local',
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    });
    expect(JSON.stringify(created.json)).not.toContain('1mz050nq');
    // The lookup now finds it (Okta then links instead of creating), case-insensitively.
    expect(
      (await scim('GET', '/Users?filter=userName%20eq%20%22Test.User%40okta.local%22&startIndex=1&count=100')).json
        .Resources[0].id,
    ).toBe(id);
    // Creating it again is a conflict.
    expect((await scim('POST', '/Users', oktaUser('test.user@okta.local'))).status).toBe(409);

    // PUT-based update: Okta GETs the user, changes attributes, PUTs the whole body back.
    const current = (await scim('GET', `/Users/${id}`)).json;
    const put = await scim('PUT', `/Users/${id}`, {
      schemas: [CORE_USER],
      id,
      userName: 'test.user@okta.local',
      name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work', display: 'test.user@okta.local' }],
      active: true,
      groups: [],
      meta: { resourceType: 'User' },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      id,
      name: { givenName: 'Another', middleName: 'Excited', familyName: 'User' },
      active: true,
    });
    expect(put.json.meta.created).toBe(current.meta.created);

    // OIN apps deactivate with PATCH.
    const deactivated = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(deactivated.status).toBe(200);
    expect(deactivated.json.active).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'TERMINATION', employeeId: id });

    // AIW apps deactivate with PUT active:false, and reactivate with PUT active:true.
    const second = (await scim('POST', '/Users', oktaUser('second@okta.local', { externalId: '00u2' }))).json;
    const body = { ...(await scim('GET', `/Users/${second.id}`)).json, active: false };
    expect((await scim('PUT', `/Users/${second.id}`, body)).json.active).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'TERMINATION', employeeId: second.id });
    expect((await scim('PUT', `/Users/${second.id}`, { ...body, active: true })).json.active).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'REHIRE', employeeId: second.id });

    // A PUT that changes nothing is not a change (Okta re-sends full bodies).
    const count = events.length;
    expect((await scim('PUT', `/Users/${second.id}`, { ...body, active: true })).status).toBe(200);
    expect(events.length).toBe(count);

    const snap = await h.snapshot('acme');
    expect(snap.employees.map((e) => [e.workEmail, e.employmentStatus])).toEqual(
      [...snap.employees].map((e) => [e.workEmail, e.id === id ? 'TERMINATED' : 'ACTIVE']),
    );
  });

  it('import: pages of count=100 by startIndex, in a stable order', async () => {
    const { scim } = setup();
    for (let i = 0; i < 230; i++)
      await scim('POST', '/Users', oktaUser(`user${String(i).padStart(3, '0')}@okta.local`, { externalId: `e${i}` }));
    const seen: string[] = [];
    for (let start = 1; ; start += 100) {
      const page = (await scim('GET', `/Users?startIndex=${start}&count=100`)).json;
      expect(page.totalResults).toBe(230);
      seen.push(...page.Resources.map((r: any) => r.userName));
      if (start + page.Resources.length > page.totalResults) break;
    }
    expect(seen).toHaveLength(230);
    expect(new Set(seen).size).toBe(230);
    expect(seen[0]).toBe('user000@okta.local');
  });

  it('group push: create, read, rename (with its own id in the value), membership PATCH, replace, PUT, delete', async () => {
    const { h, scim, events } = setup();
    const a = (await scim('POST', '/Users', oktaUser('a@okta.local', { externalId: 'a' }))).json.id;
    const b = (await scim('POST', '/Users', oktaUser('b@okta.local', { externalId: 'b' }))).json.id;
    const created = await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Test SCIMv2', members: [] });
    expect(created.status).toBe(201);
    const gid = created.json.id;
    expect(created.json).toMatchObject({ schemas: [CORE_GROUP], id: gid, displayName: 'Test SCIMv2' });
    expect((await scim('GET', `/Groups/${gid}`)).json.displayName).toBe('Test SCIMv2');
    expect((await scim('GET', '/Groups?startIndex=1&count=100')).json.totalResults).toBe(1);

    // Rename: path-less replace that repeats the group's id.
    const renamed = await scim('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { id: gid, displayName: 'Test SCIMv20' } }],
    });
    expect(renamed.status).toBe(204);
    expect((await scim('GET', `/Groups/${gid}`)).json.displayName).toBe('Test SCIMv20');

    // Membership: remove one (not a member yet: nothing happens), add one.
    await scim('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'remove', path: `members[value eq "${b}"]` },
        { op: 'add', path: 'members', value: [{ value: a, display: 'a@okta.local' }] },
      ],
    });
    expect((await scim('GET', `/Groups/${gid}`)).json.members).toEqual([
      { value: a, display: 'a@okta.local', type: 'User' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'GROUP_CHANGE', employeeId: a });

    // Full push of the membership with replace.
    await scim('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'members', value: [{ value: b, display: 'b@okta.local' }] }],
    });
    expect((await scim('GET', `/Groups/${gid}`)).json.members.map((m: any) => m.value)).toEqual([b]);
    const snap = await h.snapshot('acme');
    expect(snap.employees.find((e) => e.id === a)!.groupIds).not.toContain(gid);
    expect(snap.employees.find((e) => e.id === b)!.groupIds).toContain(gid);

    // AIW apps update groups with PUT.
    const put = await scim('PUT', `/Groups/${gid}`, {
      schemas: [CORE_GROUP],
      id: gid,
      displayName: 'Test SCIMv20',
      members: [{ value: a }, { value: b }],
    });
    expect(put.status).toBe(200);
    expect(put.json.members.map((m: any) => m.value)).toEqual([a, b]);

    // Unlink pushed group, deleting it in the target app.
    expect((await scim('DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect((await h.snapshot('acme')).employees.every((e) => !e.groupIds.includes(gid))).toBe(true);
  });
});
