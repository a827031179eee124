/**
 * Webhook verification for BambooHR and Gusto.
 *
 * A verified webhook is only a hint of *whom to re-read*: the normalized result names the vendor,
 * the event type and the employee ids concerned, never employee data to trust. Re-read those
 * employees (or run a sync) through the connector to get the actual values.
 *
 * Signatures are checked on the raw request bytes with HMAC-SHA256 and compared in constant time;
 * failures throw `AuthError` with a `code` (`webhook_signature_missing`, `webhook_signature_invalid`,
 * `webhook_timestamp_missing`, `webhook_timestamp_invalid`, `webhook_timestamp_stale`). No error
 * message ever contains the key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthError, ConfigError, ValidationError } from './errors.js';

export type WebhookVendor = 'bamboohr' | 'gusto';

/** Headers as Node (`req.headers`), a plain record, or a Fetch API `Headers`. */
export type WebhookHeaders =
  Headers | Record<string, string | readonly string[] | undefined> | Iterable<readonly [string, string]>;

/** The raw request body, exactly as received (before any JSON parsing). */
export type RawBody = string | Buffer | Uint8Array | ArrayBuffer;

export interface WebhookNotification {
  vendor: WebhookVendor;
  /** Normalized event type, e.g. `employee.updated`, `employee.created`, `employee.terminated`. */
  eventType: string;
  /** Ids of the employees to re-read (deduplicated, in payload order). May be empty. */
  employeeIds: string[];
  /** When this webhook was verified (ISO 8601). */
  receivedAt: string;
  /** The vendor's event id where it sends one (Gusto `uuid`), for de-duplicating retries. */
  eventId?: string;
  /** The vendor's company id where the payload has one. */
  companyId?: string;
  /** The vendor's event time as sent (BambooHR header timestamp as ISO, Gusto `timestamp`). */
  sentAt?: string;
}

export interface VerifyBambooHrWebhookInput {
  rawBody: RawBody;
  headers: WebhookHeaders;
  /** The webhook's private key, shown by BambooHR when the webhook is created. */
  privateKey: string;
  /** Accepted clock difference between `X-BambooHR-Timestamp` and now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Current time (default: `new Date()`); a `Date` or milliseconds since the epoch. */
  now?: Date | number;
}

export interface VerifyGustoWebhookInput {
  rawBody: RawBody;
  headers: WebhookHeaders;
  /** The `verification_token` Gusto sent when the webhook subscription was created. */
  verificationToken: string;
  /**
   * Optional replay window on the payload's `timestamp`, in seconds. Off by default because Gusto
   * retries failed deliveries for a long time; de-duplicate on `eventId` instead.
   */
  toleranceSeconds?: number;
  now?: Date | number;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** All distinct (trimmed) values of a header, looked up case-insensitively. */
export function getHeaderValues(headers: WebhookHeaders, name: string): string[] {
  const want = name.toLowerCase();
  const found: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string') found.push(v.trim());
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') found.push(x.trim());
  };
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    add(headers.get(want) ?? undefined);
  } else if (headers && typeof (headers as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function') {
    for (const pair of headers as Iterable<readonly [string, string]>) {
      if (Array.isArray(pair) && String(pair[0]).toLowerCase() === want) add(pair[1]);
    }
  } else if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want) add(v);
  }
  return [...new Set(found.filter((v) => v !== ''))];
}

/** Case-insensitive header lookup; `undefined` when absent. */
export function getHeader(headers: WebhookHeaders, name: string): string | undefined {
  return getHeaderValues(headers, name)[0];
}

/** The single value of a required header: missing or conflicting values are an AuthError. */
function requiredHeader(
  headers: WebhookHeaders,
  name: string,
  vendor: WebhookVendor,
  what: 'signature' | 'timestamp',
): string {
  const values = getHeaderValues(headers, name);
  if (values.length === 0) throw authError(vendor, `webhook_${what}_missing`, `the ${name} header is missing`);
  if (values.length > 1)
    throw authError(
      vendor,
      `webhook_${what}_invalid`,
      `the ${name} header was sent ${values.length} times with different values`,
    );
  return values[0]!;
}

function toBuffer(raw: RawBody, vendor: WebhookVendor): Buffer {
  if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
  if (Buffer.isBuffer(raw)) return raw;
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (raw instanceof ArrayBuffer) return Buffer.from(raw);
  throw new ConfigError({
    message: `${vendor} webhook: rawBody must be the raw request body (string, Buffer or Uint8Array) exactly as received, not a parsed object — the signature covers the exact bytes`,
    code: 'webhook_raw_body_required',
    vendor,
  });
}

function requireSecret(secret: unknown, what: string, vendor: WebhookVendor): string {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new ConfigError({
      message: `${vendor} webhook: ${what} is required to verify the signature`,
      code: 'webhook_secret_missing',
      vendor,
    });
  }
  return secret;
}

function authError(vendor: WebhookVendor, code: string, message: string): AuthError {
  return new AuthError({ message: `${vendor} webhook: ${message}`, code, vendor, status: 401 });
}

/** Constant-time comparison of a received hex signature with the expected HMAC digest. */
function signatureMatches(received: string, expected: Buffer): boolean {
  let hex = received.trim();
  if (/^sha256=/i.test(hex)) hex = hex.slice(7);
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== expected.length * 2) {
    // Still spend a comparison so malformed and wrong signatures take similar time.
    timingSafeEqual(expected, expected);
    return false;
  }
  const got = Buffer.from(hex, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

function nowMs(now: Date | number | undefined): number {
  if (now === undefined) return Date.now();
  const ms = now instanceof Date ? now.getTime() : now;
  if (!Number.isFinite(ms))
    throw new ConfigError({ message: 'webhook verification: `now` is not a valid time', code: 'webhook_now_invalid' });
  return ms;
}

function checkTolerance(tolerance: number | undefined, vendor: WebhookVendor): number {
  const t = tolerance ?? 300;
  if (!Number.isFinite(t) || t < 0) {
    throw new ConfigError({
      message: `${vendor} webhook: toleranceSeconds must be a non-negative number`,
      code: 'webhook_tolerance_invalid',
      vendor,
    });
  }
  return t;
}

function parseJson(body: Buffer, vendor: WebhookVendor): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ValidationError({
      message: `${vendor} webhook: the signed body is not valid JSON`,
      code: 'webhook_payload_invalid',
      vendor,
    });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function idString(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function timestampToIso(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const d = new Date(v < 1e12 ? v * 1000 : v);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  if (typeof v === 'string' && v.trim() !== '') {
    if (/^\d+$/.test(v.trim())) return timestampToIso(Number(v.trim()));
    return v.trim();
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// BambooHR
// ---------------------------------------------------------------------------------------------

function bambooAction(action: unknown): string {
  const a = typeof action === 'string' ? action.trim().toLowerCase() : '';
  if (a === 'created' || a === 'create' || a === 'added' || a === 'new') return 'employee.created';
  if (a === 'deleted' || a === 'delete' || a === 'removed') return 'employee.deleted';
  return 'employee.updated';
}

/**
 * Verify a BambooHR webhook: `X-BambooHR-Signature` must be the lowercase hex HMAC-SHA256 of
 * (raw body + `X-BambooHR-Timestamp`) keyed with the webhook's private key, and the timestamp
 * (Unix seconds) must be within `toleranceSeconds` of now. Then parse either payload shape
 * (event-based `{type, timestamp, data: {companyId, employeeId, changedFields}}` or field-based
 * `{employees: [{id, action, timestamp, changedFields, fields}]}`).
 *
 * @throws AuthError missing/invalid signature or timestamp, or a stale/future timestamp
 * @throws ValidationError the signed body is not a recognizable payload
 * @throws ConfigError no private key, or a parsed object was passed as rawBody
 */
export function verifyBambooHrWebhook(input: VerifyBambooHrWebhookInput): WebhookNotification {
  const vendor = 'bamboohr';
  const key = requireSecret(input.privateKey, 'privateKey', vendor);
  const tolerance = checkTolerance(input.toleranceSeconds, vendor);
  const body = toBuffer(input.rawBody, vendor);
  const now = nowMs(input.now);

  const signature = requiredHeader(input.headers, 'X-BambooHR-Signature', vendor, 'signature');
  const timestamp = requiredHeader(input.headers, 'X-BambooHR-Timestamp', vendor, 'timestamp');
  if (!/^\d{1,12}$/.test(timestamp))
    throw authError(vendor, 'webhook_timestamp_invalid', 'the X-BambooHR-Timestamp header is not Unix seconds');

  const expected = createHmac('sha256', key).update(body).update(timestamp, 'utf8').digest();
  if (!signatureMatches(signature, expected)) {
    throw authError(
      vendor,
      'webhook_signature_invalid',
      'the X-BambooHR-Signature does not match the body and timestamp (wrong private key, or the request was altered)',
    );
  }
  const ageSeconds = now / 1000 - Number(timestamp);
  if (Math.abs(ageSeconds) > tolerance) {
    throw authError(
      vendor,
      'webhook_timestamp_stale',
      `the X-BambooHR-Timestamp is ${Math.round(Math.abs(ageSeconds))}s ${ageSeconds > 0 ? 'old' : 'in the future'}, outside the ${tolerance}s tolerance (replayed request or clock skew)`,
    );
  }

  const payload = parseJson(body, vendor);
  const result: WebhookNotification = {
    vendor,
    eventType: 'employee.updated',
    employeeIds: [],
    receivedAt: new Date(now).toISOString(),
    sentAt: new Date(Number(timestamp) * 1000).toISOString(),
  };
  if (isRecord(payload) && Array.isArray(payload.employees)) {
    const ids = new Set<string>();
    const types = new Set<string>();
    for (const row of payload.employees) {
      if (!isRecord(row)) continue;
      const id = idString(row.id);
      if (id !== undefined) ids.add(id);
      types.add(bambooAction(row.action));
    }
    result.employeeIds = [...ids];
    result.eventType = types.size === 1 ? [...types][0]! : types.size === 0 ? 'employee.updated' : 'employee.changed';
    return result;
  }
  if (isRecord(payload) && (typeof payload.type === 'string' || isRecord(payload.data))) {
    const data = isRecord(payload.data) ? payload.data : {};
    if (typeof payload.type === 'string' && payload.type.trim()) result.eventType = payload.type.trim();
    const id = idString(data.employeeId) ?? idString(data.id);
    if (id !== undefined) result.employeeIds = [id];
    const company = idString(data.companyId);
    if (company !== undefined) result.companyId = company;
    return result;
  }
  throw new ValidationError({
    message:
      'bamboohr webhook: the signed body is neither an event payload ({type, data}) nor a field payload ({employees: [...]})',
    code: 'webhook_payload_invalid',
    vendor,
  });
}

// ---------------------------------------------------------------------------------------------
// Gusto
// ---------------------------------------------------------------------------------------------

/**
 * Verify a Gusto webhook: `X-Gusto-Signature` must be the hex HMAC-SHA256 of the raw body keyed
 * with the subscription's verification token. Returns the event (`uuid`, `event_type`, and the
 * employee from `entity_uuid` when `entity_type` is Employee, or `resource_uuid` when
 * `resource_type` is Employee).
 *
 * @throws AuthError missing or invalid signature (or a stale `timestamp` when `toleranceSeconds` is set)
 * @throws ValidationError the signed body is not a Gusto event
 * @throws ConfigError no verification token, or a parsed object was passed as rawBody
 */
export function verifyGustoWebhook(input: VerifyGustoWebhookInput): WebhookNotification {
  const vendor = 'gusto';
  const token = requireSecret(input.verificationToken, 'verificationToken', vendor);
  const tolerance = input.toleranceSeconds === undefined ? undefined : checkTolerance(input.toleranceSeconds, vendor);
  const body = toBuffer(input.rawBody, vendor);
  const now = nowMs(input.now);

  const signature = requiredHeader(input.headers, 'X-Gusto-Signature', vendor, 'signature');
  const expected = createHmac('sha256', token).update(body).digest();
  if (!signatureMatches(signature, expected)) {
    throw authError(
      vendor,
      'webhook_signature_invalid',
      'the X-Gusto-Signature does not match the body (wrong verification token, or the request was altered)',
    );
  }

  const payload = parseJson(body, vendor);
  if (!isRecord(payload) || typeof payload.event_type !== 'string') {
    throw new ValidationError({
      message: 'gusto webhook: the signed body is not a Gusto event (no event_type)',
      code: 'webhook_payload_invalid',
      vendor,
    });
  }
  if (tolerance !== undefined) {
    const ts = typeof payload.timestamp === 'number' ? payload.timestamp : Number(payload.timestamp);
    if (!Number.isFinite(ts))
      throw authError(vendor, 'webhook_timestamp_invalid', 'the event has no numeric timestamp');
    const age = now / 1000 - (ts > 1e12 ? ts / 1000 : ts);
    if (Math.abs(age) > tolerance) {
      throw authError(
        vendor,
        'webhook_timestamp_stale',
        `the event timestamp is ${Math.round(Math.abs(age))}s ${age > 0 ? 'old' : 'in the future'}, outside the ${tolerance}s tolerance`,
      );
    }
  }

  const isEmployee = (t: unknown) => typeof t === 'string' && t.toLowerCase() === 'employee';
  const ids: string[] = [];
  const entity = idString(payload.entity_uuid);
  const resource = idString(payload.resource_uuid);
  if (isEmployee(payload.entity_type) && entity !== undefined) ids.push(entity);
  if (isEmployee(payload.resource_type) && resource !== undefined && resource !== entity) ids.push(resource);

  const result: WebhookNotification = {
    vendor,
    eventType: payload.event_type.trim(),
    employeeIds: ids,
    receivedAt: new Date(now).toISOString(),
  };
  const uuid = idString(payload.uuid);
  if (uuid !== undefined) result.eventId = uuid;
  if (
    typeof payload.resource_type === 'string' &&
    payload.resource_type.toLowerCase() === 'company' &&
    resource !== undefined
  )
    result.companyId = resource;
  const sent = timestampToIso(payload.timestamp);
  if (sent !== undefined) result.sentAt = sent;
  return result;
}
