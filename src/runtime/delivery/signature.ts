/**
 * Signing of outbound event deliveries: the same scheme as orgsync's signed alert webhooks
 * (src/alerts/sign.ts), reused, not re-implemented:
 *
 *   X-Orgsync-Timestamp: <unix seconds>
 *   X-Orgsync-Signature: sha256=<hex HMAC-SHA256(endpoint secret, "<timestamp>.<raw body>")>
 *   X-Orgsync-Delivery:  <delivery id>
 *
 * Receivers call `verifyEventDelivery({ rawBody, headers, secret })`: it checks the signature in
 * constant time, refuses a timestamp more than 5 minutes away (replay), and returns the parsed body.
 */
import {
  signAlertWebhook,
  verifyAlertWebhook,
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '../../alerts/sign.js';
import { AuthError, OrgsyncError } from '../../errors.js';
import type { RawBody, WebhookHeaders } from '../../webhooks.js';
import type { RuntimeEventType } from '../types.js';

export { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER };

/** One event as delivered; `id` (`<tenant>:<offset>`) is stable across retries and redeliveries: dedupe on it. */
export interface DeliveredEvent {
  id: string;
  tenantId: string;
  offset: number;
  type: RuntimeEventType;
  at: number;
  data: unknown;
}

/** The JSON body of a delivery (a batch of one tenant's events, in offset order). */
export interface EventDeliveryBody {
  deliveryId: string;
  endpointId: string;
  tenantId: string;
  /** 1 on the first try; a redelivery of a dead letter says `redelivery: true`. */
  attempt: number;
  redelivery?: boolean;
  events: DeliveredEvent[];
}

export function signEventDelivery(
  body: string,
  secret: string,
  deliveryId: string,
  now = new Date(),
): Record<string, string> {
  return { ...signAlertWebhook(body, secret, now), [DELIVERY_HEADER]: deliveryId };
}

export interface VerifyEventDeliveryInput {
  rawBody: RawBody;
  headers: WebhookHeaders;
  secret: string;
  /** Allowed clock difference, seconds (default 300). */
  toleranceSeconds?: number;
  now?: Date;
}

/** Verify a delivery and return its body; throws `AuthError` (`event_delivery_*` codes) when it does not verify. */
export function verifyEventDelivery(input: VerifyEventDeliveryInput): EventDeliveryBody {
  try {
    return verifyAlertWebhook(input) as EventDeliveryBody;
  } catch (e) {
    if (!(e instanceof OrgsyncError) || e.kind !== 'auth') throw e;
    throw new AuthError({
      message: e.message.replace(/^alert webhook:/, 'event delivery:'),
      code: String(e.code ?? 'alert_webhook_signature_invalid').replace(/^alert_webhook_/, 'event_delivery_'),
      status: 401,
    });
  }
}
