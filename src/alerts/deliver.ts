/**
 * Delivering the IT/security digest and safety alerts to the rule set's channels: email over SMTP
 * (nodemailer), Slack-compatible incoming webhooks and signed generic webhooks, each with retries
 * and exponential backoff (p-retry). Secrets come from the environment by name and are redacted from
 * every error. A delivery never throws: it reports `sent` or `failed` per channel.
 */
import pRetry, { AbortError } from 'p-retry';
import { formatNotificationEmail } from '../provisioning/notify.js';
import { errorMessage } from '../provisioning/util.js';
import { Redactor } from '../redact.js';
import { slackPayload, webhookEnvelope, type AlertNotification } from './render.js';
import type { AlertChannel, AlertKind, EmailChannel, SlackChannel, WebhookChannel } from './schema.js';
import { DELIVERY_HEADER, signAlertWebhook } from './sign.js';

export interface AlertDeliveryOptions {
  /** The rule set's `policy.notifications.channels`. */
  channels: readonly AlertChannel[];
  /** Where `passwordEnv`, `urlEnv`, `secretEnv` are looked up. Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Retries after the first try (default 3); 4xx answers other than 408/429 are not retried. */
  retries?: number;
  retryDelay?: { minMs?: number; maxMs?: number; factor?: number };
  /** Per attempt (default 15000). */
  timeoutMs?: number;
  now?: () => Date;
}

export interface DeliveryOutcome {
  channel: string;
  type: AlertChannel['type'];
  kind: AlertKind;
  status: 'sent' | 'failed' | 'already_sent';
  attempts: number;
  /** Redacted. */
  error?: string;
  /** SMTP message id or HTTP status. */
  detail?: string;
}

export function channelId(c: AlertChannel, index: number): string {
  return c.id ?? `${c.type}-${index}`;
}

export function channelWants(c: AlertChannel, kind: AlertKind): boolean {
  return (c.kinds ?? ['digest', 'safety_alert']).includes(kind);
}

/** Every secret the channels name, from `env` (for redaction). */
export function channelSecrets(channels: readonly AlertChannel[], env: Record<string, string | undefined>): Redactor {
  const r = new Redactor();
  for (const c of channels) {
    const names = c.type === 'email' ? [c.smtp.passwordEnv] : c.type === 'slack' ? [c.urlEnv] : [c.urlEnv, c.secretEnv];
    for (const n of names) if (n) r.add(env[n]);
  }
  return r;
}

class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

function need(env: Record<string, string | undefined>, name: string, what: string): string {
  const v = env[name];
  if (!v) throw new DeliveryError(`${what}: environment variable ${name} is not set`, false);
  return v;
}

async function sendEmail(
  c: EmailChannel,
  n: AlertNotification,
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<string> {
  const to = c.to?.length ? c.to : n.recipients;
  if (!to.length)
    throw new DeliveryError('email: no recipients (set "to" on the channel or notifications.recipients)', false);
  const user = c.smtp.user ?? (c.smtp.userEnv ? need(env, c.smtp.userEnv, 'email') : undefined);
  const pass = c.smtp.passwordEnv ? need(env, c.smtp.passwordEnv, 'email') : undefined;
  // Loaded on first use: importing orgsync does not load the mailer.
  const nodemailer = (await import('nodemailer')).default;
  const transport = nodemailer.createTransport({
    host: c.smtp.host,
    port: c.smtp.port,
    secure: c.smtp.security === 'tls',
    requireTLS: c.smtp.security === 'starttls',
    ignoreTLS: c.smtp.security === 'none',
    ...(user && pass ? { auth: { user, pass } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const mail = formatNotificationEmail(n);
    const info = await transport.sendMail({
      from: c.from,
      to: [...to],
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    });
    if (info.rejected?.length && !info.accepted?.length)
      throw new DeliveryError(`email: all recipients rejected`, false);
    return String(info.messageId ?? '');
  } catch (e) {
    if (e instanceof DeliveryError) throw e;
    const code = (e as { responseCode?: number }).responseCode;
    // 5xx SMTP replies (bad auth, rejected recipient) will not get better on retry; 4xx and network errors may.
    throw new DeliveryError(`email: ${errorMessage(e)}`, !(code !== undefined && code >= 500));
  } finally {
    transport.close();
  }
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  what: string,
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'orgsync-alerts', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    throw new DeliveryError(`${what}: ${errorMessage(e)}`, true);
  }
  const text = (await res.text().catch(() => '')).slice(0, 200);
  if (res.ok) return `HTTP ${res.status}`;
  throw new DeliveryError(
    `${what}: HTTP ${res.status}${text ? ` ${text}` : ''}`,
    res.status >= 500 || res.status === 408 || res.status === 429,
  );
}

async function sendOnce(
  c: AlertChannel,
  n: AlertNotification,
  deliveryId: string,
  env: Record<string, string | undefined>,
  timeoutMs: number,
  now: Date,
): Promise<string> {
  switch (c.type) {
    case 'email':
      return sendEmail(c, n, env, timeoutMs);
    case 'slack': {
      const url = need(env, (c as SlackChannel).urlEnv, 'slack');
      return post(url, JSON.stringify(slackPayload(n)), {}, timeoutMs, 'slack');
    }
    case 'webhook': {
      const w = c as WebhookChannel;
      const url = need(env, w.urlEnv, 'webhook');
      const secret = need(env, w.secretEnv, 'webhook');
      const body = JSON.stringify(webhookEnvelope(n, deliveryId));
      return post(
        url,
        body,
        { ...signAlertWebhook(body, secret, now), [DELIVERY_HEADER]: deliveryId },
        timeoutMs,
        'webhook',
      );
    }
  }
}

/**
 * Deliver one notification to one channel with retries. `deliveryId` is stable across re-runs (the
 * generic webhook sends it as `X-Orgsync-Delivery` so receivers can drop duplicates).
 */
export async function deliverToChannel(
  channel: AlertChannel,
  index: number,
  n: AlertNotification,
  deliveryId: string,
  opts: Omit<AlertDeliveryOptions, 'channels'> = {},
): Promise<DeliveryOutcome> {
  const env = opts.env ?? process.env;
  const redactor = channelSecrets([channel], env);
  const kind: AlertKind = n.kind === 'safety_alert' ? 'safety_alert' : 'digest';
  let attempts = 0;
  const base = { channel: channelId(channel, index), type: channel.type, kind };
  try {
    const detail = await pRetry(
      async () => {
        attempts++;
        try {
          return await sendOnce(
            channel,
            n,
            deliveryId,
            env,
            opts.timeoutMs ?? 15_000,
            (opts.now ?? (() => new Date()))(),
          );
        } catch (e) {
          if (e instanceof DeliveryError && !e.retryable) throw new AbortError(e.message);
          throw e instanceof Error ? e : new Error(String(e));
        }
      },
      {
        retries: opts.retries ?? 3,
        factor: opts.retryDelay?.factor ?? 2,
        minTimeout: opts.retryDelay?.minMs ?? 500,
        maxTimeout: opts.retryDelay?.maxMs ?? 10_000,
        randomize: false,
      },
    );
    return { ...base, status: 'sent', attempts, detail: redactor.redact(detail) };
  } catch (e) {
    const msg = redactor.redact(errorMessage(e, Number.MAX_SAFE_INTEGER));
    return { ...base, status: 'failed', attempts, error: msg.length > 500 ? `${msg.slice(0, 500)}…` : msg };
  }
}

/** Deliver a digest or safety alert to every channel that wants it (in parallel). Never throws. */
export async function deliverAlert(
  n: AlertNotification,
  opts: AlertDeliveryOptions,
  deliveryId = `${n.kind}:${n.planId}:${n.createdAt}`,
): Promise<DeliveryOutcome[]> {
  const kind: AlertKind = n.kind === 'safety_alert' ? 'safety_alert' : 'digest';
  const jobs = opts.channels
    .map((c, i) => (channelWants(c, kind) ? deliverToChannel(c, i, n, `${deliveryId}:${channelId(c, i)}`, opts) : null))
    .filter((j): j is Promise<DeliveryOutcome> => j !== null);
  return Promise.all(jobs);
}
