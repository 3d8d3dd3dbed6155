/**
 * Seeds kept in test: every family that holds a seed query moves to the test split, so that
 * evaluation has expert-judged ground truth (sources.seeds.keepInTest). Reports the seed queries
 * each split holds, moved or not.
 */
import type { StageStats } from '../../types.js';
import type { Split } from '../splits/splits.js';

export function keepSeedsInTest(splitOf: ReadonlyMap<string, Split>, familyOf: ReadonlyMap<string, string>, seedQueries: readonly string[], keepInTest: boolean): { splitOf: Map<string, Split>; stats: StageStats } {
  const out = new Map(splitOf);
  const families = new Set<string>();
  const queries = [...new Set(seedQueries)];
  for (const q of queries) families.add(familyOf.get(q) ?? q);
  let moved = 0;
  if (keepInTest) {
    for (const f of families) {
      if (out.has(f) && out.get(f) !== 'test') { out.set(f, 'test'); moved++; }
    }
  }
  const perSplit: Record<string, number> = { seed_queries_train: 0, seed_queries_dev: 0, seed_queries_test: 0, seed_queries_without_record: 0 };
  for (const q of queries) {
    const s = out.get(familyOf.get(q) ?? q);
    perSplit[s ? `seed_queries_${s}` : 'seed_queries_without_record']!++;
  }
  return {
    splitOf: out,
    stats: { stage: 'sources:seeds-in-test', in: { seed_queries: queries.length, seed_families: families.size }, out: { families_moved_to_test: moved, ...perSplit }, dropped: {} },
  };
}
