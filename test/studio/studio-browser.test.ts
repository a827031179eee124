/**
 * The rules studio end to end in real headless Chromium (Debian /usr/bin/chromium driven by
 * playwright-core): load, edit a condition, see the preview change, introduce an error and see it
 * on its field (worded exactly as loadRuleSet reports it), save, reload.
 * Skipped with a message when Chromium is absent outside CI; fails in CI.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { loadRuleSet, parseRuleSet } from '../../src/provisioning/rules.js';
import { startStudio, type RunningStudio } from '../../src/studio/index.js';
import { RULES, studioFiles } from './helpers.js';
import { ORG_PAGE_SIZE } from '../../src/studio/org.js';

const CHROMIUM = process.env.ORGSYNC_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
const SKIP = `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set ORGSYNC_CHROMIUM) to run the studio browser test`;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
const T = 90_000;

if (!HAVE && process.env.CI) throw new Error(`CI: ${SKIP}`);

let browser: Browser | null = null;
let studio: RunningStudio | null = null;
let files: ReturnType<typeof studioFiles>;

beforeAll(async () => {
  if (!HAVE) return;
  files = studioFiles(40);
  studio = await startStudio({
    snapshot: files.snapshot,
    previous: files.previous,
    rules: files.rules,
    now: () => new Date('2025-03-02T13:00:00Z'),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, T);
afterAll(async () => {
  await browser?.close();
  await studio?.close();
  if (files) rmSync(files.dir, { recursive: true, force: true });
});

async function open(page: Page): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(studio!.url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
  await expect.poll(() => page.locator('#people-preview li').count(), { timeout: 15_000 }).toBeGreaterThan(0);
  expect(errors).toEqual([]);
}

const person = (page: Page, id: string) => page.locator(`#people-preview li[data-id="${id}"]`);

describe('orgsync studio in headless Chromium', () => {
  it(
    'refuses requests without the token (401) or with a wrong one (403), API included',
    async (ctx) => {
      if (!HAVE) return ctx.skip(SKIP);
      const base = studio!.url.replace(/\?.*$/, '');
      expect((await fetch(base)).status).toBe(401);
      expect((await fetch(`${base}api/state`)).status).toBe(401);
      expect((await fetch(`${base}api/state?token=nope`)).status).toBe(403);
      expect(
        (
          await fetch(`${base}api/save`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-orgsync-studio-token': 'nope' },
            body: '{"rules":{}}',
          })
        ).status,
      ).toBe(403);
      expect((await fetch(`${base}assets/studio.js`)).status).toBe(401);
      expect((await fetch(studio!.url)).status).toBe(200);
      // DNS rebinding: a foreign Host header is refused even with the token.
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const r = request(studio!.url, { headers: { host: 'evil.example:80' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        r.on('error', reject);
        r.end();
      });
      expect(status).toBe(403);
    },
    T,
  );

  it(
    'load, edit a condition, preview changes, error on its field, save, reload',
    async (ctx) => {
      if (!HAVE) return ctx.skip(SKIP);
      const page = await browser!.newPage({ viewport: { width: 1366, height: 800 } });
      await open(page);

      // Loaded: org chart, departments with counts, per-person sentences with the rules behind them.
      await expect.poll(() => page.locator('#dept-list').textContent()).toContain('Engineering (12)');
      await expect
        .poll(() => person(page, 'head-0').textContent())
        .toBe(
          'Engineering Head → role admin, groups eng-managers, engineering because rules engineering, engineering-managers',
        );
      expect(await person(page, 'head-2').textContent()).toBe('Finance Head → no account (no rule matches)');
      expect(await page.locator('#safety-status').textContent()).toContain('Safety stop');
      expect(await page.locator('#safety').textContent()).toContain('--approve plan_');
      // Expand the CEO: the department heads appear, each with direct/total counts.
      await page.locator('#org-tree li[data-id="ceo"] > .node > button.toggle').click();
      await expect.poll(() => page.locator('#org-tree li[data-id="ceo"] > ul > li').count()).toBe(3);
      expect(
        await page.locator('#org-tree li[data-id="ceo"] > .node > button.toggle').getAttribute('aria-expanded'),
      ).toBe('true');
      // Search finds a person with their chain of command.
      await page.fill('#org-search', 'Person20');
      await expect.poll(() => page.locator('#org-results').textContent()).toContain('Ada Chief ›');

      // The group -> role table, one row per rule.
      const rows = await page.locator('#rule-table tbody tr').allTextContents();
      expect(rows).toEqual([
        'engineeringdepartment = Engineeringadminengineering—',
        'engineering-managersdepartment = Engineering and title ~ /Manager/—eng-managers—',
        'salesdepartment = Salesmember—crm',
      ]);
      expect(await page.locator('#threshold-summary').textContent()).toContain('50% or 2 people deprovisioned');

      // Edit a condition: the "engineering" rule now matches Finance; the preview follows before saving.
      const value = page.locator('[data-schemapath="root.rules.0.when.value"] input').first();
      expect(await value.inputValue()).toBe('Engineering');
      await value.fill('Finance');
      await value.press('Tab');
      await expect
        .poll(() => person(page, 'head-2').textContent(), { timeout: 10_000 })
        .toBe('Finance Head → role admin, groups engineering because rule engineering');
      expect(await person(page, 'head-0').textContent()).toBe(
        'Engineering Head → groups eng-managers because rule engineering-managers',
      );
      expect(await page.locator('#save').isEnabled()).toBe(true);
      expect(await page.locator('#rule-table tbody tr').first().textContent()).toBe(
        'engineeringdepartment = Financeadminengineering—',
      );
      expect(readFileSync(files.rules, 'utf8')).toContain('"Engineering"'); // nothing saved yet

      // Introduce an error: it shows on the id field, worded as loadRuleSet words it.
      const id = page.locator('[data-schemapath="root.rules.0.id"] input').first();
      await id.fill('bad id!');
      await id.press('Tab');
      const broken = structuredClone(RULES) as typeof RULES;
      broken.rules[0]!.id = 'bad id!';
      broken.rules[0]!.when = { attribute: 'department', op: 'equals', value: 'Finance' };
      let expected: string[] = [];
      try {
        parseRuleSet(broken);
      } catch (e) {
        expected = (e as ValidationError).issues ?? [];
      }
      expect(expected).toEqual(['rules.0.id: rule ids use letters, digits, "_", "-", "." (max 100)']);
      const fieldError = page.locator('[data-schemapath="root.rules.0.id"] .field-error');
      await expect.poll(() => fieldError.textContent(), { timeout: 10_000 }).toBe(expected[0]);
      expect(await id.getAttribute('aria-invalid')).toBe('true');
      expect(await id.getAttribute('aria-describedby')).toBe(await fieldError.getAttribute('id'));
      expect(await page.locator('#error-summary').textContent()).toContain(expected[0]);
      // Saving an invalid rule set is refused and leaves the file alone.
      await page.click('#save');
      await expect.poll(() => page.locator('#save-status').textContent()).toContain('Not saved');
      expect(readFileSync(files.rules, 'utf8')).toContain('"Engineering"');

      // Fix it and save: written atomically, mode kept, loadRuleSet accepts it.
      await id.fill('engineering');
      await id.press('Tab');
      await expect.poll(() => page.locator('.field-error').count(), { timeout: 10_000 }).toBe(0);
      await page.click('#save');
      await expect.poll(() => page.locator('#save-status').textContent()).toBe('Saved.');
      const saved = await loadRuleSet(files.rules);
      expect(saved.rules[0]!.when).toEqual({ attribute: 'department', op: 'equals', value: 'Finance' });
      expect(saved.rules.map((r) => r.id)).toEqual(['engineering', 'engineering-managers', 'sales']);
      expect(statSync(files.rules).mode & 0o777).toBe(0o644);
      // Only what the user wrote is stored (no defaults expanded into the file).
      expect(JSON.parse(readFileSync(files.rules, 'utf8')).rules[0]).toEqual({
        id: 'engineering',
        when: { attribute: 'department', op: 'equals', value: 'Finance' },
        grant: { role: 'admin', groups: ['engineering'] },
      });

      // Reload: the saved rules come back.
      await page.reload();
      await page.waitForSelector('body[data-ready=true]');
      expect(await page.locator('[data-schemapath="root.rules.0.when.value"] input').first().inputValue()).toBe(
        'Finance',
      );
      await expect
        .poll(() => person(page, 'head-2').textContent(), { timeout: 10_000 })
        .toBe('Finance Head → role admin, groups engineering because rule engineering');
      await page.close();
    },
    T,
  );

  it(
    'keyboard: the org tree toggles with Enter and the skip link reaches the editor',
    async (ctx) => {
      if (!HAVE) return ctx.skip(SKIP);
      const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
      await open(page);
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe(
        'Skip to the rules editor',
      );
      await page.focus('#org-tree li[data-id="ceo"] > .node > button.toggle');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#org-tree li[data-id="ceo"] > ul > li').count()).toBe(3);
      // Every form control has an accessible name.
      const unnamed = await page.evaluate(`
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((e) => !e.hidden && e.offsetParent !== null)
        .filter((e) => {
          const label = (e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.getAttribute('title');
          return !label && !(e.tagName === 'BUTTON' && e.textContent.trim());
        })
        .map((e) => e.outerHTML.slice(0, 120))
    `);
      expect(unnamed).toEqual([]);
      await page.close();
    },
    T,
  );
});

describe('orgsync studio with a broken rules file', () => {
  it(
    'shows why and offers no way to overwrite it',
    async (ctx) => {
      if (!HAVE) return ctx.skip(SKIP);
      const f = studioFiles(10);
      writeFileSync(f.rules, '{ "version": 1, "rules": [ ');
      const s = await startStudio({ snapshot: f.snapshot, rules: f.rules });
      const page = await browser!.newPage();
      try {
        await page.goto(s.url);
        await page.waitForSelector('body[data-ready=true]');
        expect(await page.locator('#error-summary').textContent()).toContain('rule set is not valid JSON');
        expect(await page.locator('#save').isDisabled()).toBe(true);
        expect(await page.locator('#editor').innerHTML()).toBe('');
      } finally {
        await page.close();
        await s.close();
      }
      expect(readFileSync(f.rules, 'utf8')).toBe('{ "version": 1, "rules": [ ');
      rmSync(f.dir, { recursive: true, force: true });
    },
    T,
  );
});

describe('orgsync studio with 10,000 people', () => {
  it(
    'renders one page of the tree at a time and keeps the DOM small',
    async (ctx) => {
      if (!HAVE) return ctx.skip(SKIP);
      const big = studioFiles(10_000, { flat: true });
      const s = await startStudio({
        snapshot: big.snapshot,
        previous: big.previous,
        rules: big.rules,
        now: () => new Date('2025-03-02T13:00:00Z'),
      });
      const page = await browser!.newPage({ viewport: { width: 1366, height: 800 } });
      try {
        await page.goto(s.url);
        await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
        await expect
          .poll(() => page.locator('#preview-status').textContent(), { timeout: 30_000 })
          .toContain('of 9998 people');
        await page.locator('#org-tree li[data-id="ceo"] > .node > button.toggle').click();
        // Every engineer reports to the head of Engineering: 3,331 direct reports, shown 100 at a time.
        expect(await page.locator('#org-tree li[data-id="head-0"] > .node .count').textContent()).toBe('3331 / 3331');
        await page.locator('#org-tree li[data-id="head-0"] > .node > button.toggle').click();
        const kids = page.locator('#org-tree li[data-id="head-0"] > ul > li[data-id]');
        await expect.poll(() => kids.count()).toBe(ORG_PAGE_SIZE);
        const more = page.locator('#org-tree li[data-id="head-0"] > ul > li.more > button');
        expect(await more.textContent()).toBe('Show more (3231 left)');
        await more.click();
        await expect.poll(() => kids.count()).toBe(2 * ORG_PAGE_SIZE);
        const nodes = await page.evaluate('document.querySelectorAll("*").length');
        expect(nodes).toBeLessThan(5_000);
        expect(await page.locator('#people-preview > li[data-id]').count()).toBe(200);
        await page.fill('#org-search', 'Person9990 ');
        await expect.poll(() => page.locator('#org-results').textContent()).toContain('1 match');
      } finally {
        await page.close();
        await s.close();
        rmSync(big.dir, { recursive: true, force: true });
      }
    },
    T,
  );
});
