/**
 * The connector core's declaration hooks (issue 13): paginators built per walk, optional reads,
 * groups derived from employees, the vendor-message hook, retry statuses as data, and next links
 * that keep the first request's query.
 */
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector, type EmployeeDraft } from '../../src/connector/define.js';
import { extractVendorMessage } from '../../src/http/client.js';
import { nextLinkPaging, offsetPaging, type Paginator } from '../../src/pagination/index.js';
import { OrgsyncError } from '../../src/errors.js';

const BASE = 'https://api.toy.example';
let n = 0;

const Row = z.looseObject({ id: z.string(), name: z.string(), dept: z.string().nullable().optional() });
type Row = z.infer<typeof Row>;

const draft = (r: Row): EmployeeDraft => ({
  id: r.id,
  employeeNumber: null,
  firstName: r.name,
  lastName: null,
  preferredName: null,
  workEmail: null,
  personalEmail: null,
  jobTitle: null,
  groupIds: r.dept ? [`dept:${r.dept}`] : [],
  locationId: null,
  employmentStatus: 'ACTIVE',
  employmentType: null,
  startDate: null,
  terminationDate: null,
});

const Options = z.object({ token: z.string(), pageSize: z.number().int().optional() });
type Options = z.infer<typeof Options>;

/** A toy declaration; `extra` overrides parts of it. A fresh id per test: rate limiters are per vendor and credential. */
function toy(extra: Record<string, unknown> = {}) {
  const id = `toy${++n}`;
  return defineConnector<Options, { seen: string[] }>({
    id,
    name: 'Toy',
    options: Options,
    secrets: ['token'],
    http: (o: Options) => ({ baseUrl: BASE, auth: { type: 'bearer', token: o.token } }),
    rateLimit: { requests: Infinity, intervalMs: 1000, concurrency: 4 },
    capabilities: {
      groups: true,
      locations: false,
      incremental: false,
      incrementalDeletions: false,
      webhooks: false,
      includesTerminated: true,
    },
    context: async () => ({ seen: [] }),
    employees: {
      request: { path: '/people' },
      records: (r: { data: { items: unknown[] } }) => r.data.items,
      row: Row,
      map: draft,
    },
    company: () => ({ id: 'toy', name: 'Toy', legalName: null }),
    ...extra,
  } as never);
}

const fast = { http: { retry: { baseDelayMs: 1, maxDelayMs: 2 } } };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('paginate as a function of (context, options)', () => {
  it('is built once per walk, from the options and the context', async () => {
    const built: Array<{ size: number | undefined; ctx: unknown }> = [];
    const factory = toy({
      employees: {
        request: { path: '/people' },
        paginate: (ctx: unknown, o: Options): Paginator => {
          built.push({ size: o.pageSize, ctx });
          return offsetPaging({ limit: o.pageSize ?? 10 });
        },
        records: (r: { data: { items: unknown[] } }) => r.data.items,
        row: Row,
        map: draft,
      },
    });
    const people = [1, 2, 3].map((i) => ({ id: `p${i}`, name: `P${i}` }));
    nock(BASE)
      .get('/people')
      .query({ offset: '0', limit: '2' })
      .times(2)
      .reply(200, { items: people.slice(0, 2) })
      .get('/people')
      .query({ offset: '1', limit: '2' })
      .times(2)
      .reply(200, { items: people.slice(1, 3) })
      .get('/people')
      .query({ offset: '2', limit: '2' })
      .times(2)
      .reply(200, { items: people.slice(2) });
    const c = factory({ token: 'secret-token-1', pageSize: 2 });
    expect((await c.read()).employees.map((e) => e.id)).toEqual(['p1', 'p2', 'p3']);
    expect((await c.read()).employees.map((e) => e.id)).toEqual(['p1', 'p2', 'p3']);
    expect(built).toHaveLength(2);
    expect(built[0]).toEqual({ size: 2, ctx: { seen: [] } });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('the old form (a Paginator object) is still accepted', async () => {
    const factory = toy({
      employees: {
        request: { path: '/people' },
        paginate: offsetPaging({ limit: 5 }),
        records: (r: { data: { items: unknown[] } }) => r.data.items,
        row: Row,
        map: draft,
      },
    });
    nock(BASE)
      .get('/people')
      .query({ offset: '0', limit: '5' })
      .reply(200, { items: [{ id: 'a', name: 'A' }] });
    expect((await factory({ token: 'secret-token-2' }).read()).employees).toHaveLength(1);
  });
});

describe('rt.optional', () => {
  const withLookup = (statuses: number[], warn?: string | ((e: OrgsyncError) => string), codes?: string[]) =>
    toy({
      context: async (rt: any) => {
        const types = await rt.optional(() => rt.request({ path: '/types' }).then((r: { data: string[] }) => r.data), {
          statuses,
          ...(codes ? { codes } : {}),
          ...(warn ? { warn } : {}),
        });
        return { seen: types ?? ['(none)'] };
      },
      groups: (ctx: { seen: string[] }) =>
        ctx.seen.map((s) => ({ id: s, name: s, type: 'TEAM', typeRaw: null, parentId: null })),
    });

  it('tolerates the listed statuses: undefined, and the warning in the snapshot', async () => {
    nock(BASE).get('/types').reply(403, { message: 'no scope' }).get('/people').reply(200, { items: [] });
    const r = await withLookup(
      [403, 404],
      (e) => `Toy: cannot read types (${e.status}).`,
    )({ token: 'secret-token-3' }).read();
    expect(r.groups.map((g) => g.id)).toEqual(['(none)']);
    expect(r.warnings).toEqual(['Toy: cannot read types (403).']);
  });

  it('skips silently without `warn`, and tolerates listed error codes', async () => {
    nock(BASE)
      .get('/types')
      .reply(200, '<html><title>Login</title></html>', { 'content-type': 'text/html' })
      .get('/people')
      .reply(200, { items: [] });
    const r = await withLookup([404], undefined, ['unexpected_content_type'])({ token: 'secret-token-4' }).read();
    expect(r.groups.map((g) => g.id)).toEqual(['(none)']);
    expect(r.warnings).toEqual([]);
  });

  it('anything else still fails the sync', async () => {
    nock(BASE).get('/types').reply(401, {});
    const err = await withLookup(
      [403, 404],
      'never',
    )({ token: 'secret-token-5' })
      .read()
      .catch((e) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('auth');
  });

  it('returns what the read returns when it works', async () => {
    nock(BASE).get('/types').reply(200, ['full']).get('/people').reply(200, { items: [] });
    const r = await withLookup([403])({ token: 'secret-token-6' }).read();
    expect(r.groups.map((g) => g.id)).toEqual(['full']);
  });
});

describe('groupsFromEmployees', () => {
  const factory = () =>
    toy({
      groups: () => [
        { id: 'dept:Eng', name: 'Engineering (listed)', type: 'DEPARTMENT', typeRaw: null, parentId: null },
      ],
      groupsFromEmployees: (employees: readonly { groupIds: string[] }[]) =>
        [...new Set(employees.flatMap((e) => e.groupIds))].map((id) => ({
          id,
          name: id.slice(5),
          type: 'DEPARTMENT',
          typeRaw: null,
          parentId: null,
        })),
    });
  const rows = [
    { id: 'a', name: 'A', dept: 'Eng' },
    { id: 'b', name: 'B', dept: 'Ops' },
  ];

  it('full read: listed groups plus the groups derived from everyone (a listed id wins)', async () => {
    nock(BASE).get('/people').reply(200, { items: rows });
    const r = await factory()({ token: 'secret-token-7' }).read();
    expect(r.groups).toEqual([
      { id: 'dept:Eng', name: 'Engineering (listed)', type: 'DEPARTMENT', typeRaw: null, parentId: null },
      { id: 'dept:Ops', name: 'Ops', type: 'DEPARTMENT', typeRaw: null, parentId: null },
    ]);
  });

  it('groups({ employees }) derives from the employees given (what an incremental sync passes), without reading', async () => {
    const c = factory()({ token: 'secret-token-8' });
    const groups = await c.groups({ employees: [{ groupIds: ['dept:Sales'] }] as never });
    expect(groups.map((g) => g.id)).toEqual(['dept:Eng', 'dept:Sales']);
  });

  it('groups() alone reads the employees first', async () => {
    nock(BASE).get('/people').reply(200, { items: rows });
    expect((await factory()({ token: 'secret-token-9' }).groups()).map((g) => g.id)).toEqual(['dept:Eng', 'dept:Ops']);
  });
});

describe('vendorMessage and retryStatuses', () => {
  it('the vendor-message hook supplies the quote of generic error messages', async () => {
    nock(BASE).get('/people').reply(400, '', { 'x-toy-message': 'field foo is unknown' });
    const factory = toy({ vendorMessage: (res: { headers: Record<string, string> }) => res.headers['x-toy-message'] });
    const err = await factory({ token: 'secret-token-10' })
      .read()
      .catch((e) => e);
    expect(err.message).toContain('Toy said: "field foo is unknown"');
  });

  it('without the hook, vendor headers are not read (nothing vendor-specific in the core)', async () => {
    nock(BASE).get('/people').reply(400, '', { 'x-bamboohr-message': 'header text' });
    const err = await toy()({ token: 'secret-token-11' })
      .read()
      .catch((e) => e);
    expect(err.message).not.toContain('header text');
    expect(
      extractVendorMessage({
        status: 400,
        headers: { 'x-bamboohr-message': 'x' },
        text: '',
        json: undefined,
        method: 'GET',
        path: '/',
      }),
    ).toBe('');
  });

  it('a status the connector declares retryable is retried; the same status is not retried elsewhere', async () => {
    nock(BASE)
      .get('/people')
      .reply(409, { message: 'busy' })
      .get('/people')
      .reply(200, { items: [{ id: 'a', name: 'A' }] });
    const r = await toy({ retryStatuses: [409] })({ token: 'secret-token-12', ...fast }).read();
    expect(r.employees).toHaveLength(1);
    const scope = nock(BASE).get('/people').reply(409, { message: 'busy' });
    const err = await toy()({ token: 'secret-token-13', ...fast })
      .read()
      .catch((e) => e);
    expect(scope.isDone()).toBe(true);
    expect(err.status).toBe(409);
    expect(err.retryable).toBe(false);
  });
});

describe('next links that keep the query', () => {
  it('keepQuery: parameters of the first request the link lacks are sent again; the link wins on a clash', async () => {
    const factory = toy({
      employees: {
        request: { path: '/people', query: { expand: 'user', order_by: 'id' } },
        paginate: nextLinkPaging({ next: (r) => (r.data as { next: string | null }).next, keepQuery: true }),
        records: (r: { data: { items: unknown[] } }) => r.data.items,
        row: Row,
        map: draft,
      },
    });
    nock(BASE)
      .get('/people')
      .query({ expand: 'user', order_by: 'id' })
      .reply(200, { items: [{ id: 'a', name: 'A' }], next: '/people?cursor=2&order_by=name' })
      .get('/people')
      .query({ cursor: '2', order_by: 'name', expand: 'user' })
      .reply(200, { items: [{ id: 'b', name: 'B' }], next: null });
    const r = await factory({ token: 'secret-token-14' }).read();
    expect(r.employees.map((e) => e.id)).toEqual(['a', 'b']);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('without keepQuery the link replaces the query', async () => {
    const factory = toy({
      employees: {
        request: { path: '/people', query: { expand: 'user' } },
        paginate: nextLinkPaging({ next: (r) => (r.data as { next: string | null }).next }),
        records: (r: { data: { items: unknown[] } }) => r.data.items,
        row: Row,
        map: draft,
      },
    });
    nock(BASE)
      .get('/people')
      .query({ expand: 'user' })
      .reply(200, { items: [{ id: 'a', name: 'A' }], next: '/people?cursor=2' })
      .get('/people')
      .query({ cursor: '2' })
      .reply(200, { items: [{ id: 'b', name: 'B' }], next: null });
    expect((await factory({ token: 'secret-token-15' }).read()).employees).toHaveLength(2);
  });
});

describe('enrich and asking for the next page early', () => {
  /** Two pages; `enrich` logs when it runs and, with `waitForPage2`, waits until page 2 has been asked for. */
  function twoPages(prefetch: boolean | undefined) {
    const log: string[] = [];
    let page2Asked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => (page2Asked = resolve));
    nock(BASE)
      .get('/people')
      .reply(200, () => {
        log.push('request 1');
        return { items: [{ id: 'a', name: 'a' }], next: '/people?page=2' };
      })
      .get('/people')
      .query({ page: '2' })
      .reply(200, () => {
        log.push('request 2');
        page2Asked();
        return { items: [{ id: 'b', name: 'b' }], next: null };
      });
    const factory = toy({
      employees: {
        request: { path: '/people' },
        paginate: nextLinkPaging({ next: (r) => (r.data as { next: string | null }).next }),
        records: (r: { data: { items: unknown[] } }) => r.data.items,
        row: Row,
        enrich: async (rows: Row[]) => {
          if (prefetch && rows[0]?.id === 'a') {
            // Page 2 is asked for while this page is enriched (a failed wait fails the test, never hangs it).
            const timeout = new Promise<void>((_, reject) =>
              setTimeout(() => reject(new Error('page 2 never asked for')), 10_000),
            );
            await Promise.race([asked, timeout]);
          }
          log.push(`enrich ${rows.map((r) => r.id).join()}`);
          return rows;
        },
        map: draft,
        ...(prefetch !== undefined ? { prefetch } : {}),
      },
    });
    return { c: factory({ token: 'secret-token-16', ...fast }), log };
  }

  it('by default, a page enrich completes is read to the end before the next page is asked for', async () => {
    const { c, log } = twoPages(undefined);
    const employees = [];
    for await (const e of c.employees()) employees.push(e.id);
    expect(employees).toEqual(['a', 'b']);
    expect(log).toEqual(['request 1', 'enrich a', 'request 2', 'enrich b']);
  });

  it('with `prefetch: true` (an enrich without reads), the next page is asked for while this one is enriched', async () => {
    const { c, log } = twoPages(true);
    const employees = [];
    for await (const e of c.employees()) employees.push(e.id);
    expect(employees).toEqual(['a', 'b']);
    expect(log).toEqual(['request 1', 'request 2', 'enrich a', 'enrich b']);
  });
});

describe('incremental reads reuse the employees resource', () => {
  const withIncremental = (incremental: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    toy({
      capabilities: {
        groups: true,
        locations: false,
        incremental: true,
        incrementalDeletions: false,
        webhooks: false,
        includesTerminated: true,
      },
      employees: {
        request: { path: '/people' },
        paginate: nextLinkPaging({ next: (r) => (r.data as { next?: string | null }).next, keepQuery: true }),
        records: (r: { data: { items: unknown[] } }) => r.data.items,
        row: Row,
        // Enrich runs in incremental reads as in full ones.
        enrich: async (rows: Row[]) => rows.map((r) => ({ ...r, name: r.name.toUpperCase() })),
        map: draft,
      },
      incremental: { lookbackMs: 0, ...incremental },
      ...extra,
    });

  it('`requests`: each window walked with the resource paginator; a row listed twice keeps its last copy', async () => {
    nock(BASE)
      .get('/people')
      .query({ updated_since: '2026-01-01T00:00:00.000Z' })
      .reply(200, { items: [{ id: 'a', name: 'a-old' }], next: '/people?page=2' })
      .get('/people')
      .query({ page: '2', updated_since: '2026-01-01T00:00:00.000Z' })
      .reply(200, { items: [{ id: 'b', name: 'b' }], next: null })
      .get('/people')
      .query({ effective_since: '2026-01-01T00:00:00.000Z' })
      .reply(200, { items: [{ id: 'a', name: 'a-new' }] });
    const c = withIncremental({
      requests: (since: Date) => [
        { path: '/people', query: { updated_since: since.toISOString() } },
        { path: '/people', query: { effective_since: since.toISOString() } },
      ],
    })({ token: 'secret-token-16', includeRemoteData: true });
    const changes = await c.readChanges!(new Date('2026-01-01T00:00:00Z'));
    expect(changes.employees.map((e) => [e.id, e.firstName])).toEqual([
      ['b', 'B'],
      ['a', 'A-NEW'],
    ]);
    expect(changes.deletedIds).toEqual([]);
    // remoteData of an incremental read is the validated (and enriched) row, as in a full read.
    expect(changes.raw).toEqual([
      { id: 'b', name: 'B' },
      { id: 'a', name: 'A-NEW' },
    ]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('`read` with rt.employeeRows: raw rows of the resource walk, validated and mapped by the core', async () => {
    nock(BASE)
      .get('/deleted')
      .reply(200, ['z'])
      .get('/people')
      .query({ since: 'x' })
      .reply(200, {
        items: [
          { id: 'c', name: 'c' },
          { id: 'd', name: 7 },
        ],
      });
    const c = withIncremental({
      read: async (rt: any) => {
        const deleted = (await rt.request({ path: '/deleted' })).data as string[];
        return { rows: await rt.employeeRows({ path: '/people', query: { since: 'x' } }), deletedIds: deleted };
      },
    })({ token: 'secret-token-17' });
    // Row 'd' does not fit the row schema: strict, as in a full read.
    const err = await c.readChanges!(new Date()).catch((e) => e);
    expect(err.code).toBe('vendor_row_invalid');
    expect(err.message).toMatch(/employees record \(#2, id d\)/);
  });
});

describe('nothing vendor-specific in the core', () => {
  it('the code (comments aside) of src/http, src/connector and src/pagination names no vendor', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.resolve(import.meta.dirname, '../../src');
    // SCIM is a standard (RFC 7644), not a vendor: `scimPaging` belongs to the core.
    const vendors = /\b(bamboo\w*|gusto|rippling|workday|okta|entra|personio|hibob|deel|adp|paylocity)\b/i;
    const found: string[] = [];
    for (const dir of ['http', 'connector', 'pagination']) {
      for (const f of fs.readdirSync(path.join(root, dir)).filter((n) => n.endsWith('.ts'))) {
        const code = fs
          .readFileSync(path.join(root, dir, f), 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, '');
        code.split('\n').forEach((line, i) => {
          if (vendors.test(line)) found.push(`${dir}/${f}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(found).toEqual([]);
  });
});
