import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import type { Report } from '../../src/stages/report/report.js';
import type { ExamplesSection } from '../../src/stages/report/examples.js';
import { launch, openFile, RUN_BROWSER, type OpenedPage } from './browser.js';

const CHARTS = ['funnel', 'click-outcomes', 'ctr-by-rank', 'examination', 'signals', 'dwell', 'hardness', 'removals', 'buckets', 'lorenz', 'leakage', 'evidence-age', 'doc-age'];

/** A small simulated world built with a family-level test split, opened in headless Chromium. */
describe('report.html in a real browser', () => {
  let out = '';
  let report: Report;
  let browser: Browser | undefined;
  let opened: OpenedPage;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-report-html-'));
    const sim = cli(['simulate', '--out', join(dir, 'sim'), '--sessions', '2000', '--seed', '3']);
    expect(sim.code, sim.stderr).toBe(0);
    out = join(dir, 'out');
    const b = cli(['build', '-q', '--serps', join(dir, 'sim', 'serps.jsonl'), '--corpus', join(dir, 'sim', 'corpus.jsonl'), '--out', out, '--set', 'splits.mode="hashed"']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/report {12}\S+report\.html \(checklist: /);
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    if (RUN_BROWSER) {
      browser = await launch();
      opened = await openFile(browser, join(out, 'report.html'));
    }
  }, 600_000);
  afterAll(async () => { await browser?.close(); });

  it('clickforge report OUT rebuilds the same pages from report.json alone, and re-judges with --set report.*', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8'), md = readFileSync(join(out, 'report.md'), 'utf8');
    const r = cli(['report', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^(pass|warn|FAIL|unknown) +1\. Are positives useful/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(html);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe(md);
    const strict = cli(['report', out, '--set', 'report.freshness.maxAgeDays=30']);
    expect(strict.code, strict.stderr).toBe(0);
    expect(strict.stdout).toMatch(/FAIL +6\. Does it reflect live behaviour\?/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/### 6\. Does it reflect live behaviour\? \*\*FAIL\*\*/);
    const bad = cli(['report', out, '--set', 'report.freshness.maxAgeDayz=30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('maxAgeDayz');
    expect(cli(['report', out]).code).toBe(0); // back to the build's own options
  });

  it.skipIf(!RUN_BROWSER)('opens with no console error and no network request', () => {
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
  });

  it.skipIf(!RUN_BROWSER)('shows the six verdicts and every chart as a drawn SVG', async () => {
    const verdicts = await opened.page.locator('article.q').evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
    expect(verdicts).toHaveLength(6);
    for (const v of verdicts) expect(['pass', 'warn', 'fail', 'unknown']).toContain(v);
    for (const id of CHARTS) {
      const marks = await opened.page.locator(`figure[data-chart="${id}"] svg path, figure[data-chart="${id}"] svg line, figure[data-chart="${id}"] svg rect`).count();
      expect(marks, id).toBeGreaterThan(3);
      const box = await opened.page.locator(`figure[data-chart="${id}"] svg`).boundingBox();
      expect(box!.width, id).toBeGreaterThan(100);
    }
  });

  it.skipIf(!RUN_BROWSER)('the example browser finds a query and shows its positives, negatives and removed candidates', async () => {
    const ex = report.sections.examples as ExamplesSection;
    const q = ex.queriesList.find((x) => x.negatives.length > 0 && x.removed.length > 0)!;
    expect(q).toBeDefined();
    const page = opened.page;
    await page.fill('#cf-search', q.query);
    await page.locator('#cf-results button', { hasText: q.query }).first().click();
    await expect.poll(() => page.locator('#cf-detail h3').textContent()).toBe(q.query);
    const tables = page.locator('#cf-detail table');
    expect(await tables.count()).toBe(3);
    expect(await tables.nth(0).locator('tbody tr').count()).toBe(q.positives.length);
    expect(await tables.nth(1).locator('tbody tr').count()).toBe(q.negatives.length);
    expect(await tables.nth(2).locator('tbody tr').count()).toBe(q.removed.length);
    expect(await tables.nth(2).textContent()).toContain(q.removed[0]![1]);
    await page.fill('#cf-search', 'zzzz no such query zzzz');
    expect(await page.locator('#cf-count').textContent()).toBe('no query matches');
    expect(opened.errors).toEqual([]);
  });
});
