/**
 * Popularity: how concentrated the positives are on a few documents, and a cap on the share any one
 * document may take.
 *
 * ## Input
 * Records with `query_norm`, `doc_id`, `weight` (PositivePair, Evidence or training rows).
 * ## Output
 * `capPopularity`: the kept records (input order), the concentration before and after, StageStats.
 * ## Drops
 * `popularity_cap`: positives of a document beyond `maxDocShare` of all records (lowest weight first).
 * ## Example
 * ```ts
 * const { kept, before, after } = capPopularity(positives, balanceOptions.parse({}).popularity, 42);
 * ```
 */
import type { StageStats } from '../../types.js';
import { hash32 } from '../../util/rng.js';
import type { BalanceOptions, Weighted } from './options.js';

export interface Concentration {
  readonly records: number;
  readonly docs: number;
  /** Share of the records held by the most frequent 1% of documents (at least one document). */
  readonly top1PctShare: number;
  /** Share of the records held by the single most frequent document, and which one. */
  readonly maxDocShare: number;
  readonly maxDoc: string | null;
  /** Gini coefficient of records per document (0 = every document equally often, -> 1 = one document has all). */
  readonly gini: number;
}

/** Concentration of records over documents. */
export function concentration(records: readonly Pick<Weighted, 'doc_id'>[]): Concentration {
  const per = new Map<string, number>();
  for (const r of records) per.set(r.doc_id, (per.get(r.doc_id) ?? 0) + 1);
  const counts = Float64Array.from(per.values()).sort();
  const n = counts.length;
  const total = records.length;
  if (n === 0) return { records: 0, docs: 0, top1PctShare: 0, maxDocShare: 0, maxDoc: null, gini: 0 };
  let maxDoc: string | null = null;
  let maxC = -1;
  for (const [d, c] of per) if (c > maxC || (c === maxC && maxDoc !== null && d < maxDoc)) { maxC = c; maxDoc = d; }
  const top = Math.max(1, Math.ceil(n * 0.01));
  let topSum = 0;
  for (let i = n - top; i < n; i++) topSum += counts[i] as number;
  // Gini from the sorted counts: sum_i (2i - n - 1) x_i / (n sum x), i = 1..n.
  let g = 0;
  for (let i = 0; i < n; i++) g += (2 * (i + 1) - n - 1) * (counts[i] as number);
  return { records: total, docs: n, top1PctShare: topSum / total, maxDocShare: maxC / total, maxDoc, gini: g / (n * total) };
}

export interface PopularityCapResult<T> {
  readonly kept: T[];
  readonly before: Concentration;
  readonly after: Concentration;
  readonly stats: StageStats;
}

/**
 * Keep at most max(1, floor(maxDocShare x records)) records per document: the highest-weight ones,
 * ties broken by a seeded hash of (query, doc). Output keeps the input order.
 */
export function capPopularity<T extends Weighted>(records: readonly T[], o: BalanceOptions['popularity'], seed: number): PopularityCapResult<T> {
  const t0 = performance.now();
  const before = concentration(records);
  const cap = Math.max(1, Math.floor(o.maxDocShare * records.length));
  const byDoc = new Map<string, number[]>();
  records.forEach((r, i) => {
    const l = byDoc.get(r.doc_id);
    if (l) l.push(i);
    else byDoc.set(r.doc_id, [i]);
  });
  const drop = new Uint8Array(records.length);
  let dropped = 0;
  const cappedDocs: string[] = [];
  for (const [doc, idx] of byDoc) {
    if (idx.length <= cap) continue;
    cappedDocs.push(doc);
    const key = (i: number) => hash32(`${seed}:${records[i]!.query_norm}\u0000${doc}`);
    idx.sort((a, b) => records[b]!.weight - records[a]!.weight || key(a) - key(b) || a - b);
    for (let k = cap; k < idx.length; k++) { drop[idx[k] as number] = 1; dropped++; }
  }
  const kept = records.filter((_, i) => !drop[i]);
  const after = concentration(kept);
  cappedDocs.sort();
  return {
    kept,
    before,
    after,
    stats: {
      stage: 'balance/popularity',
      in: { records: records.length, docs: before.docs },
      out: { records: kept.length, docs: after.docs, capped_docs: cappedDocs.length, cap_per_doc: cap },
      dropped: dropped > 0 ? { popularity_cap: dropped } : {},
      notes: [
        `concentration before: top 1% of documents hold ${(100 * before.top1PctShare).toFixed(1)}% of the records, Gini ${before.gini.toFixed(3)}, largest ${before.maxDoc} ${(100 * before.maxDocShare).toFixed(2)}%; after: ${(100 * after.top1PctShare).toFixed(1)}%, Gini ${after.gini.toFixed(3)}.`,
        ...(cappedDocs.length > 0 ? [`${cappedDocs.length} documents capped at ${cap} records (popularity.maxDocShare ${o.maxDocShare}): ${cappedDocs.slice(0, 5).join(', ')}${cappedDocs.length > 5 ? ', ...' : ''}. Raise maxDocShare to keep more of them.`] : []),
      ],
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
