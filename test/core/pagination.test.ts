import { describe, expect, it } from 'vitest';
import {
  cursorPaging,
  inBody,
  nextLinkPaging,
  offsetPaging,
  pageNumberPaging,
  paginate,
  scimPaging,
  singlePage,
  type Paginator,
} from '../../src/pagination/index.js';
import type { HttpResponse, RequestSpec } from '../../src/http/client.js';
import { OrgsyncError } from '../../src/errors.js';

const res = (data: unknown, headers: Record<string, string> = {}): HttpResponse => ({ status: 200, headers, data, url: 'x', requestId: undefined });
const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i + 1) }));

async function walk(paginator: Paginator, send: (req: RequestSpec) => HttpResponse, items: (r: HttpResponse) => unknown[], maxPages?: number) {
  const requests: RequestSpec[] = [];
  const out: unknown[] = [];
  for await (const page of paginate({
    vendor: 'v',
    vendorName: 'V',
    resource: 'people',
    request: { path: '/people' },
    paginator,
    send: async (r) => {
      requests.push(r);
      return send(r);
    },
    items,
    itemKey: (i: any) => i.id,
    ...(maxPages ? { maxPages } : {}),
  }))
    out.push(...page);
  return { requests, out };
}

describe('pagination strategies', () => {
  const all = people(25);

  it('single page', async () => {
    const { requests, out } = await walk(singlePage(), () => res(all), (r) => r.data as unknown[]);
    expect(requests).toHaveLength(1);
    expect(out).toHaveLength(25);
  });

  it('offset/limit stops on a short page', async () => {
    const { requests, out } = await walk(offsetPaging({ limit: 10 }), (r) => res(all.slice(Number(r.query!['offset']), Number(r.query!['offset']) + Number(r.query!['limit']))), (r) => r.data as unknown[]);
    // Each later page starts one record early (the overlap the core checks for records that moved).
    expect(requests.map((r) => r.query)).toEqual([{ limit: 10, offset: 0 }, { limit: 10, offset: 9 }, { limit: 10, offset: 18 }]);
    expect(out).toEqual(all);
  });

  it('offset/limit with exact multiple stops on the empty page', async () => {
    const twenty = people(20);
    const { out, requests } = await walk(offsetPaging({ limit: 10 }), (r) => res(twenty.slice(Number(r.query!['offset']), Number(r.query!['offset']) + 10)), (r) => r.data as unknown[]);
    expect(out).toHaveLength(20);
    expect(requests).toHaveLength(3);
  });

  it('page/per with X-Total-Pages headers', async () => {
    const { requests, out } = await walk(
      pageNumberPaging({ perPage: 10, totalPages: (r) => Number(r.headers['x-total-pages']), totalItems: (r) => Number(r.headers['x-total-count']) }),
      (r) => res(all.slice((Number(r.query!['page']) - 1) * 10, Number(r.query!['page']) * 10), { 'x-total-pages': '3', 'x-total-count': '25' }),
      (r) => r.data as unknown[],
    );
    expect(requests.map((r) => r.query!['page'])).toEqual([1, 2, 3]);
    expect(out).toEqual(all);
  });

  it('cursor, with the token in the JSON body', async () => {
    const p = cursorPaging({ param: 'after', placement: inBody, next: (r) => (r.data as any).next });
    const { requests, out } = await walk(
      p,
      (r) => {
        const after = Number((r.body as any)?.after ?? 0);
        return res({ items: all.slice(after, after + 10), next: after + 10 < 25 ? String(after + 10) : null });
      },
      (r) => (r.data as any).items,
    );
    expect(requests.map((r) => (r.body as any)?.after)).toEqual([undefined, '10', '20']);
    expect(out).toEqual(all);
  });

  it('next link, relative or absolute', async () => {
    const { requests, out } = await walk(
      nextLinkPaging({ next: (r) => (r.data as any).next_link }),
      (r) => {
        const m = /p=(\d)/.exec(r.path);
        const page = m ? Number(m[1]) : 0;
        return res({ results: all.slice(page * 10, page * 10 + 10), next_link: page < 2 ? (page === 0 ? '/people/?p=1' : 'https://api.example/people/?p=2') : null });
      },
      (r) => (r.data as any).results,
    );
    expect(requests.map((r) => r.path)).toEqual(['/people', '/people/?p=1', 'https://api.example/people/?p=2']);
    expect(out).toEqual(all);
  });

  it('SCIM startIndex/count stops at totalResults and advances by items received (server ignoring count)', async () => {
    const { requests, out } = await walk(
      scimPaging({ count: 10 }),
      (r) => {
        const start = Number(r.query!['startIndex']);
        return res({ totalResults: 25, itemsPerPage: 10, startIndex: start, Resources: all.slice(start - 1, start - 1 + 7) });
      },
      (r) => (r.data as any).Resources ?? [],
    );
    expect(requests.map((r) => r.query!['startIndex'])).toEqual([1, 8, 15, 22]);
    expect(out).toEqual(all);
  });

  it('SCIM: a server that wraps around to page one stops without duplicates', async () => {
    const { out } = await walk(
      scimPaging({ count: 10 }),
      (r) => {
        const start = Number(r.query!['startIndex']);
        const page = start > 25 ? all.slice(0, 10) : all.slice(start - 1, start + 9);
        return res({ Resources: page }); // no totalResults
      },
      (r) => (r.data as any).Resources,
    );
    expect(out).toHaveLength(25);
  });
});

describe('pagination loop guards', () => {
  it('a repeated cursor raises incomplete', async () => {
    const err = await walk(cursorPaging({ param: 'c', next: () => 'same' }), () => res({ items: people(3).map((p, i) => ({ id: `${Math.random()}${i}` })) }), (r) => (r.data as any).items).catch((e) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('repeated_token');
  });

  it('a page identical to the previous one raises incomplete (offset walk)', async () => {
    const err = await walk(offsetPaging({ limit: 10 }), () => res(people(10)), (r) => r.data as unknown[]).catch((e) => e);
    expect(err.code).toBe('repeated_page');
  });

  it('an empty page before the announced total raises incomplete', async () => {
    const err = await walk(
      pageNumberPaging({ perPage: 10, totalItems: (r) => Number(r.headers['x-total-count']) }),
      (r) => res(Number(r.query!['page']) === 1 ? people(10) : [], { 'x-total-count': '25' }),
      (r) => r.data as unknown[],
    ).catch((e) => e);
    expect(err.kind).toBe('incomplete');
    expect(err.message).toMatch(/10 of 25/);
  });

  it('a total that changes mid-walk (records moved) raises incomplete', async () => {
    const err = await walk(
      pageNumberPaging({ perPage: 10, totalItems: (r) => Number(r.headers['x-total-count']) }),
      (r) => res(people(30).slice((Number(r.query!['page']) - 1) * 10, Number(r.query!['page']) * 10), { 'x-total-count': Number(r.query!['page']) === 1 ? '30' : '31' }),
      (r) => r.data as unknown[],
    ).catch((e) => e);
    expect(err.code).toBe('total_changed');
  });

  it('the page cap ends an endless vendor', async () => {
    let i = 0;
    const err = await walk(cursorPaging({ param: 'c', next: () => String(++i) }), () => res({ items: [{ id: String(i) }] }), (r) => (r.data as any).items, 50).catch((e) => e);
    expect(err.code).toBe('max_pages');
    expect(i).toBe(50);
  });

  it('a response without a list is a vendor error', async () => {
    const err = await walk(singlePage(), () => res({ nothing: true }), (r) => (r.data as any).employees).catch((e) => e);
    expect(err.kind).toBe('vendor');
  });
});

describe('pagination: wrap-around servers', () => {
  it('a SCIM server that ignores startIndex and announces more than it returns is incomplete, not a short snapshot', async () => {
    const err = await walk(
      scimPaging({ count: 10 }),
      () => res({ totalResults: 50, Resources: people(10) }),
      (r) => (r.data as any).Resources,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.code).toBe('short_walk');
  });
});
