/**
 * Synthetic families to train: a family whose every query is a synthetic query (no click-log
 * query, no seed) moves to the train split, so that dev and test hold real or expert-judged
 * queries only (sources.synthetic.trainOnly). A family weakly linked to a held-out family stays
 * where the split put it, so the move never adds leakage. See docs/design/no-click-log.md.
 */
import type { StageStats } from '../../types.js';
import type { Split } from '../splits/splits.js';

export interface SyntheticToTrainInput {
  readonly splitOf: ReadonlyMap<string, Split>;
  readonly familyOf: ReadonlyMap<string, string>;
  /** Normalised synthetic queries. */
  readonly synthetic: readonly string[];
  /** Every other normalised query of the build: click-log queries and seed queries. */
  readonly others: Iterable<string>;
  /** Weak links between families (families.links). */
  readonly links: readonly { readonly a: string; readonly b: string }[];
}

const familyOfQuery = (familyOf: ReadonlyMap<string, string>, q: string): string => familyOf.get(q) ?? q;

/** The families whose every query is synthetic. */
function syntheticOnlyFamilies(input: SyntheticToTrainInput): Set<string> {
  const shared = new Set<string>();
  for (const q of input.others) shared.add(familyOfQuery(input.familyOf, q));
  const only = new Set<string>();
  for (const q of input.synthetic) {
    const f = familyOfQuery(input.familyOf, q);
    if (!shared.has(f)) only.add(f);
  }
  return only;
}

export function syntheticToTrain(input: SyntheticToTrainInput): { splitOf: Map<string, Split>; stats: StageStats } {
  const out = new Map(input.splitOf);
  const only = syntheticOnlyFamilies(input);
  const heldOutNeighbour = new Set<string>();
  for (const { a, b } of input.links) {
    if (out.get(b) && out.get(b) !== 'train') heldOutNeighbour.add(a);
    if (out.get(a) && out.get(a) !== 'train') heldOutNeighbour.add(b);
  }
  const moved: Record<Split, number> = { train: 0, dev: 0, test: 0 };
  let linked = 0, already = 0, withoutSplit = 0;
  for (const f of [...only].sort()) {
    const s = out.get(f);
    if (s === undefined) { withoutSplit++; continue; }
    if (s === 'train') { already++; continue; }
    if (heldOutNeighbour.has(f)) { linked++; continue; }
    out.set(f, 'train');
    moved[s]++;
  }
  return {
    splitOf: out,
    stats: {
      stage: 'sources:synthetic-to-train',
      in: { synthetic_only_families: only.size },
      out: { already_train: already, moved_from_dev: moved.dev, moved_from_test: moved.test, kept_held_out_linked: linked, without_record: withoutSplit },
      dropped: {},
    },
  };
}
