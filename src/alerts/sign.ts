/**
 * Signed generic webhooks: `X-Orgsync-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
 * with `X-Orgsync-Timestamp: <unix seconds>`. Receivers verify with `verifyAlertWebhook`, which
 * rejects a stale or future timestamp (replay) and compares in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthError, ConfigError } from '../errors.js';
import { getHeader, type RawBody, type WebhookHeaders } from '../webhooks.js';

export const SIGNATURE_HEADER = 'X-Orgsync-Signature';
export const TIMESTAMP_HEADER = 'X-Orgsync-Timestamp';
export const DELIVERY_HEADER = 'X-Orgsync-Delivery';

function hmac(secret: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest();
}

/** Headers for a body sent at `now`. */
export function signAlertWebhook(
  body: string | Buffer,
  secret: string,
  now: Date = new Date(),
): Record<string, string> {
  if (!secret)
    throw new ConfigError({ message: 'alert webhook: signing secret is empty', code: 'alert_secret_missing' });
  const ts = String(Math.floor(now.getTime() / 1000));
  return {
    [TIMESTAMP_HEADER]: ts,
    [SIGNATURE_HEADER]: `sha256=${hmac(secret, ts, Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')).toString('hex')}`,
  };
}

export interface VerifyAlertWebhookInput {
  rawBody: RawBody;
  headers: WebhookHeaders;
  secret: string;
  /** Allowed clock skew, seconds (default 300). */
  toleranceSeconds?: number;
  now?: Date;
}

/** Verify a signed alert webhook and return the parsed JSON body. Throws `AuthError` when it does not verify. */
export function verifyAlertWebhook(input: VerifyAlertWebhookInput): unknown {
  const body =
    typeof input.rawBody === 'string'
      ? Buffer.from(input.rawBody, 'utf8')
      : Buffer.isBuffer(input.rawBody)
        ? input.rawBody
        : Buffer.from(input.rawBody as ArrayBuffer);
  const ts = getHeader(input.headers, TIMESTAMP_HEADER);
  const sig = getHeader(input.headers, SIGNATURE_HEADER);
  const fail = (code: string, message: string) =>
    new AuthError({ message: `alert webhook: ${message}`, code, status: 401 });
  if (!ts || !/^\d{1,12}$/.test(ts))
    throw fail('alert_webhook_timestamp_invalid', `missing or malformed ${TIMESTAMP_HEADER}`);
  if (!sig) throw fail('alert_webhook_signature_missing', `missing ${SIGNATURE_HEADER}`);
  const skew = Math.abs((input.now ?? new Date()).getTime() / 1000 - Number(ts));
  if (skew > (input.toleranceSeconds ?? 300))
    throw fail('alert_webhook_timestamp_stale', `timestamp is ${Math.round(skew)} s away from now`);
  const expected = hmac(input.secret, ts, body);
  const hex = sig.replace(/^sha256=/i, '');
  const got = /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, 'hex') : Buffer.alloc(expected.length);
  if (!timingSafeEqual(got, expected) || !/^[0-9a-f]{64}$/i.test(hex))
    throw fail('alert_webhook_signature_invalid', 'signature does not match');
  return JSON.parse(body.toString('utf8'));
}
