import { jaccardSorted } from '../../../text/minhash.js';
import type { FamilyRule, FamilyRuleContext } from '../types.js';

/** Per known query, its sorted distinct positive document indices (queries in name order, repeats pooled). */
function positiveSets({ input, drop }: FamilyRuleContext, positives: ReadonlyMap<string, readonly string[]>): Map<number, Int32Array> {
  const docIndex = new Map<string, number>();
  const qSets = new Map<number, Int32Array>();
  const entries = [...positives.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  for (const [q, docs] of entries) {
    const qi = input.lookup(q);
    if (qi === undefined) { drop('positives_unknown_query'); continue; }
    const ids: number[] = [];
    for (const d of docs) {
      let di = docIndex.get(d);
      if (di === undefined) docIndex.set(d, (di = docIndex.size));
      ids.push(di);
    }
    const prev = qSets.get(qi);
    if (prev) for (const x of prev) ids.push(x);
    qSets.set(qi, Int32Array.from(new Set(ids)).sort());
  }
  return qSets;
}

/** Document -> the eligible queries it is positive for, without documents positive for more than maxDocQueries. */
function docPostings({ options, drop }: FamilyRuleContext, eligible: readonly (readonly [number, Int32Array])[]): Map<number, number[]> {
  const postings = new Map<number, number[]>();
  for (const [qi, s] of eligible) for (const d of s) {
    const p = postings.get(d);
    if (p) p.push(qi); else postings.set(d, [qi]);
  }
  let common = 0;
  for (const [d, p] of postings) if (p.length > options.positiveOverlap.maxDocQueries) { postings.delete(d); common++; }
  drop('positive_doc_too_common', common);
  return postings;
}

/** Rule (d): queries whose positive document sets overlap strongly (Jaccard, each with at least minPositives). */
export const positiveOverlap = {
  kind: 'merge',
  lap: 'rule_positiveOverlap',
  enabled: (o) => o.positiveOverlap.enabled,
  run(ctx) {
    const { input, options, familyOf, merge, drop } = ctx;
    if (!input.positives || input.positives.size === 0) return;
    const po = options.positiveOverlap;
    const qSets = positiveSets(ctx, input.positives);
    const eligible = [...qSets.entries()].filter(([, s]) => s.length >= po.minPositives).sort((x, y) => x[0] - y[0]);
    drop('positives_below_min_size', qSets.size - eligible.length);
    const postings = docPostings(ctx, eligible);
    const seen = new Int32Array(input.queries.length).fill(-1);
    for (const [qi, s] of eligible) {
      for (const d of s) {
        const p = postings.get(d);
        if (!p) continue;
        for (const qj of p) {
          if (qj <= qi || seen[qj] === qi) continue;
          seen[qj] = qi;
          if (familyOf(qi) === familyOf(qj)) continue;
          if (jaccardSorted(s, qSets.get(qj)!) >= po.jaccard) merge(qi, qj);
        }
      }
    }
  },
} satisfies FamilyRule;
