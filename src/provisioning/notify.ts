/**
 * Notifications for IT/security: per-person change notifications (planned as `notify` actions),
 * batched by `applyPlan` into one digest per run by default, and rendered as email.
 */
import type {
  ChangeNotification,
  Notification,
  NotificationCategory,
  NotificationDigest,
  SafetyAlert,
} from './types.js';
import { cmp } from './util.js';

const CATEGORY_LABEL: Record<NotificationCategory, string> = {
  account_created: 'account created',
  account_reactivated: 'account reactivated',
  permissions_changed: 'permissions changed',
  deprovisioned: 'deprovisioned',
  deprovision_scheduled: 'deprovisioning scheduled',
  deprovision_canceled: 'scheduled deprovisioning canceled',
  suspended_remote_deleted: 'suspended (HR record deleted)',
  leave_suspended: 'suspended for leave',
  identity_changed: 'identity changed',
  skipped_break_glass: 'skipped (never-touch list)',
  skipped_unknown_status: 'skipped (status UNKNOWN)',
  manual_action_required: 'manual action required',
};

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

/** One digest for a run: items sorted by severity, then person, then category. */
export function buildDigest(
  planId: string,
  items: ChangeNotification[],
  opts: { now?: Date; recipients?: string[] } = {},
): NotificationDigest {
  const sorted = [...items].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      cmp(a.employee.displayName, b.employee.displayName) ||
      cmp(a.employee.id, b.employee.id) ||
      cmp(a.category, b.category),
  );
  const counts: Record<string, number> = {};
  for (const i of sorted) counts[i.category] = (counts[i.category] ?? 0) + 1;
  const recipients = opts.recipients ?? [...new Set(sorted.flatMap((i) => i.recipients))].sort(cmp);
  return {
    kind: 'digest',
    planId,
    createdAt: (opts.now ?? new Date()).toISOString(),
    recipients,
    counts,
    items: sorted,
  };
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Subjects are single-line: CR/LF and other control characters are removed (no header injection). */
function subjectLine(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

function itemLines(i: ChangeNotification): string[] {
  const who = `${i.employee.displayName}${i.employee.email ? ` <${i.employee.email}>` : ''}`;
  const lines = [`[${i.severity.toUpperCase()}] ${CATEGORY_LABEL[i.category]}: ${who}`, `  ${i.summary}`];
  if (i.employee.title || i.employee.department)
    lines.push(`  ${[i.employee.title, i.employee.department].filter(Boolean).join(', ')}`);
  if (i.granted.length) lines.push(`  granted: ${i.granted.map((g) => `${g.type}:${g.value}`).join(', ')}`);
  if (i.revoked.length) lines.push(`  revoked: ${i.revoked.map((g) => `${g.type}:${g.value}`).join(', ')}`);
  if (i.effectiveAt) lines.push(`  effective: ${i.effectiveAt}`);
  for (const d of i.details) lines.push(`  - ${d}`);
  lines.push(`  event: ${i.eventType} ${i.eventId}`);
  return lines;
}

function itemHtml(i: ChangeNotification): string {
  const e = escapeHtml;
  const who = `${e(i.employee.displayName)}${i.employee.email ? ` &lt;${e(i.employee.email)}&gt;` : ''}`;
  const rows: string[] = [
    `<p><strong>${e(i.severity.toUpperCase())}</strong> ${e(CATEGORY_LABEL[i.category])}: ${who}<br>${e(i.summary)}</p>`,
    '<ul>',
  ];
  if (i.employee.title || i.employee.department)
    rows.push(`<li>${e([i.employee.title, i.employee.department].filter(Boolean).join(', '))}</li>`);
  if (i.granted.length)
    rows.push(`<li>granted: ${i.granted.map((g) => `<code>${e(`${g.type}:${g.value}`)}</code>`).join(', ')}</li>`);
  if (i.revoked.length)
    rows.push(`<li>revoked: ${i.revoked.map((g) => `<code>${e(`${g.type}:${g.value}`)}</code>`).join(', ')}</li>`);
  if (i.effectiveAt) rows.push(`<li>effective: ${e(i.effectiveAt)}</li>`);
  for (const d of i.details) rows.push(`<li>${e(d)}</li>`);
  rows.push(`<li>event: ${e(i.eventType)} <code>${e(i.eventId)}</code></li>`, '</ul>');
  return rows.join('\n');
}

function wrapHtml(title: string, body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>\n${body}\n</body></html>\n`;
}

function alertEmail(a: SafetyAlert): EmailContent {
  const subject = subjectLine(`[orgsync] SAFETY STOP: provisioning halted for plan ${a.planId}`);
  const lines = [
    a.message,
    '',
    ...a.breaches.map((b) => `- ${b.threshold}: ${b.actual} (limit ${b.limit})`),
    '',
    `Would be suspended/deleted: ${a.counts.deprovision}${a.samples.deprovision.length ? ` (e.g. ${a.samples.deprovision.join(', ')})` : ''}`,
    `Would change permissions: ${a.counts.permissionChanges}${a.samples.permissionChanges.length ? ` (e.g. ${a.samples.permissionChanges.join(', ')})` : ''}`,
    `Active employees: ${a.counts.activeEmployees}; accounts: ${a.counts.accounts}`,
  ];
  if (a.approvalProvided) lines.push(`An approval was given for ${a.approvalProvided}, which is not this plan.`);
  const e = escapeHtml;
  const html = [
    `<h1>Provisioning halted</h1>`,
    `<p>${e(a.message)}</p>`,
    '<ul>',
    ...a.breaches.map((b) => `<li><code>${e(b.threshold)}</code>: ${b.actual} (limit ${b.limit})</li>`),
    '</ul>',
    `<p>Would be suspended/deleted: ${a.counts.deprovision}${a.samples.deprovision.length ? ` (e.g. ${a.samples.deprovision.map(e).join(', ')})` : ''}<br>`,
    `Would change permissions: ${a.counts.permissionChanges}${a.samples.permissionChanges.length ? ` (e.g. ${a.samples.permissionChanges.map(e).join(', ')})` : ''}<br>`,
    `Active employees: ${a.counts.activeEmployees}; accounts: ${a.counts.accounts}</p>`,
    ...(a.approvalProvided
      ? [`<p>An approval was given for <code>${e(a.approvalProvided)}</code>, which is not this plan.</p>`]
      : []),
  ].join('\n');
  return { subject, text: `${lines.join('\n')}\n`, html: wrapHtml(subject, html) };
}

/**
 * Render a notification (a digest, a single change notification, or a safety alert) as an email.
 * Every value is HTML-escaped in `html`; the subject is a single line.
 */
export function formatNotificationEmail(input: NotificationDigest | Notification): EmailContent {
  if (input.kind === 'safety_alert') return alertEmail(input);
  const digest: NotificationDigest =
    input.kind === 'digest' ? input : buildDigest('(single)', [input], { now: new Date(0) });
  const n = digest.items.length;
  const countText = Object.entries(digest.counts)
    .sort(([a], [b]) => cmp(a, b))
    .map(([k, v]) => `${v} ${CATEGORY_LABEL[k as NotificationCategory] ?? k}`)
    .join(', ');
  const subject =
    input.kind === 'change'
      ? subjectLine(`[orgsync] ${input.employee.displayName}: ${CATEGORY_LABEL[input.category]}`)
      : subjectLine(`[orgsync] ${n} access change${n === 1 ? '' : 's'}${countText ? `: ${countText}` : ''}`);
  const text = [
    input.kind === 'digest'
      ? `Provisioning digest for plan ${digest.planId} (${digest.createdAt})`
      : 'Provisioning notification',
    countText ? `Summary: ${countText}` : 'No changes.',
    '',
    ...digest.items.flatMap((i) => [...itemLines(i), '']),
  ].join('\n');
  const html = [
    `<h1>${escapeHtml(input.kind === 'digest' ? 'Provisioning digest' : 'Provisioning notification')}</h1>`,
    input.kind === 'digest'
      ? `<p>Plan <code>${escapeHtml(digest.planId)}</code>, ${escapeHtml(digest.createdAt)}</p>`
      : '',
    `<p>${escapeHtml(countText || 'No changes.')}</p>`,
    ...digest.items.map(itemHtml),
  ]
    .filter(Boolean)
    .join('\n');
  return { subject, text, html: wrapHtml(subject, html) };
}
