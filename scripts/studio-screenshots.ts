/**
 * Regenerates the screenshots in docs/studio.md: starts the studio on a sample company (the browser
 * test's data), drives it in headless Chromium (playwright-core, Debian's /usr/bin/chromium) and
 * writes docs/images/studio-*.png.   Run: npx tsx scripts/studio-screenshots.ts
 */
import { rmSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startStudio } from '../src/studio/index.js';
import { studioFiles } from '../test/studio/helpers.js';

const CHROMIUM = process.env.ORGSYNC_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function main(): Promise<void> {
  const f = studioFiles(240);
  const studio = await startStudio({
    snapshot: f.snapshot,
    previous: f.previous,
    rules: f.rules,
    now: () => new Date('2025-03-02T13:00:00Z'),
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(studio.url);
    await page.waitForSelector('body[data-ready=true]');
    await page.waitForSelector('#people-preview li');
    await page.locator('#org-tree li[data-id="ceo"] > .node > button.toggle').click();
    await page.locator('#org-tree li[data-id="head-0"] > .node > button.toggle').click();
    await page.waitForSelector('#org-tree li[data-id="head-0"] > ul > li');
    await page.screenshot({ path: 'docs/images/studio-overview.png' });

    await page.evaluate(
      `document.getElementById('preview-panel').scrollTo(0, document.getElementById('plan').offsetTop - 420)`,
    );
    await page.screenshot({ path: 'docs/images/studio-plan.png' });

    const id = page.locator('[data-schemapath="root.rules.0.id"] input').first();
    await id.fill('bad id!');
    await id.press('Tab');
    await page.waitForSelector('.field-error');
    await page.screenshot({ path: 'docs/images/studio-error.png' });
  } finally {
    await browser.close();
    await studio.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
}

await main();
