/**
 * ADP Workforce Now connector: `adpWfn({ clientId, clientSecret, clientCert, clientKey, ... })`.
 * Workers (active, on leave, terminated) from `GET /hr/v2/workers` (OData `$top`/`$skip`), OAuth 2.0
 * client credentials plus the client certificate ADP issued (mutual TLS) on every call, the token
 * request included: both are core auth strategies (src/http/auth.ts). Groups, locations and the
 * company come from the workers (Workers v2 has no department or location endpoint). See README.md.
 */
import { z } from 'zod';
import { defineConnector, type ConnectorFactory } from '../../src/connector/define.js';
import type { ErrorHint, HttpResponse, RawResponse } from '../../src/http/client.js';
import { offsetPaging } from '../../src/pagination/index.js';
import { AdpWorkerSchema, type AdpConfirmMessage, type AdpWorker } from './schemas.js';
import { AdpDerivedLists, mapCompany, mapWorker, type AdpContext } from './map.js';
import { today as todayOf } from '../../src/connector/map-helpers.js';

export const ADP_API_URL = 'https://api.adp.com';
export const ADP_TOKEN_URL = 'https://accounts.adp.com/auth/oauth/v2/token';
/** Workers per page: 100 is the WFN maximum according to a third-party page (UNCONFIRMED by ADP). */
export const ADP_PAGE_SIZE = 100;

export const AdpWfnOptionsSchema = z.object({
  /** OAuth client id of the ADP Marketplace / API Central project. */
  clientId: z.string().min(1, 'required'),
  /** Its client secret. */
  clientSecret: z.string().min(1, 'required'),
  /** The client certificate ADP issued for this client: PEM text or the path of a PEM file. */
  clientCert: z.string().min(1, 'required'),
  /** The certificate's private key: PEM text or the path of a PEM file. */
  clientKey: z.string().min(1, 'required'),
  /** Passphrase of an encrypted private key. */
  clientKeyPassphrase: z.string().min(1).optional(),
  /** CA certificate(s) to trust for ADP's servers (PEM text or path). Only for a TLS-inspecting proxy or a test server. */
  caCert: z.string().min(1).optional(),
  /** Token endpoint (default https://accounts.adp.com/auth/oauth/v2/token). */
  tokenUrl: z.string().url().optional(),
  /** Name of the company in snapshots (Workers v2 has no company endpoint). */
  companyName: z.string().min(1).optional(),
});
export type AdpWfnOptions = z.infer<typeof AdpWfnOptionsSchema>;

/** The workers of one page: `{workers: [...], meta}`; a page without the list is an error. */
function workersOf(res: HttpResponse): unknown[] {
  const body = res.data as { workers?: unknown } | null;
  if (!body || typeof body !== 'object' || !Array.isArray(body.workers))
    throw new Error('expected an object with a `workers` array');
  return body.workers;
}

/** `meta.totalNumber` (sent with `$count=true`; UNCONFIRMED on WFN: absent means "walk to a short page"). */
function totalOf(res: HttpResponse): number | undefined {
  const n = (res.data as { meta?: { totalNumber?: unknown } } | null)?.meta?.totalNumber;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** ADP's `confirmMessage.processMessages[].userMessage.messageTxt`, as text. */
export function adpErrorText(json: unknown): string {
  const cm = (json as { confirmMessage?: AdpConfirmMessage } | null)?.confirmMessage;
  const parts: string[] = [];
  for (const m of (cm?.processMessages ?? []).slice(0, 3)) {
    const t = m?.userMessage?.messageTxt ?? m?.developerMessage?.messageTxt;
    if (typeof t === 'string' && t.trim()) parts.push(t.trim());
  }
  return parts.join('; ').slice(0, 400);
}

/** ADP's error quirks: messages from `confirmMessage`, 403 = API product or data-access consent missing. */
export function adpClassify(res: RawResponse): ErrorHint | undefined {
  if (res.status < 400) return undefined;
  const said = adpErrorText(res.json);
  const quote = said ? ` ADP said: "${said}".` : '';
  if (res.status === 403) {
    return {
      kind: 'auth',
      retryable: false,
      message: `ADP refused ${res.method} ${res.path} (403).${quote} The client is valid but not entitled to this data: check that the Workers API product and the data-access consent are enabled for this client in ADP.`,
    };
  }
  if (res.status === 400) {
    return { kind: 'vendor', retryable: false, message: `ADP rejected ${res.method} ${res.path} (400).${quote}` };
  }
  return said ? { message: `ADP answered ${res.method} ${res.path} with ${res.status}.${quote}` } : undefined;
}

export const adpWfn: ConnectorFactory<AdpWfnOptions> = defineConnector<AdpWfnOptions, AdpContext>({
  id: 'adp-wfn',
  name: 'ADP Workforce Now',
  options: AdpWfnOptionsSchema,
  secrets: ['clientSecret', 'clientKey', 'clientKeyPassphrase'],
  optionHelp: {
    clientId: 'OAuth client id (ADP API Central / Marketplace project)',
    clientSecret: 'OAuth client secret',
    clientCert: 'client certificate ADP issued: PEM text or path to a PEM file',
    clientKey: 'private key of the certificate: PEM text or path to a PEM file',
    clientKeyPassphrase: 'passphrase of an encrypted private key',
    caCert: 'CA to trust for the server (only for a proxy or test server): PEM text or path',
    tokenUrl: `token endpoint (default ${ADP_TOKEN_URL})`,
    companyName: 'company name shown in snapshots',
  },
  http: (o) => ({
    baseUrl: ADP_API_URL,
    auth: {
      type: 'oauth2-client-credentials',
      tokenUrl: o.tokenUrl ?? ADP_TOKEN_URL,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
    },
    tls: { cert: o.clientCert, key: o.clientKey, passphrase: o.clientKeyPassphrase, ca: o.caCert },
    // `roleCode` is required by the spec; an integration reads as a practitioner.
    headers: { Accept: 'application/json', roleCode: 'practitioner' },
    account: `client '${o.clientId}'`,
    requestIdHeaders: ['adp-correlationid', 'x-correlation-id'],
  }),
  // No published limit: a polite budget per client.
  rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 2 },
  capabilities: {
    groups: true,
    locations: true,
    incremental: false,
    incrementalDeletions: false,
    webhooks: false,
    includesTerminated: true,
  },
  classify: adpClassify,
  listsFromEmployees: true,
  context: async (rt) => ({ today: todayOf(rt.now()), lists: new AdpDerivedLists() }),
  employees: {
    request: (ctx: AdpContext) => {
      // A new walk starts the derived lists over.
      ctx.lists.reset();
      return { path: '/hr/v2/workers', query: { $count: 'true' } };
    },
    paginate: offsetPaging({ limit: ADP_PAGE_SIZE, offsetParam: '$skip', limitParam: '$top', total: totalOf }),
    records: workersOf,
    row: AdpWorkerSchema as z.ZodType<AdpWorker>,
    itemId: (row) =>
      row && typeof row === 'object' ? ((row as { associateOID?: string }).associateOID ?? undefined) : undefined,
    map: (row: AdpWorker, ctx: AdpContext) => {
      ctx.lists.add(row);
      return mapWorker(row, ctx);
    },
  },
  groups: (ctx) => ctx.lists.groupList(),
  locations: (ctx) => ctx.lists.locationList(),
  company: (_ctx, rt) => mapCompany(rt.options),
});
