import type { StageStats } from '../../types.js';
import { inputError, internalError } from '../../errors.js';
import { hash32 } from '../../util/rng.js';
import { UnionFind } from '../../util/union-find.js';
import { normalizeQuery } from '../../text/normalize.js';
import { createFamilyKeyer } from '../../text/family-normalize.js';
import { familyOptions, type FamilyOptions, type FamilyOptionsInput } from './options.js';
import { abbreviationAligned, initialsSignature, mineSynonyms, tokenSwapped } from './abbrev.js';
import { LshIndex, createMinHasher, jaccardSorted, trigramSet } from '../../text/minhash.js';
import { osaDistance } from './edit-distance.js';

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
  /** Rule (e): unordered query pairs issued one after the other after an unsatisfied page, with the number of sessions. */
  readonly coSessions?: readonly { readonly a: string; readonly b: string; readonly sessions: number }[];
  /** Rules (e) and (f): clicks per query and document (weights, e.g. click counts). */
  readonly clicks?: readonly { readonly query: string; readonly doc_id: string; readonly clicks: number }[];
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

export type FamilyRule = 'sameKey' | 'reformulation' | 'nearDuplicate' | 'positiveOverlap' | 'coSession' | 'coClick';
const RULES: readonly FamilyRule[] = ['sameKey', 'reformulation', 'nearDuplicate', 'positiveOverlap', 'coSession', 'coClick'];

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
  /** Weak links between different families (sorted, a < b), for splits.purgeLinked. */
  readonly links: readonly FamilyLink[];
}

export interface FamilyLink {
  readonly a: string;
  readonly b: string;
  readonly reason: 'coSession' | 'topPositive' | 'reformulation' | 'coClick' | 'refused' | 'abbreviation';
}

const STAGE = 'families';
const DIGITS = /\d+/g;

/** Stable family id: two FNV hashes of the smallest member. */
export function familyIdOf(smallestMember: string): string {
  return 'f' + hash32(smallestMember).toString(16).padStart(8, '0') + hash32(smallestMember, 0x2545f491).toString(16).padStart(8, '0');
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
  const merges = Object.fromEntries(RULES.map((r) => [r, 0])) as Record<FamilyRule, number>;
  const refused = Object.fromEntries(RULES.map((r) => [r, 0])) as Record<FamilyRule, number>;
  const weak: { a: number; b: number; reason: FamilyLink['reason'] }[] = [];
  const unite = (a: number, b: number, rule: FamilyRule): boolean => {
    const r = uf.union(a, b, rule === 'sameKey' ? Number.MAX_SAFE_INTEGER : o.maxFamilySize);
    if (r === 1) merges[rule]++;
    else if (r === -1) { refused[rule]++; weak.push({ a, b, reason: 'refused' }); }
    return r === 1;
  };

  // (a) equal keys
  if (o.sameKey.enabled) for (let i = 0; i < n; i++) unite(keyRep[keyIdOf[i]!]!, i, 'sameKey');
  lap('rule_sameKey');

  /** Undirected query-pair edges (smaller index first), counts summed; pairs with an unknown query or a query with itself are dropped and counted as `<prefix>_unknown_query` / `<prefix>_same_query`. */
  const sumEdges = (pairs: readonly (readonly [string, string, number])[], prefix: string): { a: number; b: number; count: number }[] => {
    const edges = new Map<string, { a: number; b: number; count: number }>();
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
  };

  // (b) reformulation chains
  if (o.reformulation.enabled && input.reformulations) {
    const list = sumEdges(input.reformulations.map((e) => [e.from, e.to, e.count] as const), 'reformulation').sort((x, y) => x.a - y.a || x.b - y.b);
    for (const e of list) {
      if (e.count < o.reformulation.minCount) { drop('reformulation_below_min_count'); weak.push({ a: e.a, b: e.b, reason: 'reformulation' }); continue; }
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
      if (nd.refuseTokenSwap && tokenSwapped(keys[ka]!.split(' '), keys[kb]!.split(' '), o.links.abbreviation)) { drop('near_duplicate_refused_token_swap'); weak.push({ a, b, reason: 'refused' }); return; }
      unite(a, b, 'nearDuplicate');
    };
    const hasher = createMinHasher({ numPerm: nd.numHashes, bands: nd.bands, seed: nd.seed, permutation: 'affine' });
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

  // abbreviation-aware token alignment: a weak link, never a merge
  if (o.links.enabled && o.links.abbreviation.enabled) {
    const ab = o.links.abbreviation;
    // blocking: aligned tokens share their first letter, so an aligned pair has equal initials
    // (same token count) or the longer one's initials minus one letter (maxExtraTokens = 1)
    const bySig = new Map<string, number[]>();
    const toks: (string[] | undefined)[] = new Array(keys.length);
    const sigs: string[] = new Array(keys.length);
    let truncated = 0, compared = 0, linked = 0;
    let canon = new Map<string, string>();
    if (ab.synonymMinSupport > 0) {
      const tokensOfQuery = (q: string): string[] | undefined => { const i = lookup(q); return i === undefined ? undefined : keys[keyIdOf[i]!]!.split(' ').filter(Boolean); };
      const pairs: [string, string][] = [];
      for (const e of input.coSessions ?? []) pairs.push([e.a, e.b]);
      for (const e of input.reformulations ?? []) pairs.push([e.from, e.to]);
      canon = mineSynonyms(pairs.map(([x, y]) => [tokensOfQuery(x), tokensOfQuery(y)]), ab);
      notes.push(`abbreviation links: ${canon.size} synonym pairs mined from session pairs`);
    }
    for (let k = 0; k < keys.length; k++) {
      const t = keys[k]!.split(' ').filter(Boolean).map((x) => canon.get(x) ?? x);
      if (t.length < ab.minTokens || t.length > ab.maxTokens) continue;
      toks[k] = t;
      const sig = (sigs[k] = initialsSignature(t));
      const list = bySig.get(sig);
      if (!list) bySig.set(sig, [k]);
      else if (list.length < ab.maxBucketCompare) list.push(k);
      else truncated++;
    }
    // the buckets one initial away, gathered once per distinct signature (many keys share one)
    const nearBuckets = new Map<string, Int32Array>();
    const nearOf = (sig: string): Int32Array => {
      let near = nearBuckets.get(sig);
      if (near) return near;
      const ids: number[] = [];
      for (let i = 0; i < sig.length; i++) {
        if (i > 0 && sig[i] === sig[i - 1]) continue;
        for (const j of bySig.get(sig.slice(0, i) + sig.slice(i + 1)) ?? []) ids.push(j);
      }
      nearBuckets.set(sig, (near = Int32Array.from(ids)));
      return near;
    };
    const visit = (j: number, k: number, t: readonly string[]): void => {
      const a = keyRep[j]!, b = keyRep[k]!;
      if (uf.find(a) === uf.find(b)) return;
      compared++;
      if (abbreviationAligned(toks[j]!, t, ab)) { weak.push({ a, b, reason: 'abbreviation' }); linked++; }
    };
    for (let k = 0; k < keys.length; k++) {
      const t = toks[k];
      if (!t) continue;
      const sig = sigs[k]!;
      for (const j of bySig.get(sig)!) if (j < k) visit(j, k, t);
      if (ab.maxExtraTokens > 0) for (const j of nearOf(sig)) visit(j, k, t);
    }
    drop('abbreviation_bucket_truncated', truncated);
    notes.push(`abbreviation links: ${compared} candidate pairs compared, ${linked} linked`);
  }
  lap('links_abbreviation');

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

  // click vectors (rules e, f): per query, docs sorted by index with L1-normalised weights
  const vecs: ({ docs: Int32Array; w: Float64Array; norm: number } | undefined)[] = new Array(n);
  let docCount = 0;
  if ((o.coSession.enabled || o.coClick.enabled) && input.clicks && input.clicks.length > 0) {
    const docIndex = new Map<string, number>();
    const perQ = new Map<number, Map<number, number>>();
    input.clicks.forEach((c, i) => {
      if (!c || typeof c.doc_id !== 'string' || typeof c.clicks !== 'number' || !Number.isFinite(c.clicks) || c.clicks < 0) {
        throw inputError('bad_input', `buildFamilies: clicks[${i}] must be { query, doc_id, clicks >= 0 } (got ${JSON.stringify(c)})`, { stage: STAGE });
      }
      const qi = lookup(c.query);
      if (qi === undefined) { drop('click_unknown_query'); return; }
      let di = docIndex.get(c.doc_id);
      if (di === undefined) docIndex.set(c.doc_id, (di = docIndex.size));
      let m = perQ.get(qi);
      if (!m) perQ.set(qi, (m = new Map()));
      m.set(di, (m.get(di) ?? 0) + c.clicks);
    });
    docCount = docIndex.size;
    for (const [qi, m] of perQ) {
      let total = 0;
      for (const v of m.values()) total += v;
      if (total <= 0 || total < o.coClick.minClicks) { drop('click_vector_below_min_clicks'); continue; }
      const docs = Int32Array.from([...m.keys()].sort((a, b) => a - b));
      const w = new Float64Array(docs.length);
      let sq = 0;
      for (let k = 0; k < docs.length; k++) { const x = m.get(docs[k]!)! / total; w[k] = x; sq += x * x; }
      vecs[qi] = { docs, w, norm: Math.sqrt(sq) };
    }
  }
  const cosineOf = (a: { docs: Int32Array; w: Float64Array; norm: number }, b: { docs: Int32Array; w: Float64Array; norm: number }): number => {
    let i = 0, j = 0, dot = 0;
    while (i < a.docs.length && j < b.docs.length) {
      const x = a.docs[i]!, y = b.docs[j]!;
      if (x === y) { dot += a.w[i++]! * b.w[j++]!; } else if (x < y) i++; else j++;
    }
    return dot === 0 ? 0 : dot / (a.norm * b.norm);
  };

  // (e) co-session pairs after an unsatisfied page: enough sessions, or one confirmed by clicks
  if (o.coSession.enabled && input.coSessions) {
    const cs = o.coSession;
    const pairs = input.coSessions.map((e, i) => {
      if (!e || typeof e.sessions !== 'number' || !Number.isFinite(e.sessions)) throw inputError('bad_input', `buildFamilies: coSessions[${i}] must be { a, b, sessions } (got ${JSON.stringify(e)})`, { stage: STAGE });
      return [e.a, e.b, e.sessions] as const;
    });
    const list = sumEdges(pairs, 'co_session').sort((x, y) => y.count - x.count || x.a - y.a || x.b - y.b);
    for (const e of list) {
      if (e.count >= cs.minSessions) { unite(e.a, e.b, 'coSession'); continue; }
      if (e.count < 1) { drop('co_session_below_min'); continue; }
      const va = vecs[e.a], vb = vecs[e.b];
      if (va && vb && cosineOf(va, vb) >= cs.confirmCosine) unite(e.a, e.b, 'coSession');
      else { drop('co_session_unconfirmed'); weak.push({ a: e.a, b: e.b, reason: 'coSession' }); }
    }
  }
  lap('rule_coSession');
  if (o.links.enabled && o.links.topPositive && input.positives) {
    // queries whose best positive is the same document: likely one need, too weak alone to merge
    const byDoc = new Map<string, number[]>();
    for (const [q, docs] of input.positives) {
      const d = docs[0], qi = lookup(q);
      if (d === undefined || qi === undefined) continue;
      const a = byDoc.get(d);
      if (a) a.push(qi); else byDoc.set(d, [qi]);
    }
    for (const d of [...byDoc.keys()].sort()) {
      const roots = [...new Set(byDoc.get(d)!.map((qi) => uf.find(qi)))].sort((a, b) => a - b);
      if (roots.length > o.links.maxTopPositiveFamilies) { drop('top_positive_doc_too_common'); continue; }
      for (let x = 0; x < roots.length; x++) for (let y = x + 1; y < roots.length; y++) weak.push({ a: roots[x]!, b: roots[y]!, reason: 'topPositive' });
    }
  }
  lap('links_topPositive');

  // (f) agglomerative co-click: family vectors = sums of member vectors, best pairs first
  let coClickRounds = 0;
  let tooCommon = 0;
  /** Pairs of current families whose summed click vectors have at least this cosine. */
  const clickPairs = (threshold: number): { a: number; b: number; c: number }[] => {
    const acc = new Map<number, Map<number, number>>();
    for (let i = 0; i < n; i++) {
      const v = vecs[i];
      if (!v) continue;
      const r = uf.find(i);
      let m = acc.get(r);
      if (!m) acc.set(r, (m = new Map()));
      for (let k = 0; k < v.docs.length; k++) m.set(v.docs[k]!, (m.get(v.docs[k]!) ?? 0) + v.w[k]!);
    }
    const roots = [...acc.keys()].sort((a, b) => a - b);
    const fv = new Map<number, { docs: Int32Array; w: Float64Array; norm: number }>();
    const postings: number[][] = Array.from({ length: docCount }, () => []);
    for (const r of roots) {
      const m = acc.get(r)!;
      const docs = Int32Array.from([...m.keys()].sort((a, b) => a - b));
      const w = new Float64Array(docs.length);
      let sq = 0;
      for (let k = 0; k < docs.length; k++) { w[k] = m.get(docs[k]!)!; sq += w[k]! * w[k]!; postings[docs[k]!]!.push(r); }
      fv.set(r, { docs, w, norm: Math.sqrt(sq) });
    }
    tooCommon = 0;
    const cand: { a: number; b: number; c: number }[] = [];
    const seenPair = new Set<number>();
    for (let d = 0; d < docCount; d++) {
      const p = postings[d]!;
      if (p.length > o.coClick.maxDocFamilies) { tooCommon++; continue; }
      for (let x = 0; x < p.length; x++) for (let y = x + 1; y < p.length; y++) {
        const a = p[x]!, b = p[y]!;
        const key = a * n + b;
        if (seenPair.has(key)) continue;
        seenPair.add(key);
        const c = cosineOf(fv.get(a)!, fv.get(b)!);
        if (c >= threshold) cand.push({ a, b, c });
      }
    }
    return cand.sort((x, y) => y.c - x.c || x.a - y.a || x.b - y.b);
  };
  if (o.coClick.enabled && docCount > 0) {
    for (let round = 0; round < o.coClick.maxRounds; round++) {
      const used = new Set<number>();
      let made = 0;
      for (const e of clickPairs(o.coClick.cosine)) {
        if (used.has(e.a) || used.has(e.b)) continue;
        if (unite(e.a, e.b, 'coClick')) { used.add(e.a); used.add(e.b); made++; }
      }
      coClickRounds = round + 1;
      if (made === 0) break;
    }
    drop('co_click_doc_too_common', tooCommon);
    notes.push(`co-click rule: ${coClickRounds} rounds`);
  }
  if (o.links.enabled && docCount > 0) for (const e of clickPairs(o.links.cosine)) weak.push({ a: e.a, b: e.b, reason: 'coClick' });
  lap('rule_coClick');

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
  const links: FamilyLink[] = [];
  if (o.links.enabled) {
    const seenLink = new Set<string>();
    for (const w of weak) {
      let a = familyOf.get(queries[w.a]!)!, b = familyOf.get(queries[w.b]!)!;
      if (a === b) continue;
      if (b < a) { const t = a; a = b; b = t; }
      const k = `${a} ${b}`;
      if (seenLink.has(k)) continue;
      seenLink.add(k);
      links.push({ a, b, reason: w.reason });
    }
    links.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
  }
  lap('collect');

  const totalRefused = refused.reformulation + refused.nearDuplicate + refused.positiveOverlap + refused.coSession + refused.coClick;
  if (totalRefused > 0) notes.push(`${totalRefused} merges refused by maxFamilySize=${o.maxFamilySize}; raise it if the largest families below look like one intent, or tighten the rule that refused most`);
  const top = largest[0];
  if (top && n > 0 && top.size > 0.01 * n && top.size > 50) notes.push(`largest family holds ${top.size} queries (${((100 * top.size) / n).toFixed(1)}%), e.g. ${top.examples.slice(0, 3).map((e) => JSON.stringify(e)).join(', ')}: check the rule thresholds`);

  const stats: StageStats = {
    stage: STAGE,
    in: { query_rows: input.queries.length, queries: n, reformulation_edges: input.reformulations?.length ?? 0, queries_with_positives: input.positives?.size ?? 0, co_session_pairs: input.coSessions?.length ?? 0, click_rows: input.clicks?.length ?? 0 },
    out: {
      families: families.length,
      keys: keys.length,
      merges_sameKey: merges.sameKey,
      merges_reformulation: merges.reformulation,
      merges_nearDuplicate: merges.nearDuplicate,
      merges_positiveOverlap: merges.positiveOverlap,
      merges_coSession: merges.coSession,
      merges_coClick: merges.coClick,
      largest_family: top?.size ?? 0,
      weak_links: links.length,
    },
    dropped: {
      ...dropped,
      ...(refused.reformulation ? { merge_refused_cap_reformulation: refused.reformulation } : {}),
      ...(refused.nearDuplicate ? { merge_refused_cap_nearDuplicate: refused.nearDuplicate } : {}),
      ...(refused.positiveOverlap ? { merge_refused_cap_positiveOverlap: refused.positiveOverlap } : {}),
      ...(refused.coSession ? { merge_refused_cap_coSession: refused.coSession } : {}),
      ...(refused.coClick ? { merge_refused_cap_coClick: refused.coClick } : {}),
    },
    notes,
    seconds: Object.values(seconds).reduce((a, b) => a + b, 0),
  };
  return { familyOf, families, stats, merges, refused, largest, seconds, links };
}
