import { sumEdges } from '../edges.js';
import type { FamilyRule } from '../types.js';

/** Rule (b): a query and its in-session reformulation (seen minCount times, both directions summed); weaker edges are weak links. */
export const reformulation = {
  kind: 'merge',
  lap: 'rule_reformulation',
  enabled: (o) => o.reformulation.enabled,
  run({ input, options, merge, link, drop }) {
    if (!input.reformulations) return;
    const pairs = input.reformulations.map((e) => [e.from, e.to, e.count] as const);
    const edges = sumEdges(pairs, 'reformulation', input.lookup, drop).sort((x, y) => x.a - y.a || x.b - y.b);
    for (const e of edges) {
      if (e.count < options.reformulation.minCount) { drop('reformulation_below_min_count'); link(e.a, e.b, 'reformulation'); continue; }
      merge(e.a, e.b);
    }
  },
} satisfies FamilyRule;
