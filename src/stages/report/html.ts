import { createHash } from 'node:crypto';
import { escapeHtml, jsonForEmbedding } from '../../util/escape.js';
import type { LeakageReport } from '../splits/audit.js';
import { BROWSER_SCRIPT } from './browser-script.js';
import { CHARTS_OF, chartSpecs, renderSvg } from './charts.js';
import type { Checklist, Verdict } from './checklist.js';
import type { ReportData } from './data.js';
import type { ExamplesSection } from './examples.js';
import { unitOf, type Report } from './report.js';

const h = escapeHtml;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const fmt = (n: number) => n.toLocaleString('en-US');
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');

/** Only in a report with a not-applicable verdict (a build without a click log), so the other reports stay as they were. */
const NOT_APPLICABLE_STYLE = '.badge.not_applicable { background: #9ca3af; } article.q.not_applicable { border-left-color: #9ca3af; }\n';

const STYLE = `
:root { --pass: #2b7a3d; --warn: #a86b00; --fail: #b8412c; --unknown: #6b7280; --line: #d9dee5; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1c2430; margin: 0; background: var(--bg); }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 60px; }
h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 0 0 6px; } h4 { font-size: 13px; margin: 14px 0 4px; text-transform: uppercase; letter-spacing: .03em; color: #4b5563; }
nav a { margin-right: 14px; color: #1f4e79; } .muted { color: #6b7280; }
table { border-collapse: collapse; margin: 6px 0; background: white; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 3px 7px; text-align: left; vertical-align: top; } th { background: #eef1f5; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; min-width: 64px; text-align: center; border-radius: 10px; padding: 1px 8px; color: white; font-size: 12px; font-weight: 600; text-transform: uppercase; }
.badge.pass { background: var(--pass); } .badge.warn { background: var(--warn); } .badge.fail { background: var(--fail); } .badge.unknown { background: var(--unknown); }
article.q { background: white; border: 1px solid var(--line); border-left: 5px solid var(--unknown); border-radius: 6px; padding: 14px 16px; margin: 12px 0; }
article.q.pass { border-left-color: var(--pass); } article.q.warn { border-left-color: var(--warn); } article.q.fail { border-left-color: var(--fail); }
.summary-line { font-size: 15px; margin: 4px 0 8px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 6px 0; background: white; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
figure figcaption { font-size: 12px; color: #4b5563; max-width: 540px; margin-top: 4px; } figure .title { font-weight: 600; font-size: 13px; }
.change { background: #fff8e6; border-radius: 4px; padding: 4px 12px; margin-top: 8px; }
ul { margin: 4px 0; padding-left: 20px; }
#cf-browser { display: grid; grid-template-columns: 300px 1fr; gap: 16px; }
#cf-results { list-style: none; padding: 0; margin: 6px 0; max-height: 620px; overflow: auto; border: 1px solid var(--line); background: white; }
.cf-hit { display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid var(--line); background: white; padding: 5px 8px; cursor: pointer; font: inherit; }
.cf-hit:hover, .cf-hit:focus { background: #eef4fb; }
#cf-search { width: 100%; padding: 6px 8px; font: inherit; }
.snippet { color: #4b5563; font-size: 12px; min-width: 240px; max-width: 520px; overflow-wrap: anywhere; }
code { font-size: 12px; overflow-wrap: anywhere; }
.note { background: #eef4fb; border-radius: 4px; padding: 6px 12px; }
`;

async function figure(id: string, title: string, caption: string, svg: string): Promise<string> {
  // the SVG comes from vega's renderer, which escapes every text it draws; the charts carry only our own labels and numbers
  return `<figure data-chart="${h(id)}"><div class="title">${h(title)}</div>${svg}<figcaption>${h(caption)}</figcaption></figure>`;
}

function rowsTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (c: string | number) => (typeof c === 'number' ? `<td class="n">${h(fmt(c))}</td>` : `<td>${h(c)}</td>`);
  return `<table><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Tables that show examples behind a verdict (query and document strings: escaped like every other text). */
function extras(v: Verdict, r: Report): string {
  if (v.id === 'falseNegatives') {
    const ex = ((r.sections.negatives as { removedExamples?: Record<string, { query: string; doc_id: string; reason: string }[]> } | null)?.removedExamples) ?? {};
    const rows = Object.entries(ex).flatMap(([f, l]) => l.slice(0, 3).map((e) => [f, e.query, e.doc_id, e.reason]));
    return rows.length ? `<h4>Removed candidates (examples)</h4>${rowsTable(['filter', 'query', 'document', 'reason'], rows)}` : '';
  }
  if (v.id === 'leakage') {
    const k = r.sections.leakage as LeakageReport | null | undefined;
    if (!k) return '';
    const parts: string[] = [];
    if (k.nearDuplicates.examples.length) parts.push(`<h4>Near-duplicate queries across train and test</h4>${rowsTable(['test query', 'training query', 'trigram Jaccard'], k.nearDuplicates.examples.slice(0, 10).map((e) => [e.test, e.train ?? '—', e.jaccard.toFixed(2)]))}`);
    if (k.sharedFamilies.examples.length) parts.push(`<h4>Families in both train and test</h4>${rowsTable(['family'], k.sharedFamilies.examples.slice(0, 10).map((f) => [f]))}`);
    if (k.sharedPositives.examples.length) parts.push(`<h4>Documents positive in both train and test</h4>${rowsTable(['document'], k.sharedPositives.examples.slice(0, 10).map((f) => [f]))}`);
    return parts.join('');
  }
  if (v.id === 'freshness') {
    const dr = (r.sections.reportData as ReportData | undefined)?.time.drift;
    if (!dr || (!dr.rising.length && !dr.falling.length)) return '';
    const rows = [...dr.rising.map((m) => ['rising', m.query, pct(m.oldest), pct(m.newest)]), ...dr.falling.map((m) => ['falling', m.query, pct(m.oldest), pct(m.newest)])];
    return `<h4>Queries whose share moved most, oldest vs newest third</h4>${rowsTable(['', 'query', 'oldest third', 'newest third'], rows)}`;
  }
  return '';
}

function examplesBlock(ex: ExamplesSection | undefined): string {
  if (!ex) return '<p class="muted">This report.json has no examples (built by an older clickforge).</p>';
  const sampled = ex.sampled < ex.queries
    ? `<p class="note">Sampled: ${h(fmt(ex.sampled))} of ${h(fmt(ex.queries))} queries are embedded (a seeded sample; report.examples.maxQueries), each with at most report.examples.maxRemovedPerQuery removed candidates.</p>`
    : `<p class="muted">All ${h(fmt(ex.queries))} queries with positives are embedded.</p>`;
  return `${sampled}
<div id="cf-browser">
  <div><label for="cf-search">Search a query</label><input id="cf-search" type="search" autocomplete="off" placeholder="type part of a query"><div id="cf-count" class="muted"></div><ul id="cf-results"></ul></div>
  <div id="cf-detail"></div>
</div>`;
}

function stagesBlock(r: Report): string {
  const rows = r.stages.flatMap((st) => {
    const drops = Object.entries(st.dropped).filter(([, v]) => v > 0);
    const inn = Object.entries(st.in).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    const out = Object.entries(st.out).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    return [[st.stage, inn, out, drops.map(([k, v]) => `${k} ${fmt(v)} (${pct(v / Math.max(1, st.in[unitOf(st, k)] ?? 0))})`).join('; ') || '—']];
  });
  const acc = r.accounting.map((a) => [a.name, a.lhs, a.ok ? 'yes' : 'NO']);
  return `<details><summary>Every stage's counters (${h(fmt(r.stages.length))} stages)</summary>${rowsTable(['stage', 'in', 'out', 'dropped (share of its input)'], rows)}</details>
<details><summary>Accounting: counts add up — ${r.accounting.every((a) => a.ok) ? 'yes' : 'NO'} (${h(fmt(r.accounting.length))} checks)</summary>${rowsTable(['check', 'total', 'ok'], acc)}</details>
${r.warnings.length ? `<h3>Warnings</h3><ul>${r.warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul>` : ''}
<p class="muted">report.md holds the same checklist and every table for a pull request; report.json holds all data (clickforge report OUT rebuilds both pages from it).</p>`;
}

/**
 * report.html: one self-contained page (inline SVG charts, inline data, one inline script allowed by
 * hash in the page's Content-Security-Policy, no request to any server). Every string from the data
 * is escaped; the example browser builds its elements with textContent.
 */
export async function renderHtml(r: Report): Promise<string> {
  const c = r.sections.checklist as Checklist | undefined;
  const specs = chartSpecs(r, c);
  const svgs = new Map<string, string>();
  for (const s of specs) svgs.set(s.id, await figure(s.id, s.title, s.caption, await renderSvg(s.spec)));
  const used = new Set<string>();
  const chartsFor = (ids: readonly string[]) => ids.filter((id) => svgs.has(id)).map((id) => (used.add(id), svgs.get(id)!)).join('');
  const s = r.summary;
  const verdicts = c?.verdicts ?? [];
  const summaryTable = `<table><thead><tr><th>#</th><th>question</th><th>verdict</th><th>why</th></tr></thead><tbody>${verdicts.map((v, i) => `<tr><td>${i + 1}</td><td><a href="#q-${h(v.id)}">${h(v.question)}</a></td><td><span class="badge ${h(v.verdict)}">${h(v.verdict)}</span></td><td>${h(v.summary)}</td></tr>`).join('')}</tbody></table>`;
  const cards = verdicts.map((v, i) => `<article class="q ${h(v.verdict)}" id="q-${h(v.id)}" data-verdict="${h(v.verdict)}">
<h3><span class="badge ${h(v.verdict)}">${h(v.verdict)}</span> ${i + 1}. ${h(v.question)}</h3>
<p class="summary-line">${h(v.summary)}</p>
<div class="charts">${chartsFor(CHARTS_OF[v.id] ?? [])}</div>
<h4>Evidence</h4><ul>${v.evidence.map((e) => `<li>${h(e.trim())}</li>`).join('')}</ul>
${extras(v, r)}
${v.change.length ? `<div class="change"><h4>What to change</h4><ul>${v.change.map((e) => `<li>${h(e)}</li>`).join('')}</ul></div>` : ''}
</article>`).join('\n');
  const overview = chartsFor(['funnel', 'click-outcomes', 'ctr-by-rank', 'examination']);
  const rest = chartsFor(specs.map((x) => x.id).filter((id) => !used.has(id)));
  const ex = r.sections.examples as ExamplesSection | undefined;
  const data = jsonForEmbedding(ex ?? { queriesList: [], docs: {} }, 0);
  const script = BROWSER_SCRIPT;
  const csp = `default-src 'none'; script-src 'sha256-${sha256(script)}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>clickforge dataset report</title>
<style>${STYLE}${verdicts.some((v) => v.verdict === 'not_applicable') ? NOT_APPLICABLE_STYLE : ''}</style></head>
<body><main>
<h1>clickforge dataset report</h1>
<p>${h(`${fmt(s.rowsRead)} input rows (${fmt(s.rowsQuarantined)} quarantined) → ${fmt(s.sessions)} sessions, ${fmt(s.serps)} result pages, ${fmt(s.clicks)} clicks → ${fmt(s.clicksKept)} kept as evidence (${pct(s.clickDiscardRate)} of raw clicks discarded) → ${fmt(s.positivePairs)} positive pairs over ${fmt(s.positiveQueries)} queries.`)}</p>
<p class="muted">clickforge ${h(r.tool.version)} · this page is self-contained: it opens offline and loads nothing.</p>
<nav><a href="#checklist">Checklist</a><a href="#overview">Funnel and position bias</a><a href="#examples">Example browser</a><a href="#appendix">Stage counters</a></nav>
<h2 id="checklist">Checklist: train on this, or fix the data first?</h2>
${c ? summaryTable : '<p class="muted">No checklist in this report.json.</p>'}
${cards}
<h2 id="overview">Funnel and position bias</h2>
<div class="charts">${overview}</div>
${rest ? `<h2>More charts</h2><div class="charts">${rest}</div>` : ''}
<h2 id="examples">Example browser</h2>
${examplesBlock(ex)}
<h2 id="appendix">Stage counters</h2>
${stagesBlock(r)}
</main>
<script type="application/json" id="cf-examples">${data}</script>
<script>${script}</script>
</body></html>
`;
}
