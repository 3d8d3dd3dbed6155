import { familyClickPairs } from '../click-vectors.js';
import type { FamilyRule } from '../types.js';

/** Weak link: families whose summed click vectors have at least links.cosine (below the merge threshold). */
export const coClickLinks = {
  kind: 'link',
  lap: 'rule_coClick',
  needs: ['clickVectors'],
  enabled: (o) => o.links.enabled,
  run({ input, options, familyOf, link }) {
    const cv = input.clickVectors();
    if (cv.docCount === 0) return;
    for (const e of familyClickPairs(cv, familyOf, options.links.cosine, options.coClick.maxDocFamilies).pairs) link(e.a, e.b, 'coClick');
  },
} satisfies FamilyRule;
