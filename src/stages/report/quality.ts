import type { Evidence, PositivePair } from '../../types.js';
import { normalizeQuery } from '../../text/normalize.js';
import type { TrainingRecord } from '../negatives/types.js';

export type Unjudged = 'irrelevant' | 'skip';

/**
 * The convention a labels file implies. A file with grade-0 rows holds explicit judgements of
 * sampled pairs, so an unlabelled pair is unknown ('skip'); a file of relevant pairs only is a
 * qrels list (a simulator's truth, TREC qrels of relevant documents), where an unlisted document
 * of a listed query is not relevant ('irrelevant', the TREC convention).
 */
export function unjudgedConvention(labels: Iterable<LabelRow>): Unjudged {
  for (const l of labels) if (!(l.grade > 0)) return 'skip';
  return 'irrelevant';
}

/** Labels as loaded by ingest (query, doc_id, grade); several judgements of one pair are averaged. */
export interface LabelRow {
  readonly query: string;
  readonly doc_id: string;
  readonly grade: number;
}

export interface Rate {
  /** Items that have a label. */
  readonly judged: number;
  /** Judged items with grade > 0. */
  readonly relevant: number;
  /** relevant / judged (null when nothing is judged). */
  readonly rate: number | null;
}

/** What the labels say about the dataset: are positives useful or merely clicked, are negatives truly negative. */
export interface QualityAgainstLabels {
  readonly labels: number;
  readonly labelledQueries: number;
  /** How an unlabelled document of a labelled query counts: not relevant (a qrels list) or not at all (sampled judgements). */
  readonly unjudged: Unjudged;
  /** Every clicked (query, doc) pair: what "all clicks are positives" would give. */
  readonly clickedPairs: Rate;
  /** The positives clickforge kept, overall and by grade. */
  readonly positives: Rate;
  readonly positivesByGrade: Readonly<Record<string, Rate>>;
  /** Share of labelled-relevant pairs of the positives' queries that are among the positives. */
  readonly positiveRecall: number | null;
  /** Exported negatives that the labels call relevant (false negatives), overall and per miner. */
  readonly negatives: Rate;
  readonly negativesBySource: Readonly<Record<string, Rate>>;
}

/** The mean grade of each labelled pair, keyed `${normalizeQuery(query)}\t${doc_id}` (several judgements of one pair are averaged). */
export function meanLabelGrades(labels: Iterable<LabelRow>): Map<string, number> {
  const sum = new Map<string, { s: number; n: number }>();
  for (const l of labels) {
    const k = `${normalizeQuery(l.query)}\t${l.doc_id}`;
    const e = sum.get(k) ?? { s: 0, n: 0 };
    e.s += l.grade;
    e.n++;
    sum.set(k, e);
  }
  const out = new Map<string, number>();
  for (const [k, { s, n }] of sum) out.set(k, s / n);
  return out;
}

function rate(judged: number, relevant: number): Rate {
  return { judged, relevant, rate: judged > 0 ? relevant / judged : null };
}

class Tally {
  judged = 0;
  relevant = 0;
  add(g: number | undefined): void {
    if (g === undefined) return;
    this.judged++;
    if (g > 0) this.relevant++;
  }
  get(): Rate {
    return rate(this.judged, this.relevant);
  }
}

/**
 * Measure positives and negatives against explicit labels (a labels file, or a simulator's
 * truth/qrels.jsonl passed as labels). Rates are over judged items: pairs of queries without any
 * label are never guessed; for a query that has labels, an unlabelled document counts as not
 * relevant (`unjudged: 'irrelevant'`, the TREC convention) or is skipped (`'skip'`); the default
 * follows the file (`unjudgedConvention`).
 */
export function qualityAgainstLabels(
  labels: readonly LabelRow[],
  evidence: readonly Evidence[],
  pairs: readonly PositivePair[],
  records: readonly TrainingRecord[],
  unjudged: Unjudged = unjudgedConvention(labels),
): QualityAgainstLabels {
  const byQuery = new Map<string, Set<string>>();
  const grade = meanLabelGrades(labels);
  for (const [k, g] of grade) {
    if (g > 0) {
      const q = k.slice(0, k.indexOf('\t'));
      let set = byQuery.get(q);
      if (!set) byQuery.set(q, (set = new Set()));
      set.add(k);
    }
  }
  const judgedQueries = new Set([...grade.keys()].map((k) => k.slice(0, k.indexOf('\t'))));
  // TREC convention: a document without a label for a judged query is not relevant.
  const g = (q: string, d: string) => grade.get(`${q}\t${d}`) ?? (unjudged === 'irrelevant' && judgedQueries.has(q) ? 0 : undefined);

  const clicked = new Tally();
  for (const e of evidence) if (e.clicks > 0) clicked.add(g(e.query_norm, e.doc_id));

  const pos = new Tally();
  const byGrade = new Map<number, Tally>();
  const posKeys = new Set<string>();
  for (const p of pairs) {
    const lg = g(p.query_norm, p.doc_id);
    pos.add(lg);
    let t = byGrade.get(p.grade);
    if (!t) byGrade.set(p.grade, (t = new Tally()));
    t.add(lg);
    posKeys.add(`${p.query_norm}\t${p.doc_id}`);
  }
  let relevantPairs = 0;
  let found = 0;
  for (const q of new Set(pairs.map((p) => p.query_norm))) {
    for (const k of byQuery.get(q) ?? []) {
      relevantPairs++;
      if (posKeys.has(k)) found++;
    }
  }

  const neg = new Tally();
  const bySource = new Map<string, Tally>();
  for (const r of records) {
    for (const n of r.negatives) {
      const lg = g(r.query_norm, n.doc_id);
      neg.add(lg);
      let t = bySource.get(n.source);
      if (!t) bySource.set(n.source, (t = new Tally()));
      t.add(lg);
    }
  }
  return {
    labels: labels.length,
    labelledQueries: judgedQueries.size,
    unjudged,
    clickedPairs: clicked.get(),
    positives: pos.get(),
    positivesByGrade: Object.fromEntries([...byGrade.entries()].sort((a, b) => a[0] - b[0]).map(([k, t]) => [`grade_${k}`, t.get()])),
    positiveRecall: relevantPairs > 0 ? found / relevantPairs : null,
    negatives: neg.get(),
    negativesBySource: Object.fromEntries([...bySource.entries()].sort().map(([k, t]) => [k, t.get()])),
  };
}
