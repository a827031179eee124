/**
 * Generic SCIM 2.0 connector: `scim({ baseUrl, token, pageSize? })`.
 * Reads `/ServiceProviderConfig` (page size, filter support), `/Groups` (memberships, nesting) and
 * `/Users` (core User + Enterprise User extension) from any RFC 7643/7644 service provider, with
 * bearer auth. Incremental reads use `filter=meta.lastModified gt "…"`. See README.md.
 */
import { z } from 'zod';
import { defineConnector, type ConnectorFactory, type ResourceDef } from '../../src/connector/define.js';
import { ConfigError, createError, OrgsyncError, type ErrorKind } from '../../src/errors.js';
import type { ErrorHint, RawResponse } from '../../src/http/client.js';
import {
  buildContext,
  derivedGroups,
  lastModifiedFilter,
  mapCompany,
  mapUser,
  pageSizeFor,
  scimManagers,
  serviceProviderInfo,
  type ScimContext,
} from './map.js';
import { listResources, nonNegInt, recordKey, scimPager, uniquePageKey } from './paging.js';
import {
  ERROR_MESSAGE,
  ScimErrorSchema,
  ScimGroupSchema,
  ScimUserSchema,
  type ScimGroup,
  type ScimUser,
} from './schemas.js';

export const ScimOptionsSchema = z.object({
  /** The SCIM service root, e.g. `https://idp.example.com/scim/v2` (required). */
  baseUrl: z.string().url(),
  /** Bearer token for the SCIM API. */
  token: z.string().min(1, 'required'),
  /** Records per page (default 100), capped by the server's `filter.maxResults`. */
  pageSize: z.number().int().min(1).max(1000).optional(),
});
export type ScimOptions = z.infer<typeof ScimOptionsSchema>;

/** `Accept` for every request: SCIM's media type, JSON as a fallback for servers that only speak that. */
export const SCIM_ACCEPT = 'application/scim+json, application/json;q=0.9';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Page sizes from which list pages are streamed (see `scimList`). */
export const STREAM_PAGE_SIZE = 500;

/** A SCIM list (`/Users`, `/Groups`): `count` from the context, a fresh id-tracking paginator per walk. */
function scimList<Row>(
  resource: 'Users' | 'Groups',
  row: z.ZodType<Row>,
): ResourceDef<{ pageSize: number }, Row, never> {
  return {
    // Large pages (`pageSize` >= 500, ~0.6 MB and more): `Resources` (any case, as `listResources`
    // reads it) parsed record by record as the page arrives. Pages of 100 (~120 KB) are read whole:
    // streaming them measured 5-8% more CPU for a small memory gain (docs/performance.md). Decided
    // per walk, so a walk's records are all fingerprinted the same way.
    request: (ctx) => ({
      path: `/${resource}`,
      query: { count: ctx.pageSize },
      ...(ctx.pageSize >= STREAM_PAGE_SIZE ? { stream: { records: ['Resources'], ignoreCase: true } } : {}),
    }),
    paginate: () => scimPager({ resource }),
    records: listResources,
    row,
    itemKey: uniquePageKey,
    maxPages: 100_000,
  };
}

/** Error statuses that mean "this endpoint is not implemented here", not "this failed". */
const NOT_IMPLEMENTED = [404, 405, 501];

/**
 * Read a SCIM error body (RFC 7644 §3.12) out of a response: `status` as a string or number,
 * `scimType`, `detail`. Recognized by the Error schema URN, or by `status` plus `detail`/`scimType`.
 */
export function scimErrorOf(
  json: unknown,
): { status: number | undefined; scimType: string | null; detail: string | null } | undefined {
  const parsed = ScimErrorSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  const marked = (e.schemas ?? []).some((s) => s.toLowerCase() === ERROR_MESSAGE.toLowerCase());
  if (!marked && !(e.status !== undefined && (e.detail || e.scimType))) return undefined;
  const status = nonNegInt(e.status);
  return { status, scimType: e.scimType?.trim() || null, detail: e.detail?.trim() || null };
}

function kindForStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'config';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'transient';
  return 'vendor';
}

/** How a SCIM error body is worded in messages (detail shortened; the core redacts secrets). */
function said(err: { scimType: string | null; detail: string | null }): string {
  const detail = err.detail ? err.detail.slice(0, 300) : '';
  if (err.scimType && detail) return ` The server said (${err.scimType}): "${detail}"`;
  if (err.scimType) return ` The server said: ${err.scimType}.`;
  return detail ? ` The server said: "${detail}"` : '';
}

export function classifyScim(res: RawResponse): ErrorHint | undefined {
  const err = scimErrorOf(res.json);
  const where = `${res.method} ${res.path}`;
  // A SCIM Error message in a 2xx body: the body's status decides.
  if (res.status < 300) {
    if (!err) return undefined;
    const status = err.status && err.status >= 400 ? err.status : 500;
    const kind = kindForStatus(status);
    return {
      kind,
      code: err.scimType ?? 'error_in_success_body',
      retryable: kind === 'rate_limited' || kind === 'transient',
      message: `SCIM server answered ${where} with HTTP ${res.status} but an error body (status ${status}).${said(err)}`,
    };
  }
  const e = err ?? { status: undefined, scimType: null, detail: null };
  const code = e.scimType ?? undefined;
  if (res.status === 401) {
    return {
      kind: 'auth',
      code,
      message: `SCIM server rejected the bearer token (401) on ${where}. Check the token and that it is still valid.${said(e)}`,
    };
  }
  if (res.status === 403) {
    return {
      kind: 'auth',
      code,
      message: `SCIM server refused ${where} (403): the token is valid but lacks permission to read this resource.${said(e)}`,
    };
  }
  if (res.status === 404 && /^\/(Users|Groups)\/?$/i.test(res.path)) {
    return {
      kind: 'config',
      code,
      message: `SCIM server answered 404 for ${where}. Check that baseUrl is the SCIM service root (the URL that /Users is relative to, e.g. https://idp.example.com/scim/v2).${said(e)}`,
    };
  }
  if (res.status === 400) {
    return {
      kind: 'vendor',
      code,
      message: `SCIM server rejected ${where} (400${e.scimType ? ` ${e.scimType}` : ''}).${said(e)}`,
    };
  }
  return code ? { code } : undefined;
}

/** The `/Users` walk of the full read (incremental reads walk it with a filter added). */
const users = scimList('Users', ScimUserSchema as z.ZodType<ScimUser>);

/** `scim({ baseUrl, token, pageSize? })`: see README.md. */
export const scim: ConnectorFactory<ScimOptions> = defineConnector<ScimOptions, ScimContext>({
  id: 'scim',
  name: 'SCIM',
  options: ScimOptionsSchema,
  secrets: ['token'],
  optionHelp: {
    baseUrl: 'SCIM service root, e.g. https://idp.example.com/scim/v2',
    token: 'bearer token (env ORGSYNC_SCIM_TOKEN)',
    pageSize: 'records per page (default 100, capped by the server)',
  },
  http: (o) => {
    if (!o.baseUrl) {
      throw new ConfigError({
        vendor: 'scim',
        message: 'SCIM: baseUrl is required: the SCIM service root, e.g. https://idp.example.com/scim/v2.',
      });
    }
    let u: URL;
    try {
      u = new URL(o.baseUrl);
    } catch {
      throw new ConfigError({ vendor: 'scim', message: 'SCIM: baseUrl is not a valid URL.' });
    }
    if (u.username || u.password)
      throw new ConfigError({
        vendor: 'scim',
        message: 'SCIM: baseUrl must not contain credentials; pass the token as `token`.',
      });
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.test(u.hostname))) {
      throw new ConfigError({
        vendor: 'scim',
        message: `SCIM: baseUrl must use https (plain http is accepted for localhost only), got '${u.protocol}//${u.host}'.`,
      });
    }
    return {
      baseUrl: o.baseUrl,
      auth: { type: 'bearer', token: o.token },
      headers: { Accept: SCIM_ACCEPT },
      account: `SCIM service '${u.host}'`,
      requestIdHeaders: ['x-request-id', 'request-id', 'x-ms-request-id', 'x-okta-request-id'],
    };
  },
  // No standard quota; servers throttle with 429 (+ Retry-After), which the pipeline honours.
  rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 2 },
  capabilities: {
    groups: true,
    locations: false,
    incremental: true,
    incrementalDeletions: false,
    webhooks: false,
    includesTerminated: true,
  },
  classify: classifyScim,
  context: async (rt) => {
    // Findings here (e.g. /Groups not implemented) are snapshot warnings of full and incremental reads alike.
    // Discovery is a hint: without it, orgsync uses its defaults. Credentials and outages still fail.
    const spcRes = await rt.optional(() => rt.request({ path: '/ServiceProviderConfig' }), {
      statuses: [...NOT_IMPLEMENTED, 403],
      codes: ['unexpected_content_type'],
      warn: (e) =>
        `SCIM /ServiceProviderConfig was not available (${e.status ?? e.code}); ` +
        'used the default page size and assumed filtering may work.',
    });
    const spc = spcRes ? serviceProviderInfo(spcRes.data) : { filterSupported: null, maxResults: null };
    const pageSize = pageSizeFor(rt.options.pageSize, spc.maxResults);
    const groups = scimList('Groups', ScimGroupSchema as z.ZodType<ScimGroup>);
    const groupRows = await rt.optional(() => rt.readAll('groups', groups, { pageSize }), {
      statuses: NOT_IMPLEMENTED,
      warn: (e) =>
        `SCIM /Groups is not implemented by this server (${e.status}); ` +
        "group memberships come only from the users' groups attribute.",
    });
    return buildContext(groupRows ?? [], { pageSize, ...spc });
  },
  employees: { ...users, map: mapUser },
  groups: (ctx) => ctx.groups,
  // Department, division and cost-center groups from the users' enterprise attributes.
  groupsFromEmployees: (employees, ctx) => derivedGroups(employees, ctx.groupIds),
  company: (_ctx, rt) => mapCompany(rt.options.baseUrl),
  managers: scimManagers,
  incremental: {
    lookbackMs: 5 * 60_000,
    read: async (rt, ctx, since) => {
      if (ctx.filterSupported === false) {
        throw createError({
          kind: 'config',
          code: 'filter_unsupported',
          vendor: 'scim',
          message:
            'SCIM: this server says filtering is not supported (ServiceProviderConfig filter.supported=false), so it cannot list changed users. Take full snapshots instead.',
        });
      }
      let rows: unknown[];
      try {
        const filter = lastModifiedFilter(since);
        rows = await rt.employeeRows({ path: '/Users', query: { count: ctx.pageSize, filter } }, ctx);
      } catch (e) {
        if (e instanceof OrgsyncError && e.status === 400) {
          throw createError({
            kind: 'vendor',
            code: e.code ?? 'invalidFilter',
            vendor: 'scim',
            status: 400,
            endpoint: e.endpoint,
            requestId: e.requestId,
            message: `${e.message} The server cannot filter users by meta.lastModified; take full snapshots instead.`,
            cause: e,
          });
        }
        throw e;
      }
      // Deletions are invisible to a SCIM filter: a periodic full snapshot catches them.
      return { rows: lastCopies(rows), deletedIds: [] };
    },
  },
});

/** One row per user (`id`, any case), the last copy winning. */
function lastCopies(rows: unknown[]): unknown[] {
  const byId = new Map<string, unknown>();
  for (const r of rows) byId.set(recordKey(r), r);
  return [...byId.values()];
}
