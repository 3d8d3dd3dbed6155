import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run); Playwright never downloads a browser here. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
/** Browser tests run where Chromium is, and always in CI (where a missing Chromium must fail, not skip). */
export const RUN_BROWSER = Boolean(CHROMIUM) || Boolean(process.env.CI);
if (!RUN_BROWSER) console.warn('browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)');

export interface OpenedPage {
  readonly page: Page;
  /** Console errors, uncaught exceptions and CSP violations. */
  readonly errors: string[];
  /** Every request other than the page itself. */
  readonly requests: string[];
  /** Set by a hostile payload if it ever runs. */
  pwned(): Promise<boolean>;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Open a local HTML file, recording errors and requests from the first byte on. */
export async function openFile(browser: Browser, file: string): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(file).href;
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(300);
  return { page, errors, requests, pwned: async () => page.evaluate<boolean>('Boolean(document.getElementById("pwned")) || Boolean(window.__pwned)') };
}
