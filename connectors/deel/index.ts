/**
 * Deel connector: `deel({ apiToken, sandbox?, customFields? })`. Everyone (contractors, EOR and
 * direct employees, inactive included) from `GET /rest/v2/people` (offset/limit with
 * `page.total_rows`, walked by the core with drift detection), the company from `GET /organizations`;
 * departments, teams and work locations are derived from the people. Bearer token (an organization
 * API token or an OAuth2 access token). No changed-since filter: every sync is a full read. See README.md.
 */
import { z } from 'zod';
import {
  defineConnector,
  type ConnectorDefinition,
  type ConnectorFactory,
  type ConnectorRuntime,
} from '../../src/connector/define.js';
import type { ErrorHint, RawResponse } from '../../src/http/client.js';
import { offsetPaging } from '../../src/pagination/index.js';
import { DeelCustomFieldValueSchema, DeelOrganizationSchema, DeelPersonSchema, type DeelPerson } from './schemas.js';
import { buildContext, mapCompany, mapEmployee, mapGroups, mapLocations, type DeelContext } from './map.js';

export const DEEL_PRODUCTION_URL = 'https://api.letsdeel.com/rest/v2';
export const DEEL_SANDBOX_URL = 'https://api-sandbox.demo.deel.com/rest/v2';
/** People per page: `limit` allows 200, but `page.items_per_page` is declared with maximum 99. */
export const DEEL_PAGE_SIZE = 99;

export const DeelOptionsSchema = z.object({
  /** An API token from Deel's Developer Center (organization token), or an OAuth2 access token. */
  apiToken: z.string().min(1, 'required'),
  /** Read the sandbox (api-sandbox.demo.deel.com) instead of production. */
  sandbox: z.boolean().optional(),
  /** People per page, 1-200 (default 99: `page.items_per_page` is declared with maximum 99). */
  pageSize: z.number().int().min(1).max(200).optional(),
  /** Also read each person's custom field values (one more request per person, at Deel's 5 requests per second). */
  customFields: z.boolean().optional(),
});
export type DeelOptions = z.infer<typeof DeelOptionsSchema>;

function deelSaid(json: unknown): string {
  if (!json || typeof json !== 'object') return '';
  const errors = (json as { errors?: unknown }).errors;
  const parts = Array.isArray(errors)
    ? errors
        .slice(0, 3)
        .map((e) => (e && typeof e === 'object' ? (e as { message?: unknown }).message : e))
        .filter((m) => typeof m === 'string')
    : [];
  return parts.length ? ` Deel said: "${parts.join('; ').slice(0, 300)}".` : '';
}

const scopeFor = (path: string) =>
  /\/organizations|\/departments|\/working-locations/.test(path) ? 'organizations:read' : 'people:read and Users:read';

export function deelClassify(res: RawResponse): ErrorHint | undefined {
  const said = deelSaid(res.json);
  if (res.status === 401)
    return {
      kind: 'auth',
      retryable: false,
      message: `Deel rejected the API token (401).${said} Generate a new token in Deel's Developer Center (or refresh the OAuth2 access token).`,
    };
  if (res.status === 403)
    return {
      kind: 'auth',
      retryable: false,
      message: `Deel refused ${res.method} ${res.path} (403).${said} The token needs the ${scopeFor(res.path)} scope.`,
    };
  // No rate-limit headers at all (documented): the window is a rolling second, so wait one.
  if (res.status === 429)
    return {
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 1_000,
      message: `Deel rate-limited ${res.method} ${res.path} (429; 5 requests per second per organization).${said}`,
    };
  if (said && res.status >= 400)
    return { message: `Deel answered ${res.status} for ${res.method} ${res.path}.${said}` };
  return undefined;
}

/** Custom field values of one page of people (one request each; a value that does not fit is skipped). */
async function readCustomFields(
  rows: DeelPerson[],
  ctx: DeelContext,
  rt: ConnectorRuntime<DeelOptions>,
): Promise<DeelPerson[]> {
  if (!rt.options.customFields) return rows;
  for (const row of rows) {
    const worker = row.worker_id ?? null;
    if (worker === null || worker === '') continue;
    const res = await rt.request<{ data?: unknown }>({
      path: `/people/${encodeURIComponent(String(worker))}/custom_fields`,
    });
    ctx.customFields.set(
      row.id,
      rt.auxiliary(`custom field of person ${row.id}`, DeelCustomFieldValueSchema, res.data?.data ?? []),
    );
  }
  return rows;
}

async function company(ctx: DeelContext, rt: ConnectorRuntime<DeelOptions>) {
  const orgs =
    (await rt.optional(
      async () =>
        rt.auxiliary(
          'organization',
          DeelOrganizationSchema,
          (await rt.request<{ data?: unknown }>({ path: '/organizations' })).data?.data ?? [],
        ),
      {
        statuses: [403],
        warn: () =>
          'Deel: the token cannot read /organizations (organizations:read); the company is named after a legal entity.',
      },
    )) ?? [];
  const c = mapCompany(orgs[0], ctx);
  if (c) return c;
  rt.warn('Deel: no organization or legal entity to name the company by.');
  return { id: 'deel', name: 'Deel organization', legalName: null };
}

function totalRows(res: { data: unknown }): number | undefined {
  const n = (res.data as { page?: { total_rows?: unknown } } | null)?.page?.total_rows;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

const definition: ConnectorDefinition<DeelOptions, DeelContext> = {
  id: 'deel',
  name: 'Deel',
  options: DeelOptionsSchema,
  secrets: ['apiToken'],
  optionHelp: {
    apiToken: 'API token (organization token) or OAuth2 access token',
    sandbox: 'read api-sandbox.demo.deel.com',
    pageSize: `people per page, 1-200 (default ${DEEL_PAGE_SIZE})`,
    customFields: 'also read custom field values (one request per person)',
  },
  http: (o) => ({
    baseUrl: o.sandbox ? DEEL_SANDBOX_URL : DEEL_PRODUCTION_URL,
    auth: { type: 'bearer', token: o.apiToken },
    headers: { Accept: 'application/json' },
    account: 'Deel organization token',
  }),
  // 5 requests per rolling second per organization, no rate-limit headers. A token bucket of 2/s
  // (burst 2) puts at most 4 requests in any one-second window: one of margin for requests that
  // reach Deel bunched together (network jitter), since a 429 costs a full second.
  rateLimit: { requests: 2, intervalMs: 1_000, concurrency: 2 },
  capabilities: {
    groups: true,
    locations: true,
    incremental: false,
    incrementalDeletions: false,
    webhooks: false,
    includesTerminated: true,
  },
  classify: (res) => deelClassify(res),
  listsFromEmployees: true,
  context: async (rt) => buildContext(rt.now()),
  employees: {
    // No hiring_statuses filter (inactive people must come too); sorted by id so pages stay put.
    request: { path: '/people', query: { sort_by: 'id', sort_order: 'asc' } },
    // Built per walk with the page size the options ask for.
    paginate: (_ctx, o: DeelOptions) => offsetPaging({ limit: o.pageSize ?? DEEL_PAGE_SIZE, total: totalRows }),
    records: (res) => {
      const list = (res.data as { data?: unknown } | null)?.data;
      if (!Array.isArray(list)) throw new Error('expected {"data": [...], "page": {...}}');
      return list;
    },
    row: DeelPersonSchema as unknown as z.ZodType<DeelPerson>,
    enrich: readCustomFields,
    map: mapEmployee,
  },
  groups: mapGroups,
  locations: mapLocations,
  company,
};

export const deel: ConnectorFactory<DeelOptions> = defineConnector<DeelOptions, DeelContext>(definition);
