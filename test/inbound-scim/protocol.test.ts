import { describe, expect, it } from 'vitest';
import { createScimHandler, MemoryScimStore, type ScimStore } from '../../src/inbound-scim/index.js';
import {
  client,
  CORE_GROUP,
  CORE_USER,
  ENTERPRISE,
  expectScimError,
  hasSpecs,
  ids,
  makeHandler,
  patchOp,
  spec,
  TOKEN_A,
  TOKEN_B,
  user,
} from './helpers.js';

describe('discovery', () => {
  it('serves ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const scim = client(makeHandler());
    const spc = await scim('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(spc.json.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    expect(spc.json.patch).toEqual({ supported: true });
    expect(spc.json.bulk.supported).toBe(false);
    expect(spc.json.filter).toEqual({ supported: true, maxResults: 1000 });
    expect(spc.json.authenticationSchemes[0]).toMatchObject({ type: 'oauthbearertoken', name: 'OAuth Bearer Token' });

    const rts = await scim('GET', '/ResourceTypes');
    expect(rts.json.totalResults).toBe(2);
    expect(rts.json.Resources.map((r: any) => r.endpoint)).toEqual(['/Users', '/Groups']);
    const userType = await scim('GET', '/ResourceTypes/User');
    expect(userType.json.schemaExtensions).toEqual([{ schema: ENTERPRISE, required: false }]);
    expect((await scim('GET', '/ResourceTypes/Nope')).status).toBe(404);

    const schemas = await scim('GET', '/Schemas');
    expect(schemas.json.Resources.map((s: any) => s.id)).toEqual([CORE_USER, CORE_GROUP, ENTERPRISE]);
    const userSchema = await scim('GET', `/Schemas/${CORE_USER}`);
    const names = userSchema.json.attributes.map((a: any) => a.name);
    expect(names).toContain('userName');
    expect(names).not.toContain('password');
    expect(userSchema.json.attributes.find((a: any) => a.name === 'userName')).toMatchObject({
      required: true,
      caseExact: false,
      uniqueness: 'server',
    });
    expect((await scim('GET', `/Schemas/${ENTERPRISE}`)).json.attributes.map((a: any) => a.name)).toContain('manager');
  });
});

describe('authentication and tenants', () => {
  it('answers 401 with a SCIM error for a missing, malformed or unknown token', async () => {
    const h = makeHandler();
    const none = await client(h, null)('GET', '/Users');
    expectScimError(none, 401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expectScimError(await client(h, null)('GET', '/Users', undefined, { authorization: 'Basic dXNlcjpwYXNz' }), 401);
    expectScimError(await client(h, 'wrong-token')('GET', '/Users'), 401);
    expectScimError(await client(h, `${TOKEN_A}x`)('GET', '/ServiceProviderConfig'), 401);
    // The bearer scheme is case-insensitive.
    expect((await client(h, null)('GET', '/Users', undefined, { authorization: `bearer ${TOKEN_A}` })).status).toBe(
      200,
    );
  });

  it('isolates tenants: one tenant never reads or changes another one’s users and groups', async () => {
    const h = makeHandler({ newId: ids('r') });
    const acme = client(h, TOKEN_A);
    const globex = client(h, TOKEN_B);
    const ann = (await acme('POST', '/Users', user('ann@acme.com'))).json;
    const team = (
      await acme('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Acme Team', members: [{ value: ann.id }] })
    ).json;

    // Globex sees nothing of Acme.
    expect((await globex('GET', '/Users')).json.totalResults).toBe(0);
    expect((await globex('GET', `/Users?filter=userName eq "ann@acme.com"`)).json.totalResults).toBe(0);
    expectScimError(await globex('GET', `/Users/${ann.id}`), 404);
    expectScimError(await globex('GET', `/Groups/${team.id}`), 404);
    // ... and cannot change or delete it.
    expectScimError(
      await globex('PATCH', `/Users/${ann.id}`, patchOp({ op: 'replace', path: 'active', value: false })),
      404,
    );
    expectScimError(await globex('PUT', `/Users/${ann.id}`, user('ann@acme.com', { active: false })), 404);
    expectScimError(await globex('DELETE', `/Users/${ann.id}`), 404);
    expectScimError(await globex('DELETE', `/Groups/${team.id}`), 404);
    // Nor reference Acme's user from its own group.
    expectScimError(
      await globex('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Spy', members: [{ value: ann.id }] }),
      400,
      'invalidValue',
    );
    // The same userName may exist in both tenants.
    expect((await globex('POST', '/Users', user('ann@acme.com'))).status).toBe(201);

    const a = await h.snapshot('acme');
    expect(a.employees.map((e) => e.id)).toEqual([ann.id]);
    expect(a.employees[0]!.employmentStatus).toBe('ACTIVE');
    expect(a.company).toEqual({ id: 'acme', name: 'Acme Inc.', legalName: null });
    expect((await h.snapshot('globex')).employees).toHaveLength(1);
  });

  it('tenant in the path: the token must belong to that tenant (403 otherwise)', async () => {
    const h = makeHandler({ tenantFromPath: true, basePath: '/scim/v2' });
    const acme = client(h, TOKEN_A);
    const created = await acme('POST', '/scim/v2/acme/Users', user('bob@acme.com'));
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`http://app.example.com/scim/v2/acme/Users/${created.json.id}`);
    expect(created.json.meta.location).toBe(created.headers.location);
    expectScimError(await acme('GET', '/scim/v2/globex/Users'), 403);
    expectScimError(await client(h, TOKEN_B)('GET', `/scim/v2/acme/Users/${created.json.id}`), 403);
    expectScimError(await client(h, null)('GET', '/scim/v2/acme/Users'), 401);
    expect((await client(h, TOKEN_B)('GET', '/scim/v2/globex/Users')).json.totalResults).toBe(0);
  });

  it('resolves tenants with an authenticate() hook', async () => {
    const h = createScimHandler({
      store: new MemoryScimStore(),
      authenticate: (token) => (token === 'hook-token-1234567890' ? 'hooked' : null),
      tenantName: (t) => `Tenant ${t}`,
    });
    expect((await client(h, 'hook-token-1234567890')('POST', '/Users', user('z@z.com'))).status).toBe(201);
    expectScimError(await client(h, 'nope')('GET', '/Users'), 401);
    expect((await h.snapshot('hooked')).company.name).toBe('Tenant hooked');
  });

  it('rejects bad configuration early', () => {
    expect(() => createScimHandler({ store: new MemoryScimStore() })).toThrow(/tenants/);
    expect(() => createScimHandler({ store: new MemoryScimStore(), tenants: [{ id: 'Bad Id', token: 'x' }] })).toThrow(
      /tenant id/,
    );
    expect(() =>
      createScimHandler({
        store: new MemoryScimStore(),
        tenants: [
          { id: 'a', token: 'same' },
          { id: 'b', token: 'same' },
        ],
      }),
    ).toThrow(/share a token/);
  });
});

describe('Users', () => {
  it('creates, reads, replaces, patches and deletes a user', async () => {
    const h = makeHandler();
    const scim = client(h);
    const created = await scim('POST', '/Users', {
      ...user('jane@acme.com'),
      [ENTERPRISE]: { employeeNumber: '701984', department: 'Engineering', manager: { value: 'nobody-yet' } },
      password: 'never-stored',
    });
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect(created.headers.location).toBe(`http://app.example.com/Users/${id}`);
    expect(created.json).toMatchObject({
      schemas: [CORE_USER, ENTERPRISE],
      id,
      userName: 'jane@acme.com',
      active: true,
      meta: {
        resourceType: 'User',
        created: expect.stringMatching(/^2026-03-02T09:00:0\d\.000Z$/),
        lastModified: created.json.meta.created,
      },
      [ENTERPRISE]: { employeeNumber: '701984', department: 'Engineering' },
    });
    expect(JSON.stringify(created.json)).not.toContain('never-stored');

    const read = await scim('GET', `/Users/${id}`);
    expect(read.json).toEqual(created.json);

    const put = await scim('PUT', `/Users/${id}`, { ...user('jane@acme.com'), title: 'Staff Engineer', id: 'ignored' });
    expect(put.status).toBe(200);
    expect(put.json.title).toBe('Staff Engineer');
    expect(put.json.id).toBe(id);
    expect(put.json[ENTERPRISE]).toBeUndefined(); // PUT replaces: the extension was not sent
    expect(put.json.meta.created).toBe(created.json.meta.created);
    expect(put.json.meta.lastModified > created.json.meta.lastModified).toBe(true);

    const patched = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({ op: 'replace', path: 'title', value: 'Principal Engineer' }),
    );
    expect(patched.status).toBe(200);
    expect(patched.json.title).toBe('Principal Engineer');

    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expectScimError(await scim('GET', `/Users/${id}`), 404);
    expectScimError(await scim('DELETE', `/Users/${id}`), 404);
  });

  it('enforces userName uniqueness case-insensitively (409 uniqueness) on POST, PUT and PATCH', async () => {
    const scim = client(makeHandler());
    await scim('POST', '/Users', user('ann@acme.com'));
    const bob = (await scim('POST', '/Users', user('bob@acme.com'))).json;
    expectScimError(await scim('POST', '/Users', user('ANN@acme.com')), 409, 'uniqueness');
    expectScimError(await scim('PUT', `/Users/${bob.id}`, user('Ann@Acme.com')), 409, 'uniqueness');
    expectScimError(
      await scim('PATCH', `/Users/${bob.id}`, patchOp({ op: 'replace', path: 'userName', value: 'ann@ACME.com' })),
      409,
      'uniqueness',
    );
    // Renaming to a new unique value works.
    expect(
      (await scim('PATCH', `/Users/${bob.id}`, patchOp({ op: 'replace', path: 'userName', value: 'robert@acme.com' })))
        .json.userName,
    ).toBe('robert@acme.com');
  });

  it('validates bodies: 400 invalidSyntax / invalidValue', async () => {
    const scim = client(makeHandler());
    expectScimError(await scim('POST', '/Users', '{"userName": '), 400, 'invalidSyntax');
    expectScimError(await scim('POST', '/Users', '[1,2]'), 400, 'invalidSyntax');
    expectScimError(await scim('POST', '/Users', { schemas: [CORE_GROUP], displayName: 'x' }), 400, 'invalidSyntax');
    expectScimError(await scim('POST', '/Users', { schemas: [CORE_USER] }), 400, 'invalidValue');
    expectScimError(await scim('POST', '/Users', { schemas: [CORE_USER], userName: '   ' }), 400, 'invalidValue');
    expectScimError(
      await scim('POST', '/Users', { schemas: [CORE_USER], userName: 'a', active: 'maybe' }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim('POST', '/Users', { schemas: [CORE_USER], userName: 'a', name: 'Ann' }),
      400,
      'invalidValue',
    );
    const ok = (await scim('POST', '/Users', { schemas: [CORE_USER], userName: 'a' })).json;
    expectScimError(await scim('PATCH', `/Users/${ok.id}`, { Operations: [] }), 400, 'invalidValue');
    expectScimError(
      await scim('PATCH', `/Users/${ok.id}`, {
        schemas: ['urn:wrong'],
        Operations: [{ op: 'add', path: 'title', value: 'x' }],
      }),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await scim('PATCH', `/Users/${ok.id}`, patchOp({ op: 'merge', path: 'title', value: 'x' })),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await scim('PATCH', `/Users/${ok.id}`, patchOp({ op: 'replace', path: 'nosuch', value: 'x' })),
      400,
      'invalidPath',
    );
    expectScimError(
      await scim('PATCH', `/Users/${ok.id}`, patchOp({ op: 'replace', path: 'id', value: 'other' })),
      400,
      'mutability',
    );
    expectScimError(
      await scim('PATCH', `/Users/${ok.id}`, patchOp({ op: 'remove', path: 'userName' })),
      400,
      'invalidValue',
    );
    expectScimError(await scim('PATCH', `/Users/${ok.id}`, patchOp({ op: 'remove' })), 400, 'noTarget');
  });

  it('PATCH semantics: merge of complex values, whole-extension removal, read-only and URN-qualified paths', async () => {
    const scim = client(makeHandler());
    const id = (
      await scim('POST', '/Users', {
        ...user('p@acme.com'),
        name: { givenName: 'Pat', familyName: 'Lee' },
        [ENTERPRISE]: { department: 'Eng', costCenter: 'CC-1' },
      })
    ).json.id;
    // Replace of a complex attribute keeps the sub-attributes not given (RFC 7644 §3.5.2.3).
    const merged = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({ op: 'replace', path: 'name', value: { familyName: 'Lee-Smith' } }),
    );
    expect(merged.json.name).toEqual({ givenName: 'Pat', familyName: 'Lee-Smith' });
    // Path-less replace of an extension object changes only the attributes given.
    const ext = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({ op: 'replace', value: { [ENTERPRISE]: { department: 'Sales' } } }),
    );
    expect(ext.json[ENTERPRISE]).toEqual({ department: 'Sales', costCenter: 'CC-1' });
    // Path-less replace of a multi-valued attribute replaces it (it does not append).
    const emails = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({ op: 'replace', value: { emails: [{ value: 'new@acme.com', type: 'work' }] } }),
    );
    expect(emails.json.emails).toEqual([{ value: 'new@acme.com', type: 'work' }]);
    // A core-URN-qualified path.
    expect(
      (await scim('PATCH', `/Users/${id}`, patchOp({ op: 'add', path: `${CORE_USER}:title`, value: 'Lead' }))).json
        .title,
    ).toBe('Lead');
    // Removing the whole extension.
    expect(
      (await scim('PATCH', `/Users/${id}`, patchOp({ op: 'remove', path: ENTERPRISE }))).json[ENTERPRISE],
    ).toBeUndefined();
    // User.groups is read-only: an explicit path is refused, a path-less echo is ignored.
    expectScimError(
      await scim('PATCH', `/Users/${id}`, patchOp({ op: 'add', path: 'groups', value: [{ value: 'g' }] })),
      400,
      'mutability',
    );
    const echo = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({ op: 'replace', value: { groups: [{ value: 'g' }], nickName: 'P' } }),
    );
    expect(echo.json.nickName).toBe('P');
    expect(echo.json.groups).toBeUndefined();
  });

  it('lists with startIndex/count (1-based, clamped) and reports itemsPerPage as the page size', async () => {
    const scim = client(makeHandler());
    for (const n of ['a', 'b', 'c', 'd', 'e']) await scim('POST', '/Users', user(`${n}@acme.com`));
    const page = await scim('GET', '/Users?startIndex=2&count=2');
    expect(page.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 5,
      startIndex: 2,
      itemsPerPage: 2,
    });
    expect(page.json.Resources.map((r: any) => r.userName)).toEqual(['b@acme.com', 'c@acme.com']);
    const last = await scim('GET', '/Users?startIndex=5&count=10');
    expect(last.json.Resources.map((r: any) => r.userName)).toEqual(['e@acme.com']);
    expect(last.json.itemsPerPage).toBe(1);
    expect((await scim('GET', '/Users?startIndex=0&count=1')).json.startIndex).toBe(1);
    expect((await scim('GET', '/Users?count=-4')).json).toMatchObject({
      totalResults: 5,
      itemsPerPage: 0,
      Resources: [],
    });
    expect((await scim('GET', '/Users?count=0')).json.Resources).toEqual([]);
    expect((await scim('GET', '/Users?startIndex=9')).json).toMatchObject({
      totalResults: 5,
      itemsPerPage: 0,
      Resources: [],
    });
    const capped = client(makeHandler({ maxResults: 2 }));
    for (const n of ['a', 'b', 'c']) await capped('POST', '/Users', user(`${n}@acme.com`));
    expect((await capped('GET', '/Users?count=100')).json).toMatchObject({ totalResults: 3, itemsPerPage: 2 });
  });

  it('filters: case rules per attribute, extension attributes, value paths, logic, dates', async () => {
    const scim = client(makeHandler());
    const ann = (
      await scim('POST', '/Users', {
        ...user('Ann@Acme.com'),
        externalId: 'EXT-1',
        title: 'Engineer',
        [ENTERPRISE]: { department: 'Engineering' },
      })
    ).json;
    await scim('POST', '/Users', {
      ...user('bob@acme.com'),
      externalId: 'ext-2',
      active: false,
      emails: [{ value: 'bob@home.org', type: 'home' }],
    });
    const names = async (f: string) =>
      (await scim('GET', `/Users?filter=${encodeURIComponent(f)}`)).json.Resources.map((r: any) => r.userName);
    expect(await names('userName eq "ann@acme.com"')).toEqual(['Ann@Acme.com']); // caseExact false
    expect(await names('externalId eq "ext-1"')).toEqual([]); // caseExact true
    expect(await names('externalId eq "EXT-1"')).toEqual(['Ann@Acme.com']);
    expect(await names(`${ENTERPRISE}:department eq "engineering"`)).toEqual(['Ann@Acme.com']);
    expect(await names(`${CORE_USER}:userName sw "BOB"`)).toEqual(['bob@acme.com']);
    expect(await names('emails[type eq "work"].value eq "ann@acme.com"')).toEqual(['Ann@Acme.com']);
    expect(await names('emails[type eq "home"]')).toEqual(['bob@acme.com']);
    expect(await names('emails co "home.org"')).toEqual(['bob@acme.com']);
    expect(await names('active eq false')).toEqual(['bob@acme.com']);
    expect(await names('title pr')).toEqual(['Ann@Acme.com']);
    expect(await names('not (title pr)')).toEqual(['bob@acme.com']);
    expect(await names('userName eq "x" or active eq true')).toEqual(['Ann@Acme.com']);
    expect(await names('(userName sw "a" or userName sw "b") and active eq true')).toEqual(['Ann@Acme.com']);
    expect(await names(`meta.created gt "${ann.meta.created}"`)).toEqual(['bob@acme.com']);
    expect(await names('meta.lastModified ge "2020-01-01T00:00:00Z"')).toHaveLength(2);
    expectScimError(await scim('GET', '/Users?filter=userName%20zz%20%22a%22'), 400, 'invalidFilter');
    expectScimError(await scim('GET', '/Users?filter=nosuch%20eq%20%22a%22'), 400, 'invalidFilter');
    expectScimError(await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter');
    expectScimError(
      await scim('GET', `/Users?filter=${encodeURIComponent('title[value eq "x"]')}`),
      400,
      'invalidFilter',
    );
  });

  it('applies attributes / excludedAttributes, always keeping id and schemas', async () => {
    const scim = client(makeHandler());
    const u = (await scim('POST', '/Users', { ...user('ann@acme.com'), [ENTERPRISE]: { department: 'Eng' } })).json;
    const only = await scim('GET', `/Users/${u.id}?attributes=userName,emails.value`);
    expect(only.json).toEqual({
      schemas: [CORE_USER],
      id: u.id,
      userName: 'ann@acme.com',
      emails: [{ value: 'ann@acme.com' }],
    });
    const without = await scim('GET', `/Users?excludedAttributes=emails,name,${ENTERPRISE}`);
    const r = without.json.Resources[0];
    expect(r.emails).toBeUndefined();
    expect(r.name).toBeUndefined();
    expect(r[ENTERPRISE]).toBeUndefined();
    expect(r.userName).toBe('ann@acme.com');
    const ext = await scim('GET', `/Users/${u.id}?attributes=${ENTERPRISE}:department`);
    expect(ext.json[ENTERPRISE]).toEqual({ department: 'Eng' });
  });

  it('POST /Users/.search (RFC 7644 §3.4.3)', async () => {
    const scim = client(makeHandler());
    await scim('POST', '/Users', { ...user('bsmith@acme.com'), displayName: 'Barbara Smith' });
    await scim('POST', '/Users', { ...user('jdoe@acme.com'), displayName: 'John Doe' });
    const body = hasSpecs
      ? spec('rfc7644-3.4.3-search_request.json')
      : {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
          attributes: ['displayName', 'userName'],
          filter: 'displayName sw "smith"',
          startIndex: 1,
          count: 10,
        };
    body.filter = 'displayName sw "barbara"';
    const res = await scim('POST', '/Users/.search', body);
    expect(res.status).toBe(200);
    expect(res.json.Resources).toEqual([
      { schemas: [CORE_USER], id: expect.any(String), displayName: 'Barbara Smith', userName: 'bsmith@acme.com' },
    ]);
    expectScimError(await scim('GET', '/Users/.search'), 405);
  });
});

describe('Groups', () => {
  it('creates groups with members, nests groups, and computes User.groups', async () => {
    const scim = client(makeHandler());
    const ann = (await scim('POST', '/Users', user('ann@acme.com'))).json;
    const eng = (
      await scim('POST', '/Groups', {
        schemas: [CORE_GROUP],
        displayName: 'Engineering',
        members: [{ value: ann.id, display: 'Ann' }],
      })
    ).json;
    expect(eng.members).toEqual([{ value: ann.id, display: 'Ann', type: 'User' }]);
    const all = (
      await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Everyone', members: [{ value: eng.id }] })
    ).json;
    expect(all.members).toEqual([{ value: eng.id, type: 'Group' }]);
    const readUser = (await scim('GET', `/Users/${ann.id}`)).json;
    expect(readUser.groups).toEqual([{ value: eng.id, display: 'Engineering', type: 'direct' }]);
    expect(
      (await scim('GET', `/Users?filter=${encodeURIComponent(`groups.value eq "${eng.id}"`)}`)).json.totalResults,
    ).toBe(1);
    expect(
      (await scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${ann.id}"]`)}`)).json.Resources.map(
        (g: any) => g.displayName,
      ),
    ).toEqual(['Engineering']);

    expectScimError(
      await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'engineering' }),
      409,
      'uniqueness',
    );
    expectScimError(await scim('POST', '/Groups', { schemas: [CORE_GROUP] }), 400, 'invalidValue');
    expectScimError(
      await scim('PATCH', `/Groups/${eng.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: eng.id }] })),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim('PATCH', `/Groups/${eng.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: 'ghost' }] })),
      400,
      'invalidValue',
    );
  });

  it('deleting a user or group removes it from every group', async () => {
    const h = makeHandler();
    const scim = client(h);
    const ann = (await scim('POST', '/Users', user('ann@acme.com'))).json;
    const eng = (
      await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Engineering', members: [{ value: ann.id }] })
    ).json;
    const all = (
      await scim('POST', '/Groups', {
        schemas: [CORE_GROUP],
        displayName: 'Everyone',
        members: [{ value: eng.id }, { value: ann.id }],
      })
    ).json;
    await scim('DELETE', `/Groups/${eng.id}`);
    expect((await scim('GET', `/Groups/${all.id}`)).json.members).toEqual([{ value: ann.id, type: 'User' }]);
    await scim('DELETE', `/Users/${ann.id}`);
    expect((await scim('GET', `/Groups/${all.id}`)).json.members).toBeUndefined();
    expect((await h.snapshot('acme')).groups.map((g) => g.name)).toEqual(['Everyone']);
  });

  it('PATCH on a group answers 204, or 200 with the group when attributes are asked for', async () => {
    const scim = client(makeHandler());
    const g = (await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Ops' })).json;
    const res = await scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchOp({ op: 'replace', path: 'displayName', value: 'Operations' }),
    );
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const withBody = await scim(
      'PATCH',
      `/Groups/${g.id}?excludedAttributes=members`,
      patchOp({ op: 'replace', path: 'displayName', value: 'Ops 2' }),
    );
    expect(withBody.status).toBe(200);
    expect(withBody.json.displayName).toBe('Ops 2');
  });
});

describe.skipIf(!hasSpecs)('RFC 7644 sample requests (../shared/specs/scim)', () => {
  const BJENSEN = '2819c223-7f76-453a-919d-413861904646';
  it('POST and PUT of the RFC user samples', async () => {
    const scim = client(makeHandler({ newId: ids('x', [BJENSEN]) }));
    const created = await scim('POST', '/Users', spec('rfc7644-3.3-user-post_request.json'));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: BJENSEN,
      userName: 'bjensen',
      externalId: 'bjensen',
      name: { familyName: 'Jensen', givenName: 'Barbara' },
    });
    const put = await scim('PUT', `/Users/${BJENSEN}`, spec('rfc7644-3.5.1-user-put_request.json'));
    expect(put.status).toBe(200);
    expect(put.json.name.middleName).toBe('Jane');
    expect(put.json.emails.map((e: any) => e.value)).toEqual(['bjensen@example.com', 'babs@jensen.org']);
  });

  it('the RFC PATCH samples on users and groups', async () => {
    const JSMITH = '08e1d05d-121c-4561-8b96-473d93df9210';
    const JSMITH_SHORT = '08e1d05d...473d93df9210'; // the RFC's abbreviated id, used in one sample
    const OTHER = '2819c223...919d-413861904646';
    const scim = client(makeHandler({ newId: ids('x', [BJENSEN, JSMITH, JSMITH_SHORT, OTHER, 'g1']) }));
    await scim('POST', '/Users', {
      ...spec('rfc7644-3.3-user-post_request.json'),
      emails: [{ value: 'bjensen@example.com', type: 'work' }],
    });
    await scim('POST', '/Users', user('jsmith@example.com'));
    await scim('POST', '/Users', user('jsmith2@example.com'));
    await scim('POST', '/Users', user('other@example.com'));
    const g = (await scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Tour Guides' })).json;

    expect((await scim('PATCH', `/Groups/${g.id}`, spec('rfc7644-3.5.2.1-patch_op-add_members.json'))).status).toBe(
      204,
    );
    let members = (await scim('GET', `/Groups/${g.id}`)).json.members.map((m: any) => m.value);
    expect(members).toEqual([BJENSEN]);
    await scim('PATCH', `/Groups/${g.id}`, spec('rfc7644-3.5.2.3-patch_op-replace_all_members.json'));
    members = (await scim('GET', `/Groups/${g.id}`)).json.members.map((m: any) => m.value);
    expect(members).toEqual([BJENSEN, JSMITH]);
    await scim('PATCH', `/Groups/${g.id}`, spec('rfc7644-3.5.2.2-patch_op-remove_one_member.json')); // names an abbreviated id: nothing removed
    await scim('PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: OTHER }] }));
    await scim('PATCH', `/Groups/${g.id}`, spec('rfc7644-3.5.2.2-patch_op-remove_and_add_one_member.json'));
    members = (await scim('GET', `/Groups/${g.id}`)).json.members.map((m: any) => m.value);
    expect(members).toEqual([BJENSEN, JSMITH, JSMITH_SHORT]);
    await scim('PATCH', `/Groups/${g.id}`, spec('rfc7644-3.5.2.2-patch_op-remove_all_members.json'));
    expect((await scim('GET', `/Groups/${g.id}`)).json.members).toBeUndefined();

    const add = await scim('PATCH', `/Users/${BJENSEN}`, spec('rfc7644-3.5.2.1-patch_op-add_emails.json'));
    expect(add.json.nickName).toBe('Babs');
    expect(add.json.emails.map((e: any) => e.value)).toEqual(['bjensen@example.com', 'babs@jensen.org']);
    const replaced = await scim(
      'PATCH',
      `/Users/${BJENSEN}`,
      spec('rfc7644-3.5.2.3-patch_op-replace_all_email_values.json'),
    );
    expect(replaced.json.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
    const removed = await scim(
      'PATCH',
      `/Users/${BJENSEN}`,
      spec('rfc7644-3.5.2.2-patch_op-remove_multi_complex_value.json'),
    );
    expect(removed.json.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
    const addr = await scim(
      'PATCH',
      `/Users/${BJENSEN}`,
      spec('rfc7644-3.5.2.3-patch_op-replace_user_work_address.json'),
    );
    expect(addr.json.addresses).toEqual([
      expect.objectContaining({ type: 'work', locality: 'Hollywood', postalCode: '91608', primary: true }),
    ]);
    const street = await scim(
      'PATCH',
      `/Users/${BJENSEN}`,
      spec('rfc7644-3.5.2.3-patch_op-replace_street_address.json'),
    );
    expect(street.json.addresses[0]).toMatchObject({ streetAddress: '1010 Broadway Ave', locality: 'Hollywood' });
  });
});

describe('errors for every failure', () => {
  it('404, 405, 501 and unknown endpoints', async () => {
    const scim = client(makeHandler());
    expectScimError(await scim('GET', '/Users/nope'), 404);
    expectScimError(await scim('GET', '/Nope'), 404);
    expectScimError(await scim('GET', '/'), 404);
    expectScimError(await scim('GET', '/Users/a/b'), 404);
    const m = await scim('DELETE', '/Users');
    expectScimError(m, 405);
    expect(m.headers.allow).toBe('GET, POST');
    expectScimError(await scim('POST', '/ServiceProviderConfig', {}), 405);
    expectScimError(await scim('POST', '/Bulk', {}), 501);
    expectScimError(await scim('GET', '/Me'), 501);
  });

  it('413 for a body over the limit (declared or actual), with a SCIM error and no scimType', async () => {
    const scim = client(makeHandler({ maxBodyBytes: 2048 }));
    const big = user('big@acme.com', { title: 'x'.repeat(4000) });
    expectScimError(await scim('POST', '/Users', big), 413);
    expectScimError(await scim('POST', '/Users', user('a@b.c'), { 'content-length': '999999' }), 413);
    const h = makeHandler({ maxBodyBytes: 2048 });
    const parsed = await h.handle({
      method: 'POST',
      path: '/Users',
      headers: { authorization: `Bearer ${TOKEN_A}` },
      body: big,
    });
    expect(parsed.status).toBe(413);
    expect(JSON.stringify(parsed.body)).toContain('2048 bytes');
  });

  it('500 without internals when the store fails, and nothing changes', async () => {
    const inner = new MemoryScimStore();
    let fail = false;
    const store: ScimStore = {
      load: (t) => inner.load(t),
      save: async (t, d) => {
        if (fail) throw new Error('EIO: disk on fire at /secret/path');
        return inner.save(t, d);
      },
    };
    const errors: unknown[] = [];
    const h = makeHandler({ store, onError: (e) => errors.push(e) });
    const scim = client(h);
    await scim('POST', '/Users', user('a@acme.com'));
    fail = true;
    const res = await scim('POST', '/Users', user('b@acme.com'));
    expectScimError(res, 500);
    expect(JSON.stringify(res.json)).not.toMatch(/secret|EIO|fire/);
    expect(errors).toHaveLength(1);
    fail = false;
    expect((await scim('GET', '/Users')).json.totalResults).toBe(1);
    expect((await h.snapshot('acme')).employees).toHaveLength(1);
  });
});
