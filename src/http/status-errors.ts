/**
 * What an HTTP error status means, in words a user can act on: the generic rules (401/403 `auth`,
 * 404 `config`, 429 `rate_limited`, 408/5xx `transient`, redirects not followed, other 4xx `vendor`),
 * overridden by a connector's `classify` hint, with the vendor's own words quoted (its
 * `vendorMessage` hook, else `extractVendorMessage`). Retryable: the hint, else the retry statuses
 * (`DEFAULT_RETRY_STATUSES` plus the connector's) and the transient kinds.
 */
import { createError, type ErrorKind, type OrgsyncError } from '../errors.js';
import type { ErrorHint, RawResponse } from './response.js';
import { parseRateLimitReset, parseRetryAfter } from './timing.js';

/** Statuses retried for every vendor (besides any 5xx, classified `transient`); a connector adds its own. */
export const DEFAULT_RETRY_STATUSES: readonly number[] = Object.freeze([408, 425, 429, 500, 502, 503, 504]);

export interface StatusErrorContext {
  vendor: string;
  vendorName: string;
  /** Who the credentials are for, e.g. "company 'acme'". */
  account?: string | undefined;
  redact: (text: string) => string;
  vendorMessage?: ((res: RawResponse) => string | undefined) | undefined;
  retryStatuses: ReadonlySet<number>;
  maxRedirects: number;
}

/** The typed error for a response the pipeline will not return (status >= 300, or a `classify` hint with a kind). */
export function statusError(
  raw: RawResponse,
  hint: ErrorHint | undefined,
  requestId: string | undefined,
  endpoint: string,
  c: StatusErrorContext,
): OrgsyncError {
  const { status, headers } = raw;
  const said = c.vendorMessage ? c.vendorMessage(raw) : extractVendorMessage(raw);
  const vendorMsg = c.redact(said ?? '').slice(0, 500);
  const account = c.account ? ` for ${c.account}` : '';
  const name = c.vendorName;
  let kind: ErrorKind;
  let message: string;
  if (status === 401) {
    kind = 'auth';
    message = `${name} rejected the credentials${account} (401). Check the API credentials and that they are still valid.`;
  } else if (status === 403) {
    kind = 'auth';
    message = `${name} refused access to ${endpoint}${account} (403). The credentials are valid but lack permission for this data; grant the integration access.`;
  } else if (status === 404) {
    kind = 'config';
    message = `${name} answered 404 for ${endpoint}${account}. Check the account identifier and base URL.`;
  } else if (status === 429) {
    kind = 'rate_limited';
    message = `${name} rate-limited ${endpoint} (429).`;
  } else if (status === 408 || status >= 500) {
    kind = 'transient';
    message = `${name} failed on ${endpoint} (${status}); this is usually temporary.`;
  } else if (status >= 300 && status < 400) {
    kind = 'vendor';
    message = `${name} answered ${endpoint} with a redirect (${status}) that orgsync does not follow${headers['location'] ? '' : ' (no location)'}: only GET/HEAD and 307/308 are followed, at most ${c.maxRedirects} times. Check the base URL.`;
  } else if (status >= 400) {
    kind = 'vendor';
    message = `${name} rejected the request ${endpoint} (${status}).`;
  } else {
    kind = 'vendor';
    message = `${name} reported an error for ${endpoint}.`;
  }
  if (hint?.kind) kind = hint.kind;
  if (hint?.message) message = c.redact(hint.message);
  else if (vendorMsg) message += ` ${name} said: "${vendorMsg}"`;
  const retryAfterMs =
    hint?.retryAfterMs ??
    parseRetryAfter(headers['retry-after']) ??
    (status === 429 ? parseRateLimitReset(headers['x-ratelimit-reset']) : undefined);
  const retryable = hint?.retryable ?? (c.retryStatuses.has(status) || kind === 'rate_limited' || kind === 'transient');
  return createError({
    kind,
    message,
    retryable,
    vendor: c.vendor,
    status,
    requestId,
    endpoint,
    code: hint?.code,
    retryAfterMs,
  });
}

/**
 * Best-effort extraction of a human message from common JSON error body shapes (`errors[]`,
 * `error`, `detail`, `message`, `title`). Vendors that say more elsewhere (a header) declare a
 * `vendorMessage` hook that falls back to this.
 */
export function extractVendorMessage(raw: RawResponse): string {
  const j = raw.json as any;
  const parts: string[] = [];
  if (j && typeof j === 'object') {
    if (Array.isArray(j.errors)) {
      for (const e of j.errors.slice(0, 5)) {
        if (typeof e === 'string') parts.push(e);
        else if (e && typeof e === 'object')
          parts.push([e.error_key ?? e.code, e.message ?? e.error ?? e.detail].filter(Boolean).join(': '));
      }
    } else if (j.error && typeof j.error === 'object')
      parts.push([j.error.code, j.error.message].filter(Boolean).join(': '));
    else if (typeof j.error === 'string') parts.push([j.error, j.error_description].filter(Boolean).join(': '));
    if (!parts.length && typeof j.detail === 'string') parts.push(j.detail);
    if (!parts.length && typeof j.message === 'string') parts.push(j.message);
    if (!parts.length && typeof j.title === 'string') parts.push(j.title);
  }
  return parts.filter(Boolean).join('; ');
}

/** ` ("<title>")` of an HTML page, for messages about a login or proxy page answering instead of the API. */
export function htmlTitle(text: string): string {
  const m = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(text);
  return m?.[1] ? ` ("${m[1].trim()}")` : '';
}
