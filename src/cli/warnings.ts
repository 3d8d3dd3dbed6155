import type { Report } from '../stages/report/report.js';
import type { CurveIdentification } from '../stages/bias/identification.js';
import type { ResolvedGradingRule } from '../stages/evidence/grading.js';
import type { CorpusCoverage } from '../stages/report/sections.js';
import type { StageStats } from '../types.js';

/** The parts of report.json's bias section the warnings read. */
interface BiasSection {
  readonly curve?: readonly (number | null)[];
  readonly estimator?: string;
  readonly identification?: CurveIdentification;
  readonly grading?: ResolvedGradingRule;
}

/**
 * Thresholds of the warnings `build` prints at its end. A build that ran but produced data not
 * worth training on exits 0; these lines say so on stderr instead of leaving it to report.md.
 */
export const WARNING_THRESHOLDS = {
  /** A false-negative filter that removes more than this share of the candidates it saw: hard negatives stop being hard (or the filter's data is wrong). */
  filterRemovedShare: 0.9,
  /** ... counted only over at least this many candidates, so that a tiny log does not warn on 9 of 10. */
  filterMinCandidates: 20,
  /** A position-bias curve whose every rank below the first is examined at least this often relative to rank 1 (after the clip to 1 that debiasing applies): clicks are hardly reweighted. Logged curves fall to 0.1-0.3 by rank 10. */
  flatCurveMin: 0.9,
  /** Quarantined input rows above this share of the rows read: most likely a wrong format, column mapping or timestamp setting rather than a few bad rows. */
  quarantinedShare: 0.1,
  /** A corpus of which at least this share of documents is shown in the log ... */
  corpusShownShare: 0.95,
  /** ... while at least this share of its documents is shown on a single page only: the log is far from showing everything (Good-Turing: many documents seen once means many unseen), yet the corpus holds nothing it did not show, so it was assembled from the shown results. The simulated help desk shows 99.3% of its corpus, but only 0.2% on one page. */
  corpusShownOnceShare: 0.05,
  /** A test split with fewer exported queries than this (when splits.fractions.test > 0): with a per-query nDCG@10 spread near 0.3, the 95% interval of a test mean is then about +-0.1 or wider. */
  minTestQueries: 30,
} as const;

const fmt = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const topReasons = (st: StageStats, n = 2) =>
  Object.entries(st.dropped)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');

/**
 * The warnings of a finished build, one self-contained line each, from its report alone:
 * no positive pairs, no corpus, no training records, impressions recorded only for clicked
 * results, a position-bias curve that is not identified (and what grading did about it), a flat
 * curve, a corpus made only of shown results, too small a test split, a false-negative filter that
 * removed most candidates, much of the input quarantined, counts that do not add up, then the
 * report's own warnings (e.g. mixed timestamp formats).
 */
export function buildWarnings(r: Report): string[] {
  const out: string[] = [];
  const stage = (name: string) => r.stages.find((s) => s.stage === name);
  const s = r.summary;
  const corpus = stage('ingest:corpus');
  const docs = corpus ? (corpus.out.rows ?? 0) : 0;

  if (!corpus) out.push('no corpus given (--corpus or input.corpus): positives need the text of the clicked documents, so none can be made; pass the corpus file.');
  else if (docs === 0) out.push(`the corpus has no usable rows (${fmt(corpus.in.rows ?? 0)} read, all quarantined or empty): see quarantine.jsonl.`);

  if (s.positivePairs === 0) {
    const pos = stage('positives');
    const why: string[] = [];
    if (s.clicks === 0) why.push('the log has no clicks');
    else if (s.clicksKept === 0) why.push(`every one of the ${fmt(s.clicks)} clicks was discarded (see the click outcomes above)`);
    const d = pos?.dropped ?? {};
    if ((d.doc_not_in_corpus ?? 0) > 0 && corpus) why.push(`${fmt(d.doc_not_in_corpus ?? 0)} clicked pairs point to documents missing from the corpus`);
    if ((d.below_min_grade ?? 0) > 0) why.push(`${fmt(d.below_min_grade ?? 0)} pairs graded below positives.minGrade`);
    if ((d.below_min_clicks ?? 0) > 0) why.push(`${fmt(d.below_min_clicks ?? 0)} pairs with fewer clicks than positives.minClicks`);
    out.push(`no positive pairs: the dataset has nothing to train on${why.length ? ` (${why.join('; ')})` : ''}.`);
  } else {
    const exp = stage('export');
    if (exp && (exp.out.train ?? 0) === 0) out.push('no training records written: every query family went to dev or test, or lost its negatives (see report.md, export and splits).');
  }

  const bias = r.sections.bias as BiasSection | undefined;
  const id = bias?.identification;
  const grading = bias?.grading;
  if (id?.clickOnly) {
    const m = id.measures;
    out.push(
      `impressions seem recorded only for clicked results (${pct(m.clickedShare ?? 1)} of ${fmt(m.impressions)} impressions clicked, >= ${pct(id.thresholds.maxClickedShare)}): the position-bias curve is not an estimate (report.md, bias: not identified)${grading?.rule === 'funnel' ? ', so grading.rule auto graded by the click funnel' : ''}, and skip-above and exposure negatives have nothing to stand on; give every shown result in \`results\` (with its rank), not only the clicked ones, or set negatives.miners without behavioural.`,
    );
  } else if (id && !id.identified && grading) {
    if (grading.rule === 'funnel' && grading.requested === 'auto') {
      out.push(`the position-bias curve is not identified (${id.reasons.join('; ')}): grading.rule auto graded by the click funnel instead of debiased relevance; set grading.rule relevance to grade with the curve anyway, or change the checks under bias.identification (docs/stages/bias.md).`);
    } else if (grading.rule === 'relevance') {
      out.push(`grading.rule relevance grades with a position-bias curve that is not identified (${id.reasons.join('; ')}): set grading.rule auto (or funnel) to grade by the click funnel (docs/stages/evidence.md).`);
    }
  }
  const curve = bias?.curve ?? [];
  if (curve.length >= 2 && !id?.clickOnly) {
    // the pipeline clips propensities to (0, 1] before debiasing; a curve at or above 1 reweights nothing
    const eff = curve.slice(1).map((v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(1, v) : 1));
    const low = Math.min(...eff);
    if (low >= WARNING_THRESHOLDS.flatCurveMin) {
      out.push(
        `the position-bias curve is flat (${bias?.estimator ?? 'estimator'}: every rank examined at >= ${pct(low)} of rank 1 after clipping to 1): clicks are hardly debiased; usually too few result pages per query, or a document seldom shown at several ranks (see report.md, bias).`,
      );
    }
  }

  const cov = r.sections.corpus as CorpusCoverage | undefined;
  const bm25 = stage('negatives/mine')?.out.proposed_bm25 ?? 0;
  if (cov && cov.docs > 0 && bm25 > 0) {
    const shown = cov.shown / cov.docs, once = cov.shownOnce / cov.docs;
    if (shown >= WARNING_THRESHOLDS.corpusShownShare && once >= WARNING_THRESHOLDS.corpusShownOnceShare) {
      out.push(
        `the corpus seems made only of shown results (${pct(shown)} of its ${fmt(cov.docs)} documents appear in the log's impressions, ${pct(once)} on a single page): BM25 negatives drawn from it are mostly topical near-misses the search engine already ranked for the query, and so often relevant; add documents the log never showed to the corpus, or set negatives.miners without bm25 (docs/stages/negatives.md).`,
      );
    }
  }

  const splits = r.sections.splits as { fractions?: { test?: number } } | undefined;
  const testFamilies = stage('splits')?.out.test;
  const testQueries = stage('export')?.out.test;
  if ((splits?.fractions?.test ?? 0) > 0 && testFamilies !== undefined && testQueries !== undefined && testQueries < WARNING_THRESHOLDS.minTestQueries) {
    const thin = stage('splits')?.dropped.test_family_below_min_clicks_to_dev ?? 0;
    out.push(
      `the test split holds ${fmt(testQueries)} quer${testQueries === 1 ? 'y' : 'ies'} in ${fmt(testFamilies)} famil${testFamilies === 1 ? 'y' : 'ies'} (fewer than ${WARNING_THRESHOLDS.minTestQueries}): intervals on test metrics will be wide; raise splits.fractions.test${thin > 0 ? `, or set splits.minTestClicks 1 (${fmt(thin)} test families went to dev for too few clicks)` : ''}, or evaluate on a labelled query set.`,
    );
  }

  for (const st of r.stages) {
    if (!st.stage.startsWith('false-negatives/')) continue;
    const seen = st.in.candidates ?? 0;
    const kept = st.out.kept ?? seen;
    if (seen < WARNING_THRESHOLDS.filterMinCandidates) continue;
    const share = (seen - kept) / seen;
    if (share > WARNING_THRESHOLDS.filterRemovedShare) {
      const name = st.stage.slice('false-negatives/'.length);
      const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      out.push(`the ${name} filter removed ${pct(share)} of ${fmt(seen)} negative candidates (${topReasons(st)}): check negatives.filters.${key} (docs/stages/false-negatives.md).`);
    }
  }

  if (s.rowsRead > 0 && s.rowsQuarantined / s.rowsRead > WARNING_THRESHOLDS.quarantinedShare) {
    out.push(`${fmt(s.rowsQuarantined)} of ${fmt(s.rowsRead)} input rows (${pct(s.rowsQuarantined / s.rowsRead)}) were quarantined: check input.format, input.columns and input.timestamps against quarantine.jsonl.`);
  }

  const bad = r.accounting.filter((a) => !a.ok);
  if (bad.length) out.push(`counts do not add up in ${bad.length} check${bad.length === 1 ? '' : 's'} (${bad[0]!.name}${bad.length > 1 ? ', ...' : ''}): a bug, please report it with report.json.`);

  out.push(...r.warnings);
  return out;
}

/** The same warnings as stderr lines. */
export function renderWarnings(r: Report): string {
  return buildWarnings(r).map((w) => `warning: ${w}\n`).join('');
}
