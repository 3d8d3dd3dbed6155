import type { FalseNegativeOptions } from './options.js';
import type { FalseNegativeFilter, FilterEntry, Removal } from './types.js';

/**
 * (5) Ambiguity: a negative that matches the query lexically (BM25 / the query's best BM25 >=
 * bm25Min) AND semantically (cosine >= cosineMin) is more likely an unlabelled positive than a
 * negative. Needs an embedder: without one the caller skips this filter with a note.
 */
export function createAmbiguityFilter(opts: FalseNegativeOptions['ambiguity']): FalseNegativeFilter {
  return {
    name: 'ambiguity',
    apply(rec, cands) {
      return cands.map((c): Removal | null => {
        if (c.cosine === undefined || rec.bm25Max <= 0) return null;
        const nb = c.bm25 / rec.bm25Max;
        return nb >= opts.bm25Min && c.cosine >= opts.cosineMin
          ? { code: 'ambiguous', detail: `BM25 ${nb.toFixed(2)} of the query's best and cosine ${c.cosine.toFixed(2)}` }
          : null;
      });
    },
  };
}

export const ambiguity: FilterEntry = {
  name: 'ambiguity',
  option: 'ambiguity',
  setup({ options: { ambiguity: o }, semantic }) {
    if (!o.enabled) return {};
    return semantic ? { filter: createAmbiguityFilter(o) } : { note: 'ambiguity filter skipped: it needs an embedder for the semantic similarity.' };
  },
};
