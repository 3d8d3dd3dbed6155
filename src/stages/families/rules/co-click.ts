import { familyClickPairs } from '../click-vectors.js';
import type { FamilyRule } from '../types.js';

/**
 * Rule (f): agglomerative click-graph clustering. Family vectors are the sums of their members'
 * click vectors; each round merges the best pairs at or above coClick.cosine, each family at most
 * once, until a round merges nothing or maxRounds.
 */
export const coClick = {
  kind: 'merge',
  lap: 'rule_coClick',
  needs: ['clickVectors'],
  enabled: (o) => o.coClick.enabled,
  run({ input, options, familyOf, merge, drop, note }) {
    const cv = input.clickVectors();
    if (cv.docCount === 0) return;
    const cc = options.coClick;
    let rounds = 0, tooCommon = 0;
    for (let round = 0; round < cc.maxRounds; round++) {
      const used = new Set<number>();
      let made = 0;
      const found = familyClickPairs(cv, familyOf, cc.cosine, cc.maxDocFamilies);
      tooCommon = found.tooCommon;
      for (const e of found.pairs) {
        if (used.has(e.a) || used.has(e.b)) continue;
        if (merge(e.a, e.b)) { used.add(e.a); used.add(e.b); made++; }
      }
      rounds = round + 1;
      if (made === 0) break;
    }
    drop('co_click_doc_too_common', tooCommon);
    note(`co-click rule: ${rounds} rounds`);
  },
} satisfies FamilyRule;
