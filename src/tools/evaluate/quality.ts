import { normalizeQuery } from '../../text/normalize.js';
import type { TrainRecord } from './readers.js';

export interface QualityTruth {
  /** Query text -> (doc id -> grade); keys are compared after normalizeQuery. Grades <= 0 are not relevant. */
  readonly qrels: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Query text -> family id (paraphrases / reformulations of one need share a family). */
  readonly queryFamily: ReadonlyMap<string, string>;
}

export interface DatasetQuality {
  /** Judged training positives that are relevant in truth. */
  readonly positivePrecision: number;
  /** Relevant (query, doc) pairs of the training queries that the training set has as positives. */
  readonly positiveRecall: number;
  /** Judged negatives that are in fact relevant (false negatives). */
  readonly negativeFalseNegativeRate: number;
  /** Test queries whose family also appears among the training queries. */
  readonly familyLeakage: number;
  readonly counts: {
    readonly positives: number;
    readonly positivesWithoutId: number;
    readonly positivesUnknownQuery: number;
    readonly negatives: number;
    readonly relevantPairs: number;
    readonly testQueries: number;
    readonly testQueriesWithoutFamily: number;
  };
}

/**
 * Quality of a training set against known truth (simulated worlds): are positives relevant, are
 * negatives really irrelevant, and does any test query family leak into training.
 * Records without `positiveId` (plain text formats) cannot be judged and are only counted.
 * Rates with nothing to count are NaN.
 */
export function datasetQuality(train: readonly TrainRecord[], truth: QualityTruth, testQueries: readonly string[]): DatasetQuality {
  const qrels = new Map<string, ReadonlyMap<string, number>>();
  for (const [q, m] of truth.qrels) qrels.set(normalizeQuery(q), m);
  const family = new Map<string, string>();
  for (const [q, f] of truth.queryFamily) family.set(normalizeQuery(q), f);

  let pos = 0, posRel = 0, noId = 0, unknownQ = 0, negs = 0, negRel = 0;
  const covered = new Map<string, Set<string>>();
  const trainFamilies = new Set<string>();
  for (const r of train) {
    const q = normalizeQuery(r.query);
    const f = family.get(q);
    if (f !== undefined) trainFamilies.add(f);
    if (r.positiveId === undefined) {
      noId++;
      continue;
    }
    const rel = qrels.get(q);
    if (!rel) {
      unknownQ++;
      continue;
    }
    pos++;
    if ((rel.get(r.positiveId) ?? 0) > 0) posRel++;
    let c = covered.get(q);
    if (!c) covered.set(q, (c = new Set()));
    c.add(r.positiveId);
    for (const n of r.negativeIds ?? []) {
      negs++;
      if ((rel.get(n) ?? 0) > 0) negRel++;
    }
  }
  let relevant = 0, found = 0;
  for (const [q, c] of covered) {
    for (const [d, g] of qrels.get(q)!) {
      if (g <= 0) continue;
      relevant++;
      if (c.has(d)) found++;
    }
  }
  let leaked = 0, noFamily = 0;
  for (const t of testQueries) {
    const f = family.get(normalizeQuery(t));
    if (f === undefined) noFamily++;
    else if (trainFamilies.has(f)) leaked++;
  }
  const rate = (a: number, b: number) => (b > 0 ? a / b : NaN);
  return {
    positivePrecision: rate(posRel, pos),
    positiveRecall: rate(found, relevant),
    negativeFalseNegativeRate: rate(negRel, negs),
    familyLeakage: rate(leaked, testQueries.length - noFamily),
    counts: { positives: pos, positivesWithoutId: noId, positivesUnknownQuery: unknownQ, negatives: negs, relevantPairs: relevant, testQueries: testQueries.length, testQueriesWithoutFamily: noFamily },
  };
}
