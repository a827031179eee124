/**
 * Personio connector (API v2): `personio({ clientId, clientSecret, companyName? })`. Persons from
 * `GET /v2/persons` (cursor paging through `_meta.links.next.href`), each person's employments from
 * `GET /v2/persons/{id}/employments` (1 + N requests), department and team names from
 * `GET /v2/org-units`. OAuth2 client credentials at `POST /v2/auth/token` (the core's strategy:
 * 24 h token cached, renewed before expiry, refreshed once on 401). Incremental reads with
 * `updated_at.gt`. See README.md.
 */
import { z } from 'zod';
import {
  defineConnector,
  type ConnectorFactory,
  type ConnectorRuntime,
  type ResourceDef,
} from '../../src/connector/define.js';
import { createError, OrgsyncError } from '../../src/errors.js';
import type { ErrorHint, HttpResponse, RawResponse } from '../../src/http/client.js';
import { nextLinkPaging } from '../../src/pagination/index.js';
import {
  PersonioEmploymentSchema,
  PersonioOrgUnitSchema,
  PersonioPersonSchema,
  type PersonioEmployment,
  type PersonioOrgUnit,
  type PersonioPerson,
} from './schemas.js';
import { buildContext, mapCompany, mapEmployee, mapGroups, mapLocations, type PersonioContext } from './map.js';

export const PERSONIO_URL = 'https://api.personio.de';
/** v2 list endpoints allow `limit` 1-50. */
export const PERSONIO_PAGE_SIZE = 50;

export const PersonioOptionsSchema = z.object({
  /** API credentials (Personio: Settings > Integrations > API credentials). */
  clientId: z.string().min(1, 'required'),
  clientSecret: z.string().min(1, 'required'),
  /** The company's name for snapshots (the v2 API has no company endpoint; default "Personio company"). */
  companyName: z.string().min(1).optional(),
  /** Sent as `X-Personio-Partner-ID` / `X-Personio-App-ID` to identify the integration (optional). */
  partnerId: z.string().min(1).optional(),
  appId: z.string().min(1).optional(),
});
export type PersonioOptions = z.infer<typeof PersonioOptionsSchema>;

/** `_data[]` of a v2 list response. */
function data(res: HttpResponse): unknown[] {
  const list = (res.data as { _data?: unknown } | null)?._data;
  if (!Array.isArray(list)) throw new Error('expected {"_data": [...], "_meta": {...}}');
  return list;
}

/** Follow `_meta.links.next.href`; the last page has no `next` link. */
const v2Paging = () =>
  nextLinkPaging({
    next: (res) => {
      const href = (res.data as { _meta?: { links?: { next?: { href?: unknown } } } } | null)?._meta?.links?.next?.href;
      return typeof href === 'string' && href !== '' ? href : null;
    },
  });

function personioSaid(json: unknown): string {
  if (!json || typeof json !== 'object') return '';
  const j = json as Record<string, any>;
  const parts: string[] = [];
  if (Array.isArray(j['errors']))
    for (const e of j['errors'].slice(0, 3))
      parts.push([e?.title, e?.detail].filter((x) => typeof x === 'string').join(': '));
  if (j['error'] && typeof j['error'] === 'object' && typeof j['error'].message === 'string')
    parts.push(j['error'].message);
  if (typeof j['error_description'] === 'string') parts.push(j['error_description']);
  const said = parts.filter(Boolean).join('; ');
  return said ? ` Personio said: "${said.slice(0, 300)}".` : '';
}

export function personioClassify(res: RawResponse): ErrorHint | undefined {
  const said = personioSaid(res.json);
  if (res.status === 403)
    return {
      kind: 'auth',
      retryable: false,
      message: `Personio refused ${res.method} ${res.path} (403).${said} The API credentials need read access to persons (personio:persons:read) and employments.`,
    };
  if (res.status === 429)
    return {
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 1_000,
      message: `Personio rate-limited ${res.method} ${res.path} (429).${said}`,
    };
  if (said && res.status >= 400 && res.status !== 401)
    return { message: `Personio answered ${res.status} for ${res.method} ${res.path}.${said}` };
  return undefined;
}

const personsResource = (query: Record<string, string | number> = {}): ResourceDef<unknown, PersonioPerson, never> => ({
  request: { path: '/v2/persons', query: { limit: PERSONIO_PAGE_SIZE, ...query } },
  paginate: v2Paging(),
  records: data,
  row: PersonioPersonSchema as unknown as z.ZodType<PersonioPerson>,
  enrich: withEmployments,
});

/** Read each person's employments (one walk per person, through the core; strict: they decide status). */
async function withEmployments(
  rows: PersonioPerson[],
  _ctx: unknown,
  rt: ConnectorRuntime<any>,
): Promise<PersonioPerson[]> {
  return Promise.all(
    rows.map(async (row): Promise<PersonioPerson> => {
      // The person lists its employments' ids: none means nothing to read.
      if (Array.isArray(row.employments) && row.employments.length === 0) return { ...row, employments_read: [] };
      try {
        const employments = await rt.readAll<PersonioEmployment>('employments', {
          request: {
            path: `/v2/persons/${encodeURIComponent(row.id)}/employments`,
            query: { limit: PERSONIO_PAGE_SIZE },
          },
          paginate: v2Paging(),
          records: data,
          row: PersonioEmploymentSchema as unknown as z.ZodType<PersonioEmployment>,
        });
        return { ...row, employments_read: employments };
      } catch (e) {
        if (!(e instanceof OrgsyncError && e.status === 404)) throw e;
        return vanished(row, rt);
      }
    }),
  );
}

/**
 * A listed person whose employments answer 404. When the person is gone too (deleted while the read
 * ran), they stay as the listing showed them, without employments (status UNKNOWN): a deletion is
 * for the next sync to see, never inferred from a failed lookup. Otherwise the read is incomplete.
 */
async function vanished(row: PersonioPerson, rt: ConnectorRuntime<any>): Promise<PersonioPerson> {
  try {
    await rt.request({ path: `/v2/persons/${encodeURIComponent(row.id)}` });
  } catch (e) {
    if (e instanceof OrgsyncError && e.status === 404) {
      rt.warn(
        `Personio: person ${row.id} was deleted while the sync ran; kept as listed, status unknown, until the next sync.`,
      );
      return { ...row, employments_read: [] };
    }
    throw e;
  }
  throw createError({
    kind: 'incomplete',
    code: 'employments_missing',
    vendor: 'personio',
    message: `Personio listed person ${row.id} but answered 404 for their employments. The sync stopped without a snapshot so nobody is reported as removed; run it again.`,
  });
}

/** Departments and teams with names (beta endpoint, auxiliary: unreadable means ids stand in for names). */
async function orgUnits(rt: ConnectorRuntime<PersonioOptions>): Promise<PersonioOrgUnit[]> {
  const out: PersonioOrgUnit[] = [];
  for (const type of ['department', 'team']) {
    const units = await rt.optional(
      () =>
        rt.readAll<PersonioOrgUnit>(`org units (${type})`, {
          request: { path: '/v2/org-units', query: { type, limit: PERSONIO_PAGE_SIZE } },
          paginate: v2Paging(),
          records: data,
          row: PersonioOrgUnitSchema as unknown as z.ZodType<PersonioOrgUnit>,
          auxiliary: true,
        }),
      {
        statuses: [403, 404],
        warn: (e) =>
          `Personio: ${type} names could not be read from /v2/org-units (${e.status}); ${type} ids are used as names.`,
      },
    );
    out.push(...(units ?? []));
  }
  return out;
}

export const personio: ConnectorFactory<PersonioOptions> = defineConnector<PersonioOptions, PersonioContext>({
  id: 'personio',
  name: 'Personio',
  options: PersonioOptionsSchema,
  secrets: ['clientSecret'],
  optionHelp: {
    clientId: 'API client id',
    clientSecret: 'API client secret',
    companyName: 'company name for snapshots (no company endpoint in v2)',
    partnerId: 'X-Personio-Partner-ID header (optional)',
    appId: 'X-Personio-App-ID header (optional)',
  },
  http: (o) => ({
    baseUrl: PERSONIO_URL,
    auth: {
      type: 'oauth2-client-credentials',
      // The token endpoint sits on the API host (a baseUrl override moves both).
      tokenUrl: `${(o.baseUrl ?? PERSONIO_URL).replace(/\/+$/, '')}/v2/auth/token`,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      // The spec's token request carries client_id/client_secret as form fields.
      clientAuth: 'body',
    },
    headers: {
      Accept: 'application/json',
      ...(o.partnerId ? { 'X-Personio-Partner-ID': o.partnerId } : {}),
      ...(o.appId ? { 'X-Personio-App-ID': o.appId } : {}),
    },
    account: `API client '${o.clientId}'`,
    requestIdHeaders: ['x-personio-trace-id', 'trace-id'],
  }),
  // v2 data limits are unpublished (v1 employees: 300/min, bursts of 15/s); 1 + N requests per sync.
  rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 4 },
  capabilities: {
    groups: true,
    locations: true,
    incremental: true,
    incrementalDeletions: false,
    webhooks: false,
    includesTerminated: true,
  },
  classify: (res) => personioClassify(res),
  listsFromEmployees: true,
  context: async (rt) =>
    buildContext({ now: rt.now(), orgUnits: await orgUnits(rt), companyName: rt.options.companyName }),
  employees: { ...personsResource(), map: mapEmployee } as ResourceDef<
    PersonioContext,
    PersonioPerson,
    ReturnType<typeof mapEmployee>
  >,
  groups: mapGroups,
  locations: mapLocations,
  company: (ctx) => mapCompany(ctx),
  incremental: {
    // Persons changed after the watermark, through the employees resource (the core enriches each
    // with its employments and maps it like a full read).
    lookbackMs: 5 * 60_000,
    requests: (since) => ({
      path: '/v2/persons',
      query: { limit: PERSONIO_PAGE_SIZE, 'updated_at.gt': since.toISOString().replace(/\.\d{3}Z$/, 'Z') },
    }),
  },
});
