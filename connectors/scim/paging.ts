/**
 * SCIM list paging (RFC 7644 §3.4.2.4) hardened for the servers that exist, as a `Paginator` that
 * runs inside the core `paginate` loop (and so keeps its guards: repeated token, page cap, total
 * changing mid-walk; repeated pages are judged here instead, see below).
 *
 * Why not the core `scimPaging`: it counts items, not people, so a server whose pages overlap
 * (SimpleIdServer-style clamping) stops one person early, and a page that repeats *earlier* records
 * (a server that wraps around to page one past the end) is only noticed when it equals the page
 * just before it. This paginator tracks the ids it has seen:
 * - the next `startIndex` is the one just sent plus the number of records received (servers that
 *   ignore `count`, cap pages below it, or echo `count` in `itemsPerPage` are walked correctly);
 * - the walk ends when the number of *distinct* ids reaches `totalResults`, on an empty page, or on
 *   a page that brings no new id (wrap-around) — and if it ends before `totalResults` distinct
 *   people were seen it raises `incomplete`, so a short walk can never become a snapshot;
 * - a first page labelled `startIndex: 0` marks a server that counts from 0 in its responses. Such
 *   servers map the RFC's `startIndex=1` to their first record, so the walk continues in request
 *   space; the flag only sharpens the error message if the walk still comes up short.
 * - without `totalResults` (REQUIRED by the RFC, yet omitted by some servers) a short page is not
 *   trusted as the end: the walk asks once more and stops on an empty or wrapped page; the same
 *   *full* page twice in a row is refused (`incomplete`), as it cannot be told from a server that
 *   ignores `startIndex`.
 * - repeats are judged here, by id, against every earlier page; the core loop's neighbour-only
 *   fingerprint is neutralised with `uniquePageKey` (see there).
 *
 * A paginator holds per-walk state, so create one per walk (`scimPager()`); the connector's
 * resource definitions declare `paginate: () => scimPager(...)`, which the core calls per walk.
 */
import { createError } from '../../src/errors.js';
import type { HttpResponse } from '../../src/http/client.js';
import { inQuery, type NextDecision, type PageInfo, type Paginator } from '../../src/pagination/index.js';

/** Case-insensitive property read (SCIM attribute names are case-insensitive, RFC 7643 §2.1). */
export function getCI(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const o = obj as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(o, name)) return o[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

/** A non-negative integer from a number or a numeric string (`"150"`), else undefined. */
export function nonNegInt(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

/** The records of one SCIM ListResponse. `Resources` may be absent only when `totalResults` is 0. */
export function listResources(res: HttpResponse): unknown[] {
  const body = res.data;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('expected a SCIM ListResponse object');
  const resources = getCI(body, 'Resources');
  const total = nonNegInt(getCI(body, 'totalResults'));
  if (resources === undefined || resources === null) {
    if (total === 0) return [];
    throw new Error(
      total === undefined
        ? 'the ListResponse has neither Resources nor totalResults'
        : `totalResults is ${total} but Resources is missing`,
    );
  }
  if (!Array.isArray(resources)) throw new Error('Resources is not a list');
  return resources;
}

/** Stable key of a SCIM record: its `id` (any case), else its JSON. */
export function recordKey(item: unknown): string {
  const id = getCI(item, 'id');
  if (typeof id === 'string' && id.trim() !== '') return `id:${id.trim()}`;
  if (typeof id === 'number' && Number.isFinite(id)) return `id:${id}`;
  return `json:${JSON.stringify(item)}`;
}

export interface ScimPagerOptions {
  /** `Users` or `Groups`, for messages. */
  resource: string;
  vendor?: string;
  vendorName?: string;
}

/**
 * Item key for the core loop's "same page twice" fingerprint that never repeats, so every page
 * reaches `next()` below, which judges repeats by id against *all* earlier pages and checks
 * completeness. (The core guard only compares neighbours, and in `stop` mode returns without
 * checking the announced total; see README "Core notes".)
 */
export const uniquePageKey: () => string = (() => {
  let n = 0;
  return () => `scim-page-item-${n++}`;
})();

/** A fresh SCIM paginator (state for one walk). The page size is the `count` already in the request. */
export function scimPager(o: ScimPagerOptions): Paginator {
  const vendor = o.vendor ?? 'scim';
  const vendorName = o.vendorName ?? 'SCIM';
  let seen = new Set<string>();
  let zeroBased = false;
  let count: number | undefined;
  let previous: { keys: string[]; full: boolean } | undefined;

  const fail = (message: string, code: string) =>
    createError({
      kind: 'incomplete',
      code,
      vendor,
      message: `${vendorName}: paging /${o.resource} ${message}${zeroBased ? ' The server labels its pages from startIndex 0, so it may be skipping records.' : ''} The sync stopped without a snapshot so nobody is reported as removed.`,
    });

  return {
    strategy: {
      name: 'scim-ids',
      onRepeatedPage: 'error',
      first: () => {
        seen = new Set();
        zeroBased = false;
        previous = undefined;
        return 1;
      },
      next: (p: PageInfo): NextDecision => {
        const body = p.response.data;
        const total = nonNegInt(getCI(body, 'totalResults'));
        if (p.index === 0) zeroBased = nonNegInt(getCI(body, 'startIndex')) === 0;
        const keys = p.items.map(recordKey);
        let fresh = 0;
        for (const k of keys) {
          if (!seen.has(k)) {
            seen.add(k);
            fresh++;
          }
        }
        const before = previous;
        previous = { keys, full: count === undefined || p.items.length >= count };
        const unique = seen.size;
        const end = (reason: string): NextDecision => {
          if (total !== undefined && unique < total)
            throw fail(
              `ended after ${unique} distinct records of the ${total} the server announced (${reason}).`,
              'short_walk',
            );
          return { done: true, total, reason };
        };
        if (p.items.length === 0) return end('empty page');
        if (fresh === 0) {
          const sameAsBefore =
            !!before && before.keys.length === keys.length && before.keys.every((k, i) => k === keys[i]);
          // Without totalResults, the same full page twice cannot be told from a server that ignores
          // startIndex (and would hand out page one forever): refuse rather than guess.
          if (total === undefined && sameAsBefore && before.full) {
            throw fail(
              `returned the same full page twice (page ${p.index + 1}) without a totalResults: the server may be ignoring startIndex.`,
              'repeated_page',
            );
          }
          return end(
            `page ${p.index + 1} only repeated records already read (${sameAsBefore ? 'the server may be ignoring startIndex' : 'the server wrapped around'})`,
          );
        }
        if (total !== undefined && unique >= total) return { done: true, total, reason: 'totalResults reached' };
        return { token: Number(p.token ?? 1) + p.items.length, total };
      },
      // With totalResults announced, the page after the next one starts where a page as long as
      // this one ends: keep it in flight too (a wrong guess, after a short page, is cancelled).
      following: (next, p) => {
        const total = nonNegInt(getCI(p.response.data, 'totalResults'));
        const after = Number(next) + p.items.length;
        return total !== undefined && p.items.length > 0 && after <= total ? after : undefined;
      },
    },
    placement: inQuery('startIndex'),
    prepare: (req) => {
      const c = nonNegInt(req.query?.['count']);
      if (c) count = c;
      return req;
    },
  };
}
