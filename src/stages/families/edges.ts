/** An undirected query-pair edge between query indices, a < b, with its summed count. */
export interface QueryEdge {
  readonly a: number;
  readonly b: number;
  count: number;
}

/**
 * Undirected query-pair edges (smaller index first), counts summed, in first-seen order; pairs
 * with an unknown query or a query with itself are dropped as `<prefix>_unknown_query` /
 * `<prefix>_same_query`.
 */
export function sumEdges(
  pairs: readonly (readonly [string, string, number])[],
  prefix: string,
  lookup: (q: string) => number | undefined,
  drop: (reason: string) => void,
): QueryEdge[] {
  const edges = new Map<string, QueryEdge>();
  for (const [from, to, count] of pairs) {
    const a = lookup(from), b = lookup(to);
    if (a === undefined || b === undefined) { drop(`${prefix}_unknown_query`); continue; }
    if (a === b) { drop(`${prefix}_same_query`); continue; }
    const lo = Math.min(a, b), hi = Math.max(a, b);
    const k = `${lo} ${hi}`;
    const cur = edges.get(k);
    if (cur) cur.count += count;
    else edges.set(k, { a: lo, b: hi, count });
  }
  return [...edges.values()];
}
