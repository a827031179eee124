/**
 * The one request pipeline every connector uses: auth -> rate limit -> retry -> transport (axios).
 * Connectors never import axios; they describe requests (`RequestSpec`) and this client sends them,
 * classifies failures into typed errors, honours Retry-After, and keeps secrets out of everything
 * it reports.
 *
 * Length: one class, the request attempt (redirects, timeouts, retries, the OAuth2 refresh) whose
 * steps share per-attempt state; status classification is in status-errors.ts, auth strategies in
 * auth.ts, budgets in rate-limit.ts.
 */
import axios, { type AxiosAdapter, type AxiosInstance, type AxiosResponse } from 'axios';
import http from 'node:http';
import https from 'node:https';
import pRetry from 'p-retry';
import { createError, OrgsyncError } from '../errors.js';
import { Redactor } from '../redact.js';
import {
  credentialHash,
  sharedRateLimiter,
  type LimiterProvider,
  type RateLimitOptions,
  type RateLimitStrategy,
} from './rate-limit.js';
import { backoffDelay, sleep, type BackoffOptions } from './timing.js';
import { createNodeHttpAdapter, type BodySink } from './adapter.js';
import { JsonRecordSplitter, type StreamRecordsSpec } from './json-records.js';
import { currentDeadline, SyncDeadlineReason } from './deadline.js';
import { anySignal } from './signals.js';
import { DEFAULT_RETRY_STATUSES, htmlTitle, statusError } from './status-errors.js';
import {
  ClientCredentialsTokens,
  certificateSecrets,
  httpsAgentFor,
  loadClientCertificate,
  oauth2CredentialKey,
  oauth2Secrets,
  tlsFailure,
  type ClientCertificate,
  type LoadedCertificate,
  type OAuth2ClientCredentialsAuth,
} from './auth.js';

export { DEFAULT_RETRY_STATUSES, extractVendorMessage } from './status-errors.js';

export type AuthSpec =
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  | { type: 'header'; name: string; value: string }
  | OAuth2ClientCredentialsAuth
  | { type: 'none' };

export type QueryValue = string | number | boolean | null | undefined | Array<string | number>;

export interface RequestSpec {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Path relative to the base URL, or an absolute URL (e.g. a next link). */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are (set Content-Type yourself). */
  body?: unknown;
  /** How to read the body: `json` (default) parses JSON and refuses HTML/XML; `text` returns it as-is. */
  responseType?: 'json' | 'text';
  /** Retry this request on transient failures even though its method is not GET (read-only POSTs: reports, SOAP reads). */
  idempotent?: boolean;
  /** Cancel this request only (e.g. a prefetched page nobody will read). */
  signal?: AbortSignal;
  /**
   * Stream a successful JSON body record by record (src/http/json-records.ts): the members of the
   * array at `records` (e.g. `['employees']`) are parsed one by one as the body arrives, so the body
   * is never one buffer or one string. `data` is what `JSON.parse` of the whole body gives; error
   * responses are read whole. `http.streamJson: false` turns it off.
   */
  stream?: StreamRecordsSpec;
}

export type { StreamRecordsSpec } from './json-records.js';

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
  /** The final URL (after redirects), with credentials removed. */
  url: string;
  requestId: string | undefined;
}

import type { ErrorHint, RawResponse } from './response.js';

export type { ErrorHint, RawResponse } from './response.js';

export interface RetryOptions extends Partial<BackoffOptions> {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** Longest Retry-After orgsync is willing to honour for one wait (default 120 s); longer gives up with `rate_limited`. */
  maxRetryAfterMs?: number;
  /** Cap on the total time spent waiting between attempts of one request (default 5 min). */
  maxTotalWaitMs?: number;
}

export interface Logger {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info?(message: string, meta?: Record<string, unknown>): void;
  warn?(message: string, meta?: Record<string, unknown>): void;
  error?(message: string, meta?: Record<string, unknown>): void;
}

export type ProgressEvent =
  | {
      type: 'request';
      vendor: string;
      method: string;
      url: string;
      status: number;
      attempt: number;
      durationMs: number;
    }
  | { type: 'retry'; vendor: string; method: string; url: string; attempt: number; delayMs: number; reason: string }
  | { type: 'page'; vendor: string; resource: string; page: number; items: number; total?: number | undefined }
  | { type: 'resource'; vendor: string; resource: string; count: number };

/** Options every connector accepts under `http` (and the CLI maps to flags where noted). */
export interface HttpOptions {
  /**
   * Per-request timeout in ms (default 60 s): a total deadline over connect, headers and body of one
   * attempt (a server dripping bytes slowly still times out), retried like other transient failures.
   */
  timeoutMs?: number;
  /**
   * Overall deadline of one `takeSnapshot`/`sync` in ms (default 2 h, `DEFAULT_SYNC_TIMEOUT_MS`):
   * when it passes, requests in flight are aborted and the sync fails `incomplete`/`sync_timeout`.
   * 0 or Infinity: no overall deadline.
   */
  syncTimeoutMs?: number;
  retry?: RetryOptions;
  /** Override the vendor's default client-side budget. */
  rateLimit?: Partial<RateLimitOptions>;
  /**
   * Where the budget lives (default: shared by every client of this vendor and credential in this
   * process). The runtime passes one shared by all workers (Redis) so a 429 stops them all.
   */
  limiter?: LimiterProvider;
  /** Cancel everything in flight. */
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (event: ProgressEvent) => void;
  /** Largest response body accepted, in bytes (default 256 MiB). */
  maxResponseBytes?: number;
  /**
   * Parse the JSON bodies a connector declares as record lists (`RequestSpec.stream`) record by
   * record as they arrive (default true); false reads every body whole, then parses it.
   */
  streamJson?: boolean;
  userAgent?: string;
}

export interface HttpClientConfig extends HttpOptions {
  /** Connector id, e.g. `bamboohr`. */
  vendor: string;
  /** Human vendor name for messages, e.g. `BambooHR`. */
  vendorName: string;
  baseUrl: string;
  auth: AuthSpec;
  /** A client certificate (mutual TLS) presented on every HTTPS call, token requests included (src/http/auth.ts). */
  tls?: ClientCertificate | undefined;
  /** Who the credentials are for, for messages: e.g. "company 'acme'". */
  account?: string;
  /** Extra secrets to redact (beyond those in `auth`). */
  secrets?: Array<string | undefined>;
  headers?: Record<string, string>;
  /** The vendor's default budget (the user's `rateLimit` overrides fields of it). */
  defaultRateLimit: RateLimitOptions;
  classify?: (res: RawResponse) => ErrorHint | undefined;
  /**
   * The vendor's own words in an error response, quoted in the error message (e.g. a message the
   * vendor sends in a header). Default: `extractVendorMessage` (common JSON error body shapes).
   */
  vendorMessage?: (res: RawResponse) => string | undefined;
  /** Extra response header names that carry the vendor's request id. */
  requestIdHeaders?: string[];
  /** Status codes after which to retry, beyond the defaults (`DEFAULT_RETRY_STATUSES`). */
  retryStatuses?: readonly number[];
}

const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-correlation-id', 'x-amzn-requestid', 'x-amz-request-id'];
const MAX_REDIRECTS = 5;
const keepAliveHttp = new http.Agent({ keepAlive: true, maxSockets: 64 });
const keepAliveHttps = new https.Agent({ keepAlive: true, maxSockets: 64 });
/** Node's http with nothing else on the way (src/http/adapter.ts: axios' parts are handed in, this file imports axios). */
export const nodeHttpAdapter = createNodeHttpAdapter(axios) as AxiosAdapter;

export class HttpClient {
  readonly redactor: Redactor;
  readonly vendor: string;
  readonly vendorName: string;
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly axios: AxiosInstance;
  private readonly limiter: RateLimitStrategy;
  private readonly retry: Required<RetryOptions>;
  /** OAuth2 client-credentials tokens (src/http/auth.ts), when `auth` says so. */
  private readonly tokens: ClientCredentialsTokens | undefined;
  private readonly certificate: LoadedCertificate | undefined;
  private readonly retryStatuses: ReadonlySet<number>;
  /** True once any response body contained a registered secret (then snapshots are deep-redacted). */
  sawSecretInResponse = false;

  constructor(private readonly config: HttpClientConfig) {
    this.vendor = config.vendor;
    this.vendorName = config.vendorName;
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    let parsed: URL;
    try {
      parsed = new URL(this.baseUrl);
    } catch {
      throw createError({
        kind: 'config',
        vendor: config.vendor,
        message: `${config.vendorName}: baseUrl '${config.baseUrl}' is not a valid URL.`,
      });
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw createError({
        kind: 'config',
        vendor: config.vendor,
        message: `${config.vendorName}: baseUrl must be http(s), got '${parsed.protocol}'.`,
      });
    }
    this.origin = parsed.origin;
    this.redactor = new Redactor(config.secrets ?? []);
    const a = config.auth;
    if (a.type === 'basic') this.redactor.addBasic(a.username, a.password);
    else if (a.type === 'bearer') this.redactor.add(a.token);
    else if (a.type === 'header') this.redactor.add(a.value);
    else if (a.type === 'oauth2-client-credentials') for (const s of oauth2Secrets(a)) this.redactor.add(s);
    const who = { vendor: config.vendor, vendorName: config.vendorName };
    this.certificate = config.tls ? loadClientCertificate(config.tls, who) : undefined;
    if (this.certificate) for (const s of certificateSecrets(this.certificate)) this.redactor.add(s);
    this.retry = {
      retries: config.retry?.retries ?? 4,
      baseDelayMs: config.retry?.baseDelayMs ?? 500,
      maxDelayMs: config.retry?.maxDelayMs ?? 30_000,
      factor: config.retry?.factor ?? 2,
      maxRetryAfterMs: config.retry?.maxRetryAfterMs ?? 120_000,
      maxTotalWaitMs: config.retry?.maxTotalWaitMs ?? 300_000,
    };
    this.retryStatuses = new Set([...DEFAULT_RETRY_STATUSES, ...(config.retryStatuses ?? [])]);
    const rl: RateLimitOptions = { ...config.defaultRateLimit, ...stripUndefined(config.rateLimit ?? {}) };
    const credential =
      a.type === 'oauth2-client-credentials'
        ? `${this.baseUrl}|oauth2:${oauth2CredentialKey(a, this.certificate)}`
        : credentialKey(a, this.baseUrl);
    this.limiter = config.limiter
      ? config.limiter({ vendor: config.vendor, credentialHash: credentialHash(credential), options: rl })
      : sharedRateLimiter(config.vendor, credential, rl);
    this.axios = axios.create({
      timeout: config.timeoutMs ?? 60_000,
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      maxContentLength: config.maxResponseBytes ?? 256 * 1024 * 1024,
      maxBodyLength: 50 * 1024 * 1024,
      httpAgent: keepAliveHttp,
      httpsAgent: this.certificate ? httpsAgentFor(this.certificate) : keepAliveHttps,
      proxy: false,
      // Node's http with nothing else on the way (src/http/adapter.ts; measured in the bench's transport group).
      adapter: nodeHttpAdapter,
    });
    this.tokens =
      a.type === 'oauth2-client-credentials'
        ? new ClientCredentialsTokens(a, (r) => this.sendTokenRequest(r), this.redactor, who, this.certificate)
        : undefined;
  }

  /** The token request of `auth.type: 'oauth2-client-credentials'`: same transport, agent and certificate as every call. */
  private async sendTokenRequest(r: {
    url: string;
    headers: Record<string, string>;
    body: string;
  }): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const endpoint = `POST ${this.redactor.redact(new URL(r.url).pathname)}`;
    const timeoutMs = this.config.timeoutMs ?? 60_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout, this.config.signal].filter((s): s is AbortSignal => s !== undefined);
    try {
      const res = await this.axios.request<string>({
        url: r.url,
        method: 'POST',
        headers: {
          'User-Agent': this.config.userAgent ?? 'orgsync/0.1 (+https://github.com/orgsync/orgsync)',
          ...r.headers,
        },
        data: r.body,
        signal: AbortSignal.any(signals),
      });
      return {
        status: res.status,
        headers: normalizeHeaders(res.headers as Record<string, unknown>),
        text: typeof res.data === 'string' ? res.data : String(res.data ?? ''),
      };
    } catch (e) {
      throw this.networkError(e, endpoint, timeout.aborted && !this.config.signal?.aborted, this.config.signal);
    }
  }

  /** The overall sync deadline configured for this connector (`http.syncTimeoutMs`), if any. */
  get syncTimeoutMs(): number | undefined {
    return this.config.syncTimeoutMs;
  }

  /** A credential-free summary (what `JSON.stringify` and `util.inspect` show). */
  toJSON(): Record<string, unknown> {
    return { vendor: this.vendor, baseUrl: this.baseUrl };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `HttpClient ${JSON.stringify(this.toJSON())}`;
  }

  /** Send a request through rate limiting and retries; resolves with the parsed response or throws an OrgsyncError. */
  async request<T = unknown>(spec: RequestSpec): Promise<HttpResponse<T>> {
    const method = spec.method ?? 'GET';
    const idempotent =
      spec.idempotent ?? (method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE');
    // The caller's, the client's and the sync deadline's signals, linked by hand (signals.ts).
    const linked = anySignal([spec.signal, this.config.signal, currentDeadline()?.signal]);
    const signal = linked.signal;
    let waited = 0;
    const endpoint = `${method} ${this.describePath(spec.path)}`;
    try {
      return await pRetry(
        (attempt) => this.limiter.schedule(() => this.attempt<T>(spec, method, attempt, endpoint, signal), signal),
        {
          retries: this.retry.retries,
          minTimeout: 0,
          maxTimeout: 0,
          factor: 1,
          randomize: false,
          ...(signal ? { signal } : {}),
          shouldRetry: ({ error }) => idempotent && error instanceof OrgsyncError && error.retryable,
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (!(error instanceof OrgsyncError) || !error.retryable || !idempotent || retriesLeft <= 0) return;
            const serverDelay = error.retryAfterMs;
            if (serverDelay !== undefined && serverDelay > this.retry.maxRetryAfterMs) {
              throw createError({
                kind: error.kind,
                retryable: true,
                vendor: this.vendor,
                status: error.status,
                requestId: error.requestId,
                endpoint,
                retryAfterMs: serverDelay,
                code: error.code,
                message: `${error.message} ${this.vendorName} asked to wait ${Math.ceil(serverDelay / 1000)} s, more than the configured maximum of ${Math.ceil(this.retry.maxRetryAfterMs / 1000)} s; try again later.`,
              });
            }
            const delay = serverDelay ?? backoffDelay(attemptNumber, this.retry);
            if (waited + delay > this.retry.maxTotalWaitMs) return void retriesLeftExhausted(error);
            waited += delay;
            if (serverDelay !== undefined) this.limiter.pause(serverDelay);
            this.emit({
              type: 'retry',
              vendor: this.vendor,
              method,
              url: this.describePath(spec.path),
              attempt: attemptNumber,
              delayMs: delay,
              reason: error.message,
            });
            this.config.logger?.warn?.(`retrying ${endpoint} in ${delay} ms: ${error.message}`);
            await sleep(delay, signal);
          },
        },
      );
    } catch (e) {
      // Redact the whole error (message, stack, cause chain, attached objects), whatever produced it.
      throw this.redactor.redactError(this.finalError(e, endpoint, signal));
    } finally {
      linked.unlink();
    }
  }

  private async attempt<T>(
    spec: RequestSpec,
    method: string,
    attempt: number,
    endpoint: string,
    signal: AbortSignal | undefined,
    tokenRetried = false,
  ): Promise<HttpResponse<T>> {
    const started = Date.now();
    const bearer = this.tokens ? await this.tokens.token() : undefined;
    let url = this.resolveUrl(spec.path, spec.query);
    let res: AxiosResponse<string | StreamedBody> | undefined;
    let sendAuth = true;
    const stream =
      spec.stream && (spec.responseType ?? 'json') === 'json' && this.config.streamJson !== false
        ? spec.stream
        : undefined;
    // A total deadline for this attempt (connect + headers + body, redirects included): axios'
    // own timeout is an idle timer that a server dripping one byte a second never trips.
    const timeoutMs = this.config.timeoutMs ?? 60_000;
    const total = new AbortController();
    const timer = setTimeout(() => total.abort(new Error(`timeout of ${timeoutMs} ms exceeded`)), timeoutMs);
    // The caller's signal aborts this attempt too (linked by hand: `AbortSignal.any` per request
    // was a measurable part of a 1,000-page sync on Node 20).
    let unlink: (() => void) | undefined;
    if (signal?.aborted) total.abort(signal.reason);
    else if (signal) {
      const onAbort = () => total.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      unlink = () => signal.removeEventListener('abort', onAbort);
    }
    const attemptSignal = total.signal;
    try {
      for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        const headers = this.headersFor(spec, sendAuth, bearer);
        try {
          res = await this.axios.request<string | StreamedBody>({
            url,
            method,
            headers,
            ...(stream
              ? { bodySink: (status: number, h: http.IncomingHttpHeaders) => this.sinkFor(stream, status, h) }
              : {}),
            data:
              spec.body === undefined
                ? undefined
                : typeof spec.body === 'string'
                  ? spec.body
                  : JSON.stringify(spec.body),
            signal: attemptSignal,
          });
        } catch (e) {
          throw this.networkError(e, endpoint, total.signal.aborted && !signal?.aborted, signal);
        }
        const location = res.headers['location'];
        if (
          res.status >= 300 &&
          res.status < 400 &&
          typeof location === 'string' &&
          (method === 'GET' || method === 'HEAD' || res.status === 307 || res.status === 308)
        ) {
          const next = new URL(location, url);
          // Never send credentials to another origin; a request body may hold them too (SOAP
          // WS-Security), so a request with a body is never re-sent to another origin.
          if (next.origin !== new URL(url).origin) {
            if (spec.body !== undefined && (res.status === 307 || res.status === 308)) {
              throw createError({
                kind: 'vendor',
                code: 'foreign_redirect',
                vendor: this.vendor,
                endpoint,
                status: res.status,
                message: `${this.vendorName} redirected ${endpoint} to another host (${next.origin}); orgsync does not re-send the request body there. Check the base URL.`,
              });
            }
            sendAuth = false;
          }
          url = next.toString();
          continue;
        }
        break;
      }
    } finally {
      clearTimeout(timer);
      unlink?.();
    }
    if (!res)
      throw createError({
        kind: 'transient',
        vendor: this.vendor,
        endpoint,
        message: `${this.vendorName}: no response for ${endpoint}.`,
      });
    const headers = normalizeHeaders(res.headers as Record<string, unknown>);
    const requestId = this.requestIdOf(headers);
    // A streamed body (a successful JSON record list) was parsed as it arrived: its text is the
    // outline (the body without the records), and its records were checked for secrets one by one.
    const streamed = res.data instanceof StreamedBody ? res.data : undefined;
    const text = streamed
      ? streamed.outline
      : typeof res.data === 'string'
        ? res.data
        : res.data == null
          ? ''
          : String(res.data);
    if (!this.sawSecretInResponse && (streamed ? streamed.secret : this.redactor.containsSecret(text)))
      this.sawSecretInResponse = true;
    this.emit({
      type: 'request',
      vendor: this.vendor,
      method,
      url: this.safeUrl(url),
      status: res.status,
      attempt,
      durationMs: Date.now() - started,
    });
    this.config.logger?.debug?.(`${method} ${this.safeUrl(url)} -> ${res.status}`, { requestId });

    const contentType = headers['content-type'] ?? '';
    const looksJson = !!streamed || /json/i.test(contentType) || (!contentType && /^\s*[[{]/.test(text));
    let json: unknown;
    let jsonError: string | undefined;
    if (streamed) {
      json = streamed.value;
      jsonError = streamed.error;
    } else if (looksJson && text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch (e) {
        jsonError = (e as Error).message;
      }
    }
    if (res.status === 401 && bearer !== undefined && sendAuth && !tokenRetried) {
      // The token may have been revoked or expired early: fetch a new one and try once more.
      this.tokens!.invalidate(bearer);
      return this.attempt<T>(spec, method, attempt, endpoint, signal, true);
    }
    const raw: RawResponse = { status: res.status, headers, text, json, method, path: this.describePath(spec.path) };
    const hint = this.config.classify?.(raw);
    const isError = res.status >= 400 || res.status >= 300 || hint?.kind !== undefined;
    if (isError) throw this.httpError(raw, hint, requestId, endpoint);

    if ((spec.responseType ?? 'json') === 'text') {
      return { status: res.status, headers, data: text as T, url: this.safeUrl(url), requestId };
    }
    if (jsonError !== undefined) {
      throw createError({
        kind: 'transient',
        code: 'malformed_body',
        vendor: this.vendor,
        status: res.status,
        requestId,
        endpoint,
        message: `${this.vendorName} returned malformed JSON for ${endpoint} (${this.redactor.redact(jsonError)}). The response was probably cut off; orgsync retries, and no snapshot is written if it stays broken.`,
      });
    }
    if (!looksJson) {
      const what = /<html|<!doctype html/i.test(text)
        ? `an HTML page${this.redactor.redact(htmlTitle(text))}`
        : /^\s*</.test(text)
          ? 'XML'
          : `'${contentType || 'no content type'}'`;
      throw createError({
        kind: 'vendor',
        code: 'unexpected_content_type',
        vendor: this.vendor,
        status: res.status,
        requestId,
        endpoint,
        message: `${this.vendorName} answered ${endpoint} with ${what} instead of JSON. Check the base URL (a login page or proxy often answers this way).`,
      });
    }
    return { status: res.status, headers, data: json as T, url: this.safeUrl(url), requestId };
  }

  /**
   * The body sink of a streamed request (see `RequestSpec.stream`): successful JSON responses only.
   * Not by size: a walk whose pages were streamed or not depending on their size would fingerprint
   * a repeated record once from its text and once from its object (then it counts as changed).
   */
  private sinkFor(stream: StreamRecordsSpec, status: number, headers: http.IncomingHttpHeaders): BodySink | undefined {
    if (status < 200 || status >= 300) return undefined;
    if (!/json/i.test(String(headers['content-type'] ?? ''))) return undefined;
    return new RecordSink(stream, this.redactor);
  }

  private headersFor(spec: RequestSpec, withAuth: boolean, bearer?: string): Record<string, string> {
    const h: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': this.config.userAgent ?? 'orgsync/0.1 (+https://github.com/orgsync/orgsync)',
      ...(this.config.headers ?? {}),
      ...(spec.headers ?? {}),
    };
    if (spec.body !== undefined && typeof spec.body !== 'string' && !hasHeader(h, 'content-type'))
      h['Content-Type'] = 'application/json';
    if (withAuth) {
      const a = this.config.auth;
      if (a.type === 'basic')
        h['Authorization'] = `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
      else if (a.type === 'bearer') h['Authorization'] = `Bearer ${a.token}`;
      else if (a.type === 'header') h[a.name] = a.value;
      else if (bearer !== undefined) h['Authorization'] = `Bearer ${bearer}`;
    }
    return h;
  }

  resolveUrl(path: string, query?: Record<string, QueryValue>): string {
    const url = /^https?:\/\//i.test(path)
      ? new URL(path)
      : new URL(this.baseUrl + (path.startsWith('/') ? path : `/${path}`));
    if (/^https?:\/\//i.test(path) && url.origin !== this.origin) {
      throw createError({
        kind: 'vendor',
        code: 'foreign_link',
        vendor: this.vendor,
        message: `${this.vendorName} sent a paging link to another host (${url.origin}); orgsync does not send credentials there.`,
      });
    }
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const x of v) url.searchParams.append(k, String(x));
      else url.searchParams.set(k, String(v));
    }
    return url.toString();
  }

  /** Path without query string, for messages. */
  describePath(path: string): string {
    try {
      const u = /^https?:\/\//i.test(path)
        ? new URL(path)
        : new URL(this.baseUrl + (path.startsWith('/') ? path : `/${path}`));
      const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, '');
      const p = u.pathname.startsWith(basePath) ? u.pathname.slice(basePath.length) || '/' : u.pathname;
      return this.redactor.redact(p);
    } catch {
      return this.redactor.redact(path.split('?')[0] ?? path);
    }
  }

  private safeUrl(url: string): string {
    try {
      const u = new URL(url);
      u.username = '';
      u.password = '';
      return this.redactor.redact(u.toString());
    } catch {
      return this.redactor.redact(url);
    }
  }

  private requestIdOf(headers: Record<string, string>): string | undefined {
    for (const name of [...(this.config.requestIdHeaders ?? []), ...REQUEST_ID_HEADERS]) {
      const v = headers[name.toLowerCase()];
      if (v) return v;
    }
    return undefined;
  }

  private httpError(
    raw: RawResponse,
    hint: ErrorHint | undefined,
    requestId: string | undefined,
    endpoint: string,
  ): OrgsyncError {
    return statusError(raw, hint, requestId, endpoint, {
      vendor: this.vendor,
      vendorName: this.vendorName,
      account: this.config.account,
      redact: (t) => this.redactor.redact(t),
      vendorMessage: this.config.vendorMessage,
      retryStatuses: this.retryStatuses,
      maxRedirects: MAX_REDIRECTS,
    });
  }

  private networkError(e: unknown, endpoint: string, timedOut = false, signal?: AbortSignal): OrgsyncError {
    if (e instanceof OrgsyncError) return e;
    const tlsError = tlsFailure(e, {
      vendor: this.vendor,
      vendorName: this.vendorName,
      endpoint,
      clientCertificate: this.certificate?.cert !== undefined,
    });
    if (tlsError) return tlsError;
    const err = e as { code?: string; message?: string; name?: string };
    const code = err.code ?? err.name ?? 'ERR_NETWORK';
    const detail = this.redactor.redact(String(err.message ?? code));
    if (timedOut) {
      return createError({
        kind: 'transient',
        code: 'timeout',
        vendor: this.vendor,
        endpoint,
        message: `${this.vendorName}: ${endpoint} timed out after ${this.config.timeoutMs ?? 60_000} ms (total time for the request, connection and body included).`,
      });
    }
    if (signal?.aborted && signal.reason instanceof SyncDeadlineReason)
      return this.deadlineError(endpoint, signal.reason);
    if (code === 'ERR_CANCELED' || err.name === 'CanceledError' || err.name === 'AbortError') {
      return createError({
        kind: 'incomplete',
        retryable: false,
        code: 'aborted',
        vendor: this.vendor,
        endpoint,
        message: `${this.vendorName}: ${endpoint} was cancelled.`,
      });
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return createError({
        kind: 'config',
        code,
        vendor: this.vendor,
        endpoint,
        message: `${this.vendorName}: could not resolve the host for ${endpoint} (${code}). Check the subdomain/host and base URL.`,
      });
    }
    if (/maxContentLength/i.test(detail)) {
      return createError({
        kind: 'vendor',
        code: 'response_too_large',
        vendor: this.vendor,
        endpoint,
        message: `${this.vendorName}: the response to ${endpoint} exceeded the configured maximum size (${this.config.maxResponseBytes ?? 256 * 1024 * 1024} bytes).`,
      });
    }
    const timeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(detail);
    return createError({
      kind: 'transient',
      code,
      vendor: this.vendor,
      endpoint,
      message: timeout
        ? `${this.vendorName}: ${endpoint} timed out after ${this.config.timeoutMs ?? 60_000} ms.`
        : `${this.vendorName}: network error on ${endpoint} (${code}: ${detail}).`,
    });
  }

  private finalError(e: unknown, endpoint: string, signal?: AbortSignal): OrgsyncError {
    if (e instanceof OrgsyncError) return e;
    const err = e as { name?: string; message?: string };
    if (signal?.aborted && signal.reason instanceof SyncDeadlineReason)
      return this.deadlineError(endpoint, signal.reason);
    if (signal?.aborted || this.config.signal?.aborted || err?.name === 'AbortError') {
      return createError({
        kind: 'incomplete',
        retryable: false,
        code: 'aborted',
        vendor: this.vendor,
        endpoint,
        message: `${this.vendorName}: ${endpoint} was cancelled.`,
      });
    }
    return createError({
      kind: 'transient',
      vendor: this.vendor,
      endpoint,
      message: `${this.vendorName}: ${endpoint} failed: ${this.redactor.redact(String(err?.message ?? e))}`,
    });
  }

  private deadlineError(endpoint: string, reason: SyncDeadlineReason): OrgsyncError {
    return createError({
      kind: 'incomplete',
      code: 'sync_timeout',
      vendor: this.vendor,
      endpoint,
      message: `${this.vendorName}: the sync exceeded its overall deadline of ${reason.ms} ms (syncTimeoutMs) while ${endpoint} was in flight; the request was aborted.`,
    });
  }

  private emit(e: ProgressEvent): void {
    try {
      this.config.onProgress?.(e);
    } catch {
      /* a progress callback must never break a sync */
    }
  }
}

/** What a streamed response's `data` is when the adapter hands it over (`RecordSink.end`). */
class StreamedBody {
  constructor(
    /** What `JSON.parse` of the whole body gives (undefined for an empty body or on an error). */
    readonly value: unknown,
    /** The body without the records (their lists as `[]`): what the error hooks see as `text`. */
    readonly outline: string,
    /** Why the body is not JSON (the pipeline's `malformed_body`), else undefined. */
    readonly error: string | undefined,
    /** A registered secret occurred in a record or in the outline. */
    readonly secret: boolean,
  ) {}
}

/**
 * The record splitter as the adapter's body sink, with the secret check per record (each record's
 * text is checked as it is parsed, then the outline; a secret could only be missed if it spanned
 * two records, i.e. contained the `},{` between them) and the first error kept: the rest of the
 * body is read and dropped, and the pipeline reports `malformed_body` as for a whole body.
 */
class RecordSink implements BodySink {
  private readonly splitter: JsonRecordSplitter;
  private error: string | undefined;
  private secret = false;
  private content = false;

  constructor(
    spec: StreamRecordsSpec,
    private readonly redactor: Redactor,
  ) {
    const onRecord = spec.onRecord;
    this.splitter = new JsonRecordSplitter({
      records: spec.records,
      ...(spec.ignoreCase !== undefined ? { ignoreCase: spec.ignoreCase } : {}),
      onRecord: (record, text) => {
        if (!this.secret && redactor.containsSecret(text)) this.secret = true;
        onRecord?.(record, text);
      },
    });
  }

  write(chunk: Buffer): void {
    if (this.error !== undefined) return;
    for (let i = 0; !this.content && i < chunk.length; i++) {
      const c = chunk[i]!;
      this.content = c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09;
    }
    try {
      this.splitter.write(chunk);
    } catch (e) {
      this.error = String((e as Error)?.message ?? e);
    }
  }

  end(): StreamedBody {
    // An empty body is no JSON at all (as a whole body, it is `undefined` data, not malformed).
    if (!this.content && this.error === undefined) return new StreamedBody(undefined, '', undefined, false);
    if (this.error !== undefined) return new StreamedBody(undefined, '', this.error, this.secret);
    try {
      const r = this.splitter.end();
      return new StreamedBody(r.value, r.outline, undefined, this.secret || this.redactor.containsSecret(r.outline));
    } catch (e) {
      return new StreamedBody(undefined, '', String((e as Error)?.message ?? e), this.secret);
    }
  }
}

function retriesLeftExhausted(error: OrgsyncError): never {
  throw error;
}

function credentialKey(a: AuthSpec, baseUrl: string): string {
  switch (a.type) {
    case 'basic':
      return `${baseUrl}|${a.username}:${a.password}`;
    case 'bearer':
      return `${baseUrl}|${a.token}`;
    case 'header':
      return `${baseUrl}|${a.name}:${a.value}`;
    default:
      return baseUrl;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function hasHeader(h: Record<string, string>, name: string): boolean {
  return Object.keys(h).some((k) => k.toLowerCase() === name);
}

function normalizeHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v == null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}
