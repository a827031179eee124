/**
 * The SCIM connector against a real third-party SCIM 2.0 server on loopback: scimmy (resources,
 * filters, ListResponse paging) behind scimmy-routers on express 4 (express 5 breaks its paging).
 * The people are provisioned through the server's own write path (POST /Users, POST /Groups), the
 * way an identity provider would, then read back with the connector.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scim } from '../../../connectors/scim/index.js';
import { OrgsyncError } from '../../../src/errors.js';
import { sampleOrg } from '../../../src/simulator/sample-org.js';
import { takeSnapshot } from '../../../src/snapshot.js';
import { rejection } from './helpers.js';

// express ships no types here (no @types/express); it is only the host for scimmy-routers.
const express = createRequire(import.meta.url)('express') as () => {
  use(path: string, router: unknown): void;
  listen(port: number, host: string, cb: () => void): Server;
};

const TOKEN = 'scimmy-test-token-5d7f0c2a9b8e4f61';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TODAY = '2026-06-01';
const org = sampleOrg({ size: 165, today: TODAY });

type Stored = Record<string, any>;
const users: Stored[] = [];
const groups: Stored[] = [];
/** The server's clock for meta.created/lastModified, so incremental reads are deterministic. */
let clock = new Date('2026-01-05T09:00:00Z');

function store(list: Stored[], resource: { id?: string }, data: Stored): Stored {
  const existing = resource.id ? list.find((x) => x['id'] === resource.id) : undefined;
  if (resource.id && !existing)
    throw new SCIMMY.Types.Error(404, null as unknown as string, `Resource ${resource.id} not found`);
  const record: Stored = {
    ...JSON.parse(JSON.stringify(data)),
    id: existing?.['id'] ?? randomUUID(),
    meta: { created: existing?.['meta']?.created ?? clock, lastModified: clock },
  };
  if (existing) list.splice(list.indexOf(existing), 1, record);
  else list.push(record);
  return record;
}

function read(list: Stored[], resource: { id?: string; filter?: { match(v: Stored[]): Stored[] } }): Stored | Stored[] {
  const found = resource.filter ? resource.filter.match(list) : list;
  if (resource.id) {
    if (!found[0]) throw new SCIMMY.Types.Error(404, null as unknown as string, `Resource ${resource.id} not found`);
    return found[0];
  }
  return found;
}

SCIMMY.Resources.declare(SCIMMY.Resources.User)
  .extend(SCIMMY.Schemas.EnterpriseUser, false)
  .ingress((resource: any, data: any) => store(users, resource, data))
  .egress((resource: any) => read(users, resource) as any)
  .degress(() => undefined);
SCIMMY.Resources.declare(SCIMMY.Resources.Group)
  .ingress((resource: any, data: any) => store(groups, resource, data))
  .egress((resource: any) => read(groups, resource) as any)
  .degress(() => undefined);

let server: Server;
let baseUrl = '';
const ids = new Map<number, string>(); // sample key -> server-assigned id

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  const app = express();
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      handler: (req) => {
        if (req.header('Authorization') !== `Bearer ${TOKEN}`) throw new Error('Invalid bearer token');
        return 'orgsync-test';
      },
    }),
  );
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;

  // Provision the sample company like an IdP would: managers before their reports.
  for (const p of org.people) {
    const manager = p.managerKey ? ids.get(p.managerKey) : undefined;
    const created = await call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      externalId: `hr-${p.employeeNumber}`,
      userName: p.workEmail,
      name: { givenName: p.firstName, familyName: p.lastName },
      displayName: `${p.preferredName ?? p.firstName} ${p.lastName}`,
      title: p.title,
      userType: p.type === 'contractor' ? 'Contractor' : 'Employee',
      active: p.status !== 'terminated',
      emails: [{ value: p.workEmail, type: 'work', primary: true }],
      [ENTERPRISE]: {
        employeeNumber: p.employeeNumber,
        department: p.department,
        division: p.division,
        ...(manager ? { manager: { value: manager } } : {}),
      },
    });
    ids.set(p.key, created.id);
  }
  for (const t of org.teams) {
    const members = org.people.filter((p) => p.team === t.name).map((p) => ({ value: ids.get(p.key)!, type: 'User' }));
    await call('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: t.name,
      members,
    });
  }
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
});

const connector = (extra: Record<string, unknown> = {}) =>
  scim({
    baseUrl,
    token: TOKEN,
    http: { retry: { baseDelayMs: 2, maxDelayMs: 10 }, rateLimit: { requests: Infinity } },
    ...extra,
  });

describe('SCIM against scimmy (a real SCIM 2.0 server on loopback)', () => {
  it('seeded the server through its own write path', () => {
    expect(users).toHaveLength(165);
    expect(groups).toHaveLength(org.teams.length);
    expect(users.filter((u) => u['active'] === false).length).toBeGreaterThan(0);
  });

  it('takes a full snapshot over several pages: managers, departments, inactive users, groups', async () => {
    const requests: string[] = [];
    const snap = await takeSnapshot(
      connector({
        pageSize: 25,
        http: {
          retry: { baseDelayMs: 2 },
          rateLimit: { requests: Infinity },
          onProgress: (e: any) => e.type === 'request' && requests.push(e.url),
        },
      }),
      { now: new Date(`${TODAY}T00:00:00Z`) },
    );
    expect(snap.employees).toHaveLength(165);
    expect(requests.filter((u) => u.includes('/Users')).map((u) => new URL(u).searchParams.get('startIndex'))).toEqual([
      '1',
      '26',
      '51',
      '76',
      '101',
      '126',
      '151',
    ]);
    const byId = new Map(snap.employees.map((e) => [e.id, e]));
    for (const p of org.people) {
      const e = byId.get(ids.get(p.key)!)!;
      expect(e.managerId).toBe(p.managerKey ? ids.get(p.managerKey)! : null);
      expect(e.employmentStatus).toBe(p.status === 'terminated' ? 'TERMINATED' : 'ACTIVE');
      expect(e.groupIds).toContain(`department:${p.department}`);
      expect(e.groupIds).toContain(`division:${p.division}`);
      expect(e.workEmail).toBe(p.workEmail);
      expect(e.employeeNumber).toBe(p.employeeNumber);
      if (p.team) expect(e.groupIds).toContain(groups.find((g) => g['displayName'] === p.team)!['id']);
      if (p.type === 'contractor') expect(e.employmentType).toBe('CONTRACTOR');
    }
    // The CEO chain: every manager id is someone in the snapshot.
    for (const e of snap.employees) if (e.managerId) expect(byId.has(e.managerId)).toBe(true);
    expect(
      snap.groups
        .filter((g) => g.type === 'OTHER')
        .map((g) => g.name)
        .sort(),
    ).toEqual(org.teams.map((t) => t.name).sort());
    expect(snap.groups.find((g) => g.id === 'department:Engineering')).toMatchObject({
      type: 'DEPARTMENT',
      parentId: 'division:Product & Engineering',
    });
    expect(snap.warnings).toEqual([]);
  });

  it('reads with the default page size (min(100, scimmy maxResults 200)): scimmy echoes count in itemsPerPage', async () => {
    const snap = await takeSnapshot(connector());
    expect(snap.employees).toHaveLength(165);
    const page2 = await call('GET', '/Users?startIndex=101&count=100');
    expect(page2.itemsPerPage).toBe(100); // the quirk: 65 returned, 100 announced
    expect(page2.Resources).toHaveLength(65);
  });

  it('scimmy returns page one past the end; the connector never asks there, nor duplicates anyone', async () => {
    const past = await call('GET', '/Users?startIndex=400&count=5');
    expect(past.Resources[0].id).toBe(users[0]!['id']); // the wrap-around quirk is real
    const snap = await takeSnapshot(connector({ pageSize: 55 })); // 165 = 3 full pages exactly
    expect(new Set(snap.employees.map((e) => e.id)).size).toBe(165);
  });

  it('incremental read with a meta.lastModified filter sees only users changed since', async () => {
    clock = new Date('2026-03-10T12:00:00Z');
    const changed = org.people.slice(40, 43);
    for (const p of changed) {
      const id = ids.get(p.key)!;
      const current = await call('GET', `/Users/${id}`);
      await call('PUT', `/Users/${id}`, { ...current, title: `Senior ${p.title}`, active: false });
    }
    const changes = await connector().readChanges!(new Date('2026-02-01T00:00:00Z'));
    expect(changes.employees.map((e) => e.id).sort()).toEqual(changed.map((p) => ids.get(p.key)!).sort());
    expect(
      changes.employees.every((e) => e.employmentStatus === 'TERMINATED' && e.jobTitle?.startsWith('Senior ')),
    ).toBe(true);
    expect(changes.deletedIds).toEqual([]);
  });

  it('a wrong token: auth error quoting scimmy, not retried', async () => {
    const requests: number[] = [];
    const err = await rejection(
      takeSnapshot(
        connector({
          token: 'not-the-token',
          http: { onProgress: (e: any) => e.type === 'request' && requests.push(e.status) },
        }),
      ),
    );
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('Invalid bearer token');
    expect(requests).toEqual([401]);
  });

  it('an invalid filter comes back as a SCIM error with scimType, surfaced in the message', async () => {
    const c = connector();
    const err = await rejection(c.http.request({ path: '/Users', query: { filter: 'not a filter' } }));
    expect(err.kind).toBe('vendor');
    expect(err.code).toBe('invalidFilter');
    expect(err.message).toMatch(/\(invalidFilter\): "/);
  });
});
