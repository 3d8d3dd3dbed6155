import type { Evidence, MultiPositive } from '../../types.js';
import type { FalseNegativeOptions } from './options.js';
import type { FalseNegativeFilter, FilterEntry, Removal } from './types.js';

/**
 * (1) Click-evidence veto: a doc that any query of the family (or the same query) clicked with
 * satisfaction, converted on, graded >= minGrade, or lists as a positive is never a negative for it.
 * With `sessionScope` and `sessionCoClicks` (see `loadSessionCoClicks`), neither is a doc clicked
 * for another query of a session in which the record's query was issued. Uses the whole log, not
 * only the record's own evidence.
 */
export function createClickVetoFilter(
  opts: FalseNegativeOptions['clickVeto'],
  input: {
    evidence: readonly Evidence[];
    positives: readonly MultiPositive[];
    familyOf?: ReadonlyMap<string, string>;
    /** `${query_norm}\t${doc_id}` -> the other query of a shared session the doc was clicked for (loadSessionCoClicks). */
    sessionCoClicks?: ReadonlyMap<string, string>;
  },
): FalseNegativeFilter {
  const fam = (q: string) => (opts.useFamilies ? input.familyOf?.get(q) ?? q : q);
  const veto = new Map<string, string>();
  const add = (q: string, doc: string, why: string) => {
    const k = `${fam(q)}\t${doc}`;
    if (!veto.has(k)) veto.set(k, `${why} for "${q}"`);
  };
  for (const e of input.evidence) {
    if (e.grade >= opts.minGrade) add(e.query_norm, e.doc_id, `grade ${e.grade}`);
    else if (opts.satisfiedOrConverted && (e.satisfied > 0 || e.converted > 0)) add(e.query_norm, e.doc_id, e.converted > 0 ? 'converted' : 'satisfied click');
  }
  for (const m of input.positives) for (const p of m.positives) add(m.query_norm, p.doc_id, `positive (grade ${p.grade})`);
  const session = opts.sessionScope ? input.sessionCoClicks : undefined;
  return {
    name: 'click-veto',
    apply(rec, cands) {
      const key = opts.useFamilies ? rec.family : rec.query_norm;
      return cands.map((c): Removal | null => {
        const why = veto.get(`${key}\t${c.doc_id}`);
        if (why !== undefined) return { code: 'click_evidence', detail: why };
        const via = session?.get(`${rec.query_norm}\t${c.doc_id}`);
        return via === undefined ? null : { code: 'session_click', detail: `clicked for "${via}" in the same session` };
      });
    },
  };
}

export const clickVeto: FilterEntry = {
  name: 'click-veto',
  option: 'clickVeto',
  setup({ options: { clickVeto: o }, evidence, positives, familyOf, sessionCoClicks }) {
    if (!o.enabled) return {};
    const filter = createClickVetoFilter(o, { evidence, positives, ...(familyOf ? { familyOf } : {}), ...(sessionCoClicks ? { sessionCoClicks } : {}) });
    if (o.sessionScope && !sessionCoClicks) return { filter, note: 'click veto: sessionScope is on but no sessionCoClicks were given (loadSessionCoClicks reads them from the log); only the family veto applies.' };
    return { filter };
  },
};
