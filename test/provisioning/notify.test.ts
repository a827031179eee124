import { describe, expect, it } from 'vitest';
import {
  buildDigest,
  checkSafety,
  formatNotificationEmail,
  planProvisioning,
  type ChangeNotification,
  type RuleSetInput,
} from '../../src/provisioning/index.js';
import { emp, ev, loadExample, snap } from './helpers.js';

const base = (o: Partial<ChangeNotification>): ChangeNotification => ({
  kind: 'change',
  category: 'permissions_changed',
  severity: 'info',
  employee: {
    id: 'e1',
    displayName: 'Ann Lee',
    email: 'ann@acme.example',
    title: 'Engineer',
    department: 'Engineering',
  },
  eventId: 'evt-1',
  eventType: 'GROUP_CHANGE',
  summary: 'Ann Lee: permissions changed',
  granted: [{ type: 'permission', value: 'repo:write' }],
  revoked: [{ type: 'group', value: 'sales' }],
  effectiveAt: null,
  details: [],
  recipients: ['it@acme.example'],
  ...o,
});

describe('digest', () => {
  it('one digest per run: most severe first, counted by category', () => {
    const d = buildDigest(
      'plan_x',
      [
        base({}),
        base({
          category: 'deprovisioned',
          severity: 'critical',
          employee: { ...base({}).employee, id: 'e2', displayName: 'Zed' },
        }),
        base({
          category: 'account_created',
          employee: { ...base({}).employee, id: 'e3', displayName: 'Bea' },
          recipients: ['security@acme.example'],
        }),
      ],
      { now: new Date('2025-03-02T12:00:00Z') },
    );
    expect(d.items.map((i) => i.employee.displayName)).toEqual(['Zed', 'Ann Lee', 'Bea']);
    expect(d.counts).toEqual({ deprovisioned: 1, permissions_changed: 1, account_created: 1 });
    expect(d.recipients).toEqual(['it@acme.example', 'security@acme.example']);
    expect(d.createdAt).toBe('2025-03-02T12:00:00.000Z');
  });
});

describe('formatNotificationEmail', () => {
  const evil = base({
    employee: {
      id: 'e9',
      displayName: '<script>alert("x")</script> O\'Brien & Co\r\nBcc: attacker@evil.example',
      email: 'a"b@acme.example',
      title: '<b>CEO</b>',
      department: null,
    },
    summary: 'moved to <img src=x onerror=alert(1)>',
    granted: [{ type: 'permission', value: '<admin>' }],
    details: ['"quoted" & <tagged>'],
  });

  it('HTML-escapes every value, keeps the text readable, and the subject on one line', () => {
    const mail = formatNotificationEmail(buildDigest('plan_<1>', [evil], { now: new Date(0) }));
    expect(mail.html).not.toMatch(/<script>|<img|<b>CEO|<admin>|<tagged>/);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).toContain('<code>permission:&lt;admin&gt;</code>');
    expect(mail.html).toContain('plan_&lt;1&gt;');
    expect(mail.text).toContain('<script>alert("x")</script>');
    expect(mail.text).toContain('granted: permission:<admin>');
    expect(mail.subject).toBe('[orgsync] 1 access change: 1 permissions changed');
    expect(formatNotificationEmail(evil).subject).not.toMatch(/[\r\n]/);
    expect(formatNotificationEmail(evil).subject).toContain('Bcc: attacker'); // flattened into the one line, not a header
  });

  it('renders a safety alert', () => {
    const leavers = Array.from({ length: 3 }, (_, i) =>
      emp(`l${i}`, { employmentStatus: 'TERMINATED', terminationDate: '2025-03-01', displayName: `<L${i}>` }),
    );
    const actives = leavers.map((l) => ({ ...l, employmentStatus: 'ACTIVE' as const, terminationDate: null }));
    const plan = planProvisioning(
      leavers.map((l, i) => ev('TERMINATION', l, actives[i])),
      loadExample('department-access') as RuleSetInput,
      {
        previous: snap([...actives, emp('x')]),
        current: snap([...leavers, emp('x')]),
        now: new Date('2025-03-02T12:00:00Z'),
      },
    );
    const { alert } = checkSafety(plan, { now: new Date('2025-03-02T12:00:00Z') });
    const mail = formatNotificationEmail(alert!);
    expect(mail.subject).toBe(`[orgsync] SAFETY STOP: provisioning halted for plan ${plan.planId}`);
    expect(mail.text).toContain('maxDeprovisionPercent: 75 (limit 10)');
    expect(mail.text).toContain('Would be suspended/deleted: 3 (e.g. <L0>, <L1>, <L2>)');
    expect(mail.html).toContain('&lt;L0&gt;');
    expect(mail.html).not.toContain('<L0>');
  });
});
