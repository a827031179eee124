/**
 * BambooHR connector: `bamboohr({ subdomain, apiKey, baseUrl? })`.
 * Employees (active and terminated) from a custom report, departments/divisions/teams/locations
 * from `/v1/meta/lists`, company from `/v1/company_information`. See README.md.
 */
import { z } from 'zod';
import { defineConnector } from '../../src/connector/define.js';
import { OrgsyncError } from '../../src/errors.js';
import { extractVendorMessage, type RequestSpec } from '../../src/http/client.js';
import {
  ChangedEmployeesSchema,
  CompanyInformationSchema,
  CustomReportRowSchema,
  CustomReportSchema,
  MetaListOptionSchema,
  MetaListSchema,
  type CustomReportRow,
} from './schemas.js';
import {
  buildContext,
  mapCompany,
  mapEmployee,
  mapGroups,
  mapLocations,
  REPORT_FIELDS,
  type BambooContext,
} from './map.js';

export const BambooHrOptionsSchema = z.object({
  /** Your BambooHR company domain: `acme` in acme.bamboohr.com. */
  subdomain: z
    .string()
    .min(1, 'required')
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/i, 'must be the company subdomain, e.g. "acme" for acme.bamboohr.com'),
  /** API key (sent as the Basic auth username with password "x"). */
  apiKey: z.string().min(1, 'required'),
  /** Extra report fields to copy into `customFields` (e.g. custom field aliases such as `customShirtSize`). */
  customFields: z.array(z.string().min(1)).optional(),
});
export type BambooHrOptions = z.infer<typeof BambooHrOptionsSchema>;

export const bamboohr = defineConnector<BambooHrOptions, BambooContext>({
  id: 'bamboohr',
  name: 'BambooHR',
  options: BambooHrOptionsSchema,
  secrets: ['apiKey'],
  optionHelp: {
    subdomain: 'company subdomain (acme for acme.bamboohr.com)',
    apiKey: 'API key (env BAMBOOHR_API_KEY)',
    customFields: 'comma-separated extra report fields to keep as customFields',
  },
  http: (o) => ({
    baseUrl: `https://${o.subdomain}.bamboohr.com/api`,
    auth: { type: 'basic', username: o.apiKey, password: 'x' },
    headers: { Accept: 'application/json' },
    account: `company '${o.subdomain}'`,
    requestIdHeaders: ['x-request-id'],
  }),
  // No published quota. Stay polite; BambooHR throttles with 503 (until Sept 2026) or 429 + Retry-After.
  rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 2 },
  capabilities: {
    groups: true,
    locations: true,
    incremental: true,
    incrementalDeletions: true,
    webhooks: true,
    includesTerminated: true,
  },
  // BambooHR often puts its error text in a header rather than the body.
  vendorMessage: (res) => {
    const h = res.headers;
    return (
      extractVendorMessage(res) ||
      (h['x-bamboohr-message'] ?? h['x-bamboohr-error-message'] ?? h['x-bamboohr-error-messsage'])
    );
  },
  classify: (res) => {
    // Some endpoints answer 200 with an error object when rate-limited.
    const j = res.json as { error?: { code?: unknown; message?: unknown } } | undefined;
    if (res.status === 200 && j && typeof j === 'object' && j.error && Number(j.error.code) === 429) {
      return {
        kind: 'rate_limited',
        retryable: true,
        retryAfterMs: 60_000,
        message: `BambooHR rate-limited ${res.method} ${res.path}: ${String(j.error.message ?? '')}`,
      };
    }
    if (res.status === 401) {
      return {
        kind: 'auth',
        message: `BambooHR rejected the API key (401). Check the key, that it belongs to this company, and that the user who created it is still active.`,
      };
    }
    if (res.status === 403) {
      return {
        kind: 'auth',
        message: `BambooHR refused ${res.method} ${res.path} (403): the API key's user lacks access to this data. Give that user access to the employee directory and reports (or all employee fields).`,
      };
    }
    if (res.status === 404 && /\/v1\/(reports|meta)/.test(res.path)) {
      return {
        kind: 'config',
        message: `BambooHR answered 404 for ${res.method} ${res.path}: the company subdomain is probably wrong (check the "acme" in acme.bamboohr.com).`,
      };
    }
    if (res.status === 400 && /malformed xml/i.test(res.text)) {
      return {
        kind: 'vendor',
        message:
          'BambooHR parsed the request as XML (400 Malformed XML): the Content-Type must be exactly application/json.',
      };
    }
    return undefined;
  },
  context: async (rt) => {
    // Auxiliary metadata: a list or option that does not fit is skipped with a warning, never fatal.
    const res = await rt.request({ path: '/v1/meta/lists' });
    const lists = rt.auxiliary('/v1/meta/lists entry', MetaListSchema, res.data).map((l) => ({
      ...l,
      options: rt.auxiliary(`option of the /v1/meta/lists list '${l.name}'`, MetaListOptionSchema, l.options),
    }));
    return buildContext(lists, rt.options.subdomain, rt.now());
  },
  employees: {
    request: (_ctx, o: BambooHrOptions) => reportRequest(o),
    records: (res) => {
      const parsed = CustomReportSchema.safeParse(res.data);
      if (!parsed.success) throw new Error('expected {"fields": [...], "employees": [...]}');
      return parsed.data.employees;
    },
    row: CustomReportRowSchema as z.ZodType<CustomReportRow>,
    map: mapEmployee,
  },
  groups: mapGroups,
  locations: mapLocations,
  incremental: {
    // BambooHR's lastChanged has second precision and becomes visible with some delay.
    lookbackMs: 10 * 60_000,
    async read(rt, _ctx, since) {
      const res = await rt.request({ path: '/v1/employees/changed', query: { since: bambooTime(since) } });
      const parsed = ChangedEmployeesSchema.safeParse(res.data);
      if (!parsed.success) throw shapeError('/v1/employees/changed', parsed.error.issues[0]?.message);
      const entries = Array.isArray(parsed.data.employees) ? [] : Object.values(parsed.data.employees);
      const deletedIds = entries.filter((e) => e.action.toLowerCase() === 'deleted').map((e) => String(e.id));
      const changed = new Set(entries.filter((e) => e.action.toLowerCase() !== 'deleted').map((e) => String(e.id)));
      if (changed.size === 0) return { rows: [], deletedIds };
      // One report for everyone changed since the watermark (the changed list only has ids): the
      // full read's report, filtered by lastChanged.
      const filter = { lastChanged: { includeNull: 'no', value: bambooTime(since) } };
      const report = await rt.employeeRows(reportRequest(rt.options, filter));
      const found = report.filter((r) => changed.has(String((r as { id?: unknown } | null)?.id)));
      if (found.length < changed.size) {
        const missing = [...changed].filter((id) => !found.some((r) => String((r as { id?: unknown }).id) === id));
        throw new OrgsyncError({
          kind: 'incomplete',
          vendor: 'bamboohr',
          code: 'changed_rows_missing',
          message: `BambooHR listed ${missing.length} changed employee(s) (${missing.slice(0, 5).join(', ')}) that the report did not return; run a full snapshot.`,
        });
      }
      return { rows: found, deletedIds };
    },
  },
  company: async (ctx, rt) => {
    // Keys without the company:info permission still sync (403/404): the company is named by its subdomain.
    const res = await rt.optional(() => rt.request({ path: '/v1/company_information' }), { statuses: [403, 404] });
    if (!res) return mapCompany(null, ctx.subdomain);
    const info = CompanyInformationSchema.safeParse(res.data);
    if (!info.success)
      rt.warn(
        `BambooHR: /v1/company_information did not have the expected shape (${info.error.issues[0]?.path.join('.') || 'body'}: ${info.error.issues[0]?.message ?? ''}); the company is named by its subdomain. It is auxiliary data, so the sync continued.`,
      );
    return mapCompany(info.success ? info.data : null, ctx.subdomain);
  },
});

/** The custom report request of the full read; incremental reads add a `lastChanged` filter. */
function reportRequest(o: Pick<BambooHrOptions, 'customFields'>, filters?: Record<string, unknown>): RequestSpec {
  return {
    method: 'POST',
    path: '/v1/reports/custom',
    // onlyCurrent=false: include terminated people (a report without it may hide future-dated changes).
    query: { format: 'JSON', onlyCurrent: 'false' },
    headers: { 'Content-Type': 'application/json' },
    body: { ...customReportBody(o.customFields), ...(filters ? { filters } : {}) },
    idempotent: true,
    // One report holds everyone (~100 MB for 100,000 people): parsed row by row as it arrives.
    stream: { records: ['employees'] },
  };
}

/** BambooHR timestamps: ISO 8601 to the second. */
const bambooTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The custom report request body (fields requested, duplicates filtered). Exposed for tests and docs. */
export function customReportBody(customFields: string[] = []): Record<string, unknown> {
  return {
    title: 'orgsync employees',
    fields: [...new Set([...REPORT_FIELDS, ...customFields])],
    filterDuplicates: 'yes',
  };
}

function shapeError(path: string, detail?: string): OrgsyncError {
  return new OrgsyncError({
    kind: 'vendor',
    vendor: 'bamboohr',
    code: 'unexpected_shape',
    message: `BambooHR: ${path} did not have the expected shape${detail ? ` (${detail})` : ''}.`,
  });
}
