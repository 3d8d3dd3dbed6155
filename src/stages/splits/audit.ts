import { normalizeQuery } from '../../text/normalize.js';
import { LshIndex, createMinHasher, jaccardSorted, trigramSet } from '../../text/minhash.js';
import { auditOptions, type AuditOptions, type AuditOptionsInput } from './options.js';

/**
 * Leakage audit of a split: what a model trained on `train` could have memorised about `test`.
 *
 * Input: the queries of each side with their family, positive doc ids and evidence timestamps.
 * Output: a LeakageReport section: shared families (must be zero), each test query's nearest
 * training query by character-trigram Jaccard (MinHash/LSH candidates, verified exactly) and how
 * many are above the similarity threshold, documents positive on both sides, and evidence
 * timestamps on the wrong side of the cutoff.
 */

export interface AuditQuery {
  readonly query: string;
  readonly family: string;
  readonly positives?: readonly string[];
  /** Timestamps of the evidence behind this record (epoch ms). */
  readonly timestamps?: readonly (number | null)[];
}

export interface NearestTrain {
  readonly test: string;
  /** null when no training query shares an LSH bucket (similarity is then very likely < 0.3). */
  readonly train: string | null;
  readonly jaccard: number;
}

export interface LeakageReport {
  readonly kind: 'LeakageReport';
  /** True when no family is shared and no training evidence is after the cutoff. */
  readonly ok: boolean;
  readonly trainQueries: number;
  readonly testQueries: number;
  readonly sharedFamilies: { readonly count: number; readonly examples: readonly string[] };
  readonly nearest: readonly NearestTrain[];
  readonly nearDuplicates: {
    readonly threshold: number;
    readonly count: number;
    readonly share: number;
    readonly examples: readonly NearestTrain[];
  };
  readonly sharedPositives: { readonly count: number; readonly testQueriesAffected: number; readonly examples: readonly string[] };
  readonly timestamps: {
    readonly cutoff: number | null;
    /** Training records with evidence after the cutoff (must be zero). */
    readonly trainRecordsAfterCutoff: number;
    readonly trainRecordsUnknownTime: number;
    /** Test records whose evidence is all before the cutoff (not a leak: a family new to the log can still be old). */
    readonly testRecordsBeforeCutoff: number;
  };
}

export function auditLeakage(input: { train: readonly AuditQuery[]; test: readonly AuditQuery[] }, opts: AuditOptionsInput | AuditOptions = {}): LeakageReport {
  const o = auditOptions.parse(opts);
  const { train, test } = input;

  const trainFamilies = new Set(train.map((q) => q.family));
  const shared = [...new Set(test.map((q) => q.family).filter((f) => trainFamilies.has(f)))].sort();

  // nearest training query
  const hasher = createMinHasher({ numPerm: o.numHashes, bands: o.bands, seed: o.seed, permutation: 'affine' });
  const B = o.bands;
  const trainText = [...new Set(train.map((q) => normalizeQuery(q.query)))].sort();
  const sets: Uint32Array[] = new Array(trainText.length);
  const index = new LshIndex(B, trainText.length);
  const keys = new Int32Array(B);
  for (let i = 0; i < trainText.length; i++) {
    sets[i] = trigramSet(trainText[i]!);
    if (sets[i]!.length === 0) continue;
    hasher.bandKeys(sets[i]!, keys);
    index.add(i, keys);
  }
  const stamp = new Int32Array(trainText.length).fill(-1);
  const nearest: NearestTrain[] = [];
  test.forEach((q, t) => {
    const set = trigramSet(normalizeQuery(q.query));
    let best = -1, bestJ = 0;
    if (set.length > 0) {
      hasher.bandKeys(set, keys);
      index.candidates(keys, 0, o.maxBucketCompare, (j) => {
        if (stamp[j] === t) return;
        stamp[j] = t;
        const jac = jaccardSorted(set, sets[j]!);
        if (jac > bestJ || (jac === bestJ && best >= 0 && j < best)) { bestJ = jac; best = j; }
      });
    }
    nearest.push({ test: q.query, train: best >= 0 ? trainText[best]! : null, jaccard: best >= 0 ? bestJ : 0 });
  });
  const near = nearest.filter((x) => x.jaccard >= o.similarity);
  const nearExamples = [...near].sort((a, b) => b.jaccard - a.jaccard || (a.test < b.test ? -1 : 1)).slice(0, o.examples);

  // positives on both sides
  const trainDocs = new Set<string>();
  for (const q of train) for (const d of q.positives ?? []) trainDocs.add(d);
  const sharedDocs = new Set<string>();
  let affected = 0;
  for (const q of test) {
    let hit = false;
    for (const d of q.positives ?? []) if (trainDocs.has(d)) { sharedDocs.add(d); hit = true; }
    if (hit) affected++;
  }

  // timestamps
  let trainAfter = 0, trainUnknown = 0, testBefore = 0;
  const cutoff = o.cutoff ?? null;
  if (cutoff !== null) {
    for (const q of train) {
      const ts = q.timestamps ?? [];
      if (ts.some((t) => typeof t === 'number' && t > cutoff)) trainAfter++;
      else if (ts.length === 0 || ts.some((t) => t === null)) trainUnknown++;
    }
    for (const q of test) {
      const ts = (q.timestamps ?? []).filter((t): t is number => typeof t === 'number');
      if (ts.length > 0 && ts.every((t) => t <= cutoff)) testBefore++;
    }
  }

  return {
    kind: 'LeakageReport',
    ok: shared.length === 0 && trainAfter === 0,
    trainQueries: train.length,
    testQueries: test.length,
    sharedFamilies: { count: shared.length, examples: shared.slice(0, o.examples) },
    nearest,
    nearDuplicates: { threshold: o.similarity, count: near.length, share: test.length > 0 ? near.length / test.length : 0, examples: nearExamples },
    sharedPositives: { count: sharedDocs.size, testQueriesAffected: affected, examples: [...sharedDocs].sort().slice(0, o.examples) },
    timestamps: { cutoff, trainRecordsAfterCutoff: trainAfter, trainRecordsUnknownTime: trainUnknown, testRecordsBeforeCutoff: testBefore },
  };
}
