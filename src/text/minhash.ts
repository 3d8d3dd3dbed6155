import { usageError } from '../errors.js';
import { hash32 } from '../util/rng.js';
import { UnionFind } from '../util/union-find.js';
import { createTokenizer } from './tokenize.js';

/**
 * MinHash signatures, LSH banding and exact Jaccard verification, on typed arrays, over two kinds
 * of sets: word shingles of documents (`shingles`: near-duplicate negatives, batches) and
 * character trigrams of queries (`trigramSet`: the near-duplicate family rule, the leakage audit).
 *
 * A shingle is `shingleSize` consecutive words (NFKC, lower-cased, no stemming) hashed with FNV-1a
 * to 32 bits; a text shorter than `shingleSize` words is one shingle. Two permutation families,
 * both bijections of the 32-bit space (no modular arithmetic, nothing above 2^32, unlike the
 * `minhash` package that overflows 2^53):
 * - 'xor-mix': permutation i is `fmix32(x ^ salt[i])`, for sets of raw FNV hashes (shingles);
 * - 'affine': permutation i is `a_i * x + b_i mod 2^32` (odd a_i), for already-mixed hashes
 *   (trigrams): one multiply instead of a full mix per function.
 * Each caller keeps the family (and seed) its stored outputs were made with.
 */
export interface MinHashOptions {
  /** Number of permutations. 128 gives a Jaccard estimate with standard error <= 0.045. */
  readonly numPerm?: number;
  /** Words per shingle. 3 is the usual choice for near-duplicate passages. */
  readonly shingleSize?: number;
  /** Seed for the permutation salts. */
  readonly seed?: number;
  readonly permutation?: 'xor-mix' | 'affine';
  /** LSH bands for `bandKeys` (numPerm / bands rows each); must divide numPerm. */
  readonly bands?: number;
}

export const MINHASH_DEFAULTS = { numPerm: 128, shingleSize: 3, seed: 1, permutation: 'xor-mix', bands: 1 } as const;

/** MurmurHash3's 32-bit finaliser: a bijection of the 32-bit space that mixes every bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface MinHasher {
  readonly numPerm: number;
  readonly shingleSize: number;
  readonly bands: number;
  /** Sorted, de-duplicated shingle hashes of a text (empty for a text without words). */
  shingles(text: string): Uint32Array;
  /** Signature of a set of 32-bit hashes (all 0xffffffff for an empty set). */
  signature(set: ArrayLike<number>, out?: Uint32Array): Uint32Array;
  /**
   * LSH keys of a set: one int32 hash per band (int32 keys stay small integers in Maps, uint32
   * ones box). Sets with no members get no meaningful keys; callers skip them.
   */
  bandKeys(set: ArrayLike<number>, out: Int32Array, outOffset?: number): void;
}

export function createMinHasher(opts: MinHashOptions = {}): MinHasher {
  const numPerm = opts.numPerm ?? MINHASH_DEFAULTS.numPerm;
  const shingleSize = opts.shingleSize ?? MINHASH_DEFAULTS.shingleSize;
  const bands = opts.bands ?? MINHASH_DEFAULTS.bands;
  if (!Number.isInteger(numPerm) || numPerm < 1) throw usageError('bad_minhash_options', `MinHash numPerm must be a positive integer (got ${numPerm}).`);
  if (!Number.isInteger(shingleSize) || shingleSize < 1) throw usageError('bad_minhash_options', `MinHash shingleSize must be a positive integer (got ${shingleSize}).`);
  if (numPerm % bands !== 0) throw new RangeError(`numHashes (${numPerm}) must be a multiple of bands (${bands})`);
  const seed = opts.seed ?? MINHASH_DEFAULTS.seed;
  const signature = (opts.permutation ?? MINHASH_DEFAULTS.permutation) === 'affine' ? affineSignature(numPerm, seed) : xorMixSignature(numPerm, seed);
  const rows = numPerm / bands;
  const scratch = new Uint32Array(numPerm);
  const tok = createTokenizer({});
  return {
    numPerm,
    shingleSize,
    bands,
    shingles(text: string): Uint32Array {
      const words = tok(text);
      if (words.length === 0) return new Uint32Array(0);
      const n = Math.max(1, words.length - shingleSize + 1);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = hash32(words.slice(i, i + shingleSize).join(' '));
      out.sort();
      let m = 0;
      for (let i = 0; i < n; i++) if (i === 0 || out[i] !== out[m - 1]) out[m++] = out[i]!;
      return out.slice(0, m);
    },
    signature: (set, out = new Uint32Array(numPerm)) => signature(set, out),
    bandKeys(set, out, outOffset = 0) {
      const sig = signature(set, scratch);
      for (let b = 0; b < bands; b++) {
        let h = Math.imul(b + 1, 0x27d4eb2d);
        for (let i = 0; i < rows; i++) h = fmix32(h ^ sig[b * rows + i]!);
        out[outOffset + b] = h | 0;
      }
    },
  };
}

type SignatureFn = (set: ArrayLike<number>, out: Uint32Array) => Uint32Array;

function xorMixSignature(numPerm: number, seed: number): SignatureFn {
  const salts = new Uint32Array(numPerm);
  let s = seed >>> 0;
  for (let i = 0; i < numPerm; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    salts[i] = fmix32(s);
  }
  return (set, out) => {
    out.fill(0xffffffff);
    for (let j = 0; j < set.length; j++) {
      const x = set[j]!;
      for (let i = 0; i < numPerm; i++) {
        const h = fmix32((x ^ salts[i]!) >>> 0);
        if (h < out[i]!) out[i] = h;
      }
    }
    return out;
  };
}

function affineSignature(numPerm: number, seed: number): SignatureFn {
  const mul = new Uint32Array(numPerm);
  const add = new Uint32Array(numPerm);
  let s = seed >>> 0;
  for (let k = 0; k < numPerm; k++) {
    s = (s + 0x9e3779b9) >>> 0;
    mul[k] = fmix32(s) | 1;
    s = (s + 0x9e3779b9) >>> 0;
    add[k] = fmix32(s);
  }
  return (set, out) => {
    out.fill(0xffffffff);
    for (let t = 0; t < set.length; t++) {
      const x = set[t]!;
      for (let k = 0; k < numPerm; k++) {
        const v = (Math.imul(x, mul[k]!) + add[k]!) >>> 0;
        if (v < out[k]!) out[k] = v;
      }
    }
    return out;
  };
}

let trigramScratch = new Uint32Array(256);

/** Sorted, distinct hashes of the character trigrams of ` s ` (padded so short words have trigrams). */
export function trigramSet(s: string): Uint32Array {
  const p = ` ${s} `;
  const n = p.length - 2;
  if (n <= 0) return new Uint32Array(0);
  if (trigramScratch.length < n) trigramScratch = new Uint32Array(n * 2);
  for (let i = 0; i < n; i++) {
    trigramScratch[i] = fmix32(Math.imul(p.charCodeAt(i), 0x9e3779b1) ^ Math.imul(p.charCodeAt(i + 1), 0x85ebca77) ^ Math.imul(p.charCodeAt(i + 2), 0xc2b2ae3d));
  }
  const v = trigramScratch.subarray(0, n).sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || v[i] !== v[m - 1]) v[m++] = v[i]!;
  return v.slice(0, m);
}

/** Share of equal signature slots: an unbiased estimate of the Jaccard similarity. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let eq = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) eq++;
  return eq / n;
}

/** Exact Jaccard of two sorted, de-duplicated sets. Two empty sets have Jaccard 0 (not duplicates). */
export function exactJaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) return 0;
  let i = 0, j = 0, inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!, y = b[j]!;
    if (x === y) { inter++; i++; j++; } else if (x < y) i++; else j++;
  }
  return inter / (a.length + b.length - inter);
}

/** Exact Jaccard of two sorted distinct sets; two empty sets are equal (1), unlike `exactJaccard`. */
export function jaccardSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a.length === 0 && b.length === 0 ? 1 : exactJaccard(a, b);
}

/** Buckets per band for `MinHasher.bandKeys`: head of a chain per band key, chains in one Int32Array. */
export class LshIndex {
  private readonly heads: Map<number, number>[];
  private next: Int32Array;
  constructor(readonly bands: number, capacity: number) {
    this.heads = Array.from({ length: bands }, () => new Map<number, number>());
    this.next = new Int32Array(Math.max(1, capacity) * bands).fill(-1);
  }

  add(id: number, keys: Int32Array, keysOffset = 0): void {
    const B = this.bands;
    if ((id + 1) * B > this.next.length) {
      const grown = new Int32Array(Math.max((id + 1) * B, this.next.length * 2)).fill(-1);
      grown.set(this.next);
      this.next = grown;
    }
    for (let b = 0; b < B; b++) {
      const m = this.heads[b]!;
      const k = keys[keysOffset + b]!;
      const h = m.get(k);
      this.next[id * B + b] = h === undefined ? -1 : h;
      m.set(k, id);
    }
  }

  /**
   * Calls visit(id) for ids sharing a band key, newest first, at most `maxPerBand` per band
   * (a guard against huge buckets). Returns how many bands hit that limit.
   */
  candidates(keys: Int32Array, keysOffset: number, maxPerBand: number, visit: (id: number) => void): number {
    const B = this.bands;
    let truncated = 0;
    for (let b = 0; b < B; b++) {
      let id = this.heads[b]!.get(keys[keysOffset + b]!);
      let seen = 0;
      while (id !== undefined && id >= 0) {
        if (seen++ >= maxPerBand) { truncated++; break; }
        visit(id);
        id = this.next[id * B + b]!;
      }
    }
    return truncated;
  }
}

/**
 * Bands x rows for LSH. With 128 permutations the default 16 bands of 8 rows puts the S-curve's
 * midpoint at (1/16)^(1/8) ~ 0.71: a pair at Jaccard 0.8 becomes a candidate with probability
 * 1 - (1 - 0.8^8)^16 ~ 0.94, one at 0.5 with probability ~ 0.06 (then rejected by the exact check).
 */
export function defaultBands(numPerm: number): { bands: number; rows: number } {
  const rows = numPerm >= 64 ? 8 : Math.max(1, Math.floor(numPerm / 8));
  return { bands: Math.max(1, Math.floor(numPerm / rows)), rows };
}

export interface DuplicateClusters {
  /** Cluster id per item (the smallest member index); an item alone is its own cluster. */
  readonly clusterOf: Int32Array;
  /** Clusters with at least two members. */
  readonly clusters: number;
  /** Size of the largest cluster (1 when there are no duplicates). */
  readonly largest: number;
  /** Items that belong to a cluster of two or more. */
  readonly clustered: number;
  /** Candidate pairs checked exactly, and how many passed. */
  readonly candidatePairs: number;
  readonly verifiedPairs: number;
}

/**
 * Corpus-wide near-duplicate clusters: LSH banding over the signatures (`n` x `numPerm`, row
 * major) proposes pairs, each pair is verified with the exact Jaccard of the shingle sets, and
 * verified pairs are joined with union-find (so clusters are transitive). `sameKey` (optional)
 * joins exact duplicates first (e.g. identical normalised text). In a bucket larger than
 * `maxBucketPairs` members only pairs with the bucket's first few members are checked, which
 * bounds the cost of boilerplate-heavy corpora.
 */
export function duplicateClusters(
  signatures: Uint32Array,
  shingleSets: readonly Uint32Array[],
  opts: { numPerm: number; threshold: number; bands?: number; rows?: number; sameKey?: readonly (string | undefined)[]; maxBucketPairs?: number },
): DuplicateClusters {
  const n = shingleSets.length;
  const P = opts.numPerm;
  const def = defaultBands(P);
  const rows = opts.rows ?? def.rows;
  const bands = Math.min(opts.bands ?? def.bands, Math.floor(P / rows));
  const maxBucket = opts.maxBucketPairs ?? 64;
  const uf = new UnionFind(n);
  if (opts.sameKey) {
    const first = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const k = opts.sameKey[i];
      if (k === undefined || k === '') continue;
      const f = first.get(k);
      if (f === undefined) first.set(k, i); else uf.union(f, i);
    }
  }
  let candidatePairs = 0, verifiedPairs = 0;
  const check = (a: number, b: number): void => {
    if (uf.find(a) === uf.find(b)) return;
    candidatePairs++;
    if (exactJaccard(shingleSets[a]!, shingleSets[b]!) >= opts.threshold) {
      verifiedPairs++;
      uf.union(a, b);
    }
  };
  for (let band = 0; band < bands; band++) {
    const buckets = new Map<number, number[]>();
    const off = band * rows;
    for (let i = 0; i < n; i++) {
      if (shingleSets[i]!.length === 0) continue;
      let h = 0x811c9dc5 ^ band;
      const base = i * P + off;
      for (let r = 0; r < rows; r++) h = fmix32((h ^ signatures[base + r]!) >>> 0);
      const list = buckets.get(h);
      if (list) list.push(i); else buckets.set(h, [i]);
    }
    for (const list of buckets.values()) {
      if (list.length < 2) continue;
      const heads = list.length <= maxBucket ? list.length : 4;
      for (let x = 0; x < heads; x++) for (let y = x + 1; y < list.length; y++) check(list[x]!, list[y]!);
    }
  }
  const clusterOf = new Int32Array(n);
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    clusterOf[i] = uf.find(i);
    size[clusterOf[i]!]!++;
  }
  let clusters = 0, largest = n > 0 ? 1 : 0, clustered = 0;
  for (let i = 0; i < n; i++) {
    const s = size[i]!;
    if (s >= 2) {
      clusters++;
      clustered += s;
      if (s > largest) largest = s;
    }
  }
  return { clusterOf, clusters, largest, clustered, candidatePairs, verifiedPairs };
}
