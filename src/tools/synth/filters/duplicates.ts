import { normalizeQuery } from '../../../text/normalize.js';
import { createTokenizer } from '../../../text/tokenize.js';
import type { FilterFactory } from './factory.js';

/**
 * Duplicates across the whole run, the first one (passage order) kept: the same text after
 * normalizeQuery (case, punctuation, spacing) is `duplicate`; the same set of stemmed content
 * words (order, stop words and inflection aside: "effect of mach number" and "mach numbers effect")
 * is `near_duplicate`. Noise is ignored: a misspelt copy of a query is the same query.
 */
export const duplicatesFilter: FilterFactory = (o) => {
  const tok = createTokenizer({ stopwords: true, stem: true });
  return {
    name: 'duplicates',
    apply(items) {
      const exact = new Set<string>();
      const near = new Set<string>();
      const reasons = items.map((it) => {
        const e = normalizeQuery(it.clean);
        if (exact.has(e)) return 'duplicate';
        exact.add(e);
        if (!o.duplicates.near) return undefined;
        const k = [...new Set(tok(it.clean))].sort().join(' ');
        if (k !== '' && near.has(k)) return 'near_duplicate';
        near.add(k);
        return undefined;
      });
      return { keep: reasons.map((r) => r === undefined), reasons };
    },
  };
};
