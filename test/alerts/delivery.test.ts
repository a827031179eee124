/**
 * Alerts that arrive: applyPlan delivers the digest and safety alerts to the rule set's channels,
 * tested against real servers on loopback: an SMTP server (smtp-server) and node:http endpoints for
 * the Slack-compatible and the signed generic webhook.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliverAlert, verifyAlertWebhook, type AlertChannelInput } from '../../src/alerts/index.js';
import { AuthError } from '../../src/errors.js';
import {
  applyPlan,
  FileJournal,
  formatNotificationEmail,
  parseRuleSet,
  planProvisioning,
  type RuleSetInput,
} from '../../src/provisioning/index.js';
import { emp, ev, loadExample, recordingHandlers, snap } from '../provisioning/helpers.js';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/cli.js';

const NOW = new Date('2025-03-02T12:00:00Z');
const fast = { retryDelay: { minMs: 1, maxMs: 5 } };
const PASSWORD = 'smtp-pa55word-XYZ';
const SLACK_PATH = '/services/T000/B000/slack-secret-path-123';
const WEBHOOK_SECRET = 'whsec_alerts_signing_secret_456';

interface Mail {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
}

let smtp: SMTPServer;
let smtpPort = 0;
const mails: Mail[] = [];
let hooks: http.Server;
let hookBase = '';
const posts: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }> = [];
/** Per path: statuses to answer, in order (then 200). */
const script = new Map<string, number[]>();
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orgsync-alerts-'));
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'orgsync' && auth.password === PASSWORD) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  hooks = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const queue = script.get(req.url ?? '') ?? [];
      const status = queue.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));
  hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => smtp.close(() => r()));
  await new Promise<void>((r) => hooks.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  mails.length = 0;
  posts.length = 0;
  script.clear();
});

const CHANNELS: AlertChannelInput[] = [
  {
    type: 'email',
    id: 'it-mail',
    from: 'orgsync@acme.example',
    smtp: { host: '127.0.0.1', port: 0, security: 'none', user: 'orgsync', passwordEnv: 'ORGSYNC_SMTP_PASSWORD' },
  },
  { type: 'slack', id: 'it-slack', urlEnv: 'ORGSYNC_SLACK_WEBHOOK_URL' },
  { type: 'webhook', id: 'siem', urlEnv: 'ORGSYNC_ALERT_WEBHOOK_URL', secretEnv: 'ORGSYNC_ALERT_WEBHOOK_SECRET' },
];

function ruleSet(extra: { thresholds?: Record<string, number>; channels?: AlertChannelInput[] } = {}) {
  const base = loadExample('department-access') as RuleSetInput & { policy?: Record<string, unknown> };
  const channels = (extra.channels ?? CHANNELS).map((c) =>
    c.type === 'email' && c.smtp.port === 0 ? { ...c, smtp: { ...c.smtp, port: smtpPort } } : c,
  );
  return parseRuleSet({
    ...base,
    policy: {
      ...(base.policy ?? {}),
      ...(extra.thresholds ? { thresholds: extra.thresholds } : {}),
      notifications: {
        recipients: ['it@acme.example', 'ops@acme.example'],
        alertRecipients: ['security@acme.example'],
        channels,
      },
    },
  });
}

function env(): Record<string, string> {
  return {
    ORGSYNC_SMTP_PASSWORD: PASSWORD,
    ORGSYNC_SLACK_WEBHOOK_URL: `${hookBase}${SLACK_PATH}`,
    ORGSYNC_ALERT_WEBHOOK_URL: `${hookBase}/siem`,
    ORGSYNC_ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };
}

/** A hire, a move and `terminations` leavers among 40 people. */
function plan(rs: ReturnType<typeof ruleSet>, terminations = 1) {
  const fillers = Array.from({ length: 40 }, (_, i) => emp(`f${String(i).padStart(2, '0')}`, { groupIds: ['g-fin'] }));
  const hire = emp('hana', {
    firstName: 'Hana',
    displayName: 'Hana <b>Ito</b>',
    groupIds: ['g-eng'],
    startDate: '2025-03-01',
  });
  const bob0 = emp('bob', { groupIds: ['g-sales'] });
  const bob1 = emp('bob', { groupIds: ['g-eng'] });
  const events = [ev('HIRE', hire), ev('GROUP_CHANGE', bob1, bob0)];
  const cur = [...fillers.slice(terminations), hire, bob1];
  for (const f of fillers.slice(0, terminations)) {
    const gone = { ...f, employmentStatus: 'TERMINATED' as const, terminationDate: '2025-03-01' };
    cur.push(gone);
    events.push(ev('TERMINATION', gone, f, { effectiveDate: '2025-03-01' }));
  }
  return planProvisioning(events, rs, { previous: snap([...fillers, bob0]), current: snap(cur), now: NOW });
}

function secretsIn(text: string): string[] {
  return [PASSWORD, SLACK_PATH, WEBHOOK_SECRET].filter((s) => text.includes(s));
}

describe('alert delivery from applyPlan', () => {
  it('emails the digest over SMTP (subject, text and HTML parts, recipients), posts it to Slack and a signed webhook; once', async () => {
    const rs = ruleSet();
    const p = plan(rs);
    const journalFile = join(dir, 'digest.journal.json');
    const { handlers } = recordingHandlers();
    const res = await applyPlan(p, handlers, {
      journal: new FileJournal(journalFile),
      now: NOW,
      ...fast,
      alerts: { channels: rs.policy.notifications.channels, env: env(), ...fast },
    });
    expect(res.failed).toEqual([]);
    expect(res.digest).not.toBeNull();
    expect(res.deliveries.map((d) => [d.channel, d.kind, d.status])).toEqual([
      ['it-mail', 'digest', 'sent'],
      ['it-slack', 'digest', 'sent'],
      ['siem', 'digest', 'sent'],
    ]);

    // The email, as the SMTP server received it.
    expect(mails).toHaveLength(1);
    const m = mails[0]!;
    expect(m.user).toBe('orgsync');
    expect(m.from).toBe('orgsync@acme.example');
    expect(m.to.sort()).toEqual(['it@acme.example', 'ops@acme.example']);
    const parsed = await simpleParser(m.raw);
    const expected = formatNotificationEmail(res.digest!);
    expect(parsed.subject).toBe(expected.subject);
    expect(parsed.subject).toMatch(/^\[orgsync\] \d+ access changes?/);
    expect((parsed.to as AddressObject).value.map((a) => a.address).sort()).toEqual([
      'it@acme.example',
      'ops@acme.example',
    ]);
    expect(parsed.text?.trim()).toBe(expected.text.trim());
    expect(parsed.text).toContain('Hana <b>Ito</b>');
    expect(parsed.html).toContain('Hana &lt;b&gt;Ito&lt;/b&gt;');
    expect(parsed.html).not.toContain('<b>Ito</b>');

    // Slack: incoming-webhook JSON with text and Block Kit blocks.
    const slack = posts.find((x) => x.path === SLACK_PATH)!;
    expect(slack.headers['content-type']).toBe('application/json');
    const sb = JSON.parse(slack.body);
    expect(sb.text).toBe(expected.subject.replace('[orgsync] ', ''));
    expect(sb.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'context']);
    expect(sb.blocks[1].text.text).toContain('Hana &lt;b&gt;Ito&lt;/b&gt;');

    // Generic webhook: signed; verifies with the shared secret, not with another; stale is refused.
    const hook = posts.find((x) => x.path === '/siem')!;
    const body = verifyAlertWebhook({ rawBody: hook.body, headers: hook.headers, secret: WEBHOOK_SECRET }) as {
      type: string;
      planId: string;
      id: string;
    };
    expect(body.type).toBe('orgsync.digest');
    expect(body.planId).toBe(p.planId);
    expect(hook.headers['x-orgsync-delivery']).toBe(body.id);
    expect(() => verifyAlertWebhook({ rawBody: hook.body, headers: hook.headers, secret: 'wrong-secret' })).toThrow(
      AuthError,
    );
    expect(() =>
      verifyAlertWebhook({
        rawBody: hook.body.replace('orgsync.digest', 'orgsync.digesT'),
        headers: hook.headers,
        secret: WEBHOOK_SECRET,
      }),
    ).toThrow(/does not match/);
    expect(() =>
      verifyAlertWebhook({
        rawBody: hook.body,
        headers: hook.headers,
        secret: WEBHOOK_SECRET,
        now: new Date(Date.now() + 3600_000),
      }),
    ).toThrow(/away from now/);

    // Secrets: not in the plan, not in the journal, not in the result.
    expect(secretsIn(JSON.stringify(p))).toEqual([]);
    expect(secretsIn(readFileSync(journalFile, 'utf8'))).toEqual([]);
    expect(secretsIn(JSON.stringify(res))).toEqual([]);

    // A re-run does nothing again and sends nothing again.
    const again = await applyPlan(p, handlers, {
      journal: new FileJournal(journalFile),
      now: NOW,
      ...fast,
      alerts: { channels: rs.policy.notifications.channels, env: env(), ...fast },
    });
    expect(again.done).toEqual([]);
    expect(again.deliveries).toEqual([]);
    expect(mails).toHaveLength(1);
    expect(posts).toHaveLength(2);
  });

  it('a failing channel is retried with backoff, then reported in the result; provisioning is neither blocked nor repeated', async () => {
    const rs = ruleSet();
    const p = plan(rs);
    script.set('/siem', [503, 502]); // two transient failures, then 200
    script.set(SLACK_PATH, [404, 404, 404, 404]); // permanent: not retried
    const journal = new FileJournal(join(dir, 'fail.journal.json'));
    const { handlers, calls } = recordingHandlers();
    const e = { ...env(), ORGSYNC_SMTP_PASSWORD: 'wrong-password-000' };
    const res = await applyPlan(p, handlers, {
      journal,
      now: NOW,
      ...fast,
      alerts: { channels: rs.policy.notifications.channels, env: e, retries: 3, ...fast },
    });
    expect(res.failed).toEqual([]);
    expect(res.done.length).toBeGreaterThan(0);
    const by = Object.fromEntries(res.deliveries.map((d) => [d.channel, d]));
    expect(by['siem']).toMatchObject({ status: 'sent', attempts: 3 });
    expect(by['it-slack']).toMatchObject({ status: 'failed', attempts: 1 });
    expect(by['it-slack']!.error).toContain('HTTP 404');
    expect(by['it-slack']!.error).not.toContain('slack-secret-path');
    expect(by['it-mail']).toMatchObject({ status: 'failed' });
    expect(by['it-mail']!.error).toMatch(/Invalid username or password|auth/i);
    expect(by['it-mail']!.error).not.toContain('wrong-password-000');
    expect(mails).toHaveLength(0);
    const handlerCalls = calls.length;
    // Re-run: no provisioning action runs twice, nothing is re-sent.
    const again = await applyPlan(p, handlers, {
      journal,
      now: NOW,
      ...fast,
      alerts: { channels: rs.policy.notifications.channels, env: env(), ...fast },
    });
    expect(calls.length).toBe(handlerCalls);
    expect(again.done).toEqual([]);
    expect(posts.filter((x) => x.path === '/siem')).toHaveLength(3);
  });

  it('a safety stop alerts every channel once; a re-run retries only the channel that failed', async () => {
    const rs = ruleSet({ thresholds: { maxDeprovisionCount: 2 } });
    const p = plan(rs, 5);
    const journal = new FileJournal(join(dir, 'alert.journal.json'));
    const { handlers, calls } = recordingHandlers();
    script.set('/siem', [500, 500, 500, 500, 500, 500, 500, 500]);
    const opts = {
      journal,
      now: NOW,
      ...fast,
      alerts: { channels: rs.policy.notifications.channels, env: env(), retries: 1, ...fast },
    };
    const res = await applyPlan(p, handlers, opts);
    expect(res.halted).not.toBeNull();
    expect(calls.filter((c) => c.type !== 'notify')).toEqual([]);
    expect(res.deliveries.map((d) => [d.channel, d.kind, d.status])).toEqual([
      ['it-mail', 'safety_alert', 'sent'],
      ['it-slack', 'safety_alert', 'sent'],
      ['siem', 'safety_alert', 'failed'],
    ]);
    expect(res.deliveries.find((d) => d.channel === 'siem')!.attempts).toBe(2);
    const parsed = await simpleParser(mails[0]!.raw);
    expect(parsed.subject).toBe(`[orgsync] SAFETY STOP: provisioning halted for plan ${p.planId}`);
    expect(mails[0]!.to).toEqual(['security@acme.example']);
    expect(parsed.text).toContain('maxDeprovisionCount: 5 (limit 2)');
    expect(parsed.html).toContain('<h1>Provisioning halted</h1>');

    script.clear();
    const again = await applyPlan(p, handlers, opts);
    expect(again.halted).not.toBeNull();
    expect(again.deliveries.map((d) => [d.channel, d.status])).toEqual([
      ['it-mail', 'already_sent'],
      ['it-slack', 'already_sent'],
      ['siem', 'sent'],
    ]);
    expect(mails).toHaveLength(1);
    expect(posts.filter((x) => x.path === SLACK_PATH)).toHaveLength(1);
    const last = posts.filter((x) => x.path === '/siem').at(-1)!;
    expect(
      (verifyAlertWebhook({ rawBody: last.body, headers: last.headers, secret: WEBHOOK_SECRET }) as { type: string })
        .type,
    ).toBe('orgsync.safety_alert');
  });

  it('an unset environment variable or an unreachable server is a failed delivery with a clear reason', async () => {
    const rs = ruleSet({
      channels: [
        { type: 'slack', id: 's', urlEnv: 'ORGSYNC_NOT_SET' },
        {
          type: 'email',
          id: 'm',
          from: 'a@b.example',
          to: ['x@b.example'],
          smtp: { host: '127.0.0.1', port: 1, security: 'none' },
        },
      ],
    });
    const p = plan(rs);
    const digest = {
      kind: 'digest' as const,
      planId: p.planId,
      createdAt: NOW.toISOString(),
      recipients: [],
      counts: {},
      items: [],
    };
    const out = await deliverAlert(digest, {
      channels: rs.policy.notifications.channels,
      env: {},
      retries: 1,
      ...fast,
      timeoutMs: 2000,
    });
    expect(out.find((o) => o.channel === 's')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'slack: environment variable ORGSYNC_NOT_SET is not set',
    });
    expect(out.find((o) => o.channel === 'm')).toMatchObject({ status: 'failed', attempts: 2 });
    expect(out.find((o) => o.channel === 'm')!.error).toMatch(/ECONNREFUSED/);
  });

  it('orgsync apply --rules delivers to the rule set channels with secrets from the environment', async () => {
    const rs = ruleSet();
    const p = plan(rs);
    const planFile = join(dir, 'cli-plan.json');
    const rulesFile = join(dir, 'cli-rules.json');
    writeFileSync(planFile, JSON.stringify(p));
    writeFileSync(rulesFile, JSON.stringify({ ...rs, policy: { ...rs.policy } }));
    const cap = captureIo(env());
    expect(await main(['apply', planFile, '--rules', rulesFile, '--now', NOW.toISOString()], cap.io)).toBe(0);
    expect(cap.errText()).toContain('alert digest -> it-mail (email): sent');
    expect(cap.errText()).toContain('alert digest -> siem (webhook): sent');
    expect(mails).toHaveLength(1);
    expect((await simpleParser(mails[0]!.raw)).subject).toMatch(/^\[orgsync\] \d+ access change/);
    expect(secretsIn(readFileSync(join(dir, 'cli-plan.journal.json'), 'utf8'))).toEqual([]);
  });

  it('channels are delivery settings: adding or changing them leaves the planId (and approvals) alone', () => {
    const a = plan(ruleSet({ channels: [] }));
    const b = plan(ruleSet());
    expect(b.planId).toBe(a.planId);
    expect(b.ruleSet.hash).toBe(a.ruleSet.hash);
  });

  it('the rule set schema checks channels: env names only, known types, unique ids', () => {
    expect(() => ruleSet({ channels: [{ type: 'slack', urlEnv: 'https://hooks.example/x' }] })).toThrow(
      /channels\.0\.urlEnv: expected an environment variable name/,
    );
    expect(() => ruleSet({ channels: [{ type: 'pager' } as never] })).toThrow(/channels\.0/);
    expect(() =>
      ruleSet({
        channels: [
          { type: 'slack', id: 'a', urlEnv: 'A' },
          { type: 'slack', id: 'a', urlEnv: 'B' },
        ],
      }),
    ).toThrow(/duplicate channel id "a"/);
  });
});
