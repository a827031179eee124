/**
 * The HTML org chart of 54,000 people, driven in headless Chromium (Debian /usr/bin/chromium via
 * playwright-core): the search box finds a person six levels down, opens their managers' boxes and
 * scrolls to them; Enter moves to the next match; Collapse all / Expand all work; the page's own
 * script runs under its Content Security Policy. Skipped with a message without Chromium.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrgChart, orgChartToHtml } from '../../src/org-chart.js';
import type { Employee } from '../../src/model.js';
import { makeEmployee, makeSnapshot } from '../diff/helpers.js';

const CHROMIUM = process.env['ORGSYNC_CHROMIUM'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SKIP_MESSAGE = `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set ORGSYNC_CHROMIUM) to run the org chart search test`;
const PEOPLE = 54_000;

let dir = '';
let browser: Browser | undefined;
let page: Page | undefined;

/** A company of 54,000: each manager has 6 reports (depth about 6), unique names. */
function bigCompany(): Employee[] {
  const out: Employee[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    out.push(
      makeEmployee({
        id: `e${i}`,
        displayName: i === 40_000 ? 'Quinta Needle' : `Person ${i}`,
        jobTitle: i % 97 === 0 ? 'Staff Cartographer' : 'Engineer',
        managerId: i === 0 ? null : `e${Math.floor((i - 1) / 6)}`,
      }),
    );
  }
  return out;
}

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  dir = await mkdtemp(join(tmpdir(), 'orgsync-html-search-'));
  const file = join(dir, 'chart.html');
  await writeFile(file, orgChartToHtml(buildOrgChart(makeSnapshot({ employees: bigCompany() }))), 'utf8');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pathToFileURL(file).href, { timeout: 120_000 });
  expect(errors).toEqual([]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const visible = (id: string) => page!.locator(`.card[data-id="${id}"]`).isVisible();

describe('HTML org chart at 54,000 people: search and collapse', () => {
  it('search finds a person deep in a collapsed branch, opens the way to them and scrolls there', async (ctx) => {
    if (!HAVE_CHROMIUM) return ctx.skip(SKIP_MESSAGE);
    expect(await page!.locator('.card').count()).toBe(PEOPLE);
    expect(await visible('e40000')).toBe(false); // below the three levels open at first
    await page!.fill('#q', 'quinta needle');
    // Poll from the test side: the page's CSP (rightly) forbids the in-page eval waitForFunction would use.
    await page!.locator('#qstatus').filter({ hasText: /./ }).waitFor({ timeout: 30_000 });
    expect(await page!.textContent('#qstatus')).toBe('1 of 1 match');
    expect(await visible('e40000')).toBe(true);
    expect(await page!.locator('.card.current').getAttribute('data-id')).toBe('e40000');
    expect(await page!.locator('.card[data-id="e40000"]').isVisible()).toBe(true);
    const box = await page!.locator('.card[data-id="e40000"]').boundingBox();
    const viewport = page!.viewportSize()!;
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(viewport.height);
  }, 120_000);

  it('Enter steps through many matches; the count covers all of them', async (ctx) => {
    if (!HAVE_CHROMIUM) return ctx.skip(SKIP_MESSAGE);
    await page!.fill('#q', 'staff cartographer');
    await page!.press('#q', 'Enter');
    const total = Math.ceil(PEOPLE / 97);
    expect(await page!.textContent('#qstatus')).toBe(`1 of ${total} matches (first 500 shown)`);
    const first = await page!.locator('.card.current').getAttribute('data-id');
    await page!.press('#q', 'Enter');
    expect(await page!.textContent('#qstatus')).toBe(`2 of ${total} matches (first 500 shown)`);
    const second = await page!.locator('.card.current').getAttribute('data-id');
    expect(second).not.toBe(first);
    expect(await page!.locator('.card.hit').count()).toBe(500);
    await page!.fill('#q', 'nobody by this name');
    await page!.press('#q', 'Enter');
    expect(await page!.textContent('#qstatus')).toBe('No match');
    expect(await page!.locator('.card.hit').count()).toBe(0);
  }, 120_000);

  it('Collapse all leaves the top manager open; Expand all opens everyone', async (ctx) => {
    if (!HAVE_CHROMIUM) return ctx.skip(SKIP_MESSAGE);
    await page!.click('#collapse');
    expect(await page!.locator('main details[open]').count()).toBe(1);
    expect(await visible('e1')).toBe(true);
    expect(await visible('e7')).toBe(false);
    await page!.click('#expand');
    const managers = await page!.locator('main details').count();
    expect(await page!.locator('main details[open]').count()).toBe(managers);
    expect(await visible('e53999')).toBe(true);
  }, 120_000);
});
