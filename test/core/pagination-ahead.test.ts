/**
 * `strategy.following` (a page asked for before the page that names it is read): two pages in
 * flight, the same records in the same order as a walk without it, a wrong guess cancelled and the
 * right page asked for (no "repeated token"), the guess cancelled when the walk ends or drifts.
 * Responses are released by hand (no timers): what is asserted is which requests were in flight.
 */
import { describe, expect, it } from 'vitest';
import { inQuery, paginate, type PageInfo, type Paginator } from '../../src/pagination/index.js';
import type { HttpResponse, RequestSpec } from '../../src/http/client.js';
import { gustoPaging } from '../../connectors/gusto/paging.js';

const res = (data: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status: 200,
  headers,
  data,
  url: 'x',
  requestId: undefined,
});

/** A server whose answers are released by the test, one request at a time. */
function server(pageOf: (page: number) => HttpResponse) {
  const open: Array<{ page: number; signal: AbortSignal | undefined; release: () => void }> = [];
  const log: Array<{ page: number; aborted: () => boolean }> = [];
  let maxInFlight = 0;
  const send = (r: RequestSpec): Promise<HttpResponse> => {
    const page = Number(r.query?.['page'] ?? 1);
    log.push({ page, aborted: () => r.signal?.aborted === true });
    return new Promise((resolve, reject) => {
      const entry = { page, signal: r.signal, release: () => resolve(pageOf(page)) };
      open.push(entry);
      maxInFlight = Math.max(maxInFlight, open.filter((e) => !e.signal?.aborted).length);
      r.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  };
  /** Release the oldest request that is still wanted; false when none is open. */
  const step = (): boolean => {
    const i = open.findIndex((e) => !e.signal?.aborted);
    const [e] = i >= 0 ? open.splice(i, 1) : [];
    open.splice(0, open.length, ...open.filter((x) => !x.signal?.aborted));
    if (!e) return false;
    e.release();
    return true;
  };
  return { send, step, log, maxInFlight: () => maxInFlight };
}

async function collect(paginator: Paginator, srv: ReturnType<typeof server>) {
  const out: unknown[] = [];
  const walk = (async () => {
    for await (const page of paginate({
      vendor: 'v',
      vendorName: 'V',
      resource: 'people',
      request: { path: '/people' },
      paginator,
      send: srv.send,
      items: (r) => r.data as unknown[],
      itemKey: (i: any) => i.id,
    }))
      out.push(...page);
  })();
  let finished = false;
  let error: unknown;
  walk.then(
    () => (finished = true),
    (e: unknown) => ((finished = true), (error = e)),
  );
  for (let i = 0; i < 1000 && !finished; i++) {
    await new Promise((r) => setImmediate(r));
    srv.step();
  }
  expect(finished).toBe(true);
  if (error) throw error;
  return out;
}

const people = (page: number, per: number, total: number) =>
  Array.from({ length: Math.max(0, Math.min(per, total - (page - 1) * per)) }, (_, i) => ({
    id: String((page - 1) * per + i + 1),
  }));

describe('paging ahead (strategy.following)', () => {
  it('keeps two pages in flight and yields the same records in order (Gusto paging, X-Total-Pages)', async () => {
    const total = 95;
    const srv = server((page) =>
      res(people(page, 10, total), { 'x-total-pages': '10', 'x-total-count': String(total), 'x-page': String(page) }),
    );
    const out = await collect(gustoPaging({ per: 10 }), srv);
    expect(out.map((p: any) => Number(p.id))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(srv.maxInFlight()).toBe(2);
    // every page asked for exactly once, none past the announced last page, none cancelled
    expect(srv.log.map((l) => l.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(srv.log.some((l) => l.aborted())).toBe(false);
  });

  it('cancels a wrong guess and asks for the page the strategy names, without a repeated-token error', async () => {
    // A strategy that guesses "+1" but actually skips to page 5 after page 2.
    const paginator: Paginator = {
      strategy: {
        name: 'guessing',
        first: () => 1,
        next: (p: PageInfo) => {
          const page = Number(p.token);
          if (page === 5) return { done: true, total: 30 };
          return { token: page === 2 ? 5 : page + 1, total: 30 };
        },
        following: (next) => Number(next) + 1,
      },
      placement: inQuery('page'),
    };
    const srv = server((page) => res([{ id: `p${page}a` }, { id: `p${page}b` }]));
    const pages = [1, 2, 5];
    const out = await collect(paginator, srv).catch((e: unknown) => e);
    // 3 pages of 2 records against an announced 30: the walk itself ends short (the guard still applies)
    expect(out).toBeInstanceOf(Error);
    const asked = srv.log.map((l) => l.page);
    for (const p of pages) expect(asked).toContain(p);
    // the guesses 3 (after page 2 named 5) and 6 (after the last page) were cancelled
    expect(srv.log.filter((l) => l.page === 3 || l.page === 6).every((l) => l.aborted())).toBe(true);
    expect(String((out as Error).message)).not.toMatch(/twice/);
  });

  it('cancels the page asked for ahead when the walk ends early (consumer stops)', async () => {
    const srv = server((page) => res(people(page, 10, 100), { 'x-total-pages': '10', 'x-page': String(page) }));
    const gen = paginate({
      vendor: 'v',
      vendorName: 'V',
      resource: 'people',
      request: { path: '/people' },
      paginator: gustoPaging({ per: 10 }),
      send: srv.send,
      items: (r) => r.data as unknown[],
      itemKey: (i: any) => i.id,
    });
    const first = gen.next();
    srv.step();
    expect(((await first).value as unknown[]).length).toBe(10);
    await gen.return(undefined);
    expect(srv.log.map((l) => l.page)).toEqual([1, 2, 3]);
    expect(srv.log.slice(1).every((l) => l.aborted())).toBe(true);
  });
});
