import type { FalseNegativeOptions } from './options.js';
import type { FalseNegativeFilter, FilterEntry, Removal } from './types.js';

/**
 * The score above which a negative is dropped, given the lowest positive score `min`.
 * Relative rule (NV-Retriever TopK-PercPos): `min - (1 - relative) * |min|`, which equals
 * `relative * min` for a positive `min` and stays BELOW `min` when `min` is negative (a plain
 * `0.95 * min` would then sit above the positive and let through negatives that outscore it).
 * Absolute rule: `min - margin`. With both, the lower (stricter) ceiling applies.
 */
export function positiveAwareCeiling(min: number, relative: number | null, absoluteMargin: number | null): number {
  let ceil = Infinity;
  if (relative !== null) ceil = Math.min(ceil, min - (1 - relative) * Math.abs(min));
  if (absoluteMargin !== null) ceil = Math.min(ceil, min - absoluteMargin);
  return ceil;
}

/** (4) Positive-aware threshold: drop a negative scoring too close to (or above) the weakest positive. */
export function createPositiveAwareFilter(opts: FalseNegativeOptions['positiveAware']): FalseNegativeFilter {
  return {
    name: 'positive-aware',
    apply(rec, cands) {
      if (rec.positives.length === 0) return cands.map(() => null);
      let min = Infinity;
      for (const p of rec.positives) if (p.score < min) min = p.score;
      if (!Number.isFinite(min)) return cands.map(() => null);
      const ceil = positiveAwareCeiling(min, opts.relative, opts.absoluteMargin);
      return cands.map((c): Removal | null =>
        c.score > ceil ? { code: 'too_close_to_positive', detail: `score ${c.score.toFixed(3)} > ceiling ${ceil.toFixed(3)} (lowest positive ${min.toFixed(3)})` } : null,
      );
    },
  };
}

export const positiveAware: FilterEntry = {
  name: 'positive-aware',
  option: 'positiveAware',
  setup({ options: { positiveAware: o }, semantic }) {
    if (!o.enabled) return {};
    // With only BM25 to score, a positive that shares no word with its query (a synonym, a novice
    // phrasing) scores near zero and the rule would throw away every lexical hard negative: under
    // "auto" it runs only when an embedder gives semantic scores.
    if (semantic || o.scorer === 'bm25') return { filter: createPositiveAwareFilter(o) };
    return { note: 'positive-aware filter skipped: it needs semantic scores (an embedder) under scorer "auto"; BM25 scores would remove the lexical hard negatives of every query whose positive uses other words. Set filters.positiveAware.scorer: bm25 to force it.' };
  },
};
