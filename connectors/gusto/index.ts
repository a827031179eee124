/**
 * Gusto connector: `gusto({ companyUuid, accessToken, apiVersion?, customFields? })`.
 * Employees (onboarding, active and terminated) from `GET /v1/companies/{uuid}/employees`,
 * departments from `/departments`, locations from `/locations`, the company from
 * `/v1/companies/{uuid}`. Bearer token plus the `X-Gusto-API-Version` header. See README.md.
 */
import { z } from 'zod';
import { defineConnector, type ConnectorDefinition, type ConnectorFactory } from '../../src/connector/define.js';
import type { ErrorHint, HttpResponse, RawResponse } from '../../src/http/client.js';
import { singlePage } from '../../src/pagination/index.js';
import {
  GustoCompanySchema,
  GustoDepartmentSchema,
  GustoEmployeeSchema,
  GustoLocationSchema,
  type GustoCompany,
  type GustoDepartment,
  type GustoEmployee,
  type GustoEntityError,
  type GustoLocation,
} from './schemas.js';
import { buildContext, mapCompany, mapEmployee, mapGroups, mapLocation, type GustoContext } from './map.js';
import { GUSTO_PER_PAGE, gustoPaging } from './paging.js';

export const GUSTO_DEFAULT_API_VERSION = '2025-06-15';
export const GUSTO_PRODUCTION_URL = 'https://api.gusto.com';
export const GUSTO_DEMO_URL = 'https://api.gusto-demo.com';

export const GustoOptionsSchema = z.object({
  /** The company's UUID (`GET /v1/token_info` returns it as `resource.uuid`). */
  companyUuid: z
    .string()
    .min(1, 'required')
    .regex(/^[A-Za-z0-9_-]+$/, 'must be the company UUID, e.g. "d06bf045-26f1-4c87-be06-5c16bf71aca2"'),
  /** OAuth access token of the company (scopes employees:read, departments:read, companies:read). */
  accessToken: z.string().min(1, 'required'),
  /** Value of the `X-Gusto-API-Version` header (default 2025-06-15). */
  apiVersion: z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}$/,
      'must be a Gusto API version date such as "2025-06-15" (sent as the X-Gusto-API-Version header)',
    )
    .optional(),
  /** Also request the company's custom fields (`include=custom_fields`) and copy them into `customFields`. */
  customFields: z.boolean().optional(),
});
export type GustoOptions = z.infer<typeof GustoOptionsSchema>;

const companyPath = (o: GustoOptions): string => `/v1/companies/${encodeURIComponent(o.companyUuid)}`;

/** The response body of a list endpoint: a bare JSON array. */
function arrayBody(what: string) {
  return (res: HttpResponse): unknown[] => {
    if (!Array.isArray(res.data))
      throw new Error(`expected a JSON array of ${what}, got ${res.data === null ? 'null' : typeof res.data}`);
    return res.data;
  };
}

/** Scope needed for each endpoint orgsync reads, for 403 messages. */
function scopeFor(path: string): string {
  if (/\/employees(\/|$)/.test(path)) return 'employees:read';
  if (/\/departments(\/|$)/.test(path)) return 'departments:read';
  return 'companies:read';
}

/** Gusto error bodies as text: `category: message` per entry (nested entries included), or the `{name, message}` form. */
export function gustoErrorText(json: unknown): { text: string; category: string | undefined } {
  const parts: string[] = [];
  let category: string | undefined;
  const walk = (errors: unknown, depth: number): void => {
    if (!Array.isArray(errors) || depth > 3) return;
    for (const e of errors.slice(0, 5) as GustoEntityError[]) {
      if (!e || typeof e !== 'object') {
        if (typeof e === 'string') parts.push(e);
        continue;
      }
      const cat = typeof e.category === 'string' ? e.category : undefined;
      category ??= cat;
      const key =
        typeof e.error_key === 'string' && e.error_key !== 'base' && e.error_key !== 'request'
          ? e.error_key
          : undefined;
      const msg = typeof e.message === 'string' ? e.message : undefined;
      const label = [cat, key].filter(Boolean).join(' ');
      if (msg || label) parts.push(label && msg ? `${label}: ${msg}` : (msg ?? label));
      walk(e.errors, depth + 1);
    }
  };
  if (json && typeof json === 'object') {
    const j = json as Record<string, unknown>;
    walk(j['errors'], 0);
    if (!parts.length && typeof j['message'] === 'string')
      parts.push([typeof j['name'] === 'string' ? j['name'] : null, j['message']].filter(Boolean).join(': '));
    if (!parts.length && typeof j['error'] === 'string') parts.push(j['error']);
  }
  return { text: parts.join('; ').slice(0, 500), category };
}

/** Gusto's error quirks; messages name the API version sent and the company (from the options). */
export function classifyGusto(
  res: RawResponse,
  o: Pick<GustoOptions, 'apiVersion' | 'companyUuid'>,
): ErrorHint | undefined {
  const apiVersion = o.apiVersion ?? GUSTO_DEFAULT_API_VERSION;
  const companyUuid = o.companyUuid;
  if (res.status < 400) return undefined;
  const { text: said, category } = gustoErrorText(res.json);
  const vendor = said ? ` Gusto said: "${said}".` : '';
  const company = companyUuid ? ` for company '${companyUuid}'` : '';
  if (res.status === 406) {
    return {
      kind: 'config',
      retryable: false,
      code: category ?? 'invalid_api_version',
      message: `Gusto rejected the X-Gusto-API-Version header: the value sent was '${apiVersion}' (406 ${category ?? 'Not Acceptable'}).${vendor} Set apiVersion to a version your Gusto application accepts (not older than its minimum/default version in the Gusto developer portal, not in the future; orgsync is built for ${GUSTO_DEFAULT_API_VERSION}).`,
    };
  }
  if (res.status === 401) {
    return {
      kind: 'auth',
      retryable: false,
      code: category ?? 'invalid_token',
      message: `Gusto rejected the access token${company} (401${category ? ` ${category}` : ''}).${vendor} Gusto access tokens expire after 2 hours: refresh the OAuth token (POST /oauth/token with grant_type=refresh_token) and check it was issued for this company.`,
    };
  }
  if (res.status === 403) {
    return {
      kind: 'auth',
      retryable: false,
      code: category ?? 'forbidden',
      message: `Gusto refused ${res.method} ${res.path}${company} (403).${vendor} The token is valid but lacks access: the integration needs the ${scopeFor(res.path)} scope (orgsync reads with employees:read, departments:read and companies:read).`,
    };
  }
  if (res.status === 404 && /^\/v1\/companies\//.test(res.path)) {
    return {
      kind: 'config',
      retryable: false,
      code: category ?? 'not_found',
      message: `Gusto answered 404 for ${res.method} ${res.path}: no company with UUID '${companyUuid ?? '?'}' is visible to this access token.${vendor} Check companyUuid (GET /v1/token_info shows the token's company) and the base URL (production ${GUSTO_PRODUCTION_URL} vs demo ${GUSTO_DEMO_URL}).`,
    };
  }
  // Others (422, 429, 5xx): keep the core's kind and retry rules, with Gusto's categories in the message.
  if (said) {
    const base =
      res.status === 429
        ? `Gusto rate-limited ${res.method} ${res.path} (429).`
        : res.status >= 500 || res.status === 408
          ? `Gusto failed on ${res.method} ${res.path} (${res.status}); this is usually temporary.`
          : `Gusto rejected ${res.method} ${res.path} (${res.status}).`;
    return { message: `${base}${vendor}`, ...(category ? { code: category } : {}) };
  }
  return undefined;
}

const definition: ConnectorDefinition<GustoOptions, GustoContext> = {
  id: 'gusto',
  name: 'Gusto',
  options: GustoOptionsSchema,
  secrets: ['accessToken'],
  optionHelp: {
    companyUuid: 'company UUID (GET /v1/token_info -> resource.uuid)',
    accessToken: 'OAuth access token (env GUSTO_ACCESS_TOKEN)',
    apiVersion: `X-Gusto-API-Version header (default ${GUSTO_DEFAULT_API_VERSION})`,
    customFields: 'also read Gusto custom fields (include=custom_fields) into customFields',
  },
  http: (o) => ({
    baseUrl: GUSTO_PRODUCTION_URL,
    auth: { type: 'bearer', token: o.accessToken },
    headers: { Accept: 'application/json', 'X-Gusto-API-Version': o.apiVersion ?? GUSTO_DEFAULT_API_VERSION },
    account: `company '${o.companyUuid}'`,
    requestIdHeaders: ['x-request-id'],
  }),
  // 200 requests per rolling 60 s per access token; stay under it (burst is ~4, so at most ~194 in any 60 s).
  rateLimit: { requests: 190, intervalMs: 60_000, concurrency: 2 },
  capabilities: {
    groups: true,
    locations: true,
    incremental: false,
    incrementalDeletions: false,
    webhooks: true,
    includesTerminated: true,
  },
  classify: classifyGusto,
  context: async (rt) => {
    const departments = await rt.readAll<GustoDepartment>('departments', {
      request: { path: `${companyPath(rt.options)}/departments` },
      // Paging is not documented for departments: one request, following X-Total-Pages if Gusto forces pages.
      paginate: gustoPaging(),
      records: arrayBody('departments'),
      row: GustoDepartmentSchema as z.ZodType<GustoDepartment>,
      // Auxiliary metadata: a department that does not fit is skipped with a warning (src/connector/auxiliary.ts).
      auxiliary: true,
    });
    return buildContext(departments, rt.now(), { keepRaw: rt.options.includeRemoteData === true });
  },
  employees: {
    request: (_ctx, o: GustoOptions) => ({
      path: `${companyPath(o)}/employees`,
      // No `terminated` filter: the list has onboarding, active AND terminated people by default
      // (`terminated=true|false` would filter). Sorted by creation so pages do not shift as people change.
      query: { sort_by: 'created_at', ...(o.customFields ? { include: 'custom_fields' } : {}) },
    }),
    paginate: gustoPaging({ per: GUSTO_PER_PAGE }),
    records: arrayBody('employees'),
    row: GustoEmployeeSchema as z.ZodType<GustoEmployee>,
    map: mapEmployee,
  },
  groups: mapGroups,
  locations: {
    request: (_ctx, o: GustoOptions) => ({ path: `${companyPath(o)}/locations` }),
    paginate: gustoPaging({ per: GUSTO_PER_PAGE }),
    records: arrayBody('locations'),
    row: GustoLocationSchema as z.ZodType<GustoLocation>,
    map: mapLocation,
  },
  company: {
    request: (_ctx, o: GustoOptions) => ({ path: companyPath(o) }),
    paginate: singlePage(),
    records: (res) => {
      if (!res.data || typeof res.data !== 'object' || Array.isArray(res.data))
        throw new Error('expected a company object');
      return [res.data];
    },
    row: GustoCompanySchema as z.ZodType<GustoCompany>,
    map: mapCompany,
  },
};

/** `gusto({ companyUuid, accessToken, apiVersion? })`: see README.md. */
export const gusto: ConnectorFactory<GustoOptions> = defineConnector<GustoOptions, GustoContext>(definition);
