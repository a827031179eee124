/**
 * Delivery from `applyPlan`: after the run's actions are journaled, the digest or safety alert goes
 * to each channel once. Each (notification, channel) pair has a journal key; a delivery journaled
 * `done` is never sent again (a re-run reports it `already_sent`), a failed one is retried by the next
 * run that produces the same notification. Nothing here can fail the run: journal errors while
 * recording a delivery are reported on that delivery.
 */
import type { Journal } from '../provisioning/journal.js';
import { canonicalJson, errorMessage, sha256Hex } from '../provisioning/util.js';
import {
  channelId,
  channelWants,
  deliverToChannel,
  type AlertDeliveryOptions,
  type DeliveryOutcome,
} from './deliver.js';
import type { AlertNotification } from './render.js';

export function deliveryKey(notificationKey: string, channel: string): string {
  return `ik_delivery_${sha256Hex(canonicalJson([notificationKey, channel])).slice(0, 32)}`;
}

export async function deliverJournaled(
  n: AlertNotification,
  notificationKey: string,
  opts: AlertDeliveryOptions,
  journal: Journal,
  isDone: (key: string) => boolean,
): Promise<DeliveryOutcome[]> {
  const kind = n.kind === 'safety_alert' ? 'safety_alert' : 'digest';
  const out: DeliveryOutcome[] = [];
  await Promise.all(
    opts.channels.map(async (c, i) => {
      if (!channelWants(c, kind)) return;
      const id = channelId(c, i);
      const key = deliveryKey(notificationKey, id);
      if (isDone(key)) {
        out.push({ channel: id, type: c.type, kind, status: 'already_sent', attempts: 0 });
        return;
      }
      try {
        await journal.markStarted(key);
      } catch (e) {
        out.push({
          channel: id,
          type: c.type,
          kind,
          status: 'failed',
          attempts: 0,
          error: `not sent: journal: ${errorMessage(e)}`,
        });
        return;
      }
      const r = await deliverToChannel(c, i, n, key, opts);
      try {
        if (r.status === 'sent')
          await journal.markDone(key, { channel: id, kind, ...(r.detail ? { detail: r.detail } : {}) });
        else await journal.markFailed(key, r.error ?? 'failed');
      } catch (e) {
        r.error = `${r.error ? `${r.error}; ` : ''}journal: ${errorMessage(e)}`;
      }
      out.push(r);
    }),
  );
  return out.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
}
