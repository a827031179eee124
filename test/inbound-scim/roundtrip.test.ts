/**
 * Both sides of orgsync over real loopback HTTP: identity-provider traffic pushed into the inbound
 * endpoint (node listener and express middleware), then read back by the SCIM client connector.
 */
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { scim } from '../../connectors/scim/index.js';
import {
  createScimHandler,
  MemoryScimStore,
  toExpressMiddleware,
  toNodeListener,
  type ScimHandler,
} from '../../src/inbound-scim/index.js';
import type { Employee, OrgSnapshot } from '../../src/model.js';
import { takeSnapshot } from '../../src/snapshot.js';
import { CORE_GROUP, ENTERPRISE, ERROR_URN, PATCH_OP, TOKEN_A, user } from './helpers.js';

// express ships no types here (no @types/express); it is a dev dependency used as a host only.
type ExpressApp = { use(...args: unknown[]): void };
const express = createRequire(import.meta.url)('express') as (() => ExpressApp) & {
  json(o: { type: string[]; limit: string }): unknown;
};

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function handler(): ScimHandler {
  return createScimHandler({
    store: new MemoryScimStore(),
    tenants: [{ id: 'acme', token: TOKEN_A, name: 'Acme' }],
    basePath: '/scim/v2',
    maxResults: 7,
  });
}

async function call(base: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN_A}`, 'content-type': 'application/scim+json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** An org pushed the way IdPs push it: users, a manager chain, departments, nested groups, a leaver. */
async function pushOrg(base: string): Promise<void> {
  const root = '/scim/v2';
  const ids: Record<string, string> = {};
  const people = [
    ['ceo', null, 'Executive', 'Corporate'],
    ['cto', 'ceo', 'Engineering', 'R&D'],
    ['dev1', 'cto', 'Engineering', 'R&D'],
    ['dev2', 'cto', 'Engineering', 'R&D'],
    ['dev3', 'cto', 'Engineering', 'R&D'],
    ['pm1', 'cto', 'Product', 'R&D'],
    ['sales1', 'ceo', 'Sales', 'Corporate'],
    ['sales2', 'sales1', 'Sales', 'Corporate'],
    ['hr1', 'ceo', 'People', 'Corporate'],
    ['contractor1', 'cto', 'Engineering', 'R&D'],
    ['intern1', 'dev1', 'Engineering', 'R&D'],
    ['leaver', 'sales1', 'Sales', 'Corporate'],
  ] as const;
  for (const [name, manager, department, division] of people) {
    const body = {
      ...user(`${name}@acme.com`),
      displayName: `${name.toUpperCase()} Person`,
      title: `${department} role`,
      externalId: `okta-${name}`,
      ...(name.startsWith('contractor')
        ? { userType: 'Contractor' }
        : name.startsWith('intern')
          ? { userType: 'Intern' }
          : {}),
      // Entra-style plain-string manager for some, RFC object for others.
      [ENTERPRISE]: {
        department,
        division,
        employeeNumber: `E-${name}`,
        ...(manager ? { manager: name.length % 2 ? ids[manager] : { value: ids[manager] } } : {}),
      },
    };
    const res = await call(base, 'POST', `${root}/Users`, body);
    expect(res.status).toBe(201);
    ids[name] = res.json.id;
  }
  const group = async (displayName: string, members: string[]) => {
    const res = await call(base, 'POST', `${root}/Groups`, {
      schemas: [CORE_GROUP],
      displayName,
      members: members.map((value) => ({ value })),
    });
    expect(res.status).toBe(201);
    return res.json.id as string;
  };
  const platform = await group('Platform Team', [ids['dev1']!, ids['dev2']!]);
  await group('Engineering All', [platform, ids['cto']!]);
  const sales = await group('Sales Team', [ids['sales1']!]);
  await call(base, 'PATCH', `${root}/Groups/${sales}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'Add', path: 'members', value: [{ value: ids['sales2'] }, { value: ids['leaver'] }] }],
  });
  await call(base, 'PATCH', `${root}/Groups/${sales}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'Remove', path: 'members', value: [{ value: ids['leaver'] }] }],
  });
  await call(base, 'PATCH', `${root}/Users/${ids['leaver']}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
  });
}

const sortEmployee = (e: Employee) => ({ ...e, groupIds: [...e.groupIds].sort() });
const comparable = (s: OrgSnapshot) => ({
  employees: s.employees.map(sortEmployee),
  groups: s.groups,
  locations: s.locations,
});

async function readBack(baseUrl: string): Promise<OrgSnapshot> {
  const connector = scim({
    baseUrl,
    token: TOKEN_A,
    pageSize: 5,
    http: { retry: { retries: 0 }, rateLimit: { requests: 1000, intervalMs: 1000, concurrency: 4 } },
  });
  return takeSnapshot(connector);
}

describe('round trip: pushed into the inbound endpoint, read back by the SCIM connector', () => {
  it('over a Node http server: the connector reads back exactly what the store holds', async () => {
    const h = handler();
    const base = await listen(createServer(toNodeListener(h)));
    await pushOrg(base);
    const pushed = await h.snapshot('acme');
    const read = await readBack(`${base}/scim/v2`);

    expect(read.connector).toBe('scim');
    expect(pushed.connector).toBe('scim-inbound');
    expect(pushed.company).toEqual({ id: 'acme', name: 'Acme', legalName: null });
    expect(comparable(read)).toEqual(comparable(pushed));
    expect(read.warnings).toEqual([]);
    expect(pushed.warnings).toEqual([]);

    // Spot checks of the mapping both sides agree on.
    const byMail = new Map(read.employees.map((e) => [e.workEmail, e]));
    const id = (n: string) => byMail.get(`${n}@acme.com`)!.id;
    expect(byMail.get('dev1@acme.com')!.managerId).toBe(id('cto'));
    expect(byMail.get('sales2@acme.com')!.managerId).toBe(id('sales1'));
    expect(byMail.get('leaver@acme.com')!.employmentStatus).toBe('TERMINATED');
    expect(byMail.get('contractor1@acme.com')!.employmentType).toBe('CONTRACTOR');
    expect(byMail.get('intern1@acme.com')!.employmentType).toBe('INTERN');
    const platform = read.groups.find((g) => g.name === 'Platform Team')!;
    const all = read.groups.find((g) => g.name === 'Engineering All')!;
    expect(platform.parentId).toBe(all.id);
    expect(byMail.get('dev1@acme.com')!.groupIds).toEqual(
      expect.arrayContaining(['department:Engineering', 'division:R&D', platform.id]),
    );
    expect(read.groups.find((g) => g.id === 'department:Engineering')!.parentId).toBe('division:R&D');
    expect(read.employees).toHaveLength(12);
  });

  it('over an express app (middleware mounted at /scim/v2, with and without a JSON body parser)', async () => {
    for (const parser of [false, true]) {
      const h = createScimHandler({ store: new MemoryScimStore(), tenants: [{ id: 'acme', token: TOKEN_A }] });
      const app = express();
      if (parser) app.use(express.json({ type: ['application/json', 'application/scim+json'], limit: '1mb' }));
      app.use('/scim/v2', toExpressMiddleware(h));
      // An express app is itself a (req, res) listener.
      const base = await listen(createServer(app as never));
      const created = await call(base, 'POST', '/scim/v2/Users', user('ex@acme.com'));
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`${base}/scim/v2/Users/${created.json.id}`);
      expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      const list = await call(base, 'GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "EX@acme.com"')}`);
      expect(list.json.totalResults).toBe(1);
      const read = await readBack(`${base}/scim/v2`);
      expect(comparable(read)).toEqual(comparable(await h.snapshot('acme')));
    }
  });

  it('enforces the body limit while streaming (413 SCIM error) and answers errors as SCIM over HTTP', async () => {
    const h = createScimHandler({
      store: new MemoryScimStore(),
      tenants: [{ id: 'acme', token: TOKEN_A }],
      basePath: '/scim/v2',
      maxBodyBytes: 4096,
    });
    const base = await listen(createServer(toNodeListener(h)));
    const big = await call(base, 'POST', '/scim/v2/Users', user('big@acme.com', { title: 'x'.repeat(10_000) }));
    expect(big.status).toBe(413);
    expect(big.json).toEqual({
      schemas: [ERROR_URN],
      status: '413',
      detail: 'The request body is larger than the limit of 4096 bytes.',
    });
    const unauth = await call(base, 'GET', '/scim/v2/Users', undefined, { authorization: 'Bearer nope' });
    expect(unauth.status).toBe(401);
    expect(unauth.json.status).toBe('401');
    expect(unauth.headers.get('www-authenticate')).toMatch(/Bearer/);
    // The server keeps working after a rejected body.
    expect((await call(base, 'POST', '/scim/v2/Users', user('ok@acme.com'))).status).toBe(201);
  });
});
