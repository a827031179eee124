/**
 * Message bodies for the non-email channels: a Slack-compatible incoming-webhook payload (`text`
 * plus Block Kit `blocks`) and the generic webhook's JSON envelope. Email uses
 * `formatNotificationEmail` (src/provisioning/notify.ts).
 */
import { formatNotificationEmail } from '../provisioning/notify.js';
import type { NotificationDigest, SafetyAlert } from '../provisioning/types.js';

export type AlertNotification = NotificationDigest | SafetyAlert;

/** Slack mrkdwn escaping: only &, < and > are special. */
function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const MAX_SECTION = 2900; // Slack's limit for a section's text is 3000 characters.

export function slackPayload(n: AlertNotification): { text: string; blocks: unknown[] } {
  const { subject, text } = formatNotificationEmail(n);
  const headline = subject.replace(/^\[orgsync\]\s*/, '');
  const body = text.length > MAX_SECTION ? `${text.slice(0, MAX_SECTION)}…` : text;
  return {
    text: `${n.kind === 'safety_alert' ? ':rotating_light: ' : ''}${headline}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline.slice(0, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: '```' + mrkdwn(body).replace(/```/g, "'''") + '```' } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `plan \`${mrkdwn(n.planId)}\` · ${mrkdwn(n.createdAt)}` }],
      },
    ],
  };
}

export function webhookEnvelope(
  n: AlertNotification,
  deliveryId: string,
): { type: string; id: string; createdAt: string; planId: string; subject: string; data: AlertNotification } {
  return {
    type: n.kind === 'safety_alert' ? 'orgsync.safety_alert' : 'orgsync.digest',
    id: deliveryId,
    createdAt: n.createdAt,
    planId: n.planId,
    subject: formatNotificationEmail(n).subject,
    data: n,
  };
}
