import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { launch, openFile, RUN_BROWSER } from './browser.js';

/**
 * Hostile strings as queries, document ids, titles, texts and presentation features: nothing of
 * them may become markup in report.md or the dataset card (rendered as a Markdown viewer would,
 * raw HTML allowed, then opened in headless Chromium), a terminal control sequence, or an extra
 * column in a TSV file.
 */
const PAYLOADS = [
  `<img src=x onerror="document.body.insertAdjacentHTML('beforeend','<b id=pwned></b>')">`,
  `"><script>document.body.insertAdjacentHTML('beforeend','<b id=pwned></b>')</script>`,
  '\u001b[2J\u001b[H\u001b]0;owned\u0007 cleared',
  '=HYPERLINK("http://127.0.0.1/x","click")',
  '[link](javascript:alert(1)) **bold** | pipe | `tick` ```fence',
  '</details><details open><summary>x</summary>',
  '# heading\r\n- item',
];

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
// the tags clickforge's own Markdown produces
const ALLOWED_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'ul', 'ol', 'li', 'strong', 'em', 'code', 'pre', 'details', 'summary', 'br', 'hr', 'blockquote']);

function hostileLog(dir: string): { serps: string; corpus: string } {
  const docs = PAYLOADS.map((p, i) => ({ doc_id: `${p} #${i}`, title: `${p} title`, text: `${p} body text about topic ${i} and more words ${i}` }));
  for (let i = 0; i < 30; i++) docs.push({ doc_id: `plain${i}`, title: `Plain ${i}`, text: `plain document ${i} about topic ${i % 7}` });
  const serps: string[] = [];
  let n = 0;
  for (let rep = 0; rep < 12; rep++) {
    PAYLOADS.forEach((p, i) => {
      const results = [docs[(i + 1) % PAYLOADS.length]!.doc_id, docs[i]!.doc_id, `plain${(i + rep) % 30}`, `plain${(i + rep + 1) % 30}`];
      const ts = Date.UTC(2026, 0, 1) + n * 600_000;
      serps.push(JSON.stringify({
        serp_id: `s${n}`, session_id: `${p} session ${n}`, user_id: `${p} user ${rep}`, ts, query: `${p} query ${i}`, results,
        clicks: [{ doc_id: docs[i]!.doc_id, ts: ts + 5000, dwell_ms: 90_000 }],
        presentation: results.map(() => ({ [p.slice(0, 20)]: true })),
      }));
      n++;
    });
  }
  const s = join(dir, 'serps.jsonl'), c = join(dir, 'corpus.jsonl');
  writeFileSync(s, serps.join('\n') + '\n');
  writeFileSync(c, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  return { serps: s, corpus: c };
}

/** Weak-supervision and synthetic files whose texts, unknown doc ids, generators and styles are the payloads. */
function hostileSources(dir: string): string[] {
  const write = (name: string, rows: unknown[]) => { writeFileSync(join(dir, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n'); return join(dir, name); };
  const rows = (field: string) => PAYLOADS.flatMap((p, i) => [{ [field]: `${p} ${field} ${i}`, doc_ids: [`plain${i}`, `plain${i + 7}`] }, { [field]: `${p} missing ${i}`, doc_ids: [`${p} no such doc`] }]);
  const synthetic = PAYLOADS.map((p, i) => ({ query: `${p} synthetic ${i}`, doc_id: `plain${i + 14}`, generator: p, style: p, weight: 1 }));
  return [
    '--faq', write('faq.jsonl', rows('question')), '--macros', write('macros.jsonl', rows('title')),
    '--pinned', write('pinned.jsonl', rows('query')), '--collections', write('collections.jsonl', rows('title')),
    '--synthetic', write('synthetic.jsonl', synthetic),
  ];
}

describe('hostile strings in every output', () => {
  let out = '';
  let run: ReturnType<typeof cli>;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-hostile-'));
    const { serps, corpus } = hostileLog(dir);
    out = join(dir, 'out');
    run = cli(['build', '--serps', serps, '--corpus', corpus, ...hostileSources(dir), '--out', out, '--set', 'splits.mode="hashed"']);
  }, 300_000);

  it('the build runs and its positives carry the hostile strings (so the test tests something); ids a TSV would misread are quarantined', () => {
    expect(run.code, run.stderr).toBe(0);
    const quarantine = readFileSync(join(out, 'quarantine.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string });
    expect(quarantine.filter((q) => q.reason === 'bad_doc_id')).toHaveLength(3); // the ESC, the leading quote and the CR LF payloads
    const positives = readFileSync(join(out, 'positives.jsonl'), 'utf8');
    expect(positives).toContain('onerror');
    expect(positives).toContain('=HYPERLINK');
    expect(positives).toContain('</details>');
    // the source files' hostile texts are positives too, and the report has the funnel by source
    expect(positives).toMatch(/onerror[^\n]*"sources":\["faq"\]/);
    expect(positives).toContain('pinned:2');
    expect(quarantine.filter((q) => q.reason === 'unknown_doc')).toHaveLength(4 * PAYLOADS.length);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## Funnel by source');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('id="source-funnel"');
  });

  it('no terminal control character in report.md, the card or what the CLI printed', () => {
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
    for (const f of ['report.md', 'report.html', 'dataset/README.md']) expect(control.test(readFileSync(join(out, f), 'utf8')), f).toBe(false);
    expect(control.test(run.stdout + run.stderr)).toBe(false);
  });

  it('rendered as HTML (raw HTML allowed, as Markdown viewers do), only clickforge\'s own tags appear', () => {
    const md = new MarkdownIt({ html: true });
    for (const f of ['report.md', 'dataset/README.md']) {
      const html = md.render(readFileSync(join(out, f), 'utf8'));
      const tags = new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
      expect([...tags].filter((t) => !ALLOWED_TAGS.has(t)), f).toEqual([]);
      expect(html, f).not.toMatch(/href="javascript:/i);
      writeFileSync(join(out, `${f.replace(/\W/g, '_')}.html`), `<!doctype html><html><body>${html}</body></html>`);
    }
  });

  it.skipIf(!CHROMIUM && !process.env.CI)('opened in headless Chromium, no payload runs', () => {
    for (const f of ['report_md.html', 'dataset_README_md.html']) {
      const dom = execFileSync(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'cf-chromium-'))}`, '--virtual-time-budget=2000', '--dump-dom', `file://${join(out, f)}`], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
      expect(dom.length, f).toBeGreaterThan(1000);
      expect(dom, f).not.toContain('id="pwned"');
    }
  });

  it('report.html holds only its own elements: two scripts, no img, no javascript: link', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(html).not.toMatch(/<img|href="javascript:|<details open/i);
    expect(html).toContain('onerror'); // as text (escaped), so the test tests something
  });

  it.skipIf(!RUN_BROWSER)('report.html in headless Chromium (Playwright): the payloads show as text in the page and the example browser, nothing runs', async () => {
    const browser = await launch();
    try {
      const o = await openFile(browser, join(out, 'report.html'));
      expect(o.requests).toEqual([]);
      expect(await o.pwned()).toBe(false);
      await o.page.fill('#cf-search', 'onerror');
      const hits = o.page.locator('#cf-results button');
      expect(await hits.count()).toBeGreaterThan(0);
      await hits.first().click();
      const title = await o.page.locator('#cf-detail h3').textContent();
      expect(title).toContain('<img src=x onerror=');
      expect(await o.page.locator('#cf-detail').textContent()).toContain('onerror');
      await o.page.fill('#cf-search', '<script>');
      for (let i = 0; i < Math.min(3, await hits.count()); i++) await hits.nth(i).click();
      expect(await o.page.locator('#cf-detail img, #cf-detail script, #cf-detail b#pwned').count()).toBe(0);
      expect(await o.pwned()).toBe(false);
      expect(o.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('every TSV line has exactly three fields', () => {
    for (const split of ['train', 'dev', 'test']) {
      const p = join(out, 'dataset', 'beir', 'qrels', `${split}.tsv`);
      if (!existsSync(p)) continue;
      for (const line of readFileSync(p, 'utf8').trimEnd().split('\n')) expect(line.split('\t'), line).toHaveLength(3);
    }
  });
});
