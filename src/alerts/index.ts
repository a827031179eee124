/** Alert delivery channels (email, Slack, signed webhooks). See docs/alerts.md. */
export {
  AlertChannelSchema,
  AlertChannelsSchema,
  AlertKindSchema,
  EmailChannelSchema,
  SlackChannelSchema,
  WebhookChannelSchema,
  type AlertChannel,
  type AlertChannelInput,
  type AlertKind,
  type EmailChannel,
  type SlackChannel,
  type WebhookChannel,
} from './schema.js';
export {
  deliverAlert,
  deliverToChannel,
  channelId,
  type AlertDeliveryOptions,
  type DeliveryOutcome,
} from './deliver.js';
export { deliveryKey } from './journaled.js';
export { slackPayload, webhookEnvelope, type AlertNotification } from './render.js';
export {
  signAlertWebhook,
  verifyAlertWebhook,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DELIVERY_HEADER,
  type VerifyAlertWebhookInput,
} from './sign.js';
