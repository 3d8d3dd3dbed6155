import { internalError } from '../../errors.js';
import { hash32 } from '../../util/rng.js';
import type { UnionFind } from '../../util/union-find.js';
import type { QueryTotals } from './input.js';
import type { WeakLink } from './merger.js';
import type { Family, FamilyLink } from './types.js';

/** Stable family id: two FNV hashes of the smallest member. */
export function familyIdOf(smallestMember: string): string {
  return 'f' + hash32(smallestMember).toString(16).padStart(8, '0') + hash32(smallestMember, 0x2545f491).toString(16).padStart(8, '0');
}

/** The families of the final partition, by root (smallest member) order, members in query order. */
export function collectFamilies(queries: readonly string[], totals: ReadonlyMap<string, QueryTotals>, uf: UnionFind): { families: Family[]; familyOf: Map<string, string> } {
  const n = queries.length;
  const rootOf = new Int32Array(n);
  const sizeOf = new Int32Array(n);
  for (let i = 0; i < n; i++) { const r = uf.find(i); rootOf[i] = r; sizeOf[r]!++; }
  // counting sort by root: members of a family stay in (sorted) query order
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + sizeOf[i]!;
  const fill = start.slice(0, n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[rootOf[i]!]!++] = i;
  const familyOf = new Map<string, string>();
  const families: Family[] = [];
  const ids = new Set<string>();
  for (let root = 0; root < n; root++) {
    if (sizeOf[root] === 0) continue;
    const id = familyIdOf(queries[root]!);
    if (ids.has(id)) throw internalError('family_id_collision', `family id collision on ${id}; please report this`, { stage: 'families' });
    ids.add(id);
    let count = 0;
    let firstTs: number | null = null;
    const members: string[] = new Array(sizeOf[root]!);
    for (let p = start[root]!, m = 0; p < start[root + 1]!; p++, m++) {
      const q = queries[order[p]!]!;
      const a = totals.get(q)!;
      count += a.count;
      if (a.firstTs !== null && (firstTs === null || a.firstTs < firstTs)) firstTs = a.firstTs;
      members[m] = q;
      familyOf.set(q, id);
    }
    families.push({ kind: 'Family', id, members, count, firstTs });
  }
  return { families, familyOf };
}

/** Weak links between different final families, one per family pair (the first reason given), sorted. */
export function collectLinks(weak: readonly WeakLink[], queries: readonly string[], familyOf: ReadonlyMap<string, string>): FamilyLink[] {
  const links: FamilyLink[] = [];
  const seen = new Set<string>();
  for (const w of weak) {
    let a = familyOf.get(queries[w.a]!)!, b = familyOf.get(queries[w.b]!)!;
    if (a === b) continue;
    if (b < a) { const t = a; a = b; b = t; }
    const k = `${a} ${b}`;
    if (seen.has(k)) continue;
    seen.add(k);
    links.push({ a, b, reason: w.reason });
  }
  return links.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
}

export function largestFamilies(families: readonly Family[], top: number): { id: string; size: number; count: number; examples: readonly string[] }[] {
  return [...families]
    .sort((a, b) => b.members.length - a.members.length || (a.id < b.id ? -1 : 1))
    .slice(0, top)
    .map((f) => ({ id: f.id, size: f.members.length, count: f.count, examples: f.members.slice(0, 5) }));
}
