import { createTokenizer } from '../../../text/tokenize.js';
import type { FilterFactory } from './factory.js';

/**
 * Queries that copy a span of `ngram` consecutive words of their passage (lower-cased words, stop
 * words included): a model trained on them learns to match copied text, which real users do not type.
 */
export const verbatimFilter: FilterFactory = (o) => {
  const tok = createTokenizer({});
  const n = o.verbatim.ngram;
  return {
    name: 'verbatim',
    apply(items) {
      const grams = new Map<number, Set<string>>();
      const reasons = items.map((it) => {
        const q = tok(it.clean);
        if (q.length < n) return undefined;
        let set = grams.get(it.passageIndex);
        if (!set) {
          const p = tok(it.passage.text);
          set = new Set<string>();
          for (let i = 0; i + n <= p.length; i++) set.add(p.slice(i, i + n).join(' '));
          grams.set(it.passageIndex, set);
        }
        for (let i = 0; i + n <= q.length; i++) if (set.has(q.slice(i, i + n).join(' '))) return 'verbatim_copy';
        return undefined;
      });
      return { keep: reasons.map((r) => r === undefined), reasons };
    },
  };
};
