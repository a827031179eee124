/**
 * Queries: list parameters, the SearchRequest body of `POST …/.search` (RFC 7644 §3.4.3), and the
 * root-level search across every resource type (`POST /.search`).
 */
import { badRequest } from './errors.js';
import { checkFilterAcross, matchesFilter, parseFilter, type ParsedFilter } from './filter.js';
import { parseFilterText } from './filter-parser.js';
import { isRec } from './normalize.js';
import { SEARCH_REQUEST, type ResourceSpec } from './schema.js';

type Rec = Record<string, unknown>;

export interface QueryParams {
  filter?: string | undefined;
  startIndex?: string | undefined;
  count?: string | undefined;
  attributes?: string | undefined;
  excludedAttributes?: string | undefined;
}

/** Query parameters of a GET list request. */
export function queryFromUrl(query: URLSearchParams): QueryParams {
  const get = (n: string) => query.get(n) ?? undefined;
  return {
    filter: get('filter'),
    startIndex: get('startIndex'),
    count: get('count'),
    attributes: get('attributes'),
    excludedAttributes: get('excludedAttributes'),
  };
}

/** Query parameters of a SearchRequest body. Throws 400 invalidSyntax when it is not one. */
export function queryFromSearchBody(body: unknown): QueryParams {
  if (!isRec(body)) throw badRequest('invalidSyntax', 'A .search request needs a SearchRequest body.');
  const get = (n: string) => Object.entries(body).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1];
  const schemas = get('schemas');
  const isSearch = (s: unknown) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST.toLowerCase();
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.some(isSearch))) {
    throw badRequest('invalidSyntax', `A .search body must have schemas ["${SEARCH_REQUEST}"].`);
  }
  const listParam = (v: unknown) => (Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  return {
    filter: str(get('filter')),
    startIndex: str(get('startIndex')),
    count: str(get('count')),
    attributes: listParam(get('attributes')),
    excludedAttributes: listParam(get('excludedAttributes')),
  };
}

/** One resource type's filter for a query (null: no filter). */
export function filterFor(q: QueryParams, spec: ResourceSpec): ParsedFilter | null {
  return q.filter !== undefined && q.filter.trim() !== '' ? parseFilter(q.filter, spec.definition) : null;
}

/**
 * Root search: the filter is parsed once and checked against all resource types together: an
 * attribute must exist in at least one of them; for a resource whose schema lacks it, the attribute
 * is absent (RFC 7644 §3.4.2.2), so `userName sw "a" or displayName eq "Eng"` finds users and groups.
 */
export function rootMatches(
  q: QueryParams,
  specs: ResourceSpec[],
  views: (spec: ResourceSpec) => Rec[],
): Array<{ spec: ResourceSpec; resource: Rec }> {
  const text = q.filter?.trim() ? q.filter.trim() : null;
  const node = text ? parseFilterText(text) : null;
  if (node)
    checkFilterAcross(
      node,
      specs.map((s) => s.definition),
      text!,
    );
  const out: Array<{ spec: ResourceSpec; resource: Rec }> = [];
  for (const spec of specs) {
    for (const r of views(spec)) if (!node || matchesFilter(r, node, spec.definition)) out.push({ spec, resource: r });
  }
  return out;
}
