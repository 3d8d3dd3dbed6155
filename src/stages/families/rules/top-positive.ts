import type { FamilyRule } from '../types.js';

/** Weak link: families whose queries have the same best positive document (too weak alone to merge). */
export const topPositive = {
  kind: 'link',
  lap: 'links_topPositive',
  enabled: (o) => o.links.enabled && o.links.topPositive,
  run({ input, options, familyOf, link, drop }) {
    if (!input.positives) return;
    const byDoc = new Map<string, number[]>();
    for (const [q, docs] of input.positives) {
      const d = docs[0], qi = input.lookup(q);
      if (d === undefined || qi === undefined) continue;
      const a = byDoc.get(d);
      if (a) a.push(qi); else byDoc.set(d, [qi]);
    }
    for (const d of [...byDoc.keys()].sort()) {
      const roots = [...new Set(byDoc.get(d)!.map(familyOf))].sort((a, b) => a - b);
      if (roots.length > options.links.maxTopPositiveFamilies) { drop('top_positive_doc_too_common'); continue; }
      for (let x = 0; x < roots.length; x++) for (let y = x + 1; y < roots.length; y++) link(roots[x]!, roots[y]!, 'topPositive');
    }
  },
} satisfies FamilyRule;
