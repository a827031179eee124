/**
 * Workday connector: `workday({ host, tenant, username, password, version?, pageSize? })`.
 * SOAP Workday Web Services `Get_Workers` (Human_Resources service) with a WS-Security
 * UsernameToken, paged with `Response_Filter/Page` until `Response_Results/Total_Pages`, terminated
 * workers included; groups, locations and the company come from the workers themselves. See README.md.
 */
import { z } from 'zod';
import { defineConnector, type ConnectorFactory } from '../../src/connector/define.js';
import { createError } from '../../src/errors.js';
import type { ErrorHint, RawResponse, RequestSpec } from '../../src/http/client.js';
import { today as todayOf } from '../../src/connector/map-helpers.js';
import { digestWorker, mapWorker, WorkerDerivedLists, type WorkdayMapContext, type WorkerRow } from './map.js';
import { rawWorkerWid, workdayPaging, workersOf } from './paging.js';
import { WorkerSchema, type WdWorker } from './schemas.js';
import {
  findFault,
  MAX_PAGE_SIZE,
  renderGetWorkers,
  type GetWorkersParams,
  type SoapFault,
  type TransactionWindow,
} from './soap.js';
import { declaresDtd, escapeXml, parseXml } from './xml.js';

export const DEFAULT_VERSION = '44.0';
export const DEFAULT_PAGE_SIZE = 100;
/** Changes can take about an hour to become visible to Get_Workers' transaction log (Nango): the core looks back that far. */
export const INCREMENTAL_LOOKBACK_MS = 3_600_000;
/** Get_Workers pages of hundreds of workers are slow: a longer default request timeout than the core's 60 s. */
export const DEFAULT_TIMEOUT_MS = 180_000;

export const WorkdayOptionsSchema = z.object({
  /** Web services host, e.g. `wd2-impl-services1.workday.com` (no scheme, no path). */
  host: z
    .string()
    .min(1, 'required')
    .regex(
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i,
      'must be the web services host name, e.g. wd2-impl-services1.workday.com (no https://, no path)',
    ),
  /** Tenant name, e.g. `acme_impl1`. */
  tenant: z
    .string()
    .min(1, 'required')
    .regex(/^[A-Za-z0-9_.-]+$/, 'must be the tenant name, e.g. acme_impl1'),
  /** Integration system user; `@{tenant}` is appended unless the name already contains `@`. */
  username: z.string().min(1, 'required'),
  /** The integration system user's password (WS-Security PasswordText). */
  password: z.string().min(1, 'required'),
  /** Web service version, e.g. `44.0` or `v44.0` (default 44.0; v30.0 or later: orgsync reads the v30+ layout). */
  version: z
    .string()
    .regex(/^v?\d{2,3}\.\d$/, 'must look like 44.0')
    .refine(
      (v) => Number(v.replace(/^v/, '')) >= 30,
      'must be v30.0 or later (orgsync reads the v30+ Worker_Job_Data layout)',
    )
    .optional(),
  /** Workers per page (`Response_Filter/Count`), 1..999 (default 100). */
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
});
export type WorkdayOptions = z.infer<typeof WorkdayOptionsSchema>;

export interface WorkdayContext extends WorkdayMapContext {
  /** The read's "now" (`rt.now()`: takeSnapshot/sync `now`, else the clock). */
  now: Date;
  /** Organizations, locations and company collected from the workers of the latest walk. */
  lists: WorkerDerivedLists;
}

/** `{username}@{tenant}`, unless the user name already names its tenant. */
export function wsUsername(o: Pick<WorkdayOptions, 'username' | 'tenant'>): string {
  return o.username.includes('@') ? o.username : `${o.username}@${o.tenant}`;
}

const versionOf = (o: Pick<WorkdayOptions, 'version'>): string => (o.version ?? DEFAULT_VERSION).replace(/^v/, '');

/**
 * The Get_Workers request for page 1 (the paginator re-renders the page number). `asOfDate` is the
 * read's "now" (As_Of_Effective_Date: statuses are judged at it); `entry` pins As_Of_Entry_DateTime
 * for the whole walk (the real clock when the walk starts).
 */
export function getWorkersRequest(
  o: WorkdayOptions,
  at: { asOfDate: string; entry: Date },
  transactionLog?: TransactionWindow,
): RequestSpec {
  const params: GetWorkersParams = {
    username: wsUsername(o),
    password: o.password,
    version: versionOf(o),
    page: 1,
    count: o.pageSize ?? DEFAULT_PAGE_SIZE,
    asOfEffectiveDate: at.asOfDate,
    asOfEntryDateTime: at.entry.toISOString(),
    ...(transactionLog ? { transactionLog } : {}),
  };
  return {
    method: 'POST',
    path: `/Human_Resources/v${versionOf(o)}`,
    headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml' },
    body: renderGetWorkers(params),
    responseType: 'text',
    // A read: retried on transient failures like a GET.
    idempotent: true,
  };
}

// ---------------------------------------------------------------------------------------------
// Error classification (SOAP faults come with HTTP 500).

const HTML = /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html)[\s>]/i;
const FAULT_HINT = /<([\w.-]+:)?Fault[\s>/]/;
const COMPLETE_TAIL = /(Envelope|Get_Workers_Response)\s*>\s*$/;

export function classifyWorkday(res: RawResponse, options?: Pick<WorkdayOptions, 'tenant'>): ErrorHint | undefined {
  const head = res.text.slice(0, 4096);
  const where = `${res.method} ${res.path}`;
  if (HTML.test(head)) {
    // Gateways and maintenance pages: keep the generic status rules for 429/5xx (retried) and 401/403/404.
    if (res.status !== 200) return undefined;
    const title = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(head)?.[1]?.trim();
    return {
      kind: 'vendor',
      code: 'unexpected_content_type',
      retryable: false,
      message: `Workday answered ${where} with an HTML page${title ? ` ("${title}")` : ''} instead of SOAP XML. Check the host and tenant (a login page or proxy often answers this way).`,
    };
  }
  if (declaresDtd(res.text)) {
    return {
      kind: 'vendor',
      code: 'xml_dtd_refused',
      retryable: false,
      message: `Workday's response to ${where} declares a DOCTYPE or ENTITY; orgsync refuses to parse it (entity expansion is disabled against XXE and entity-expansion attacks). Check that the host is really Workday.`,
    };
  }
  if (res.status >= 400 || FAULT_HINT.test(head)) {
    let fault: SoapFault | undefined;
    try {
      fault = findFault(parseXml(res.text));
    } catch {
      fault = undefined;
    }
    if (fault) return classifyFault(fault, res, options?.tenant);
    return undefined;
  }
  if (res.status === 200 && !COMPLETE_TAIL.test(res.text.slice(-256))) {
    return {
      kind: 'transient',
      code: 'malformed_body',
      retryable: true,
      message: `Workday's response to ${where} was cut off (no closing SOAP envelope). orgsync retries, and no snapshot is written if it stays broken.`,
    };
  }
  return undefined;
}

const NOT_AUTHORIZED = /not authori[sz]ed|permission|security group|domain security/i;

function classifyFault(f: SoapFault, res: RawResponse, tenant: string | undefined): ErrorHint {
  const account = tenant ? ` for tenant '${tenant}'` : '';
  // Not truncated here: the pipeline redacts secrets from the whole message, and a cut could leave
  // part of a secret (a fault that echoes the request) unredacted.
  const quoted = f.message ? `"${f.message}"` : '(no message)';
  const detail = f.details.length
    ? ` Details: ${f.details
        .slice(0, 3)
        .map((d) => `"${d}"`)
        .join('; ')}.`
    : '';
  const code = f.code || 'Fault';
  if (/authenticationError/i.test(code)) {
    return {
      kind: 'auth',
      code,
      retryable: false,
      message: `Workday rejected the credentials${account} (SOAP fault ${code}: ${quoted}). Check the integration system user name (user@tenant), its password, and that the account is active, not locked and its password not expired.`,
    };
  }
  if (/validationError|processingError/i.test(code) && NOT_AUTHORIZED.test(`${f.message} ${f.details.join(' ')}`)) {
    return {
      kind: 'auth',
      code,
      retryable: false,
      message: `Workday refused Get_Workers for this user${account} (SOAP fault ${code}: ${quoted}).${detail} Grant the integration system user's security group Get access to the domains Get_Workers reads (worker, personal, employment, organization and management-chain data).`,
    };
  }
  if (/validationError/i.test(code)) {
    return {
      kind: 'vendor',
      code,
      retryable: false,
      message: `Workday rejected the Get_Workers request (SOAP fault ${code}: ${quoted}).${detail}`,
    };
  }
  // Other faults (Server.*, Client.processingError, ...) are Workday-side trouble: retried.
  return {
    kind: res.status === 429 ? 'rate_limited' : 'transient',
    code,
    retryable: true,
    message: `Workday answered ${res.method} ${res.path} with SOAP fault ${code}: ${quoted}.${detail} This is usually temporary.`,
  };
}

// ---------------------------------------------------------------------------------------------
// The declaration

const definition = defineConnector<WorkdayOptions, WorkdayContext>({
  id: 'workday',
  name: 'Workday',
  options: WorkdayOptionsSchema,
  secrets: ['password'],
  optionHelp: {
    host: 'web services host, e.g. wd2-impl-services1.workday.com',
    tenant: 'tenant name, e.g. acme_impl1',
    username: 'integration system user (ISU); @tenant is appended unless present',
    password: 'ISU password (env WORKDAY_PASSWORD)',
    version: 'web service version (default 44.0; v30.0 or later)',
    pageSize: 'workers per Get_Workers page, 1-999 (default 100)',
  },
  http: (o) => ({
    baseUrl: `https://${o.host}/ccx/service/${o.tenant}`,
    // Auth travels in the SOAP envelope (WS-Security UsernameToken), not in a header.
    auth: { type: 'none' },
    headers: { Accept: 'text/xml' },
    account: `tenant '${o.tenant}'`,
    // The password also appears XML-escaped in request bodies.
    secrets: [escapeXml(o.password)],
  }),
  // No published quota; SOAP calls are kept serial per tenant and polite.
  rateLimit: { requests: 5, intervalMs: 1_000, concurrency: 1 },
  capabilities: {
    groups: true,
    locations: true,
    incremental: true,
    incrementalDeletions: false,
    webhooks: false,
    includesTerminated: true,
  },
  // Groups, locations and the company come from the workers' organizations, sites and company.
  listsFromEmployees: true,
  timeoutMs: DEFAULT_TIMEOUT_MS,
  classify: classifyWorkday,
  // Each read gets a fresh context: its "now" (statuses and As_Of_Effective_Date) and empty derived lists.
  context: async (rt) => ({
    tenant: rt.options.tenant,
    today: todayOf(rt.now()),
    now: rt.now(),
    lists: new WorkerDerivedLists(),
  }),
  employees: {
    request: (ctx: WorkdayContext, o: WorkdayOptions) => {
      // A new walk (also a second employees() on the same context): the derived lists start over.
      ctx.lists.reset();
      return getWorkersRequest(o, { asOfDate: ctx.today, entry: new Date() });
    },
    paginate: workdayPaging(),
    records: workersOf,
    itemKey: (w) => rawWorkerWid(w) ?? JSON.stringify(w),
    itemId: rawWorkerWid,
    row: WorkerSchema,
    // Keep a compact digest of each validated worker (what is mapped, and kept as remoteData).
    enrich: async (workers: WdWorker[]) => workers.map(digestWorker),
    // The digest makes no reads, so the next page may be asked for while this one is validated and
    // mapped (as every connector without `enrich` does). Measured at 100,000 workers with the
    // simulator in its own process, as a vendor is: 49.0 s with, 53.2 s without (docs/performance.md).
    prefetch: true,
    map: (row: WorkerRow, ctx: WorkdayContext) => {
      ctx.lists.add(row);
      return mapWorker(row, ctx);
    },
  },
  groups: (ctx) => ctx.lists.groupList(),
  locations: (ctx) => ctx.lists.locationList(),
  company: (ctx) => ctx.lists.company(ctx.tenant),
  incremental: {
    lookbackMs: INCREMENTAL_LOOKBACK_MS,
    /**
     * Two Get_Workers queries, as Microsoft Entra does: workers *updated* in the window (manual
     * changes) and workers with changes *effective* in it (effective-dated changes such as
     * terminations entered earlier). The window is [since, now]; the caller (`sync`) already moved
     * `since` back by `lookbackMs`. Both pin the same as-of dates; a worker in both is read once.
     * Workday does not delete workers: no deletions are reported.
     */
    requests: (since, ctx, o) => {
      if (!(since instanceof Date) || Number.isNaN(since.getTime())) {
        throw createError({
          kind: 'config',
          vendor: 'workday',
          message: 'Workday: readChanges needs a valid `since` date.',
        });
      }
      const [from, through] = [since.toISOString(), ctx.now.toISOString()];
      const at = { asOfDate: ctx.today, entry: new Date() };
      return [
        { updatedFrom: from, updatedThrough: through },
        { effectiveFrom: from, effectiveThrough: through },
      ].map((window) => getWorkersRequest(o, at, window));
    },
  },
});

/** `workday({ host, tenant, username, password, version?, pageSize? })`: see README.md. */
export const workday: ConnectorFactory<WorkdayOptions> = definition;
