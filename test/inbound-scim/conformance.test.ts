/**
 * The conformance defects a SCIM 2.0 checker (python scim2-tester, not installable here: no PyPI)
 * found in serve-scim, one test per case (issue 12 §5).
 */
import { describe, expect, it } from 'vitest';
import { serveScimCommand } from '../../src/cli/serve-scim.js';
import { client, ENTERPRISE, ERROR_URN, expectScimError, makeHandler, patchOp, user } from './helpers.js';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const enc = encodeURIComponent;

describe('canonical values are suggestions (RFC 7643 §7)', () => {
  it('accepts any roles.type and x509Certificates.type (Entra role push), on POST and PATCH', async () => {
    const scim = client(makeHandler());
    const roles = [{ value: 'Admin', display: 'Admin', type: 'WindowsAzureActiveDirectoryRole', primary: true }];
    const created = await scim(
      'POST',
      '/Users',
      user('ann@acme.com', { roles, x509Certificates: [{ value: 'TUlJQ0lq', type: 'signing' }] }),
    );
    expect(created.status).toBe(201);
    expect(created.json.roles).toEqual(roles);
    expect(created.json.x509Certificates[0].type).toBe('signing');
    const patched = await scim(
      'PATCH',
      `/Users/${created.json.id}`,
      patchOp({ op: 'add', path: 'roles', value: [{ value: 'Reader', type: 'AppRole' }] }),
    );
    expect(patched.status).toBe(200);
    expect(patched.json.roles.map((r: any) => r.type)).toEqual(['WindowsAzureActiveDirectoryRole', 'AppRole']);
  });

  it('emails[].type: case-insensitive canonical values are stored canonically, other values kept', async () => {
    const scim = client(makeHandler());
    const emails = [
      { value: 'a@acme.com', type: 'Work', primary: true },
      { value: 'b@acme.com', type: 'WORK' },
      { value: 'c@acme.com', type: 'internal' },
    ];
    const created = await scim('POST', '/Users', user('ann@acme.com', { emails }));
    expect(created.status).toBe(201);
    expect(created.json.emails.map((e: any) => e.type)).toEqual(['work', 'work', 'internal']);
    const byType = await scim('GET', `/Users?filter=${enc('emails[type eq "internal"]')}`);
    expect(byType.json.totalResults).toBe(1);
  });

  it('/Schemas still advertises the non-empty canonical lists, and drops the empty ones', async () => {
    const scim = client(makeHandler());
    const u = (await scim('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User')).json;
    const sub = (attr: string) =>
      u.attributes.find((a: any) => a.name === attr).subAttributes.find((s: any) => s.name === 'type');
    expect(sub('emails').canonicalValues).toEqual(['work', 'home', 'other']);
    expect(sub('roles').canonicalValues).toBeUndefined();
    expect(sub('x509Certificates').canonicalValues).toBeUndefined();
  });
});

describe('PATCH of the enterprise extension with a nested "schemas" key', () => {
  it('is accepted like POST accepts it (path and path-less), and never echoes a JavaScript error', async () => {
    const scim = client(makeHandler());
    const posted = await scim(
      'POST',
      '/Users',
      user('ann@acme.com', { [ENTERPRISE]: { schemas: [ENTERPRISE], department: 'Eng' } }),
    );
    expect(posted.status).toBe(201);
    const id = posted.json.id;
    const withPath = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({ op: 'add', path: ENTERPRISE, value: { schemas: [ENTERPRISE], department: 'Sales' } }),
    );
    expect(withPath.status).toBe(200);
    expect(withPath.json[ENTERPRISE].department).toBe('Sales');
    const pathless = await scim(
      'PATCH',
      `/Users/${id}`,
      patchOp({ op: 'replace', value: { [ENTERPRISE]: { schemas: [ENTERPRISE], costCenter: 'CC1' } } }),
    );
    expect(pathless.status).toBe(200);
    expect(pathless.json[ENTERPRISE]).toMatchObject({ department: 'Sales', costCenter: 'CC1' });
  });

  it('error bodies never carry a raw JavaScript message', async () => {
    const scim = client(makeHandler());
    const id = (await scim('POST', '/Users', user('ann@acme.com'))).json.id;
    const bad = [
      await scim('PATCH', `/Users/${id}`, patchOp({ op: 'add', path: 'name', value: 'not-an-object' })),
      await scim('POST', '/Users', user('bob@acme.com', { emails: 'x', name: [1] })),
      await scim('POST', '/Users', '{"userName": '),
    ];
    for (const r of bad) {
      expect(r.status, JSON.stringify(r.json)).toBe(400);
      expect(r.json.schemas).toEqual([ERROR_URN]);
      expect(r.json.detail).not.toMatch(
        /Cannot (read|add|set) propert|not extensible|is not a function|undefined|Unexpected token|position \d/,
      );
    }
  });
});

describe('filters', () => {
  it('redundant parentheses are fine', async () => {
    const scim = client(makeHandler());
    await scim('POST', '/Users', user('a'));
    for (const f of [
      '((userName eq "a"))',
      '(((userName eq "a")) and ((active eq true)))',
      'not ((userName eq "b"))',
    ]) {
      const r = await scim('GET', `/Users?filter=${enc(f)}`);
      expect(r.status, f).toBe(200);
      expect(r.json.totalResults, f).toBe(1);
    }
  });

  it('not around a value path, and escaped quotes in strings (scimmy lost both)', async () => {
    const scim = client(makeHandler());
    await scim('POST', '/Users', user('a"b@acme.com'));
    await scim('POST', '/Users', user('c@acme.com', { emails: [{ value: 'c@acme.com', type: 'home' }] }));
    const names = async (f: string) =>
      (await scim('GET', `/Users?filter=${enc(f)}`)).json.Resources.map((r: any) => r.userName);
    expect(await names('not (emails[type eq "work"])')).toEqual(['c@acme.com']);
    expect(await names('userName eq "a\\"b@acme.com"')).toEqual(['a"b@acme.com']);
    expect(await names('emails[not (type eq "work")]')).toEqual(['c@acme.com']);
  });

  it('redundant parentheses in a PATCH path filter are fine too', async () => {
    const scim = client(makeHandler());
    const id = (await scim('POST', '/Users', user('a@acme.com'))).json.id;
    const path = 'emails[((type eq "work"))].value';
    const r = await scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path, value: 'b@acme.com' }));
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.emails[0].value).toBe('b@acme.com');
  });

  it('a dateTime compared with something that is not a date is 400 invalidFilter', async () => {
    const scim = client(makeHandler());
    await scim('POST', '/Users', user('a'));
    expectScimError(
      await scim('GET', `/Users?filter=${enc('meta.lastModified gt "not-a-date"')}`),
      400,
      'invalidFilter',
    );
    expectScimError(await scim('GET', `/Users?filter=${enc('meta.created eq 42')}`), 400, 'invalidFilter');
    expectScimError(await scim('GET', `/Users?filter=${enc('active gt true')}`), 400, 'invalidFilter');
    expect(
      (await scim('GET', `/Users?filter=${enc('meta.lastModified gt "2011-05-13T04:42:34Z"')}`)).json.totalResults,
    ).toBe(1);
  });

  it('an over-long filter is a SCIM 400 invalidFilter (GET and .search)', async () => {
    const scim = client(makeHandler());
    const long = Array.from({ length: 400 }, (_, i) => `userName eq "user-${i}"`).join(' or ');
    expectScimError(await scim('GET', `/Users?filter=${enc(long)}`), 400, 'invalidFilter');
    expectScimError(await scim('POST', '/Users/.search', { schemas: [SEARCH], filter: long }), 400, 'invalidFilter');
  });
});

describe('root-level POST /.search (RFC 7644 §3.4.3)', () => {
  it('searches Users and Groups together, with paging and attributes', async () => {
    const scim = client(makeHandler());
    const ann = (await scim('POST', '/Users', user('ann@acme.com'))).json;
    await scim('POST', '/Users', user('bob@acme.com'));
    await scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Eng',
      members: [{ value: ann.id }],
    });
    const all = await scim('POST', '/.search', { schemas: [SEARCH] });
    expect(all.status).toBe(200);
    expect(all.json.totalResults).toBe(3);
    const byName = await scim('POST', '/.search', {
      schemas: [SEARCH],
      filter: 'userName sw "ann" or displayName eq "eng"',
      attributes: ['id'],
    });
    expect(byName.json.totalResults).toBe(2);
    expect(byName.json.Resources.map((r: any) => r.meta?.resourceType ?? r.schemas[0]).length).toBe(2);
    const page = await scim('POST', '/.search', { schemas: [SEARCH], startIndex: 2, count: 1 });
    expect(page.json).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expectScimError(
      await scim('POST', '/.search', { schemas: [SEARCH], filter: 'nosuch eq "x"' }),
      400,
      'invalidFilter',
    );
    expectScimError(await scim('GET', '/.search'), 405);
  });
});

describe('serve-scim over HTTP', () => {
  it('a filter too long for Node`s header limit still gets a SCIM error body', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orgsync-scim-conf-'));
    const ac = new AbortController();
    let listening!: (url: string) => void;
    const url = new Promise<string>((r) => (listening = r));
    const sink = { stdout: () => undefined, stderr: () => undefined };
    const exit = serveScimCommand({ port: 0, token: 'conf-token-0123456789abcdef', store: dir }, sink, {
      signal: ac.signal,
      onListening: (i) => listening(i.baseUrl),
    });
    try {
      const base = await url;
      const auth = { authorization: 'Bearer conf-token-0123456789abcdef' };
      const mid = await fetch(`${base}/Users?filter=${enc(`userName eq "${'a'.repeat(20_000)}"`)}`, { headers: auth });
      expect(mid.status).toBe(400);
      expect(await mid.json()).toMatchObject({ schemas: [ERROR_URN], status: '400', scimType: 'invalidFilter' });
      const huge = await fetch(`${base}/Users?filter=${enc(`userName eq "${'a'.repeat(100_000)}"`)}`, {
        headers: auth,
      });
      expect(huge.status).toBe(431);
      expect(huge.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(await huge.json()).toMatchObject({ schemas: [ERROR_URN], status: '431' });
    } finally {
      ac.abort();
      await exit;
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
