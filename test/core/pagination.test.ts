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

const res = (data: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status: 200,
  headers,
  data,
  url: 'x',
  requestId: undefined,
});
const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i + 1) }));

async function walk(
  paginator: Paginator,
  send: (req: RequestSpec) => HttpResponse,
  items: (r: HttpResponse) => unknown[],
  maxPages?: number,
) {
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
    const { requests, out } = await walk(
      singlePage(),
      () => res(all),
      (r) => r.data as unknown[],
    );
    expect(requests).toHaveLength(1);
    expect(out).toHaveLength(25);
  });

  it('offset/limit stops on a short page', async () => {
    const { requests, out } = await walk(
      offsetPaging({ limit: 10 }),
      (r) => res(all.slice(Number(r.query!['offset']), Number(r.query!['offset']) + Number(r.query!['limit']))),
      (r) => r.data as unknown[],
    );
    // Each later page starts one record early (the overlap the core checks for records that moved).
    expect(requests.map((r) => r.query)).toEqual([
      { limit: 10, offset: 0 },
      { limit: 10, offset: 9 },
      { limit: 10, offset: 18 },
    ]);
    expect(out).toEqual(all);
  });

  it('offset/limit with exact multiple stops on the empty page', async () => {
    const twenty = people(20);
    const { out, requests } = await walk(
      offsetPaging({ limit: 10 }),
      (r) => res(twenty.slice(Number(r.query!['offset']), Number(r.query!['offset']) + 10)),
      (r) => r.data as unknown[],
    );
    expect(out).toHaveLength(20);
    expect(requests).toHaveLength(3);
  });

  it('page/per with X-Total-Pages headers', async () => {
    const { requests, out } = await walk(
      pageNumberPaging({
        perPage: 10,
        totalPages: (r) => Number(r.headers['x-total-pages']),
        totalItems: (r) => Number(r.headers['x-total-count']),
      }),
      (r) =>
        res(all.slice((Number(r.query!['page']) - 1) * 10, Number(r.query!['page']) * 10), {
          'x-total-pages': '3',
          'x-total-count': '25',
        }),
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
        return res({
          results: all.slice(page * 10, page * 10 + 10),
          next_link: page < 2 ? (page === 0 ? '/people/?p=1' : 'https://api.example/people/?p=2') : null,
        });
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
        return res({
          totalResults: 25,
          itemsPerPage: 10,
          startIndex: start,
          Resources: all.slice(start - 1, start - 1 + 7),
        });
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
    const err = await walk(
      cursorPaging({ param: 'c', next: () => 'same' }),
      () => res({ items: people(3).map((p, i) => ({ id: `${Math.random()}${i}` })) }),
      (r) => (r.data as any).items,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('repeated_token');
  });

  it('a page identical to the previous one raises incomplete (offset walk)', async () => {
    const err = await walk(
      offsetPaging({ limit: 10 }),
      () => res(people(10)),
      (r) => r.data as unknown[],
    ).catch((e) => e);
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
      (r) =>
        res(people(30).slice((Number(r.query!['page']) - 1) * 10, Number(r.query!['page']) * 10), {
          'x-total-count': Number(r.query!['page']) === 1 ? '30' : '31',
        }),
      (r) => r.data as unknown[],
    ).catch((e) => e);
    expect(err.code).toBe('total_changed');
  });

  it('the page cap ends an endless vendor', async () => {
    let i = 0;
    const err = await walk(
      cursorPaging({ param: 'c', next: () => String(++i) }),
      () => res({ items: [{ id: String(i) }] }),
      (r) => (r.data as any).items,
      50,
    ).catch((e) => e);
    expect(err.code).toBe('max_pages');
    expect(i).toBe(50);
  });

  it('a response without a list is a vendor error', async () => {
    const err = await walk(
      singlePage(),
      () => res({ nothing: true }),
      (r) => (r.data as any).employees,
    ).catch((e) => e);
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

describe('pagination: records that move mid-walk (issue 12 §2)', () => {
  /** A vendor list that loses or gains a record right after the `at`-th request. */
  function movingList(n: number, change: { at: number; remove?: number; insertAt?: number }) {
    let list = people(n);
    let calls = 0;
    return {
      list: () => list,
      tick() {
        calls++;
        if (calls === change.at + 1) {
          if (change.remove !== undefined) list = list.filter((_, i) => i !== change.remove);
          if (change.insertAt !== undefined)
            list = [...list.slice(0, change.insertAt), { id: 'new' }, ...list.slice(change.insertAt)];
        }
      },
    };
  }

  it('offset walk: a deletion before page 2 is seen by the overlap and the walk starts again; nobody missing', async () => {
    const v = movingList(25, { at: 1, remove: 2 });
    const { out, requests } = await walk(
      offsetPaging({ limit: 10 }),
      (r) => {
        v.tick();
        const o = Number(r.query!['offset']);
        return res(v.list().slice(o, o + 10));
      },
      (r) => r.data as unknown[],
    );
    const ids = (out as Array<{ id: string }>).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i <= 25; i++) if (i !== 3) expect(ids).toContain(String(i));
    // page 1, page 2 (shift seen), then a whole second walk of 3 pages.
    expect(requests.map((r) => r.query!['offset'])).toEqual([0, 9, 0, 9, 18]);
  });

  it('offset walk: an insertion before page 2: everybody once', async () => {
    const v = movingList(25, { at: 1, insertAt: 0 });
    const { out } = await walk(
      offsetPaging({ limit: 10 }),
      (r) => {
        v.tick();
        const o = Number(r.query!['offset']);
        return res(v.list().slice(o, o + 10));
      },
      (r) => r.data as unknown[],
    );
    const ids = (out as Array<{ id: string }>).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i <= 25; i++) expect(ids).toContain(String(i));
  });

  it('page-number walk: a deletion changes the total, the walk starts again; nobody missing or twice', async () => {
    const v = movingList(25, { at: 1, remove: 0 });
    const { out, requests } = await walk(
      pageNumberPaging({ perPage: 10, totalItems: (r) => Number(r.headers['x-total-count']) }),
      (r) => {
        v.tick();
        const p = Number(r.query!['page']);
        return res(v.list().slice((p - 1) * 10, p * 10), { 'x-total-count': String(v.list().length) });
      },
      (r) => r.data as unknown[],
    );
    const ids = (out as Array<{ id: string }>).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 2; i <= 25; i++) expect(ids).toContain(String(i));
    expect(requests.map((r) => r.query!['page'])).toEqual([1, 2, 1, 2, 3]);
  });

  it('records that keep moving fail `incomplete` after 3 walks, never a short list', async () => {
    let n = 30;
    const err = await walk(
      offsetPaging({ limit: 10 }),
      (r) => {
        const o = Number(r.query!['offset']);
        if (o > 0) n--; // someone leaves before every later page
        return res(
          people(30)
            .slice(30 - n)
            .slice(o, o + 10),
        );
      },
      (r) => r.data as unknown[],
    ).catch((e) => e);
    expect(err).toBeInstanceOf(OrgsyncError);
    expect(err.kind).toBe('incomplete');
    expect(err.code).toBe('page_shift');
    expect(err.message).toMatch(/3 walks/);
  });

  it('measured cost of the overlap: at most one extra request per 99 pages (limit 100)', async () => {
    const count = async (n: number) => {
      const all = people(n);
      const { requests, out } = await walk(
        offsetPaging({ limit: 100 }),
        (r) => {
          const o = Number(r.query!['offset']);
          return res(all.slice(o, o + 100));
        },
        (r) => r.data as unknown[],
        100_000,
      );
      expect(out).toHaveLength(n);
      return requests.length;
    };
    const measured: Array<[number, number, number]> = [];
    for (const n of [120, 1000, 5000, 10_000]) {
      const without = Math.floor(n / 100) + 1; // without overlap: full pages, then a short (or empty) one
      const withOverlap = await count(n);
      measured.push([n, without, withOverlap]);
      expect(withOverlap - without).toBeLessThanOrEqual(Math.ceil(n / 9900) + 0);
    }
    console.log(`offset overlap cost (people, requests without, with): ${measured.map((m) => m.join('/')).join(', ')}`);
  });
});
