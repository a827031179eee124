/**
 * HiBob (Bob) connector: `hibob({ serviceUserId, serviceUserToken, sandbox?, companyName?, fields? })`.
 * Everyone (inactive included) from one `POST /v1/people/search`, department and site names from
 * `GET /v1/company/named-lists/{department|site}`; Basic auth with an API service user. No paging
 * and no changed-since filter: every sync is a full read. See README.md.
 */
import { z } from 'zod';
import { defineConnector, type ConnectorFactory } from '../../src/connector/define.js';
import type { ErrorHint, RawResponse } from '../../src/http/client.js';
import { singlePage } from '../../src/pagination/index.js';
import {
  HibobEmployeeSchema,
  HibobListItemSchema,
  HibobListSchema,
  type HibobEmployee,
  type HibobListItem,
} from './schemas.js';
import { buildContext, mapCompany, mapEmployee, mapGroups, mapLocations, type HibobContext } from './map.js';
import type { ConnectorRuntime } from '../../src/connector/define.js';

export const HIBOB_PRODUCTION_URL = 'https://api.hibob.com/v1';
export const HIBOB_SANDBOX_URL = 'https://api.sandbox.hibob.com/v1';

/** Field paths orgsync asks for (a service user only gets those its permission group may view). */
export const HIBOB_FIELDS = [
  'root.id',
  'root.companyId',
  'root.firstName',
  'root.surname',
  'root.displayName',
  'root.email',
  'work.title',
  'work.department',
  'work.site',
  'work.siteId',
  'work.startDate',
  'work.reportsTo',
  'work.manager',
  'work.employeeIdInCompany',
  'work.custom',
  'internal.status',
  'internal.lifecycleStatus',
  'internal.terminationDate',
  'payroll.employment.type',
  'payroll.employment.contract',
  'home.privateEmail',
];

export const HibobOptionsSchema = z.object({
  /** The API service user's ID (Bob: Settings > Integrations > Service users). */
  serviceUserId: z.string().min(1, 'required'),
  /** The service user's token. */
  serviceUserToken: z.string().min(1, 'required'),
  /** Read the sandbox (api.sandbox.hibob.com) instead of production. */
  sandbox: z.boolean().optional(),
  /** The company's name for snapshots (Bob's API has no company endpoint; default "HiBob company <companyId>"). */
  companyName: z.string().min(1).optional(),
  /** Extra field paths to request (e.g. `payroll.custom.field_1694738605040`); custom values land in customFields. */
  fields: z
    .array(z.string().regex(/^[A-Za-z0-9_.]+$/, 'must be a Bob field path such as work.custom.field_123'))
    .optional(),
});
export type HibobOptions = z.infer<typeof HibobOptionsSchema>;

/** HiBob's error body `{key, error}` (spec `Error`) as text. */
function bobSaid(json: unknown): string {
  if (!json || typeof json !== 'object') return '';
  const j = json as Record<string, unknown>;
  const parts = [j['key'], j['error'] ?? j['message']].filter((v) => typeof v === 'string' && v.trim() !== '');
  return parts.length ? ` HiBob said: "${parts.join(': ').slice(0, 300)}".` : '';
}

export function hibobClassify(res: RawResponse): ErrorHint | undefined {
  const said = bobSaid(res.json);
  if (res.status === 401) {
    return {
      kind: 'auth',
      retryable: false,
      message: `HiBob rejected the service user credentials (401).${said} Check the service user ID and token (Bob: Settings > Integrations > Service users) and that the user is active.`,
    };
  }
  if (res.status === 403) {
    return {
      kind: 'auth',
      retryable: false,
      message: `HiBob refused ${res.method} ${res.path} (403).${said} The service user's permission group lacks access; note that Bob also blocks IPs after repeated failed authentication.`,
    };
  }
  if (res.status === 429)
    return {
      kind: 'rate_limited',
      retryable: true,
      message: `HiBob rate-limited ${res.method} ${res.path} (429; people search allows 50 requests per minute).${said}`,
    };
  if (said && res.status >= 400)
    return { message: `HiBob answered ${res.status} for ${res.method} ${res.path}.${said}` };
  return undefined;
}

/** One named list (`department`, `site`): auxiliary, a missing or forbidden list is a warning, not a failure. */
async function namedList(rt: ConnectorRuntime<HibobOptions>, name: string): Promise<HibobListItem[]> {
  const data = await rt.optional(
    async () => (await rt.request({ path: `/company/named-lists/${name}`, query: { includeArchived: true } })).data,
    {
      statuses: [403, 404],
      warn: (e) => `HiBob: the '${name}' list could not be read (${e.status}); ${name} ids are used as names.`,
    },
  );
  if (data === undefined) return [];
  const [list] = rt.auxiliary(`named list '${name}'`, HibobListSchema, [data]);
  return rt.auxiliary(`'${name}' list item`, HibobListItemSchema, list?.items ?? []);
}

export const hibob: ConnectorFactory<HibobOptions> = defineConnector<HibobOptions, HibobContext>({
  id: 'hibob',
  name: 'HiBob',
  options: HibobOptionsSchema,
  secrets: ['serviceUserToken'],
  optionHelp: {
    serviceUserId: 'API service user ID',
    serviceUserToken: 'API service user token',
    sandbox: 'read api.sandbox.hibob.com',
    companyName: 'company name for snapshots (Bob has no company endpoint)',
    fields: 'extra field paths to read, comma-separated (custom values go to customFields)',
  },
  http: (o) => ({
    baseUrl: o.sandbox ? HIBOB_SANDBOX_URL : HIBOB_PRODUCTION_URL,
    auth: { type: 'basic', username: o.serviceUserId, password: o.serviceUserToken },
    headers: { Accept: 'application/json' },
    account: `service user '${o.serviceUserId}'`,
  }),
  // People search: 50 requests per minute (other endpoints: unpublished); one budget for all.
  rateLimit: { requests: 48, intervalMs: 60_000, concurrency: 1 },
  capabilities: {
    groups: true,
    locations: true,
    incremental: false,
    incrementalDeletions: false,
    webhooks: false,
    includesTerminated: true,
  },
  classify: (res) => hibobClassify(res),
  listsFromEmployees: true,
  context: async (rt) =>
    buildContext({
      now: rt.now(),
      departments: await namedList(rt, 'department'),
      sites: await namedList(rt, 'site'),
      companyName: rt.options.companyName,
    }),
  employees: {
    request: (_ctx, o: HibobOptions) => ({
      method: 'POST',
      path: '/people/search',
      // A read: safe to retry. showInactive: terminated and inactive people are left out otherwise.
      idempotent: true,
      body: { fields: [...new Set([...HIBOB_FIELDS, ...(o.fields ?? [])])], showInactive: true },
      // One response holds everyone: parsed person by person as it arrives, never one body string.
      stream: { records: ['employees'] },
    }),
    paginate: singlePage(),
    records: (res) => {
      const list = (res.data as { employees?: unknown } | null)?.employees;
      if (!Array.isArray(list)) throw new Error('expected {"employees": [...]}');
      return list;
    },
    row: HibobEmployeeSchema as unknown as z.ZodType<HibobEmployee>,
    enrich: async (rows, _ctx, rt) => {
      const blind = rows.filter((r) => !r.internal?.lifecycleStatus && !r.internal?.status).length;
      if (blind)
        rt.warn(
          `HiBob sent no lifecycle status for ${blind} of ${rows.length} people: the service user probably cannot view the Lifecycle section; they read UNKNOWN.`,
        );
      return rows;
    },
    map: mapEmployee,
  },
  groups: mapGroups,
  locations: mapLocations,
  company: (ctx) => mapCompany(ctx),
});
