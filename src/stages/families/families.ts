import type { StageStats } from '../../types.js';
import { inputError, internalError } from '../../errors.js';
import { hash32 } from '../../util/rng.js';
import { normalizeQuery } from '../../text/normalize.js';
import { createFamilyKeyer } from '../../text/family-normalize.js';
import { familyOptions, type FamilyOptions, type FamilyOptionsInput } from './options.js';
import { LshIndex, MinHasher, jaccardSorted, osaDistance, trigramSet } from './minhash.js';

/**
 * Query families: groups of queries that express the same need, so that splits never put one
 * need on both sides (see docs/stages/families.md).
 *
 * Input: distinct queries with counts (and first-seen time), optional in-session reformulation
 * edges and optional positive doc ids per query.
 * Output: familyOf (query -> family id), the families, and stats with the merges each rule made,
 * the merges refused by the size cap, and the largest families with examples.
 */

export interface FamilyQuery {
  readonly query: string;
  readonly count: number;
  readonly firstTs?: number;
}

export interface FamilyInput {
  readonly queries: readonly FamilyQuery[];
  readonly reformulations?: readonly { readonly from: string; readonly to: string; readonly count: number }[];
  readonly positives?: ReadonlyMap<string, readonly string[]>;
}

export interface Family {
  readonly kind: 'Family';
  /** 'f' + 16 hex digits: a 64-bit hash of the smallest member (independent of input order). */
  readonly id: string;
  /** Sorted members (queries as given). */
  readonly members: readonly string[];
  /** Sum of member counts. */
  readonly count: number;
  /** Earliest member firstTs; null when no member has one. */
  readonly firstTs: number | null;
}

export type FamilyRule = 'sameKey' | 'reformulation' | 'nearDuplicate' | 'positiveOverlap';

export interface FamilyResult {
  readonly familyOf: Map<string, string>;
  readonly families: Family[];
  readonly stats: StageStats;
  /** Merges each rule made (unions of two different families). */
  readonly merges: Readonly<Record<FamilyRule, number>>;
  /** Merges refused because the family would exceed maxFamilySize. */
  readonly refused: Readonly<Record<FamilyRule, number>>;
  readonly largest: readonly { id: string; size: number; count: number; examples: readonly string[] }[];
  readonly seconds: Readonly<Record<string, number>>;
}

const STAGE = 'families';
const DIGITS = /\d+/g;

/** Stable family id: two FNV hashes of the smallest member. */
export function familyIdOf(smallestMember: string): string {
  return 'f' + hash32(smallestMember).toString(16).padStart(8, '0') + hash32(smallestMember, 0x2545f491).toString(16).padStart(8, '0');
}

class UnionFind {
  readonly parent: Int32Array;
  readonly size: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      const gp = p[p[x]!]!;
      p[x] = gp;
      x = gp;
    }
    return x;
  }
  /** 1 = merged, 0 = already together, -1 = refused by the cap. The smaller index stays root. */
  union(a: number, b: number, cap: number): 1 | 0 | -1 {
    let ra = this.find(a), rb = this.find(b);
    if (ra === rb) return 0;
    if (this.size[ra]! + this.size[rb]! > cap) return -1;
    if (rb < ra) { const t = ra; ra = rb; rb = t; }
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    return 1;
  }
}

function digitsOf(s: string): string {
  const m = s.match(DIGITS);
  return m ? m.join(' ') : '';
}

export function buildFamilies(input: FamilyInput, opts: FamilyOptionsInput | FamilyOptions = {}): FamilyResult {
  const o = familyOptions.parse(opts);
  const seconds: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    seconds[name] = (t - t0) / 1000;
    t0 = t;
  };
  const dropped: Record<string, number> = {};
  const drop = (reason: string, n = 1) => { if (n > 0) dropped[reason] = (dropped[reason] ?? 0) + n; };
  const notes: string[] = [];

  // --- canonical order: sorted distinct queries (so every result is independent of input order)
  if (!Array.isArray(input?.queries)) throw inputError('bad_input', 'buildFamilies: input.queries must be an array of { query, count, firstTs? }', { stage: STAGE });
  const agg = new Map<string, { count: number; firstTs: number | null }>();
  input.queries.forEach((q, i) => {
    if (!q || typeof q.query !== 'string') throw inputError('bad_input', `buildFamilies: queries[${i}].query must be a string (got ${JSON.stringify(q?.query)}); remove the row or fill the query`, { stage: STAGE });
    if (typeof q.count !== 'number' || !Number.isFinite(q.count) || q.count < 0) throw inputError('bad_input', `buildFamilies: queries[${i}] ("${q.query.slice(0, 80)}") has count ${String(q.count)}; counts must be finite numbers >= 0`, { stage: STAGE });
    if (q.firstTs !== undefined && (typeof q.firstTs !== 'number' || !Number.isFinite(q.firstTs))) throw inputError('bad_input', `buildFamilies: queries[${i}] ("${q.query.slice(0, 80)}") has firstTs ${String(q.firstTs)}; use epoch milliseconds or leave it out`, { stage: STAGE });
    const prev = agg.get(q.query);
    const ts = q.firstTs ?? null;
    if (prev) {
      prev.count += q.count;
      if (ts !== null && (prev.firstTs === null || ts < prev.firstTs)) prev.firstTs = ts;
      drop('duplicate_query_row_merged');
    } else agg.set(q.query, { count: q.count, firstTs: ts });
  });
  const queries = [...agg.keys()].sort();
  const n = queries.length;
  const indexOf = new Map<string, number>();
  for (let i = 0; i < n; i++) indexOf.set(queries[i]!, i);
  let normIndex: Map<string, number> | undefined;
  const lookup = (q: string): number | undefined => {
    const i = indexOf.get(q);
    if (i !== undefined) return i;
    if (!normIndex) {
      normIndex = new Map();
      for (let j = 0; j < n; j++) { const k = normalizeQuery(queries[j]!); if (!normIndex.has(k)) normIndex.set(k, j); }
    }
    return normIndex.get(normalizeQuery(q));
  };
  lap('load');

  // --- keys
  const keyer = createFamilyKeyer(o.key);
  const keyIdOf = new Int32Array(n);
  const keyIndex = new Map<string, number>();
  const keys: string[] = [];
  const keyRep: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = keyer(queries[i]!);
    let id = keyIndex.get(k);
    if (id === undefined) { id = keys.length; keyIndex.set(k, id); keys.push(k); keyRep.push(i); }
    keyIdOf[i] = id;
  }
  lap('normalise');

  const uf = new UnionFind(n);
  const merges: Record<FamilyRule, number> = { sameKey: 0, reformulation: 0, nearDuplicate: 0, positiveOverlap: 0 };
  const refused: Record<FamilyRule, number> = { sameKey: 0, reformulation: 0, nearDuplicate: 0, positiveOverlap: 0 };
  const unite = (a: number, b: number, rule: FamilyRule): boolean => {
    const r = uf.union(a, b, rule === 'sameKey' ? Number.MAX_SAFE_INTEGER : o.maxFamilySize);
    if (r === 1) merges[rule]++;
    else if (r === -1) refused[rule]++;
    return r === 1;
  };

  // (a) equal keys
  if (o.sameKey.enabled) for (let i = 0; i < n; i++) unite(keyRep[keyIdOf[i]!]!, i, 'sameKey');
  lap('rule_sameKey');

  // (b) reformulation chains
  if (o.reformulation.enabled && input.reformulations) {
    const edges = new Map<string, { a: number; b: number; count: number }>();
    for (const e of input.reformulations) {
      const a = lookup(e.from), b = lookup(e.to);
      if (a === undefined || b === undefined) { drop('reformulation_unknown_query'); continue; }
      if (a === b) { drop('reformulation_same_query'); continue; }
      const lo = Math.min(a, b), hi = Math.max(a, b);
      const k = `${lo} ${hi}`;
      const cur = edges.get(k);
      if (cur) cur.count += e.count;
      else edges.set(k, { a: lo, b: hi, count: e.count });
    }
    const list = [...edges.values()].sort((x, y) => x.a - y.a || x.b - y.b);
    for (const e of list) {
      if (e.count < o.reformulation.minCount) { drop('reformulation_below_min_count'); continue; }
      unite(e.a, e.b, 'reformulation');
    }
  }
  lap('rule_reformulation');

  // (c) near-duplicate keys: MinHash/LSH for long keys, edit distance for short ones
  if (o.nearDuplicate.enabled) {
    const nd = o.nearDuplicate;
    const K = keys.length;
    const digits = nd.digitsMustMatch ? keys.map(digitsOf) : undefined;
    const tryMerge = (ka: number, kb: number): void => {
      const a = keyRep[ka]!, b = keyRep[kb]!;
      if (uf.find(a) === uf.find(b)) return;
      if (digits && digits[ka] !== digits[kb]) { drop('near_duplicate_refused_digits'); return; }
      unite(a, b, 'nearDuplicate');
    };
    const hasher = new MinHasher({ numHashes: nd.numHashes, bands: nd.bands, seed: nd.seed });
    const B = nd.bands;
    const lsh = new LshIndex(B, 1024);
    const bandKeys = new Int32Array(B);
    const sets: (Uint32Array | undefined)[] = new Array(K);
    const stamp = new Int32Array(K).fill(-1);
    let truncated = 0, compared = 0;
    const deletions = new Map<string, number[]>();
    for (let k = 0; k < K; k++) {
      const key = keys[k]!;
      if (key.length >= nd.minChars) {
        const set = trigramSet(key);
        sets[k] = set;
        hasher.bandKeys(set, bandKeys);
        truncated += lsh.candidates(bandKeys, 0, nd.maxBucketCompare, (j) => {
          if (stamp[j] === k) return;
          stamp[j] = k;
          const other = sets[j]!;
          // |A∩B|/|A∪B| <= min/max: skip pairs whose sizes alone rule the threshold out
          if (Math.min(set.length, other.length) < nd.jaccard * Math.max(set.length, other.length)) return;
          if (uf.find(keyRep[j]!) === uf.find(keyRep[k]!)) return;
          compared++;
          if (jaccardSorted(set, other) >= nd.jaccard) tryMerge(j, k);
        });
        lsh.add(k, bandKeys);
      } else if (nd.shortMaxEdits > 0 && key.length >= nd.shortMinChars) {
        const variants = [key];
        for (let i = 0; i < key.length; i++) variants.push(key.slice(0, i) + key.slice(i + 1));
        for (const v of variants) {
          const list = deletions.get(v);
          if (list) {
            for (let x = 0; x < list.length && x < nd.maxBucketCompare; x++) {
              const j = list[x]!;
              if (stamp[j] === k) continue;
              stamp[j] = k;
              if (uf.find(keyRep[j]!) === uf.find(keyRep[k]!)) continue;
              compared++;
              if (osaDistance(keys[j]!, key, nd.shortMaxEdits) <= nd.shortMaxEdits) tryMerge(j, k);
            }
            if (list.length < nd.maxBucketCompare) list.push(k);
            else truncated++;
          } else deletions.set(v, [k]);
        }
      }
    }
    drop('near_duplicate_bucket_truncated', truncated);
    notes.push(`near-duplicate rule: ${compared} candidate pairs verified exactly`);
  }
  lap('rule_nearDuplicate');

  // (d) overlapping positive sets
  if (o.positiveOverlap.enabled && input.positives && input.positives.size > 0) {
    const po = o.positiveOverlap;
    const docIndex = new Map<string, number>();
    const qSets = new Map<number, Int32Array>();
    const entries = [...input.positives.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (const [q, docs] of entries) {
      const qi = lookup(q);
      if (qi === undefined) { drop('positives_unknown_query'); continue; }
      const ids: number[] = [];
      for (const d of docs) {
        let di = docIndex.get(d);
        if (di === undefined) docIndex.set(d, (di = docIndex.size));
        ids.push(di);
      }
      const prev = qSets.get(qi);
      if (prev) for (const x of prev) ids.push(x);
      const set = Int32Array.from(new Set(ids)).sort();
      qSets.set(qi, set);
    }
    const eligible = [...qSets.entries()].filter(([, s]) => s.length >= po.minPositives).sort((x, y) => x[0] - y[0]);
    drop('positives_below_min_size', qSets.size - eligible.length);
    const postings = new Map<number, number[]>();
    for (const [qi, s] of eligible) for (const d of s) {
      const p = postings.get(d);
      if (p) p.push(qi); else postings.set(d, [qi]);
    }
    let common = 0;
    for (const [d, p] of postings) if (p.length > po.maxDocQueries) { postings.delete(d); common++; }
    drop('positive_doc_too_common', common);
    const seen = new Int32Array(n).fill(-1);
    for (const [qi, s] of eligible) {
      for (const d of s) {
        const p = postings.get(d);
        if (!p) continue;
        for (const qj of p) {
          if (qj <= qi || seen[qj] === qi) continue;
          seen[qj] = qi;
          if (uf.find(qi) === uf.find(qj)) continue;
          if (jaccardSorted(s, qSets.get(qj)!) >= po.jaccard) unite(qi, qj, 'positiveOverlap');
        }
      }
    }
  }
  lap('rule_positiveOverlap');

  // --- families
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
    if (ids.has(id)) throw internalError('family_id_collision', `family id collision on ${id}; please report this`, { stage: STAGE });
    ids.add(id);
    let count = 0;
    let firstTs: number | null = null;
    const members: string[] = new Array(sizeOf[root]!);
    for (let p = start[root]!, m = 0; p < start[root + 1]!; p++, m++) {
      const q = queries[order[p]!]!;
      const a = agg.get(q)!;
      count += a.count;
      if (a.firstTs !== null && (firstTs === null || a.firstTs < firstTs)) firstTs = a.firstTs;
      members[m] = q;
      familyOf.set(q, id);
    }
    families.push({ kind: 'Family', id, members, count, firstTs });
  }
  const largest = [...families]
    .sort((a, b) => b.members.length - a.members.length || (a.id < b.id ? -1 : 1))
    .slice(0, o.reportLargest)
    .map((f) => ({ id: f.id, size: f.members.length, count: f.count, examples: f.members.slice(0, 5) }));
  lap('collect');

  const totalRefused = refused.reformulation + refused.nearDuplicate + refused.positiveOverlap;
  if (totalRefused > 0) notes.push(`${totalRefused} merges refused by maxFamilySize=${o.maxFamilySize}; raise it if the largest families below look like one intent, or tighten the rule that refused most`);
  const top = largest[0];
  if (top && n > 0 && top.size > 0.01 * n && top.size > 50) notes.push(`largest family holds ${top.size} queries (${((100 * top.size) / n).toFixed(1)}%), e.g. ${top.examples.slice(0, 3).map((e) => JSON.stringify(e)).join(', ')}: check the rule thresholds`);

  const stats: StageStats = {
    stage: STAGE,
    in: { query_rows: input.queries.length, queries: n, reformulation_edges: input.reformulations?.length ?? 0, queries_with_positives: input.positives?.size ?? 0 },
    out: {
      families: families.length,
      keys: keys.length,
      merges_sameKey: merges.sameKey,
      merges_reformulation: merges.reformulation,
      merges_nearDuplicate: merges.nearDuplicate,
      merges_positiveOverlap: merges.positiveOverlap,
      largest_family: top?.size ?? 0,
    },
    dropped: {
      ...dropped,
      ...(refused.reformulation ? { merge_refused_cap_reformulation: refused.reformulation } : {}),
      ...(refused.nearDuplicate ? { merge_refused_cap_nearDuplicate: refused.nearDuplicate } : {}),
      ...(refused.positiveOverlap ? { merge_refused_cap_positiveOverlap: refused.positiveOverlap } : {}),
    },
    notes,
    seconds: Object.values(seconds).reduce((a, b) => a + b, 0),
  };
  return { familyOf, families, stats, merges, refused, largest, seconds };
}
