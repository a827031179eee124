/**
 * The studio handler without a browser: mounted in an express app (the embedding path), validation
 * mapped to field paths exactly as loadRuleSet words it, saves through the injected saveRules, the
 * file store (atomic, mode kept), a 10,000-person org served a page at a time, and the CLI command.
 */
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseRuleSet } from '../../src/provisioning/rules.js';
import {
  accessPreview,
  buildOrgIndex,
  createStudioHandler,
  fileRulesStore,
  validateRulesText,
} from '../../src/studio/index.js';
import { parseArgs } from '../../src/cli/args.js';
import { studioCommand } from '../../src/cli/studio.js';
import { captureIo } from '../helpers/cli.js';
import { company, RULES, studioFiles } from './helpers.js';

// express ships no types here (no @types/express); it is a dev dependency used as a host only.
type Req = { headers: Record<string, string | undefined> };
type Res = { status(n: number): { end(): void } };
type ExpressApp = { use(...args: unknown[]): void; listen(port: number, host: string): Server };
const express = createRequire(import.meta.url)('express') as () => ExpressApp;

let server: Server;
let base = '';
let stored = JSON.stringify(RULES);
const saves: string[] = [];

beforeAll(async () => {
  const app = express();
  // The host app's own auth stands in for the token here.
  app.use('/settings/studio', (req: Req, res: Res, next: () => void) =>
    req.headers['x-user'] === 'admin' ? next() : res.status(401).end(),
  );
  app.use(
    '/settings/studio',
    createStudioHandler({
      loadSnapshot: () => company(60),
      loadPrevious: () => null,
      loadRules: () => stored,
      saveRules: (text) => {
        saves.push(text);
        stored = text;
      },
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/settings/studio`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const H = { 'x-user': 'admin' };
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/${path}`, {
    method: 'POST',
    headers: { ...H, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('createStudioHandler mounted in express', () => {
  it('redirects the mount point to its trailing-slash form and serves page, assets and state', async () => {
    const r0 = await fetch(base, { headers: H, redirect: 'manual' });
    expect(r0.status).toBe(308);
    expect(r0.headers.get('location')).toBe('/settings/studio/');
    const page = await fetch(`${base}/`, { headers: H });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="assets/jsoneditor.js"');
    expect(html).not.toMatch(/https?:\/\//); // no CDN, nothing off-origin
    expect((await fetch(`${base}/assets/jsoneditor.js`, { headers: H })).headers.get('content-type')).toContain(
      'javascript',
    );
    expect((await fetch(`${base}/assets/../server.ts`, { headers: H })).status).toBe(404);
    const state = (await (await fetch(`${base}/api/state`, { headers: H })).json()) as {
      schema: { definitions: Record<string, unknown> };
      people: number;
      issues: unknown[];
    };
    expect(state.people).toBe(60);
    expect(Object.keys(state.schema.definitions)).toContain('Condition');
    expect(state.issues).toEqual([]);
    expect((await fetch(`${base}/api/state`)).status).toBe(401); // the host's auth runs first
  });

  it('reports every problem on its path, worded exactly as parseRuleSet / loadRuleSet words it', async () => {
    const bad = structuredClone(RULES) as Record<string, any>;
    bad.rules[1].when.all[1].pattern = '(a+)+';
    bad.rules[2].id = 'engineering';
    bad.policy.thresholds.maxDeprovisionPercent = 150;
    let expected: string[] = [];
    try {
      parseRuleSet(bad);
    } catch (e) {
      expected = (e as ValidationError).issues ?? [];
    }
    expect(expected.length).toBe(3);
    const r = await post('api/preview', { rules: bad });
    const body = (await r.json()) as { valid: boolean; issues: Array<{ path: string; message: string; text: string }> };
    expect(body.valid).toBe(false);
    expect(body.issues.map((i) => i.text)).toEqual(expected);
    expect(body.issues.map((i) => i.path).sort()).toEqual([
      'policy.thresholds.maxDeprovisionPercent',
      'rules.1.when.all.1.pattern',
      'rules.2.id',
    ]);
    // Saving is refused with the same issues; nothing reaches saveRules.
    const s = await post('api/save', { rules: bad });
    expect(s.status).toBe(422);
    expect(saves).toEqual([]);
    expect(validateRulesText('{nope').issues).toEqual([
      {
        path: '(root)',
        message: expect.stringMatching(/^rule set is not valid JSON: /),
        text: expect.stringMatching(/^rule set is not valid JSON: /),
      },
    ]);
  });

  it('previews, then saves through the injected saveRules', async () => {
    const edited = structuredClone(RULES) as Record<string, any>;
    edited.rules[2].when.value = 'Finance';
    const p = (await (await post('api/preview', { rules: edited, query: 'Finance Head' })).json()) as {
      access: { people: Array<{ sentence: string }> };
      plan: { available: boolean };
    };
    expect(p.access.people.map((x) => x.sentence)).toEqual([
      'Finance Head → role member, licenses crm because rule sales',
    ]);
    expect(p.plan.available).toBe(false);
    const s = await post('api/save', { rules: edited });
    expect(s.status).toBe(200);
    expect(JSON.parse(saves[0]!)).toEqual(edited);
    expect((await post('api/save', { rules: edited }, { 'content-type': 'text/plain' })).status).toBe(415);
  });
});

describe('a 10,000-person org', () => {
  const snap = company(10_000);
  it('is served one level at a time, 100 per page, with direct and total counts', () => {
    const org = buildOrgIndex(snap);
    expect(org.people).toBe(10_000);
    const roots = org.children(null);
    expect(roots.nodes.map((n) => [n.id, n.span, n.size])).toEqual([['ceo', 3, 9_999]]);
    const heads = org.children('ceo');
    expect(heads.nodes.reduce((s, n) => s + n.size + 1, 0)).toBe(9_999);
    const big = [...org.chart.nodes.values()].sort((a, b) => b.span - a.span)[0]!;
    const page = org.children(big.id);
    expect(page.nodes.length).toBe(Math.min(100, big.span));
    const s = org.search('person');
    expect(s.total).toBeGreaterThan(9_000);
    expect(s.results).toHaveLength(50);
    expect(s.results[0]!.chain[0]!.name).toBe('Ada Chief');
    expect(org.departments.reduce((a, d) => a + d.people, 0)).toBe(10_000);
  });
  it('previews access for everyone but returns at most 200 people', () => {
    const a = accessPreview(parseRuleSet(RULES), snap);
    expect(a.total).toBe(10_000);
    expect(a.people).toHaveLength(200);
    expect(a.matchingPeople).toBe(10_000);
    expect(a.departments.find((d) => d.department === 'Engineering')!.roles).toEqual({
      admin: a.departments.find((d) => d.department === 'Engineering')!.people,
    });
  });
});

describe('fileRulesStore', () => {
  it('saves atomically and keeps the file mode (0600 stays 0600)', async () => {
    const f = studioFiles(10);
    chmodSync(f.rules, 0o600);
    const store = fileRulesStore(f.rules);
    await store.saveRules('{"version":1}');
    expect(readFileSync(f.rules, 'utf8')).toBe('{"version":1}\n');
    expect(statSync(f.rules).mode & 0o777).toBe(0o600);
    const fresh = `${f.dir}/new.json`;
    await fileRulesStore(fresh).saveRules('{}');
    expect(statSync(fresh).mode & 0o777).toBe(0o644);
    writeFileSync(`${f.dir}/x`, '');
    rmSync(f.dir, { recursive: true, force: true });
  });
});

describe('orgsync studio (CLI)', () => {
  it('prints a tokened loopback URL, serves until stopped, exits 0; usage errors exit 2', async () => {
    const f = studioFiles(10);
    const cap = captureIo();
    const ac = new AbortController();
    const done = studioCommand(
      parseArgs(['studio', '--snapshot', f.snapshot, '--previous', f.previous, '--rules', f.rules]),
      cap.io,
      { signal: ac.signal },
    );
    await expect.poll(() => cap.text()).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}/);
    const url = /open (\S+)/.exec(cap.text())![1]!;
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url.replace(/\?.*/, ''))).status).toBe(401);
    ac.abort();
    expect(await done).toBe(0);
    expect(await studioCommand(parseArgs(['studio', '--rules', f.rules]), captureIo().io)).toBe(2);
    await expect(
      studioCommand(
        parseArgs(['studio', '--rules', f.rules, '--snapshot', f.snapshot, '--bogus', 'x']),
        captureIo().io,
      ),
    ).rejects.toThrow(/Unknown option --bogus/);
    rmSync(f.dir, { recursive: true, force: true });
  });
});
