import { describe, expect, it } from 'vitest';
import { listResources, scimPager, uniquePageKey } from '../../../connectors/scim/paging.js';
import { OrgsyncError } from '../../../src/errors.js';
import type { HttpResponse, RequestSpec } from '../../../src/http/client.js';
import { paginate } from '../../../src/pagination/index.js';
import { rejection } from './helpers.js';

type Body = Record<string, unknown>;
const people = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `p${i + 1}`, userName: `p${i + 1}@x.example` }));
const res = (data: unknown): HttpResponse => ({
  status: 200,
  headers: {},
  data,
  url: 'https://x/scim/v2/Users',
  requestId: undefined,
});

/** Walk with the SCIM pager against `server(startIndex, count)`; returns the ids yielded and the requests made. */
async function walk(server: (start: number, count: number) => Body, count = 3) {
  const requests: Array<{ startIndex: number; count: number }> = [];
  const ids: string[] = [];
  for await (const page of paginate<{ id: string }>({
    vendor: 'scim',
    vendorName: 'SCIM',
    resource: 'employees',
    request: { path: '/Users', query: { count } },
    paginator: scimPager({ resource: 'Users' }),
    send: async (req: RequestSpec) => {
      const q = { startIndex: Number(req.query?.['startIndex']), count: Number(req.query?.['count']) };
      requests.push(q);
      return res(server(q.startIndex, q.count));
    },
    items: listResources as (r: HttpResponse) => Array<{ id: string }>,
    itemKey: uniquePageKey, // as the connector does: repeats are judged by the SCIM paginator
  })) {
    ids.push(...page.map((p) => p.id));
  }
  return { ids, requests };
}

const list = (all: unknown[], offset: number, count: number, extra: Body = {}): Body => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
  totalResults: all.length,
  itemsPerPage: count,
  startIndex: offset + 1,
  Resources: all.slice(Math.max(0, offset), Math.max(0, offset) + count),
  ...extra,
});

describe('SCIM paginator', () => {
  it('walks a conformant server by startIndex and stops at totalResults', async () => {
    const all = people(7);
    const { ids, requests } = await walk((s, c) => list(all, s - 1, c));
    expect(ids).toEqual(all.map((p) => p.id));
    expect(requests).toEqual([
      { startIndex: 1, count: 3 },
      { startIndex: 4, count: 3 },
      { startIndex: 7, count: 3 },
    ]);
  });

  it('advances by the records received when the server ignores count', async () => {
    const all = people(10);
    const { ids, requests } = await walk((s) => list(all, s - 1, 4), 3);
    expect(ids).toEqual(all.map((p) => p.id));
    expect(requests.map((r) => r.startIndex)).toEqual([1, 5, 9]);
  });

  it('never duplicates people when pages overlap (SimpleIdServer-style clamping) and still reads everyone', async () => {
    // offset = max(0, startIndex - 2): startIndex 1 and 2 both read from the first record.
    const all = people(8);
    const { ids } = await walk((s, c) => ({ ...list(all, Math.max(0, s - 2), c), startIndex: Math.max(0, s - 2) }));
    expect(new Set(ids).size).toBe(8);
    expect([...new Set(ids)]).toEqual(all.map((p) => p.id));
  });

  it('a server labelling its first page startIndex 0 is read completely (request stays 1-based)', async () => {
    const all = people(7);
    const { ids } = await walk((s, c) => ({ ...list(all, s - 1, c), startIndex: s - 1 }));
    expect(ids).toEqual(all.map((p) => p.id));
  });

  it('a strictly 0-based server (startIndex=1 skips the first record) ends incomplete, not short', async () => {
    const all = people(7);
    const err = await rejection(walk((s, c) => ({ ...list(all, s, c), startIndex: s })));
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('incomplete');
    expect(err.message).toMatch(/6 distinct records of the 7/);
  });

  it('without totalResults, a wrap-around to page one ends the walk', async () => {
    const all = people(6);
    const { ids, requests } = await walk((s, c) => {
      const offset = s - 1 >= all.length ? 0 : s - 1; // scimmy: past the end, page one again
      const { totalResults: _omit, ...body } = list(all, offset, c);
      return { ...body, startIndex: s };
    });
    // The walk stops at the wrapped page instead of looping; the core drops its records (same ids,
    // same content: already yielded), so nobody is yielded twice.
    expect(ids).toEqual(all.map((p) => p.id));
    expect(requests.map((r) => r.startIndex)).toEqual([1, 4, 7]);
  });

  it('without totalResults, a short page is not trusted as the end (a capped server keeps going)', async () => {
    const all = people(7);
    // The server caps pages at 2 although 3 were asked for, and sends no totalResults.
    const { ids } = await walk((s) => {
      const { totalResults: _omit, ...body } = list(all, s - 1, 2);
      return body;
    });
    expect(ids).toEqual(all.map((p) => p.id));
  });

  it('a page that only repeats earlier records before the total is reached is incomplete', async () => {
    const all = people(9);
    const err = await rejection(walk((s, c) => (s === 7 ? list(all, 0, c) : list(all, s - 1, c))));
    expect(err.kind).toBe('incomplete');
    expect(err.message).toContain('6 distinct records of the 9');
    expect(err.message).toContain('wrapped around');
  });

  it('a server that ignores startIndex (same page again) is incomplete, never a silent stop', async () => {
    const all = people(9);
    const err = await rejection(walk((_s, c) => list(all, 0, c)));
    expect(err.kind).toBe('incomplete');
    expect(err.message).toContain('ended after 3 distinct records of the 9');
    expect(err.message).toContain('may be ignoring startIndex');
  });

  it('without totalResults, the same full page twice is refused (startIndex ignored?)', async () => {
    const all = people(9);
    const err = await rejection(
      walk((_s, c) => {
        const { totalResults: _omit, ...body } = list(all, 0, c);
        return body;
      }),
    );
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('repeated_page');
  });

  it('without totalResults, a single short page that comes back again is the whole list', async () => {
    const all = people(2);
    const { ids, requests } = await walk((_s, c) => {
      const { totalResults: _omit, ...body } = list(all, 0, c);
      return body;
    });
    expect([...new Set(ids)]).toEqual(['p1', 'p2']);
    expect(requests.map((r) => r.startIndex)).toEqual([1, 3]);
  });

  it('an empty page before totalResults is incomplete', async () => {
    const all = people(9);
    const err = await rejection(walk((s, c) => (s >= 4 ? { ...list(all, 0, 0), Resources: [] } : list(all, s - 1, c))));
    expect(err.kind).toBe('incomplete');
    expect(err.message).toContain('3 distinct records of the 9');
  });

  it('totalResults as a string and Resources absent for an empty list are accepted', async () => {
    const { ids } = await walk(() => ({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: '0',
    }));
    expect(ids).toEqual([]);
    const all = people(2);
    const r2 = await walk((s, c) => ({ ...list(all, s - 1, c), totalResults: '2' }));
    expect(r2.ids).toEqual(['p1', 'p2']);
  });

  it('a total that changes between pages is incomplete (records moved)', async () => {
    const all = people(9);
    const err = await rejection(walk((s, c) => ({ ...list(all, s - 1, c), totalResults: s === 1 ? 9 : 10 })));
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('total_changed');
  });

  it('reads Resources case-insensitively and rejects non-list shapes', () => {
    expect(listResources(res({ totalResults: 1, resources: [{ id: 'a' }] }))).toEqual([{ id: 'a' }]);
    expect(() => listResources(res([{ id: 'a' }]))).toThrow(/ListResponse object/);
    expect(() => listResources(res({ totalResults: 1, Resources: { id: 'a' } }))).toThrow(/not a list/);
    expect(() => listResources(res({}))).toThrow(/neither Resources nor totalResults/);
  });
});
