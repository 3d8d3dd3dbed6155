/**
 * Surface normalisation of a query: the key under which evidence is aggregated, so that
 * "Reset Okta token " and "reset okta token" meet. It does not remove words or stem: that is the
 * job of query families (coarser, see stages/families). Scripts without spaces (Chinese,
 * Japanese, Thai) are kept intact.
 */
export function normalizeQuery(q: string): string {
  return q
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{C}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}
