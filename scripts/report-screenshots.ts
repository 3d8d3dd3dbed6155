/**
 * Regenerates the screenshots of docs/report.md: the demo world's report.html (20,000 sessions,
 * seed 42, as `clickforge demo --no-evaluate` builds it) opened in Debian's Chromium.
 *
 *   npx tsx scripts/report-screenshots.ts            # runs the demo in a temporary folder
 *   npx tsx scripts/report-screenshots.ts OUT/build  # or uses a build folder that holds report.html
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { runDemo } from '../src/tools/demo/demo.js';

const DOCS = new URL('../docs/report/', import.meta.url).pathname;

async function main(): Promise<void> {
  let build = process.argv[2] ? resolve(process.argv[2]) : '';
  if (!build) {
    const out = mkdtempSync(join(tmpdir(), 'cf-screens-'));
    process.stderr.write(`running the demo (20,000 sessions, no evaluation) in ${out} ...\n`);
    build = (await runDemo({ outDir: out, sessions: 20_000, seed: 42, evaluate: false })).build.outDir;
  }
  const file = join(build, 'report.html');
  if (!existsSync(file)) throw new Error(`${file} not found: pass a build folder (clickforge build --out DIR, or DIR/build of clickforge demo)`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(file).href);
    const shot = async (name: string, selector: string, maxHeight = 1200) => {
      const path = join(DOCS, `${name}.png`);
      // page coordinates (the page may have scrolled), cut at maxHeight to keep the file small
      const box = await page.evaluate<{ x: number; y: number; width: number; height: number }>(
        `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height }; })()`,
      );
      await page.screenshot({ path, fullPage: true, clip: { ...box, height: Math.min(maxHeight, box.height) } });
      process.stdout.write(`${path} ${Math.round(statSync(path).size / 1024)} KB\n`);
    };
    await shot('checklist', 'h2#checklist + table');
    await shot('question-negatives', '#q-negatives');
    await shot('question-balance', '#q-balance');
    await shot('overview', 'figure[data-chart="ctr-by-rank"]');
    await shot('funnel', 'figure[data-chart="click-outcomes"]');
    // the example browser with one query open
    await page.fill('#cf-search', 'vpn');
    await page.locator('#cf-results button').first().click();
    await shot('example-browser', '#cf-browser', 760);
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
