/**
 * Gusto paging: `page` / `per` query parameters; the body is a bare array and the walk is driven by
 * the `X-Total-Pages` / `X-Total-Count` / `X-Page` response headers (no Link header, no envelope).
 * It runs inside the core's `paginate`, so its guards (repeated page, empty page before the
 * announced total, total changing mid-walk, page cap) apply too.
 */
import { createError } from '../../src/errors.js';
import { inQuery, type PageInfo, type Paginator } from '../../src/pagination/index.js';

/** Page size orgsync asks for. Gusto's maximum `per` is undocumented (UNCONFIRMED); the headers tell the truth. */
export const GUSTO_PER_PAGE = 100;

const intHeader = (v: string | undefined): number | undefined => {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

export interface GustoPagingOptions {
  /**
   * Page size to request. Undefined: send no paging parameters at all (for endpoints that do not
   * document paging: Gusto "loads all objects unless the endpoint forces pagination"), and follow
   * further pages only if the response announces them in `X-Total-Pages`.
   */
  per?: number;
}

export function gustoPaging(o: GustoPagingOptions = {}): Paginator {
  const requested = o.per !== undefined;
  return {
    strategy: {
      name: 'gusto-page',
      first: () => (requested ? 1 : undefined),
      next: (p: PageInfo) => {
        const page = p.token === undefined ? 1 : Number(p.token);
        const h = p.response.headers;
        const totalPages = intHeader(h['x-total-pages']);
        const total = intHeader(h['x-total-count']);
        const xPage = intHeader(h['x-page']);
        if (xPage !== undefined && p.token !== undefined && xPage !== page) {
          throw createError({
            kind: 'incomplete',
            code: 'page_mismatch',
            vendor: 'gusto',
            message: `Gusto: asked for page ${page} but the response says X-Page ${xPage}. The sync stopped without a snapshot so nothing is reported as removed.`,
          });
        }
        if (totalPages !== undefined) {
          if (page >= totalPages) return { done: true, total, reason: 'last page (X-Total-Pages)' };
          if (p.items.length === 0) {
            throw createError({
              kind: 'incomplete',
              code: 'empty_page',
              vendor: 'gusto',
              message: `Gusto: page ${page} of ${totalPages} was empty. The sync stopped without a snapshot so nothing is reported as removed.`,
            });
          }
          return { token: page + 1, total };
        }
        if (total !== undefined) {
          if (p.itemsBefore + p.items.length >= total) return { done: true, total, reason: 'X-Total-Count reached' };
          // An empty page before the total is an `incomplete` error in paginate.
          return { token: page + 1, total };
        }
        // No paging headers. Without paging parameters that is the whole list; with them, Gusto's
        // headers are UNCONFIRMED for every endpoint, so walk until an empty page rather than trust
        // a short page (the server may cap `per` below what was asked).
        if (!requested || p.items.length === 0)
          return { done: true, reason: requested ? 'empty page' : 'single response' };
        return { token: page + 1 };
      },
      // With X-Total-Pages announced, the page after the next one is known: keep it in flight too.
      following: (next, p) => {
        const totalPages = intHeader(p.response.headers['x-total-pages']);
        const after = Number(next) + 1;
        return totalPages !== undefined && after <= totalPages ? after : undefined;
      },
    },
    placement: inQuery('page'),
    ...(requested ? { prepare: (req) => inQuery('per')(req, o.per!) } : {}),
  };
}
