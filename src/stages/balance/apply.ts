import type { Doc, Evidence, StageStats } from '../../types.js';
import { applyFreshness, positivesByAge, type AgeReport } from './freshness.js';
import { capHeadQueries, queryBuckets } from './head-tail.js';
import type { BalanceOptions } from './options.js';
import { capPopularity, type Concentration } from './popularity.js';

export interface BalanceSection {
  readonly concentration: { readonly before: Concentration; readonly after: Concentration };
  readonly positivesByAge: AgeReport;
  readonly headTail: { readonly queries: Readonly<Record<string, number>>; readonly traffic: Readonly<Record<string, number>> };
}

/**
 * The evidence that may become positives, after the freshness window, the popularity cap and the
 * head-query cap (in that order). Only graded pairs (grade > 0) are candidates; the full evidence
 * stays as it is for everything else (click veto, behavioural negatives, evidence.parquet).
 * Output keeps the (query_norm, doc_id) order that buildPositives expects.
 */
export function balancePositives(evidence: readonly Evidence[], docs: readonly Doc[], o: BalanceOptions, seed: number): { evidence: Evidence[]; stats: StageStats[]; section: BalanceSection } {
  const published = new Map(docs.map((d) => [d.doc_id, d.published_at]));
  const graded = evidence.filter((e) => e.grade > 0);
  const age = positivesByAge(graded, published);
  const fresh = applyFreshness(graded, published, o.freshness);
  const pop = capPopularity(fresh.records, o.popularity, seed);
  const traffic = new Map<string, number>();
  for (const e of evidence) traffic.set(e.query_norm, Math.max(traffic.get(e.query_norm) ?? 0, e.serps));
  const buckets = queryBuckets(traffic, o.headTail);
  const head = capHeadQueries(pop.kept, buckets, o.headTail, seed);
  // Pairs that are not candidates (grade 0) pass through, so buildPositives still counts them;
  // kept candidates may be reweighted copies (freshness downweight), so merge and re-sort.
  const out = [...evidence.filter((e) => e.grade <= 0), ...head.kept].sort((a, b) =>
    a.query_norm < b.query_norm ? -1 : a.query_norm > b.query_norm ? 1 : a.doc_id < b.doc_id ? -1 : a.doc_id > b.doc_id ? 1 : 0,
  );
  const tag = (s: StageStats, name: string): StageStats => ({ ...s, stage: `balance/${name}` });
  return {
    evidence: out,
    stats: [tag(fresh.stats, 'freshness'), tag(pop.stats, 'popularity'), tag(head.stats, 'head-tail')],
    section: { concentration: { before: pop.before, after: pop.after }, positivesByAge: age, headTail: { queries: buckets.queries, traffic: buckets.traffic } },
  };
}
