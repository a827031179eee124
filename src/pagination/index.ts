/**
 * Pagination as async iterators. A *strategy* decides what the next page token is (offset, page
 * number, cursor, next link, SCIM startIndex) and when to stop; a *placement* decides where that
 * token goes in the request (query parameter, JSON body field, header, or the whole URL).
 * The loop in `paginate` owns the guards: repeated token, repeated page content, empty page
 * before the announced end, total reached, and a hard page cap, so no vendor can make it spin.
 *
 * Length: the strategies and placements are a few lines each; the loop guards live in `paginate` on
 * purpose (one place), drift detection in drift.ts.
 */
import { createError, OrgsyncError } from '../errors.js';
import type { HttpResponse, RequestSpec } from '../http/client.js';
import { DEFAULT_MAX_WALKS, defaultIdentity, DriftGuard, type Drift } from './drift.js';

export { defaultIdentity, DEFAULT_MAX_WALKS, type Drift } from './drift.js';

export type PageToken = string | number;

export interface PageInfo<Item = unknown> {
  /** 0-based index of this page in the walk. */
  index: number;
  token: PageToken | undefined;
  response: HttpResponse;
  items: Item[];
  /** Items seen before this page (in this walk; overlapping re-reads not counted). */
  itemsBefore: number;
  /** Leading items of this page that re-read the previous page (asked for with `overlap`): 0 or 1. */
  overlapped?: number;
}

export type NextDecision =
  /**
   * `overlap: 1`: the token starts one record before the first unread one, so the next page's first
   * record must be this page's last (the core checks it and drops it; a mismatch means records moved).
   */
  | { token: PageToken; total?: number | undefined; overlap?: number }
  | { done: true; total?: number | undefined; reason?: string };

export interface PaginationStrategy {
  readonly name: string;
  /** The token for the first request (undefined: first request carries none). */
  first(): PageToken | undefined;
  /** Decide the next token after a page, or that the walk is done. */
  next(page: PageInfo): NextDecision;
  /**
   * The token of the page after the one `next` (just decided from `page`) asks for, when it is known
   * without reading that page: e.g. page numbers below a last page the vendor announced. Undefined:
   * not known (or there is none). Lets `paginate` keep that page in flight too, so a walk is not one
   * round trip per page when the budget allows more (see `prefetch`).
   */
  following?(next: PageToken, page: PageInfo): PageToken | undefined;
  /**
   * What to do when a page's items are identical to the previous page's: `error` (default) raises
   * `incomplete`; `stop` ends the walk (servers known to wrap around to page one past the end).
   */
  readonly onRepeatedPage?: 'error' | 'stop';
}

/** Where a page token goes in the request. */
export type Placement = (req: RequestSpec, token: PageToken) => RequestSpec;

export const inQuery =
  (name: string): Placement =>
  (req, token) => ({ ...req, query: { ...(req.query ?? {}), [name]: token } });
export const inBody =
  (name: string): Placement =>
  (req, token) => ({
    ...req,
    body: { ...((req.body as Record<string, unknown>) ?? {}), [name]: token },
  });
export const inHeader =
  (name: string): Placement =>
  (req, token) => ({ ...req, headers: { ...(req.headers ?? {}), [name]: String(token) } });
export interface AsUrlOptions {
  /**
   * Keep the first request's query parameters that the link does not carry itself (e.g. `expand`,
   * `filter`, `order_by` for vendors whose next links drop them). Default false: the link replaces
   * path and query.
   */
  keepQuery?: boolean;
}

/** The token is a URL (absolute or relative) that replaces the request's path (and query, unless `keepQuery`). */
export const asUrl =
  (o: AsUrlOptions = {}): Placement =>
  (req, token) => {
    const link = String(token);
    if (!o.keepQuery) return { ...req, path: link, query: {} };
    const present = new Set(new URL(link, 'http://link.invalid').searchParams.keys());
    const query = Object.fromEntries(Object.entries(req.query ?? {}).filter(([k]) => !present.has(k)));
    return { ...req, path: link, query };
  };

export interface Paginator {
  strategy: PaginationStrategy;
  placement: Placement | undefined;
  /** Extra request changes applied to every page (e.g. the page size parameter). */
  prepare?: (req: RequestSpec) => RequestSpec;
}

const num = (v: unknown): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** One request, no paging. */
export function singlePage(): Paginator {
  return {
    strategy: { name: 'single', first: () => undefined, next: () => ({ done: true }) },
    placement: undefined,
  };
}

export interface OffsetOptions {
  limit: number;
  offsetParam?: string;
  limitParam?: string;
  /** Read the total from the response, if the vendor sends one. */
  total?: (res: HttpResponse) => number | undefined;
  placement?: (name: string) => Placement;
}

/**
 * offset/limit; stops on a short page or when the total is reached. Every request after the first
 * starts one record early (`overlap: 1`, limit >= 2): the core checks that this record is the last
 * one of the previous page, which proves no record before it was removed or inserted meanwhile.
 * Costs one record per page (about `1/limit` more requests), never an extra request per page.
 */
export function offsetPaging(o: OffsetOptions): Paginator {
  const offsetParam = o.offsetParam ?? 'offset';
  const limitParam = o.limitParam ?? 'limit';
  const place = o.placement ?? inQuery;
  return {
    strategy: {
      name: 'offset',
      first: () => 0,
      next: (p) => {
        const total = o.total?.(p.response);
        const seen = p.itemsBefore + p.items.length - (p.overlapped ?? 0);
        if (p.items.length < o.limit) return { done: true, total, reason: 'short page' };
        if (total !== undefined && seen >= total) return { done: true, total, reason: 'total reached' };
        const overlap = o.limit >= 2 ? 1 : 0;
        return { token: Number(p.token ?? 0) + p.items.length - overlap, total, overlap };
      },
    },
    placement: place(offsetParam),
    prepare: (req) => place(limitParam)(req, o.limit),
  };
}

export interface PageNumberOptions {
  perPage: number;
  pageParam?: string;
  perPageParam?: string;
  firstPage?: number;
  /** Total number of pages (e.g. from an `X-Total-Pages` header). */
  totalPages?: (res: HttpResponse) => number | undefined;
  /** Total number of items (e.g. from an `X-Total-Count` header). */
  totalItems?: (res: HttpResponse) => number | undefined;
  placement?: (name: string) => Placement;
}

/**
 * page/per-page; stops at the announced last page, on a short page, or on an empty page. Page
 * windows cannot overlap, so records moving mid-walk are detected by the announced total changing
 * (and by a record showing up twice); see docs/reliability.md for the case this cannot see.
 */
export function pageNumberPaging(o: PageNumberOptions): Paginator {
  const first = o.firstPage ?? 1;
  const place = o.placement ?? inQuery;
  return {
    strategy: {
      name: 'page',
      first: () => first,
      next: (p) => {
        const current = Number(p.token ?? first);
        const totalPages = o.totalPages?.(p.response);
        const total = o.totalItems?.(p.response);
        const seen = p.itemsBefore + p.items.length;
        if (totalPages !== undefined) {
          if (current - first + 1 >= totalPages) return { done: true, total, reason: 'last page' };
          return { token: current + 1, total };
        }
        if (total !== undefined && seen >= total) return { done: true, total, reason: 'total reached' };
        if (p.items.length < o.perPage) return { done: true, total, reason: 'short page' };
        return { token: current + 1, total };
      },
    },
    placement: place(o.pageParam ?? 'page'),
    prepare: (req) => place(o.perPageParam ?? 'per')(req, o.perPage),
  };
}

export interface CursorOptions {
  /** Read the next cursor from the response; null/undefined/'' ends the walk. */
  next: (res: HttpResponse) => string | null | undefined;
  param: string;
  placement?: (name: string) => Placement;
  prepare?: (req: RequestSpec) => RequestSpec;
}

export function cursorPaging(o: CursorOptions): Paginator {
  const place = o.placement ?? inQuery;
  return {
    strategy: {
      name: 'cursor',
      first: () => undefined,
      next: (p) => {
        const c = o.next(p.response);
        return c ? { token: c } : { done: true, reason: 'no cursor' };
      },
    },
    placement: place(o.param),
    ...(o.prepare ? { prepare: o.prepare } : {}),
  };
}

export interface NextLinkOptions extends AsUrlOptions {
  /** The next page's URL (absolute or relative) from a response; null/undefined/'' ends the walk. */
  next: (res: HttpResponse) => string | null | undefined;
  prepare?: (req: RequestSpec) => RequestSpec;
}

/** Follow a next link (absolute or relative URL) until there is none. */
export function nextLinkPaging(o: NextLinkOptions): Paginator {
  return {
    strategy: {
      name: 'next-link',
      first: () => undefined,
      next: (p) => {
        const link = o.next(p.response);
        return link ? { token: link } : { done: true, reason: 'no next link' };
      },
    },
    placement: asUrl({ keepQuery: o.keepQuery ?? false }),
    ...(o.prepare ? { prepare: o.prepare } : {}),
  };
}

export interface ScimPagingOptions {
  count: number;
  /** Servers that index from 0 (non-conformant but real). */
  zeroBased?: boolean;
}

/**
 * SCIM 2.0 (RFC 7644 3.4.2.4): `startIndex` (1-based) and `count`; stops at `totalResults`, on an
 * empty or short page, and on a page identical to the previous (servers that wrap around to
 * page one past the end). Advances by the number of items actually returned, so servers that
 * ignore `count` are walked correctly. Records
 * moving mid-walk show as `totalResults` changing (REQUIRED by the RFC), which restarts the walk.
 */
export function scimPaging(o: ScimPagingOptions): Paginator {
  const start = o.zeroBased ? 0 : 1;
  return {
    strategy: {
      name: 'scim',
      onRepeatedPage: 'stop',
      first: () => start,
      next: (p) => {
        const body = (p.response.data ?? {}) as Record<string, unknown>;
        const total = num(body['totalResults']);
        const seen = p.itemsBefore + p.items.length - (p.overlapped ?? 0);
        if (p.items.length - (p.overlapped ?? 0) === 0) return { done: true, total, reason: 'empty page' };
        if (total !== undefined && seen >= total) return { done: true, total, reason: 'totalResults reached' };
        if (total === undefined && p.items.length < o.count) return { done: true, total, reason: 'short page' };
        return { token: Number(p.token ?? start) + p.items.length, total };
      },
    },
    placement: inQuery('startIndex'),
    prepare: (req) => inQuery('count')(req, o.count),
  };
}

export interface PaginateOptions<Item> {
  /** Vendor id and resource name, for messages and progress. */
  vendor: string;
  vendorName: string;
  resource: string;
  request: RequestSpec;
  paginator: Paginator;
  send: (req: RequestSpec) => Promise<HttpResponse>;
  /** Extract the items of one page. */
  items: (res: HttpResponse) => Item[];
  /** A stable key per item (for repeated-page detection); default JSON of the item. */
  itemKey?: (item: Item) => string;
  /** Hard cap on pages (default 10,000): reaching it raises `incomplete`. */
  maxPages?: number;
  onPage?: (info: PageInfo<Item>, total: number | undefined) => void;
  /** Redacts secrets from text that goes into error messages. */
  redact?: (text: string) => string;
  /** The identity of a record (drift detection and de-duplication); default: its `id`/`uuid` field. */
  itemId?: (item: Item) => string | undefined;
  /**
   * Compare a record repeated within one walk with the records of the last `repeatWindow` pages
   * only (kept as they are), and hand on a repeat from further back for the consumer to decide;
   * default: fingerprints of every record of the walk (see `drift.ts`).
   */
  repeatWindow?: number;
  /** Walks (the first plus re-walks after records moved) before failing `incomplete`; default 3. */
  maxWalks?: number;
  /** Called when records moved mid-walk and the walk starts again (for progress and measurements). */
  onDrift?: (drift: Drift & { walk: number }) => void;
  /**
   * Ask for the next page while the consumer handles this one (default true); when the strategy
   * knows the token after that one (`following`), that page is asked for too, so two pages are in
   * flight (the request pipeline's budget and concurrency still decide when they are sent).
   */
  prefetch?: boolean;
}

/**
 * Walk every page and yield items. Throws `IncompleteSyncError` when the walk cannot be trusted
 * to have seen everything: a repeated token, a repeated page, an empty page before the announced
 * total, or the page cap. Records that move while paging (see `drift.ts`) restart the walk from the
 * first page, at most `maxWalks` times; records already yielded are not yielded again.
 */
export async function* paginate<Item>(o: PaginateOptions<Item>): AsyncGenerator<Item[], void, undefined> {
  const { strategy, placement } = o.paginator;
  const maxPages = o.maxPages ?? 10_000;
  const maxWalks = Math.max(1, o.maxWalks ?? DEFAULT_MAX_WALKS);
  const guard = new DriftGuard<Item>(o.itemId ?? defaultIdentity, o.repeatWindow);
  const seenTokens = new Set<string>();
  let pagesRequested = 0;
  const fail = (message: string, code: string) =>
    createError({
      kind: 'incomplete',
      code,
      vendor: o.vendor,
      message: `${o.vendorName}: paging ${o.resource} ${message}. The sync stopped without a snapshot so nothing is reported as removed.`,
    });

  let inflight: AbortController | undefined;
  /** A page asked for before the page that announces its token was read (`strategy.following`). */
  let ahead: { token: PageToken; promise: Promise<HttpResponse>; controller: AbortController } | undefined;
  const cancelAhead = () => {
    if (!ahead) return;
    ahead.controller.abort();
    seenTokens.delete(String(ahead.token));
    ahead = undefined;
  };
  const request = (index: number, t: PageToken | undefined): Promise<HttpResponse> => {
    if (index >= maxPages || pagesRequested >= maxPages * maxWalks)
      throw fail(`exceeded the limit of ${maxPages} pages`, 'max_pages');
    if (t !== undefined) {
      const key = String(t);
      if (seenTokens.has(key)) throw fail(`returned the page token '${key.slice(0, 80)}' twice`, 'repeated_token');
      seenTokens.add(key);
    }
    pagesRequested++;
    let req = o.paginator.prepare ? o.paginator.prepare(o.request) : o.request;
    if (t !== undefined && placement) req = placement(req, t);
    inflight = new AbortController();
    const p = o.send({ ...req, signal: inflight.signal });
    // Awaited on the next turn; this only keeps an abandoned prefetch from being "unhandled".
    p.catch(() => undefined);
    return p;
  };

  try {
    for (;;) {
      guard.startWalk();
      seenTokens.clear();
      let token = strategy.first();
      let itemsBefore = 0;
      let prevFingerprint: string | undefined;
      let lastTotal: number | undefined;
      let drift: Drift | undefined;
      let pending = request(0, token);
      for (let index = 0; ; index++) {
        const response = await pending;
        inflight = undefined;
        let items: Item[];
        try {
          items = o.items(response);
        } catch (e) {
          if (e instanceof OrgsyncError) throw e;
          const detail = (o.redact ?? ((x: string) => x))(String((e as Error)?.message ?? e)).slice(0, 300);
          throw createError({
            kind: 'vendor',
            code: 'unexpected_shape',
            vendor: o.vendor,
            message: `${o.vendorName}: page ${index + 1} of ${o.resource} did not have the expected shape (${detail}).`,
          });
        }
        if (!Array.isArray(items)) {
          throw createError({
            kind: 'vendor',
            code: 'unexpected_shape',
            vendor: o.vendor,
            message: `${o.vendorName}: page ${index + 1} of ${o.resource} holds no list of records.`,
          });
        }
        if (items.length > 0) {
          const key = o.itemKey ?? ((i: Item) => JSON.stringify(i));
          const fp = `${items.length}|${key(items[0]!)}|${key(items[items.length - 1]!)}`;
          if (fp === prevFingerprint) {
            if (strategy.onRepeatedPage === 'stop') {
              // A server that wraps around ends the walk, but only once everything announced was seen.
              if (lastTotal !== undefined && itemsBefore < lastTotal) {
                throw fail(`repeated a page after ${itemsBefore} of ${lastTotal} announced records`, 'short_walk');
              }
              return;
            }
            throw fail(`returned the same page twice (page ${index + 1})`, 'repeated_page');
          }
          prevFingerprint = fp;
        }
        const overlap = guard.checkOverlap(items);
        if (typeof overlap !== 'number') {
          drift = overlap;
          break;
        }
        const info: PageInfo<Item> = { index, token, response, items, itemsBefore, overlapped: overlap };
        const decision = strategy.next(info as PageInfo);
        const total = decision.total ?? lastTotal;
        if (decision.total !== undefined) {
          if (lastTotal !== undefined && decision.total !== lastTotal) {
            drift = {
              code: 'total_changed',
              detail: `the total changed from ${lastTotal} to ${decision.total} (records moved between pages)`,
            };
            break;
          }
          lastTotal = decision.total;
        }
        const fresh = guard.admit(items, overlap);
        o.onPage?.(info, total);
        const seen = itemsBefore + items.length - overlap;
        if ('done' in decision) {
          if (total !== undefined && seen < total) {
            throw fail(
              `ended after ${seen} of ${total} announced records (${decision.reason ?? 'stopped'})`,
              'short_walk',
            );
          }
          if (fresh.length) yield fresh;
          return;
        }
        if (items.length - overlap <= 0) {
          // An empty page that still points further (a next link, a cursor, a lower total) cannot be
          // trusted to be the end: whatever follows it might be missing.
          throw fail(
            total !== undefined
              ? `returned an empty page after ${seen} of ${total} records`
              : `returned an empty page after ${seen} records that still pointed to a next page`,
            'empty_page',
          );
        }
        guard.expectNext(items, decision.overlap);
        if (o.prefetch === false) {
          if (fresh.length) yield fresh;
          pending = request(index + 1, decision.token);
        } else {
          // Ask for the next page before handing this one over: the vendor prepares it while we map.
          if (ahead && String(ahead.token) === String(decision.token)) {
            pending = ahead.promise;
            inflight = ahead.controller;
            ahead = undefined;
          } else {
            cancelAhead();
            pending = request(index + 1, decision.token);
          }
          // And the one after it, when its token is known already (page numbers up to an announced last page).
          const after = strategy.following?.(decision.token, info as PageInfo);
          if (after !== undefined && index + 2 < maxPages && !seenTokens.has(String(after))) {
            const current = inflight;
            try {
              const promise = request(index + 2, after);
              ahead = { token: after, promise, controller: inflight! };
            } catch {
              // over a page cap: the page is asked for (and the cap reported) in its turn
            }
            inflight = current;
          }
          // Let the request reach the socket before the consumer maps this page synchronously.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (fresh.length) yield fresh;
        }
        itemsBefore = seen;
        token = decision.token;
      }
      // Records moved while paging: walk again from the first page (records already yielded are skipped).
      cancelAhead();
      o.onDrift?.({ ...drift, walk: guard.walks });
      if (guard.walks >= maxWalks) {
        throw fail(`saw records move while paging on ${maxWalks} walks in a row (last: ${drift.detail})`, drift.code);
      }
    }
  } finally {
    // The walk ended early (an error, or the consumer stopped): cancel the page nobody will read.
    inflight?.abort();
    ahead?.controller.abort();
  }
}
