import type { FalseNegativeFilter, FilterEntry, Removal } from './types.js';

/**
 * Calibrated veto: a candidate whose estimated probability of relevance for the record's query
 * (from `build --calibration FILE`) is at or above the calibration's veto is not a negative.
 * Pairs the log never showed have no estimate and pass.
 */
export function createCalibratedFilter(veto: ReadonlySet<string>, vetoAbove: number): FalseNegativeFilter {
  const removal: Removal = { code: 'calibrated_relevance', detail: `estimated probability of relevance >= ${vetoAbove}` };
  return {
    name: 'calibrated',
    apply(rec, cands) {
      return cands.map((c) => (veto.has(`${rec.query_norm}\t${c.doc_id}`) ? removal : null));
    },
  };
}

export const calibrated: FilterEntry = {
  name: 'calibrated',
  option: null,
  setup: ({ calibratedVeto: v }) => (v ? { filter: createCalibratedFilter(v.pairs, v.vetoAbove) } : {}),
};
