import { createTokenizer } from '../../../text/tokenize.js';
import type { FilterFactory } from './factory.js';

/** Too short (fewer than minWords words) or too long (more than maxWords words or maxChars characters). */
export const lengthFilter: FilterFactory = (o) => {
  const tok = createTokenizer({});
  return {
    name: 'length',
    apply(items) {
      const reasons = items.map((it) => {
        const n = tok(it.query).length;
        if (n < o.length.minWords) return 'too_short';
        if (n > o.length.maxWords || it.query.length > o.length.maxChars) return 'too_long';
        return undefined;
      });
      return { keep: reasons.map((r) => r === undefined), reasons };
    },
  };
};
