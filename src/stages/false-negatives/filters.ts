import { ambiguity } from './ambiguity.js';
import { calibrated } from './calibrated.js';
import { clickVeto } from './click-veto.js';
import { judgeFilter } from './judge.js';
import { nearDuplicate } from './near-duplicate.js';
import { positiveAware } from './positive-aware.js';
import { preferBehavioural } from './prefer-behavioural.js';
import { sameField } from './same-field.js';
import type { FalseNegativeFilter, FilterEntry, FilterSetup } from './types.js';

/**
 * Every false-negative filter, in the order they run: the cheap vetoes from the log and the corpus
 * first, then the score rules, then the paid judge on what is left, the calibrated veto, and the
 * preference for behavioural evidence last (it counts what the others left). Each filter is one
 * file with its entry; a new filter is that file and one line here (plus its options under
 * `negatives.filters.<option>`).
 */
export const falseNegativeFilters = [
  clickVeto,
  sameField,
  nearDuplicate,
  positiveAware,
  ambiguity,
  judgeFilter,
  calibrated,
  preferBehavioural,
] as const satisfies readonly FilterEntry[];

/** The filters that run for `setup`, in registry order, and a note for each one switched on that cannot run. */
export function createFilters(setup: FilterSetup): { filters: FalseNegativeFilter[]; notes: string[] } {
  const filters: FalseNegativeFilter[] = [];
  const notes: string[] = [];
  for (const entry of falseNegativeFilters) {
    const { filter, note } = entry.setup(setup);
    if (filter) filters.push(filter);
    if (note !== undefined) notes.push(note);
  }
  return { filters, notes };
}
