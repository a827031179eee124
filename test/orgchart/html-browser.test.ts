/**
 * Renders orgChartToHtml output in a real headless Chromium (Debian's /usr/bin/chromium) and checks
 * the rendered DOM: names are there as text, and no script hidden in a name ever runs.
 * Skipped, with a message, when Chromium is not installed (`apt-get install -y chromium`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrgChart, orgChartToHtml } from '../../src/org-chart.js';
import { makeEmployee, makeSnapshot } from '../diff/helpers.js';

const CHROMIUM = process.env.ORGSYNC_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SKIP_MESSAGE = `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set ORGSYNC_CHROMIUM) to run the headless HTML checks`;
const TIMEOUT_MS = 45_000;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orgsync-html-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Load a page in headless Chromium and return the DOM after scripts (if any) ran. */
async function renderDom(html: string, name: string): Promise<string> {
  const file = join(dir, `${name}.html`);
  await writeFile(file, html, 'utf8');
  const profile = join(dir, `profile-${name}`);
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
    '--virtual-time-budget=2000',
    '--dump-dom',
    pathToFileURL(file).href,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      CHROMIUM,
      args,
      { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err && !stdout) reject(new Error(`chromium failed: ${err.message}\n${String(stderr).slice(0, 2000)}`));
        else resolve(String(stdout));
      },
    );
  });
}

/** The page's own script (search, expand/collapse), the only one allowed. */
const OWN_SCRIPT = /<script>\(function\(\)\{[\s\S]*?\}\)\(\);<\/script>/;
const XSS_SCRIPT = `<script>document.documentElement.setAttribute('data-xss','script')</script>`;
const XSS_IMG = `<img src=x onerror="document.documentElement.setAttribute('data-xss','img')">`;
const XSS_ATTR = `" onmouseover="document.documentElement.setAttribute('data-xss','attr')`;

function nastyChart() {
  return buildOrgChart(
    makeSnapshot({
      employees: [
        makeEmployee({ id: 'ceo', displayName: 'Zoë Chief', jobTitle: 'CEO' }),
        makeEmployee({ id: 'x1', displayName: XSS_SCRIPT, jobTitle: XSS_IMG, managerId: 'ceo' }),
        makeEmployee({ id: XSS_ATTR, displayName: `O'Brien & "Sons"`, jobTitle: 'Ops', managerId: 'ceo' }),
        makeEmployee({
          id: 'lost',
          displayName: 'Lost Soul',
          managerId: `</li><script>document.documentElement.setAttribute('data-xss','diag')</script>`,
        }),
      ],
    }),
  );
}

describe('orgChartToHtml in headless Chromium', () => {
  it(
    'the harness detects a script that runs (control)',
    async (ctx) => {
      if (!HAVE_CHROMIUM) return ctx.skip(SKIP_MESSAGE);
      const dom = await renderDom(`<!DOCTYPE html><html><body><p>control</p>${XSS_SCRIPT}</body></html>`, 'control');
      expect(dom).toMatch(/<html[^>]*data-xss="script"/);
    },
    TIMEOUT_MS + 5_000,
  );

  it(
    'renders every name and title as text, runs no script from a name, shows diagnostics',
    async (ctx) => {
      if (!HAVE_CHROMIUM) return ctx.skip(SKIP_MESSAGE);
      const html = orgChartToHtml(nastyChart());
      const dom = await renderDom(html, 'chart');
      expect(dom).toContain('Zoë Chief');
      expect(dom).toContain('Lost Soul');
      expect(dom).toContain(`O'Brien &amp; "Sons"`);
      // The payloads are visible as text...
      expect(dom).toContain(`&lt;script&gt;document.documentElement.setAttribute('data-xss','script')&lt;/script&gt;`);
      expect(dom).toContain('&lt;img src=x onerror=');
      // ...and never became elements or ran.
      expect(dom).not.toMatch(/<html[^>]*data-xss/);
      expect(dom).toMatch(OWN_SCRIPT);
      expect(dom.replace(OWN_SCRIPT, '')).not.toMatch(/<script/i);
      expect(dom).not.toMatch(/<img/i);
      expect(dom).not.toMatch(/onmouseover="document/);
      // Tree structure: the CEO box contains the reports' boxes.
      expect(dom).toMatch(/data-id="ceo"[\s\S]*<ul>[\s\S]*data-id="x1"/);
      expect(dom).toContain('Managers missing from the snapshot (1)');
    },
    TIMEOUT_MS + 5_000,
  );

  it(
    'escaping alone is enough: with the Content-Security-Policy removed, still nothing runs',
    async (ctx) => {
      if (!HAVE_CHROMIUM) return ctx.skip(SKIP_MESSAGE);
      const html = orgChartToHtml(nastyChart()).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      expect(html).not.toContain('Content-Security-Policy');
      const dom = await renderDom(html, 'no-csp');
      expect(dom).toContain('Zoë Chief');
      expect(dom).not.toMatch(/<html[^>]*data-xss/);
      expect(dom.replace(OWN_SCRIPT, '')).not.toMatch(/<script|<img/i);
    },
    TIMEOUT_MS + 5_000,
  );
});
