import { usageError } from '../errors.js';
import { hash32 } from '../util/rng.js';
import { UnionFind } from '../util/union-find.js';
import { createTokenizer } from './tokenize.js';

/**
 * MinHash over word shingles, LSH banding and exact Jaccard verification, on typed arrays.
 *
 * A shingle is `shingleSize` consecutive words (NFKC, lower-cased, no stemming) hashed with FNV-1a
 * to 32 bits; a text shorter than `shingleSize` words is one shingle. Permutation i is
 * `fmix32(x ^ salt[i])`: both steps are bijections of the 32-bit space, so each is a true
 * permutation (no modular arithmetic, nothing above 2^32, unlike the `minhash` package that
 * overflows 2^53).
 */
export interface MinHashOptions {
  /** Number of permutations. 128 gives a Jaccard estimate with standard error <= 0.045. */
  readonly numPerm?: number;
  /** Words per shingle. 3 is the usual choice for near-duplicate passages. */
  readonly shingleSize?: number;
  /** Seed for the permutation salts. */
  readonly seed?: number;
}

export const MINHASH_DEFAULTS = { numPerm: 128, shingleSize: 3, seed: 1 } as const;

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
  /** Sorted, de-duplicated shingle hashes of a text (empty for a text without words). */
  shingles(text: string): Uint32Array;
  /** Signature of a shingle set (all 0xffffffff for an empty set). */
  signature(shingles: Uint32Array, out?: Uint32Array): Uint32Array;
}

export function createMinHasher(opts: MinHashOptions = {}): MinHasher {
  const numPerm = opts.numPerm ?? MINHASH_DEFAULTS.numPerm;
  const shingleSize = opts.shingleSize ?? MINHASH_DEFAULTS.shingleSize;
  if (!Number.isInteger(numPerm) || numPerm < 1) throw usageError('bad_minhash_options', `MinHash numPerm must be a positive integer (got ${numPerm}).`);
  if (!Number.isInteger(shingleSize) || shingleSize < 1) throw usageError('bad_minhash_options', `MinHash shingleSize must be a positive integer (got ${shingleSize}).`);
  const salts = new Uint32Array(numPerm);
  let s = (opts.seed ?? MINHASH_DEFAULTS.seed) >>> 0;
  for (let i = 0; i < numPerm; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    salts[i] = fmix32(s);
  }
  const tok = createTokenizer({});
  return {
    numPerm,
    shingleSize,
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
    signature(sh: Uint32Array, out = new Uint32Array(numPerm)): Uint32Array {
      out.fill(0xffffffff);
      for (let j = 0; j < sh.length; j++) {
        const x = sh[j]!;
        for (let i = 0; i < numPerm; i++) {
          const h = fmix32((x ^ salts[i]!) >>> 0);
          if (h < out[i]!) out[i] = h;
        }
      }
      return out;
    },
  };
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
