/**
 * Rippling connector: `rippling({ apiToken, api?: 'rest' | 'legacy', pageSize? })`.
 *
 * Two APIs, two connector definitions sharing one set of mappers (see map.ts) and one options
 * schema; `rippling(...)` picks the definition from `api`:
 * - `rest` (default): `https://rest.ripplingapis.com`, `GET /workers/?expand=user` following
 *   `next_link`; incremental reads with `filter=updated_at ge <ts>`.
 * - `legacy`: `https://api.rippling.com/platform/api`, `GET /employees/include_terminated` with
 *   `limit`/`offset` (the plain `/employees` omits terminated people); no incremental read.
 * Capabilities are static per definition, which is why there are two: the factory's own
 * `.definition` is the REST one (the default). See README.md.
 */
import { z } from 'zod';
import {
  defineConnector,
  type CommonOptions,
  type Connector,
  type ConnectorDefinition,
  type ConnectorFactory,
  type ConnectorRuntime,
  type ResourceDef,
} from '../../src/connector/define.js';
import { createError } from '../../src/errors.js';
import {
  extractVendorMessage,
  type ErrorHint,
  type HttpResponse,
  type RawResponse,
  type RequestSpec,
} from '../../src/http/client.js';
import type { RateLimitOptions } from '../../src/http/rate-limit.js';
import { inQuery, nextLinkPaging, type Paginator } from '../../src/pagination/index.js';
import {
  buildLegacyContext,
  buildRestContext,
  joinUsers,
  mapLegacyCompany,
  mapLegacyEmployee,
  mapLegacyGroups,
  mapLegacyLocations,
  mapRestCompany,
  mapRestGroups,
  mapRestLocations,
  mapRestWorker,
  ref,
  type LegacyContext,
  type RestContext,
} from './map.js';
import {
  LegacyCompanySchema,
  LegacyEmployeeSchema,
  LegacyGroupSchema,
  LegacyWorkLocationSchema,
  RestCompanySchema,
  RestDepartmentSchema,
  RestEmploymentTypeSchema,
  RestListSchema,
  RestTeamSchema,
  RestUserSchema,
  RestWorkerSchema,
  RestWorkLocationSchema,
  type LegacyEmployee,
  type RestUser,
  type RestWorker,
} from './schemas.js';

export const REST_BASE_URL = 'https://rest.ripplingapis.com';
export const LEGACY_BASE_URL = 'https://api.rippling.com/platform/api';
/** Rippling's own REST hosts: absolute `next_link`s on them are rebased onto the configured base URL (proxies, sandboxes). */
const REST_HOSTS = new Set(['rest.ripplingapis.com', 'rest.ripplingpreviewapis.com']);
/** Largest legacy page: "Pagination should be set to a maximum of 100" (Rippling's spec text). */
export const LEGACY_MAX_PAGE_SIZE = 100;

export const RipplingOptionsSchema = z.object({
  /** API key (own company) or OAuth access token (app partners), sent as `Authorization: Bearer`. */
  apiToken: z.string().min(1, 'required'),
  /** Which Rippling API to read: `rest` (default, rest.ripplingapis.com) or `legacy` (api.rippling.com/platform/api). */
  api: z.enum(['rest', 'legacy']).optional(),
  /** Legacy API only: employees per page (`limit`), 1-100 (default 100). Lower it if Rippling answers 504. The REST API pages by `next_link`. */
  pageSize: z.number().int().min(1).max(LEGACY_MAX_PAGE_SIZE).optional(),
});
export type RipplingOptions = z.infer<typeof RipplingOptionsSchema>;

const optionHelp = {
  apiToken: 'API key or OAuth access token (env RIPPLING_API_TOKEN)',
  api: "'rest' (default) or 'legacy'",
  pageSize: 'legacy API page size, 1-100 (default 100)',
};

// No published quota (PostHog's source says so explicitly). Stay polite; 429 + Retry-After is honoured.
const RATE_LIMIT: RateLimitOptions = { requests: 10, intervalMs: 1_000, concurrency: 2 };

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

const REST_SCOPE: Record<string, string> = {
  workers: 'workers.read',
  users: 'users.read',
  departments: 'departments.read',
  teams: 'teams.read',
  'work-locations': 'work-locations.read',
  'employment-types': 'employment-types.read',
  companies: 'companies.read',
};
const LEGACY_SCOPE: Record<string, string> = {
  employees: 'employee (plus the employee:* field scopes)',
  departments: 'company:departments',
  teams: 'company:teams',
  work_locations: 'company:workLocations',
  companies: 'company',
};

function scopeFor(api: 'rest' | 'legacy', path: string): string | undefined {
  const first = path.split('/').filter(Boolean)[0] ?? '';
  return (api === 'rest' ? REST_SCOPE : LEGACY_SCOPE)[first];
}

/** Vendor error quirks of both APIs (the error bodies are undocumented; `{"detail": "..."}` is expected, any shape is tolerated). */
export function classifyRippling(api: 'rest' | 'legacy'): (res: RawResponse) => ErrorHint | undefined {
  return (res) => {
    const said = extractVendorMessage(res).slice(0, 300);
    const quoted = said ? ` Rippling said: "${said}"` : '';
    if (res.status === 401) {
      return {
        kind: 'auth',
        message: `Rippling rejected the API token (401).${quoted} Check the token: API keys can be revoked, OAuth access tokens expire (refresh them), and tokens of an app stop working when the admin who installed it is terminated.`,
      };
    }
    if (res.status === 403) {
      const scope = scopeFor(api, res.path);
      const tier = api === 'rest' ? " or the company's Rippling API tier does not include this endpoint" : '';
      return {
        kind: 'auth',
        message: `Rippling refused ${res.method} ${res.path} (403).${quoted} The token lacks the ${scope ? `'${scope}' scope` : 'scope for this data'}${tier}; grant it and run the sync again.`,
      };
    }
    if (res.status === 404) {
      const where =
        api === 'rest' ? `the REST API (${REST_BASE_URL}, paths end in "/")` : `the legacy API (${LEGACY_BASE_URL})`;
      return {
        kind: 'config',
        message: `Rippling answered 404 for ${res.method} ${res.path}.${quoted} orgsync is reading ${where}: check the base URL and the 'api' option.`,
      };
    }
    if (res.status === 429 && !res.headers['retry-after']) {
      // Django REST framework's throttle message carries the wait when the header is missing.
      const m = /available in (\d+(?:\.\d+)?) seconds?/i.exec(said);
      if (m) return { kind: 'rate_limited', retryable: true, retryAfterMs: Math.ceil(Number(m[1]) * 1000) };
    }
    if (res.status === 504) {
      return {
        kind: 'transient',
        retryable: true,
        message: `Rippling timed out on ${res.method} ${res.path} (504).${api === 'legacy' ? ' If this persists, lower the page size (pageSize).' : ''}`,
      };
    }
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// REST API paging
// ---------------------------------------------------------------------------------------------

/**
 * The next page's URL from a REST list body: null/absent/empty ends the walk. Relative links are
 * resolved against the API root (the configured base URL); absolute links on Rippling's own hosts
 * are rebased onto the configured base URL; links to any other host are left absolute, and the
 * pipeline refuses to send the token there.
 */
export function nextLinkOf(res: HttpResponse): string | null {
  const body = res.data as { next_link?: unknown } | null;
  const link = typeof body?.next_link === 'string' ? body.next_link.trim() : '';
  if (!link) return null;
  try {
    if (/^https?:\/\//i.test(link)) {
      const u = new URL(link);
      return REST_HOSTS.has(u.host.toLowerCase()) ? `${u.pathname}${u.search}` : link;
    }
    if (link.startsWith('?')) return new URL(link, res.url).toString();
  } catch {
    throw createError({
      kind: 'incomplete',
      vendor: 'rippling',
      code: 'bad_next_link',
      message: 'Rippling sent a next_link that is not a URL; the walk cannot continue. No snapshot was written.',
    });
  }
  return link.startsWith('/') ? link : `/${link}`;
}

/** `next_link` paging; query parameters of the first request that the link lacks (expand, filter, order_by) are kept. */
export function restPaging(): Paginator {
  return nextLinkPaging({ next: nextLinkOf, keepQuery: true });
}

function restRecords(res: HttpResponse): unknown[] {
  const parsed = RestListSchema.safeParse(res.data);
  if (!parsed.success) throw new Error('expected {"results": [...], "next_link": ...}');
  return parsed.data.results;
}

function restList<Row>(
  path: string,
  row: z.ZodType<Row>,
  query?: RequestSpec['query'],
  auxiliary = false,
): ResourceDef<unknown, Row, unknown> {
  return {
    request: { path, ...(query ? { query } : {}) },
    paginate: restPaging(),
    records: restRecords,
    row,
    auxiliary,
  };
}

/** A lookup of auxiliary metadata (departments, teams, work locations, employment types): rows that do not fit are skipped with a warning. */
const auxList = <Row>(path: string, row: z.ZodType<Row>) => restList(path, row, undefined, true);

/** Users for workers whose user did not expand; a token without `users.read` syncs without their names (and says so). */
async function optionalUsers(rt: ConnectorRuntime<unknown>): Promise<RestUser[]> {
  const users = await rt.optional(() => rt.readAll('users', restList('/users/', RestUserSchema)), {
    statuses: [403, 404],
    warn: (e) =>
      `Rippling: cannot read users (${e.status}); workers whose user did not expand have no names. ${e.message}`,
  });
  return users ?? [];
}

/** `YYYY-MM-DDTHH:mm:ssZ` (explicit UTC, no milliseconds) for `filter=updated_at ge ...`. */
export function filterTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Full read: ordered by the immutable id (a documented sortable field), so a worker updated while
 * the walk runs cannot move between pages (skipped or read twice) whatever the default order is.
 */
const WORKERS_REQUEST: RequestSpec = { path: '/workers/', query: { expand: 'user', order_by: 'id' } };

export const ripplingRestDefinition: ConnectorDefinition<RipplingOptions, RestContext> = {
  id: 'rippling',
  name: 'Rippling',
  options: RipplingOptionsSchema,
  secrets: ['apiToken'],
  optionHelp,
  http: (o) => ({ baseUrl: REST_BASE_URL, auth: { type: 'bearer', token: o.apiToken } }),
  rateLimit: RATE_LIMIT,
  capabilities: {
    groups: true,
    locations: true,
    incremental: true,
    incrementalDeletions: false,
    webhooks: false,
    includesTerminated: true,
  },
  classify: classifyRippling('rest'),
  context: async (rt) => {
    const departments = await rt.readAll('departments', auxList('/departments/', RestDepartmentSchema));
    const teams = await rt.readAll('teams', auxList('/teams/', RestTeamSchema));
    const workLocations = await rt.readAll('work-locations', auxList('/work-locations/', RestWorkLocationSchema));
    const types = auxList('/employment-types/', RestEmploymentTypeSchema);
    const employmentTypes = await rt.optional(() => rt.readAll('employment-types', types), {
      statuses: [403, 404],
      warn: (e) => `Rippling: cannot read employment types (${e.status}); employment types will be empty. ${e.message}`,
    });
    return buildRestContext({ departments, teams, workLocations, employmentTypes: employmentTypes ?? [] }, rt.now());
  },
  employees: {
    request: WORKERS_REQUEST,
    paginate: restPaging(),
    records: restRecords,
    row: RestWorkerSchema as z.ZodType<RestWorker>,
    // Workers whose user did not expand: join them from /users/ (read once per full or incremental read, only if needed).
    enrich: async (rows, ctx, rt) => {
      if (!rows.some((w) => !w.user && ref(w.user_id))) return rows;
      ctx.users ??= optionalUsers(rt);
      return joinUsers(rows, await ctx.users);
    },
    map: mapRestWorker,
  },
  groups: mapRestGroups,
  locations: mapRestLocations,
  company: async (_ctx, rt) => {
    const companies = await rt.readAll('companies', restList('/companies/', RestCompanySchema));
    // A token belongs to one company; should several come back, the first is the token's.
    if (!companies[0])
      throw createError({
        kind: 'vendor',
        vendor: 'rippling',
        code: 'no_company',
        message: 'Rippling: GET /companies/ returned no company for this token.',
      });
    return mapRestCompany(companies[0]);
  },
  incremental: {
    lookbackMs: 5 * 60_000,
    // The workers walk, filtered and ordered by updated_at: a worker changed during the walk shows up
    // again later, and the core keeps its last copy. Users are joined as in the full read (`enrich`).
    requests: (since) => ({
      path: '/workers/',
      query: { expand: 'user', filter: `updated_at ge ${filterTimestamp(since)}`, order_by: 'updated_at' },
    }),
  },
};

// ---------------------------------------------------------------------------------------------
// Legacy platform API
// ---------------------------------------------------------------------------------------------

/**
 * limit/offset; stops on a short page. A first page longer than `limit` means the server ignored it and sent
 * everything. Later pages start one record early (`overlap`), see src/pagination/drift.ts.
 */
export function legacyPaging(limit: number): Paginator {
  return {
    strategy: {
      name: 'offset',
      first: () => 0,
      next: (p) => {
        if (p.items.length < limit) return { done: true, reason: 'short page' };
        if (p.items.length > limit) {
          if (p.index === 0) return { done: true, reason: 'server ignored limit' };
          throw createError({
            kind: 'incomplete',
            vendor: 'rippling',
            code: 'page_size_changed',
            message: `Rippling (legacy API): page ${p.index + 1} held ${p.items.length} records for limit=${limit}; the walk cannot be trusted. No snapshot was written.`,
          });
        }
        // One record of overlap: the core checks it is this page's last, so a person deleted or
        // inserted before it mid-walk restarts the walk instead of shifting everyone after it.
        const overlap = limit >= 2 ? 1 : 0;
        return { token: Number(p.token ?? 0) + p.items.length - overlap, overlap };
      },
    },
    placement: inQuery('offset'),
    prepare: (req) => inQuery('limit')(req, limit),
  };
}

function legacyRecords(res: HttpResponse): unknown[] {
  if (!Array.isArray(res.data)) throw new Error('expected a JSON array');
  return res.data;
}

/** The legacy paginator for the connector's `pageSize` option (default 100). */
const legacyPagingFor = (_ctx: unknown, o: { pageSize?: number | undefined }): Paginator =>
  legacyPaging(o.pageSize ?? LEGACY_MAX_PAGE_SIZE);

/** A legacy lookup (departments, teams, work locations): auxiliary metadata, rows that do not fit are skipped with a warning. */
function legacyList<Row>(path: string, row: z.ZodType<Row>): ResourceDef<unknown, Row, unknown> {
  return { request: { path }, paginate: legacyPagingFor, records: legacyRecords, row, auxiliary: true };
}

/** The legacy definition (the page size comes from the options, per walk). */
export const ripplingLegacyDefinition: ConnectorDefinition<RipplingOptions, LegacyContext> = {
  id: 'rippling',
  name: 'Rippling (legacy API)',
  options: RipplingOptionsSchema,
  secrets: ['apiToken'],
  optionHelp,
  http: (o) => ({ baseUrl: LEGACY_BASE_URL, auth: { type: 'bearer', token: o.apiToken } }),
  rateLimit: RATE_LIMIT,
  capabilities: {
    groups: true,
    locations: true,
    incremental: false,
    incrementalDeletions: false,
    webhooks: false,
    includesTerminated: true,
  },
  classify: classifyRippling('legacy'),
  context: async (rt) => {
    const departments = await rt.readAll('departments', legacyList('/departments', LegacyGroupSchema));
    const teams = await rt.readAll('teams', legacyList('/teams', LegacyGroupSchema));
    const workLocations = await rt.readAll('work-locations', legacyList('/work_locations', LegacyWorkLocationSchema));
    return buildLegacyContext({ departments, teams, workLocations }, rt.now());
  },
  employees: {
    // include_terminated: the plain /employees omits terminated people, which would look like mass termination.
    request: { path: '/employees/include_terminated' },
    paginate: legacyPagingFor,
    records: legacyRecords,
    row: LegacyEmployeeSchema as z.ZodType<LegacyEmployee>,
    map: mapLegacyEmployee,
  },
  groups: mapLegacyGroups,
  locations: mapLegacyLocations,
  company: async (_ctx, rt) => {
    const res = await rt.request({ path: '/companies/current' });
    const parsed = LegacyCompanySchema.safeParse(res.data);
    if (!parsed.success) {
      throw createError({
        kind: 'vendor',
        vendor: 'rippling',
        code: 'unexpected_shape',
        message: `Rippling: GET /companies/current did not have the expected shape (${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message}).`,
      });
    }
    return mapLegacyCompany(parsed.data);
  },
};

// ---------------------------------------------------------------------------------------------
// Factory
// ---------------------------------------------------------------------------------------------

const restFactory = defineConnector<RipplingOptions, RestContext>(ripplingRestDefinition);
const legacyFactory = defineConnector<RipplingOptions, LegacyContext>(ripplingLegacyDefinition);

/**
 * `rippling({ apiToken, api?: 'rest' | 'legacy', pageSize? })`. `.definition` is the REST
 * definition (the default); a connector created with `api: 'legacy'` carries the legacy one.
 * Both factories validate the options (an unknown `api` is rejected by the REST one).
 */
export const rippling: ConnectorFactory<RipplingOptions> = Object.defineProperty(
  (options: RipplingOptions & CommonOptions): Connector<RipplingOptions> =>
    ((options as Partial<RipplingOptions> | undefined)?.api === 'legacy' ? legacyFactory : restFactory)(options),
  'definition',
  { value: ripplingRestDefinition, enumerable: true },
) as ConnectorFactory<RipplingOptions>;
