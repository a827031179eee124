/**
 * Alert channels, configured per rule set (`policy.notifications.channels`): where the IT/security
 * digest and safety alerts are delivered. Secrets never appear here: SMTP passwords, webhook URLs
 * and signing secrets are named by environment variable.
 */
import { z } from 'zod';

const EnvNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an environment variable name (letters, digits, "_")');
const ChannelIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'channel ids use letters, digits, "_", "-", "." (max 64)');
export const AlertKindSchema = z.enum(['digest', 'safety_alert']);
export type AlertKind = z.infer<typeof AlertKindSchema>;

const base = {
  /** Stable id (journal keys use it): defaults to `<type>-<index>`. */
  id: ChannelIdSchema.optional(),
  /** What this channel receives. Default: both. */
  kinds: z.array(AlertKindSchema).min(1).optional().describe('digest, safety_alert (default: both)'),
};

export const EmailChannelSchema = z.strictObject({
  type: z.literal('email'),
  ...base,
  /** Recipients; default: the notification's recipients (`recipients` / `alertRecipients`). */
  to: z.array(z.string().email()).optional(),
  from: z.string().min(3),
  smtp: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** `starttls` (default): upgrade and require TLS; `tls`: TLS from the first byte (port 465); `none`: plain (loopback relays only). */
    security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
    user: z.string().min(1).optional(),
    /** Environment variable holding the user name (instead of `user`). */
    userEnv: EnvNameSchema.optional(),
    /** Environment variable holding the password, e.g. ORGSYNC_SMTP_PASSWORD. */
    passwordEnv: EnvNameSchema.optional(),
  }),
});

export const SlackChannelSchema = z.strictObject({
  type: z.literal('slack'),
  ...base,
  /** Environment variable holding the incoming-webhook URL (the URL is a secret). */
  urlEnv: EnvNameSchema,
});

export const WebhookChannelSchema = z.strictObject({
  type: z.literal('webhook'),
  ...base,
  /** Environment variable holding the endpoint URL. */
  urlEnv: EnvNameSchema,
  /** Environment variable holding the HMAC-SHA256 signing secret. */
  secretEnv: EnvNameSchema,
});

export const AlertChannelSchema = z.discriminatedUnion('type', [
  EmailChannelSchema,
  SlackChannelSchema,
  WebhookChannelSchema,
]);
export type AlertChannel = z.infer<typeof AlertChannelSchema>;
export type AlertChannelInput = z.input<typeof AlertChannelSchema>;
export type EmailChannel = z.infer<typeof EmailChannelSchema>;
export type SlackChannel = z.infer<typeof SlackChannelSchema>;
export type WebhookChannel = z.infer<typeof WebhookChannelSchema>;

export const AlertChannelsSchema = z
  .array(AlertChannelSchema)
  .default([])
  .superRefine((chs, ctx) => {
    const seen = new Set<string>();
    chs.forEach((c, i) => {
      const id = c.id ?? `${c.type}-${i}`;
      if (seen.has(id)) ctx.addIssue({ code: 'custom', message: `duplicate channel id "${id}"`, path: [i, 'id'] });
      seen.add(id);
    });
  });
