/**
 * Issue 12 §6: tokens must not leak through `err.cause`. Every registered connector is read from
 * its simulator while the employee listing answers an HTML page whose title and body echo the
 * credentials the request carried, in every form a vendor (or a proxy in front of it) may echo them:
 * as sent, lower- and upper-cased, URL- and form-encoded, base64 and base64url (the Basic `user:pass`
 * pair too). Whatever the status, nothing printable from the error may hold any of those forms:
 * `util.inspect(err)` (what `console.error(err)` prints), `String(err)`, `JSON.stringify(err)`, and
 * the same for every error of the cause chain.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { OrgsyncError } from '../../src/errors.js';
import { Redactor } from '../../src/redact.js';
import type { SimRequest, SimResponse } from '../../src/simulator/server.js';
import { errorText } from '../../src/testing/conformance.js';
import { captureIo } from '../helpers/cli.js';
import { attempt, quiesce, start, targets, type Running } from './helpers.js';

const list = await targets();

/** Every form of a value that must never be printed (independent of the Redactor's own list). */
function forms(v: string): string[] {
  const out = new Set<string>();
  for (const b of [v, v.toLowerCase(), v.toUpperCase()]) {
    out.add(b);
    out.add(encodeURIComponent(b));
    out.add(new URLSearchParams({ x: b }).toString().slice(2));
    out.add(Buffer.from(b).toString('base64'));
    out.add(Buffer.from(b).toString('base64').replace(/=+$/, ''));
    out.add(Buffer.from(b).toString('base64url'));
  }
  return [...out].filter((f) => f.length >= 6);
}

/** The credentials a request carried: the Authorization value (and Basic pair) and the secret options. */
function credentialsOf(req: SimRequest, rawSecrets: string[]): string[] {
  const out = [...rawSecrets];
  const auth = req.headers['authorization'];
  if (typeof auth === 'string') {
    const value = auth.replace(/^\S+\s+/, '');
    out.push(value);
    if (/^basic /i.test(auth)) out.push(Buffer.from(value, 'base64').toString('utf8'));
  }
  return out.filter((s) => s.length >= 4);
}

/** A login/proxy page echoing the credentials in every form (title and body). */
function echoPage(creds: string[], auth: string | undefined): string {
  const echoes = creds.flatMap((c) => forms(c));
  return [
    '<!DOCTYPE html><html><head>',
    `<title>Invalid ${auth ?? creds[0]} for ${creds[0]!.toLowerCase()}</title>`,
    '</head><body><h1>Access denied</h1>',
    `<p>Authorization: ${(auth ?? '').toLowerCase()}</p>`,
    ...echoes.map((e) => `<p>${e}</p>`),
    '</body></html>',
  ].join('\n');
}

/** Every printable rendering of an error and of each error in its cause chain. */
function renderings(err: unknown): string[] {
  const out = [
    util.inspect(err, { depth: Infinity, showHidden: true }),
    util.inspect(err),
    String(err),
    JSON.stringify(err),
    errorText(err),
    util.format('%o', err),
  ];
  let c: unknown = err;
  for (let i = 0; c && i < 10; i++) {
    out.push(
      String(c),
      util.inspect(c),
      JSON.stringify(c) ?? '',
      String((c as Error).message),
      String((c as Error).stack),
    );
    c = (c as { cause?: unknown }).cause;
  }
  return out;
}

for (const target of list) {
  describe(`redaction of echoed credentials: ${target.id}`, () => {
    let r: Running;
    let seen: string[] = [];
    beforeAll(async () => {
      r = await start(target);
    });
    afterAll(async () => {
      await r?.running.sim.close();
    });
    afterEach(async () => {
      if (!r) return;
      await quiesce(r);
      r.running.sim.clearFaults();
      seen = [];
    });

    const incremental = target.factory.definition.capabilities.incremental === true;
    for (const [status, how] of [
      [200, 'full'],
      [401, 'full'],
      [500, 'full'],
      ...(incremental ? [[200, 'incremental'] as const] : []),
    ] as const) {
      it(`an HTML page (${status}${how === 'incremental' ? ', incremental sync' : ''}) echoing the credentials leaves no form of them in the error or its cause chain`, async () => {
        r.running.sim.inject({
          match: target.simulator.employeesPath,
          times: Infinity,
          fault: {
            type: 'transform',
            fn: (_res: SimResponse, req: SimRequest) => {
              const creds = credentialsOf(req, r.rawSecrets);
              seen.push(...creds);
              const auth = req.headers['authorization'];
              return {
                status,
                headers: { 'content-type': 'text/html; charset=utf-8' },
                body: echoPage(creds, typeof auth === 'string' ? auth : undefined),
              };
            },
          },
        });
        const o = await attempt(r, {}, {}, how);
        expect(o.snapshot, 'no snapshot').toBeUndefined();
        expect(o.error).toBeInstanceOf(OrgsyncError);
        expect(seen.length, 'the page really echoed credentials').toBeGreaterThan(0);
        const secrets = [...new Set([...seen, ...r.rawSecrets].flatMap(forms))];
        const texts = [...renderings(o.error), ...o.logs, ...o.progress];
        for (const t of texts)
          for (const s of secrets)
            expect(t.includes(s), `a form of a credential (${s.slice(0, 4)}…) leaked: ${t.slice(0, 300)}`).toBe(false);
      });
    }
  });
}

describe('Redactor.redactError', () => {
  const SECRET = 'sk_live_Zq9Xw8Vv7Uu6Tt5';
  it('redacts message, stack, a string cause, nested causes and attached response/config objects', () => {
    const red = new Redactor([SECRET]);
    const inner = new Error(`upstream said ${SECRET.toLowerCase()}`);
    Object.assign(inner, {
      config: {
        headers: { Authorization: `Bearer ${SECRET}` },
        url: `https://x.example/?key=${encodeURIComponent(SECRET)}`,
      },
      response: { status: 500, data: `<title>${Buffer.from(SECRET).toString('base64url')}</title>` },
    });
    const mid = new Error(`wrapped: ${SECRET}`, { cause: inner });
    const outer = new OrgsyncError({ kind: 'incomplete', message: 'read failed', cause: mid });
    const deepest = new Error('x', { cause: `plain string cause ${SECRET}` });
    Object.assign(inner, { cause: deepest });
    red.redactError(outer);
    for (const t of renderings(outer)) for (const s of forms(SECRET)) expect(t).not.toContain(s);
    expect(util.inspect(outer, { depth: Infinity })).toContain('[REDACTED]');
  });

  it('catches the Basic pair in base64url and a user:pass echoed lower-cased', () => {
    const red = new Redactor().addBasic('ApiUserKey123', 'x');
    const e = new Error(`${Buffer.from('ApiUserKey123:x').toString('base64url')} / apiuserkey123:x`);
    red.redactError(e);
    expect(e.message).not.toMatch(/QXBpVXNlcktleTEyMzp4|apiuserkey123/i);
  });
});

describe('--config that fails to parse', () => {
  it('names the file, line and column, and quotes none of its content', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsync-config-'));
    try {
      const secret = 'bamboo-secret-key-7c1f9a';
      const file = path.join(dir, 'acme.json');
      // A missing comma right after the key: JSON.parse's own message would quote the key.
      fs.writeFileSync(file, `{\n  "subdomain": "acme",\n  "apiKey": "${secret}"\n  "timeoutMs": 1\n}\n`);
      const t = captureIo();
      const code = await main(['snapshot', 'bamboohr', '--config', file, '--out', path.join(dir, 'out.json')], t.io);
      expect(code).toBe(2);
      const err = t.errText();
      expect(err).toContain(file);
      expect(err).toMatch(/line 4, column 3/);
      for (const s of [secret, secret.slice(0, 10), 'apiKey', 'subdomain', 'timeoutMs']) expect(err).not.toContain(s);
      // And a file cut short.
      fs.writeFileSync(file, `{"apiKey": "${secret}`);
      const t2 = captureIo();
      expect(await main(['snapshot', 'bamboohr', '--config', file, '--out', path.join(dir, 'out.json')], t2.io)).toBe(
        2,
      );
      expect(t2.errText()).toMatch(/ends early/);
      expect(t2.errText()).not.toContain(secret.slice(0, 10));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
