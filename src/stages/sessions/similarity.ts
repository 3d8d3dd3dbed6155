/**
 * Query similarity used to tell a reformulation (same need, new words) from a new topic:
 * the higher of word-token Jaccard and character-trigram Jaccard. Trigrams catch spelling fixes
 * ("okta tokn" -> "okta token") and scripts without spaces; words catch reordering and additions.
 */
export function wordJaccard(a: string, b: string): number {
  const sa = new Set(a.split(' ').filter((w) => w.length > 0));
  const sb = new Set(b.split(' ').filter((w) => w.length > 0));
  return jaccard(sa, sb);
}

export function trigramJaccard(a: string, b: string): number {
  return jaccard(trigrams(a), trigrams(b));
}

export function querySimilarity(a: string, b: string): number {
  if (a === b) return 1;
  return Math.max(wordJaccard(a, b), trigramJaccard(a, b));
}

function trigrams(s: string): Set<string> {
  const cps = Array.from(` ${s} `);
  const out = new Set<string>();
  for (let i = 0; i + 3 <= cps.length; i++) out.add(cps[i]! + cps[i + 1]! + cps[i + 2]!);
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
