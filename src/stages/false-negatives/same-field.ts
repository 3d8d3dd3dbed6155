import type { Doc } from '../../types.js';
import type { FalseNegativeOptions } from './options.js';
import type { FalseNegativeFilter, FilterEntry, Removal } from './types.js';

/** (2) Same category or entity as a positive (only where the corpus has the field). */
export function createSameFieldFilter(opts: FalseNegativeOptions['sameField'], docs: readonly Doc[]): FalseNegativeFilter {
  return {
    name: 'same-field',
    apply(rec, cands) {
      const seen = opts.fields.map((f) => {
        const s = new Set<string>();
        for (const p of rec.positives) {
          const v = p.doc >= 0 ? docs[p.doc]?.[f] : undefined;
          if (v !== undefined && v !== '') s.add(v);
        }
        return s;
      });
      return cands.map((c): Removal | null => {
        const d = docs[c.doc];
        for (let i = 0; i < opts.fields.length; i++) {
          const f = opts.fields[i]!;
          const v = d?.[f];
          if (v !== undefined && v !== '' && seen[i]!.has(v)) return { code: `same_${f}`, detail: `same ${f} "${v}" as a positive` };
        }
        return null;
      });
    },
  };
}

export const sameField: FilterEntry = {
  name: 'same-field',
  option: 'sameField',
  setup({ options: { sameField: o }, docs }) {
    if (!o.enabled) return {};
    const present = o.fields.filter((k) => docs.some((d) => d[k] !== undefined && d[k] !== ''));
    if (present.length === 0) return { note: `same-field filter skipped: the corpus has no ${o.fields.join('/')} field.` };
    return { filter: createSameFieldFilter({ ...o, fields: present }, docs) };
  },
};
