import type { StageStats } from '../../types.js';
import { renderPresentationSection } from '../balance/presentation.js';
import { calibrationMarkdown, doNoHarmMarkdown } from '../calibration/render.js';
import { escapeMarkdown, jsonForEmbedding } from '../../util/escape.js';
import type { Checklist, VerdictLevel } from './checklist.js';

/** One check that counts add up: `lhs` must equal the sum of `rhs`. */
export interface AccountingCheck {
  readonly name: string;
  readonly lhs: number;
  readonly rhs: Readonly<Record<string, number>>;
  readonly ok: boolean;
}

export interface FunnelRow {
  readonly step: string;
  readonly count: number;
  /** Share of the funnel's first row. */
  readonly share: number;
}

export interface ClickOutcome {
  readonly outcome: string;
  readonly count: number;
  readonly share: number;
  readonly kept: boolean;
}

export interface Report {
  readonly tool: { readonly name: 'clickforge'; readonly version: string };
  readonly summary: {
    readonly rowsRead: number;
    readonly rowsQuarantined: number;
    readonly sessions: number;
    readonly serps: number;
    readonly clicks: number;
    readonly clicksKept: number;
    readonly clickDiscardRate: number;
    readonly evidencePairs: number;
    readonly positivePairs: number;
    readonly positiveQueries: number;
  };
  readonly funnel: readonly FunnelRow[];
  readonly clickOutcomes: readonly ClickOutcome[];
  readonly stages: readonly StageStats[];
  readonly accounting: readonly AccountingCheck[];
  readonly warnings: readonly string[];
  /** Extra sections other stages add (bias, negatives, splits ...), rendered generically. */
  readonly sections: Readonly<Record<string, unknown>>;
}

const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0);

export function check(name: string, lhs: number, rhs: Readonly<Record<string, number>>): AccountingCheck {
  return { name, lhs, rhs, ok: lhs === sum(rhs) };
}

/**
 * Drop reasons are counted in the unit of the stage's first input (usually `rows`), unless the
 * reason is prefixed with a unit: `clicks.negative_dwell` counts clicks.
 */
export function unitOf(st: StageStats, reason: string): string {
  const dot = reason.indexOf('.');
  if (dot > 0) return reason.slice(0, dot);
  return 'rows' in st.in ? 'rows' : (Object.keys(st.in)[0] ?? 'rows');
}

/** For every unit a stage both takes in and puts out: in = out + drops in that unit. */
export function stageChecks(st: StageStats): AccountingCheck[] {
  const out: AccountingCheck[] = [];
  for (const [unit, n] of Object.entries(st.in)) {
    if (!(unit in st.out)) continue;
    const parts: Record<string, number> = { [`${unit} out`]: st.out[unit] ?? 0 };
    for (const [reason, c] of Object.entries(st.dropped)) if (unitOf(st, reason) === unit) parts[reason] = c;
    out.push(check(`${st.stage}: ${unit} in = out + dropped`, n, parts));
  }
  return out;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const fmt = (n: number): string => n.toLocaleString('en-US');

/** A Markdown table; every text cell is escaped (queries, document ids and reasons are data, not markup). */
function table(header: string[], rows: (string | number | { readonly md: string })[][]): string {
  const line = (cells: (string | number | { readonly md: string })[]) => `| ${cells.map((c) => (typeof c === 'number' ? fmt(c) : typeof c === 'string' ? escapeMarkdown(c) : c.md)).join(' | ')} |`;
  return [line(header), `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Sections report.md does not dump as JSON: the checklist above renders them, report.json holds them. */
const NOT_DUMPED = new Set(['checklist', 'reportData', 'examples']);
/** Sections whose tables report.md shows right after the checklist (the rest go to the appendix). */
const KEY_SECTIONS = ['labels', 'bias', 'negatives', 'leakage'];

const VERDICT_MD: Record<VerdictLevel, string> = { pass: '**pass**', warn: '**warn**', fail: '**FAIL**', unknown: '**unknown**', not_applicable: '**not applicable**' };

/** The checklist as Markdown: a table of the six verdicts, then each question's evidence and what to change. */
export function checklistMarkdown(c: Checklist): string {
  const out: string[] = [];
  out.push(table(['#', 'question', 'verdict', 'why'], c.verdicts.map((v, i) => [`${i + 1}`, v.question, { md: VERDICT_MD[v.verdict] }, v.summary])), '');
  c.verdicts.forEach((v, i) => {
    out.push(`### ${i + 1}. ${escapeMarkdown(v.question)} ${VERDICT_MD[v.verdict]}`, '', escapeMarkdown(v.summary), '');
    out.push(...v.evidence.map((e) => `- ${escapeMarkdown(e.trim())}`), '');
    if (v.change.length) out.push('What to change:', '', ...v.change.map((e) => `- ${escapeMarkdown(e)}`), '');
  });
  return out.join('\n');
}

function sectionMarkdown(name: string, sec: unknown, dump: boolean): string[] {
  const custom = SECTION_RENDERERS[name]?.(sec as never);
  const out = [`## ${SECTION_TITLES[name] ?? escapeMarkdown(name)}`, ''];
  if (custom) out.push(custom, '');
  if (dump) out.push('<details><summary>data</summary>', '', '```json', jsonForEmbedding(sec), '```', '', '</details>', '');
  return out;
}

/**
 * report.md, what people paste into a pull request: the six-question checklist, the funnel and the
 * key tables first; every stage's counters, the accounting checks and the other sections in an
 * appendix. `checklist` defaults to the one report.json holds (sections.checklist).
 */
export function renderMarkdown(r: Report, checklist?: Checklist): string {
  const s = r.summary;
  const c = checklist ?? (r.sections.checklist as Checklist | undefined);
  const out: string[] = [];
  out.push(`# clickforge report`, '');
  out.push(
    `${fmt(s.rowsRead)} input rows (${fmt(s.rowsQuarantined)} quarantined) → ${fmt(s.sessions)} sessions, ${fmt(s.serps)} result pages, ` +
      `${fmt(s.clicks)} clicks → ${fmt(s.clicksKept)} clicks kept as evidence (**${pct(s.clickDiscardRate)} of raw clicks discarded**) → ` +
      `${fmt(s.positivePairs)} positive pairs over ${fmt(s.positiveQueries)} queries.`,
    '',
  );
  if (c) out.push('## Checklist: train on this, or fix the data first?', '', checklistMarkdown(c));
  out.push('## Funnel', '', table(['step', 'count', 'share of first'], r.funnel.map((f) => [f.step, f.count, pct(f.share)])), '');
  if (r.clickOutcomes.length) {
    out.push('## Raw clicks, reason by reason', '', 'Every raw click lands in exactly one outcome.', '');
    out.push(table(['outcome', 'clicks', 'share', 'used as evidence'], r.clickOutcomes.map((c) => [c.outcome, c.count, pct(c.share), c.kept ? 'yes' : 'no (discarded)'])), '');
  }
  for (const name of KEY_SECTIONS) {
    const sec = r.sections[name];
    if (sec !== null && sec !== undefined) out.push(...sectionMarkdown(name, sec, false));
  }
  if (r.warnings.length) out.push('## Warnings', '', ...r.warnings.map((w) => `- ${escapeMarkdown(w)}`), '');
  out.push('# Appendix', '', '## Stages', '');
  for (const st of r.stages) {
    out.push(`### ${escapeMarkdown(st.stage)}`, '');
    const inn = escapeMarkdown(Object.entries(st.in).map(([k, v]) => `${k} ${fmt(v)}`).join(', '));
    const o = escapeMarkdown(Object.entries(st.out).map(([k, v]) => `${k} ${fmt(v)}`).join(', '));
    out.push(`- in: ${inn || '—'}`, `- out: ${o || '—'}`);
    const drops = Object.entries(st.dropped).filter(([, v]) => v > 0);
    if (drops.length) {
      const share = (reason: string, v: number) => pct(v / Math.max(1, st.in[unitOf(st, reason)] ?? 0));
      out.push('', table(['dropped: reason', 'count', 'share of its input'], drops.sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v, share(k, v)])));
    }
    for (const n of st.notes ?? []) out.push(`- note: ${escapeMarkdown(n)}`);
    out.push('');
  }
  out.push('## Accounting (counts must add up)', '');
  out.push(table(['check', 'total', 'parts', 'ok'], r.accounting.map((a) => [a.name, a.lhs, Object.entries(a.rhs).map(([k, v]) => `${k} ${fmt(v)}`).join(' + '), a.ok ? 'yes' : '**NO**'])), '');
  for (const [name, sec] of Object.entries(r.sections)) {
    if (sec === null || sec === undefined || NOT_DUMPED.has(name)) continue;
    // key sections' tables are above; their data goes here
    out.push(...(KEY_SECTIONS.includes(name) ? [`## ${SECTION_TITLES[name] ?? escapeMarkdown(name)}: data`, '', '<details><summary>data</summary>', '', '```json', jsonForEmbedding(sec), '```', '', '</details>', ''] : sectionMarkdown(name, sec, true)));
  }
  return out.join('\n');
}

const SECTION_TITLES: Record<string, string> = {
  bias: 'Position bias (examination by rank, from the log)',
  labels: 'Against labels: are positives useful or merely clicked?',
  doNoHarm: 'Do no harm: every rule checked against the labels',
  calibration: 'Calibration: which signals mean relevance on this log (held out by query family)',
  leakage: 'Leakage audit of the splits',
  negatives: 'Negatives: hardness and removed false negatives',
  families: 'Query families',
  splits: 'Splits',
  corpus: 'Corpus coverage by the log',
  dataset: 'Dataset files',
  batches: 'Batch composition',
  curriculum: 'Curriculum: negatives by stage',
  presentation: 'Presentation: click-through by how results were shown',
  balance: 'Balance: popularity, freshness, head and tail',
};

const rateCell = (x: { judged: number; relevant: number; rate: number | null } | undefined) =>
  x ? `${x.rate === null ? '—' : pct(x.rate)} (${fmt(x.relevant)} of ${fmt(x.judged)} judged)` : '—';

type Renderer = (sec: Record<string, unknown>) => string | undefined;

const SECTION_RENDERERS: Record<string, Renderer> = {
  presentation: (p) => renderPresentationSection(p as never),
  doNoHarm: (h) => doNoHarmMarkdown(h as never),
  calibration: (c) => calibrationMarkdown(c),
  bias: (b) => {
    const curve = b.curve as number[] | undefined;
    if (!curve) return undefined;
    const ci = b.ci as { lower: number[]; upper: number[] } | null;
    const held = b.heldOut as { perplexity: number; logLikelihood: number; pages: number } | null;
    const rows = curve.map((v, i) => [`${i + 1}`, v.toFixed(3), ci ? `[${ci.lower[i]?.toFixed(3)}, ${ci.upper[i]?.toFixed(3)}]` : '—']);
    const id = b.identification as { reasons: string[]; clickOnly: boolean } | undefined;
    const grading = b.grading as { rule: string; reason: string } | undefined;
    const verdict = b.identified === false && id
      ? `**Not identified**${id.clickOnly ? ' (not an estimate: the log records impressions only for clicked results)' : ''}: ${escapeMarkdown(id.reasons.join('; '))}.`
      : b.identified === true ? 'Identified: every check of bias.identification passes.' : undefined;
    return [
      ...(verdict ? [verdict, ''] : []),
      `Estimator: **${escapeMarkdown(String(b.estimator))}** (${escapeMarkdown(String(b.reason ?? ''))}).` + (held ? ` Held-out perplexity ${held.perplexity} and log-likelihood ${held.logLikelihood} on ${fmt(held.pages)} result pages.` : ''),
      ...(grading ? ['', `Grading: **${escapeMarkdown(grading.rule)}** (${escapeMarkdown(grading.reason)}).`] : []),
      '',
      table(['rank', id?.clickOnly ? 'fitted value (not an examination estimate)' : 'examination (rank 1 = 1)', '95% interval'], rows),
    ].join('\n');
  },
  labels: (l) => {
    const byGrade = (l.positivesByGrade ?? {}) as Record<string, { judged: number; relevant: number; rate: number | null }>;
    const bySource = (l.negativesBySource ?? {}) as Record<string, { judged: number; relevant: number; rate: number | null }>;
    const rows: (string | number)[][] = [
      ['every clicked pair (what "all clicks are positives" gives)', rateCell(l.clickedPairs as never)],
      ['positives kept by clickforge', rateCell(l.positives as never)],
      ...Object.entries(byGrade).map(([g, x]) => [`  positives of ${g.replace('_', ' ')}`, rateCell(x)]),
      ['exported negatives that are relevant (false negatives)', rateCell(l.negatives as never)],
      ...Object.entries(bySource).map(([k, x]) => [`  negatives from ${k}`, rateCell(x)]),
    ];
    const recall = l.positiveRecall as number | null;
    return `${fmt(Number(l.labels))} labels over ${fmt(Number(l.labelledQueries))} queries. ${l.unjudged === 'skip' ? 'The labels judge sampled pairs (some have grade 0): only labelled pairs count, an unlabelled one is unknown.' : 'The labels list relevant pairs only (a qrels list): an unlisted document of a labelled query counts as not relevant (TREC convention).'}\n\n${table(['set', 'relevant share'], rows)}\n\nRecall of the positives (labelled-relevant pairs of their queries that are positives): ${recall === null ? '—' : pct(recall)}.`;
  },
  leakage: (k) => {
    const shared = k.sharedFamilies as { count: number };
    const nd = k.nearDuplicates as { threshold: number; count: number; share: number };
    const sp = k.sharedPositives as { count: number; testQueriesAffected: number };
    const ts = k.timestamps as { cutoff: number | null; trainRecordsAfterCutoff: number; trainRecordsUnknownTime: number };
    return [
      `- verdict: **${k.ok ? 'no leak' : 'LEAK: see below'}** (${fmt(Number(k.trainQueries))} train queries, ${fmt(Number(k.testQueries))} test queries)`,
      `- query families shared by train and test: ${fmt(shared.count)} (must be 0)`,
      `- test queries with a training query at character-trigram Jaccard >= ${nd.threshold}: ${fmt(nd.count)} (${pct(nd.share)}) — lexically close but of another family`,
      `- documents that are positives in both train and test: ${fmt(sp.count)}, affecting ${fmt(sp.testQueriesAffected)} test queries`,
      `- cutoff: ${ts.cutoff === null ? 'none (hashed split)' : new Date(ts.cutoff).toISOString()}; training records with evidence after it: ${fmt(ts.trainRecordsAfterCutoff)} (must be 0); with unknown time: ${fmt(ts.trainRecordsUnknownTime)}`,
    ].join('\n');
  },
  curriculum: (c) => {
    type H = { meanRelative: number | null; meanCosine: number | null; meanGap?: number | null };
    const h = (c.hardness ?? []) as { stage: string; negatives: number; surface: H; trained: H }[];
    const f = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));
    return [
      'How hard each stage\'s negatives are: mean cosine of query and negative, and its gap to the weakest positive of the query (0 = as close as that positive; more negative = easier), under two rulers: the untrained model (surface similarity) and the model trained on stages 1+2. Stage 1 has no explicit negatives: its row measures the other positives a batch holds. The random row draws corpus documents at random (not exported).',
      '',
      table(['stage', 'negatives', 'surface cosine', 'surface gap', 'trained cosine', 'trained gap'], h.map((x) => [x.stage, x.negatives, f(x.surface.meanCosine), f(x.surface.meanGap), f(x.trained.meanCosine), f(x.trained.meanGap)])),
    ].join('\n');
  },
  negatives: (n) => {
    const h = (n.hardness ?? {}) as Record<string, { mean: number; n: number }>;
    const ex = (n.removedExamples ?? {}) as Record<string, { query: string; doc_id: string; reason: string }[]>;
    const parts = [
      'Hardness = a negative\'s score relative to the lowest positive score of its query (1 = as close as the weakest positive).',
      '',
      table(['source', 'negatives', 'mean hardness'], Object.entries(h).map(([k, v]) => [k, v.n, v.mean.toFixed(3)])),
    ];
    const exRows = Object.entries(ex).flatMap(([f, l]) => l.slice(0, 3).map((e) => [f, e.query, e.doc_id, e.reason]));
    if (exRows.length) parts.push('', 'Removed as likely false negatives (examples):', '', table(['filter', 'query', 'document', 'reason'], exRows));
    return parts.join('\n');
  },
};

/**
 * report.json: indented like the other JSON files, but an array of plain values and each row of the
 * example browser stay on one line, so the file stays small and readable with thousands of examples.
 */
export function reportJson(r: Report): string {
  const plain = (v: unknown) => v === null || typeof v !== 'object';
  const ser = (v: unknown, pad: string, path: string): string => {
    if (typeof v === 'bigint') return String(Number(v));
    if (plain(v)) return JSON.stringify(v) ?? 'null';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      if (v.every(plain) || path === 'sections.examples.queriesList[]') return `[${v.map((x) => (path.endsWith('[]') && !plain(x) ? JSON.stringify(x) : ser(x, '', `${path}[]`))).join(', ')}]`;
      if (path === 'sections.examples.queriesList') return `[\n${v.map((x) => `${pad}  ${JSON.stringify(x)}`).join(',\n')}\n${pad}]`;
      return `[\n${v.map((x) => `${pad}  ${ser(x, `${pad}  `, `${path}[]`)}`).join(',\n')}\n${pad}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${pad}  ${JSON.stringify(k)}: ${ser(x, `${pad}  `, path ? `${path}.${k}` : k)}`).join(',\n')}\n${pad}}`;
  };
  return `${ser(r, '', '')}\n`;
}
