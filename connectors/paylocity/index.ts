/**
 * Paylocity connector (WebLink API v2): `paylocity({ companyId, clientId, clientSecret })`.
 * OAuth 2.0 client credentials (scope `WebLinkAPI`) through the core (src/http/auth.ts); the
 * employee list `GET /v2/companies/{companyId}/employees/` pages by `pagenumber`/`pagesize` with
 * the total in `X-Pcty-Total-Count` and gives ids only, so each page is completed with one
 * `GET .../employees/{employeeId}` per person (1 + N calls, within the 720 calls/minute budget).
 * Paylocity calls these WebLink employee resources "maintenance mode" (its NextGen API has no
 * public spec). Cost centres, locations and the company come from the employee records. See README.md.
 */
import { z } from 'zod';
import { defineConnector, type ConnectorFactory, type ConnectorRuntime } from '../../src/connector/define.js';
import { createError, OrgsyncError, ValidationError } from '../../src/errors.js';
import type { ErrorHint, HttpResponse, RawResponse } from '../../src/http/client.js';
import { pageNumberPaging } from '../../src/pagination/index.js';
import { today as todayOf } from '../../src/connector/map-helpers.js';
import {
  PaylocityCodeSchema,
  PaylocityEmployeeInfoSchema,
  PaylocityEmployeeSchema,
  type PaylocityCode,
  type PaylocityEmployee,
  type PaylocityEmployeeInfo,
  type PaylocityRow,
} from './schemas.js';
import { costCenterNames, mapCompany, mapEmployee, PaylocityDerivedLists, type PaylocityContext } from './map.js';

export const PAYLOCITY_API_URL = 'https://api.paylocity.com/api';
export const PAYLOCITY_TOKEN_URL = 'https://api.paylocity.com/IdentityServer/connect/token';
/** Employees per listing page (the spec's default is 25; Nango pages with 100). */
export const PAYLOCITY_PAGE_SIZE = 100;

export const PaylocityOptionsSchema = z.object({
  /** The Paylocity company id (max 9 characters); every path is scoped by it. */
  companyId: z
    .string()
    .min(1, 'required')
    .max(9, 'a Paylocity company id has at most 9 characters')
    .regex(/^[A-Za-z0-9]+$/, 'must be the Paylocity company id, e.g. "E123456"'),
  /** WebLink OAuth client id. */
  clientId: z.string().min(1, 'required'),
  /** WebLink OAuth client secret (expires every 365 days). */
  clientSecret: z.string().min(1, 'required'),
  /** Token endpoint (default https://api.paylocity.com/IdentityServer/connect/token; sandbox: https://apisandbox.paylocity.com/IdentityServer/connect/token). */
  tokenUrl: z.string().url().optional(),
});
export type PaylocityOptions = z.infer<typeof PaylocityOptionsSchema>;

const companyPath = (o: PaylocityOptions) => `/v2/companies/${encodeURIComponent(o.companyId)}`;

function arrayBody(what: string) {
  return (res: HttpResponse): unknown[] => {
    if (!Array.isArray(res.data))
      throw new Error(`expected a JSON array of ${what}, got ${res.data === null ? 'null' : typeof res.data}`);
    return res.data;
  };
}

const intHeader = (v: string | undefined): number | undefined => {
  const n = v === undefined || v.trim() === '' ? NaN : Number(v.trim());
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

/** Paylocity's error bodies: `[{field, message, options, path}]`. */
export function paylocityErrorText(json: unknown): string {
  const list = Array.isArray(json) ? json : json && typeof json === 'object' ? [json] : [];
  return list
    .slice(0, 3)
    .map((e) =>
      e && typeof e === 'object'
        ? [(e as { field?: unknown }).field, (e as { message?: unknown }).message]
            .filter((x) => typeof x === 'string' && x)
            .join(': ')
        : '',
    )
    .filter(Boolean)
    .join('; ')
    .slice(0, 400);
}

const RATE_LIMIT_HINT = /rate|limit|quota|too many|throttl/i;

/**
 * Paylocity answers "over the limit" with 403 Forbidden (its rate-limit pages), the same status as
 * "no access": a 403 that says so (or carries Retry-After) is `rate_limited`; a plain 403 is `auth`
 * but retried with backoff, so a throttled read recovers and a real permission problem still ends
 * as `auth`. 429 (declared in the spec) keeps the core's rules.
 */
export function paylocityClassify(res: RawResponse, o?: PaylocityOptions): ErrorHint | undefined {
  if (res.status < 400) return undefined;
  const said = paylocityErrorText(res.json);
  const quote = said ? ` Paylocity said: "${said}".` : '';
  if (res.status === 403) {
    if (res.headers['retry-after'] !== undefined || RATE_LIMIT_HINT.test(res.text.slice(0, 2000))) {
      return {
        kind: 'rate_limited',
        retryable: true,
        message: `Paylocity throttled ${res.method} ${res.path} (403: over the 720 calls per minute of WebLink).${quote}`,
      };
    }
    return {
      kind: 'auth',
      retryable: true,
      message: `Paylocity refused ${res.method} ${res.path} (403).${quote} Either the client has no access to company '${o?.companyId ?? '?'}' (access is granted per company when the credentials are issued) or the rate limit was exceeded (Paylocity answers both with 403).`,
    };
  }
  if (res.status === 404 && /^\/v2\/companies\/[^/]+\/employees\/?$/.test(res.path)) {
    return {
      kind: 'config',
      retryable: false,
      message: `Paylocity answered 404 for ${res.method} ${res.path}: the company '${o?.companyId ?? '?'}' does not exist or is not visible to this client.${quote}`,
    };
  }
  return said ? { message: `Paylocity answered ${res.method} ${res.path} with ${res.status}.${quote}` } : undefined;
}

/**
 * Read one employee's record: an array holding one `employee`. A listed person whose record answers
 * 404 was deleted (or hidden) between the two calls: the read stops `incomplete` rather than drop
 * someone on one disagreement (the next run lists without them, and only then are they gone).
 */
async function readEmployee(
  rt: ConnectorRuntime<PaylocityOptions>,
  info: PaylocityEmployeeInfo,
  index: number,
): Promise<PaylocityRow> {
  let res: HttpResponse;
  try {
    res = await rt.request({ path: `${companyPath(rt.options)}/employees/${encodeURIComponent(info.employeeId)}` });
  } catch (e) {
    if (e instanceof OrgsyncError && e.status === 404) {
      throw createError({
        kind: 'incomplete',
        code: 'employee_vanished',
        vendor: 'paylocity',
        endpoint: e.endpoint,
        message: `Paylocity listed employee ${info.employeeId} but its record answered 404 (deleted while reading). No snapshot was written, so nobody is reported as removed; run the sync again.`,
      });
    }
    throw e;
  }
  const body = Array.isArray(res.data) ? res.data[0] : res.data;
  const parsed = PaylocityEmployeeSchema.safeParse(body);
  if (!parsed.success || parsed.data.employeeId !== info.employeeId) {
    const issues = parsed.success
      ? [`employeeId: expected ${info.employeeId}, got ${parsed.data.employeeId}`]
      : parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`);
    throw new ValidationError({
      vendor: 'paylocity',
      code: 'vendor_row_invalid',
      issues,
      message: `Paylocity sent an employee record (#${index + 1}, employeeId ${info.employeeId}) that does not match its documented shape: ${issues.join('; ')}. No snapshot was written.`,
    });
  }
  return { info, employee: parsed.data as PaylocityEmployee };
}

export const paylocity: ConnectorFactory<PaylocityOptions> = defineConnector<PaylocityOptions, PaylocityContext>({
  id: 'paylocity',
  name: 'Paylocity',
  options: PaylocityOptionsSchema,
  secrets: ['clientSecret'],
  optionHelp: {
    companyId: 'Paylocity company id (max 9 characters)',
    clientId: 'WebLink OAuth client id',
    clientSecret: 'WebLink OAuth client secret',
    tokenUrl: `token endpoint (default ${PAYLOCITY_TOKEN_URL})`,
  },
  http: (o) => ({
    baseUrl: PAYLOCITY_API_URL,
    auth: {
      type: 'oauth2-client-credentials',
      tokenUrl: o.tokenUrl ?? PAYLOCITY_TOKEN_URL,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      scope: 'WebLinkAPI',
    },
    headers: { Accept: 'application/json' },
    account: `company '${o.companyId}'`,
  }),
  // WebLink: 720 calls per minute (developer.paylocity.com "Rate Limits (Weblink)").
  rateLimit: { requests: 720, intervalMs: 60_000, concurrency: 4 },
  capabilities: {
    groups: true,
    locations: true,
    incremental: false,
    incrementalDeletions: false,
    webhooks: false,
    includesTerminated: true,
  },
  classify: (res, o) => paylocityClassify(res, o),
  listsFromEmployees: true,
  context: async (rt) => {
    const names = new Map<string, string>();
    for (const level of [1, 2, 3] as const) {
      // Cost-centre names are auxiliary: an unused level (404) or a lookup the client may not read
      // (403) leaves the codes as names, with a warning; it never fails the read of people.
      const rows = await rt.optional(
        () =>
          rt.readAll<PaylocityCode>(`costcenter${level} codes`, {
            request: { path: `${companyPath(rt.options)}/codes/costcenter${level}` },
            records: arrayBody('codes'),
            row: PaylocityCodeSchema as z.ZodType<PaylocityCode>,
            auxiliary: true,
          }),
        {
          statuses: [403, 404],
          warn: (e) =>
            `Paylocity: cost centre ${level} names could not be read (${e.status}); codes are used as names.`,
        },
      );
      costCenterNames(level, rows ?? [], names);
    }
    return {
      today: todayOf(rt.now()),
      companyId: rt.options.companyId,
      costCenterNames: names,
      lists: new PaylocityDerivedLists(),
    };
  },
  employees: {
    request: (ctx: PaylocityContext, o: PaylocityOptions) => {
      ctx.lists.reset();
      return { path: `${companyPath(o)}/employees/`, query: { includetotalcount: 'true' } };
    },
    paginate: pageNumberPaging({
      perPage: PAYLOCITY_PAGE_SIZE,
      pageParam: 'pagenumber',
      perPageParam: 'pagesize',
      firstPage: 0,
      totalItems: (res) => intHeader(res.headers['x-pcty-total-count']),
    }),
    records: arrayBody('employees'),
    row: PaylocityEmployeeInfoSchema as z.ZodType<PaylocityEmployeeInfo>,
    itemId: (row) =>
      row && typeof row === 'object' && (row as { employeeId?: unknown }).employeeId !== undefined
        ? String((row as { employeeId: unknown }).employeeId)
        : undefined,
    // Ids only: one record request per person, through the same pipeline (rate limit, retries).
    // (The core reads a page's records before listing the next page: see `enrich` in src/connector/define.ts.)
    enrich: (rows, _ctx, rt) =>
      Promise.all(
        (rows as PaylocityEmployeeInfo[]).map((info, i) =>
          readEmployee(rt as ConnectorRuntime<PaylocityOptions>, info, i),
        ),
      ) as Promise<never[]>,
    map: (row: PaylocityRow, ctx: PaylocityContext) => {
      ctx.lists.add(row.employee);
      return mapEmployee(row, ctx);
    },
  },
  groups: (ctx) => ctx.lists.groupList(ctx.costCenterNames),
  locations: (ctx) => ctx.lists.locationList(),
  company: (ctx) => mapCompany(ctx),
});
