/**
 * Character-trigram sets, MinHash signatures and LSH banding on typed arrays. Used by the
 * near-duplicate family rule and by the leakage audit. Candidates are always verified with the
 * exact trigram Jaccard, so LSH only decides what gets compared, never what merges.
 * Word-shingle MinHash for documents (near-duplicate negatives, batches) is `src/text/minhash.ts`;
 * both share its mixer and exact Jaccard.
 */
import { exactJaccard, fmix32 } from '../../text/minhash.js';

let scratch = new Uint32Array(256);

/** Sorted, distinct hashes of the character trigrams of ` s ` (padded so short words have trigrams). */
export function trigramSet(s: string): Uint32Array {
  const p = ` ${s} `;
  const n = p.length - 2;
  if (n <= 0) return new Uint32Array(0);
  if (scratch.length < n) scratch = new Uint32Array(n * 2);
  for (let i = 0; i < n; i++) {
    scratch[i] = fmix32(Math.imul(p.charCodeAt(i), 0x9e3779b1) ^ Math.imul(p.charCodeAt(i + 1), 0x85ebca77) ^ Math.imul(p.charCodeAt(i + 2), 0xc2b2ae3d));
  }
  const v = scratch.subarray(0, n).sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || v[i] !== v[m - 1]) v[m++] = v[i]!;
  return v.slice(0, m);
}

/** Exact Jaccard of two sorted distinct sets; two empty sets are equal (1), unlike `exactJaccard`. */
export function jaccardSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a.length === 0 && b.length === 0 ? 1 : exactJaccard(a, b);
}

export interface LshParams {
  /** Number of MinHash functions; must be a multiple of `bands`. */
  readonly numHashes: number;
  readonly bands: number;
  readonly seed: number;
}

/** Probability that a pair with Jaccard j becomes a candidate: 1 - (1 - j^r)^b. */
export function candidateProbability(j: number, p: LshParams): number {
  const r = p.numHashes / p.bands;
  return 1 - Math.pow(1 - Math.pow(j, r), p.bands);
}

/**
 * Band keys of one trigram set (one 32-bit hash per band). Sets with no trigrams get no
 * meaningful keys; callers skip them.
 */
export class MinHasher {
  private readonly mul: Uint32Array;
  private readonly add: Uint32Array;
  private readonly sig: Uint32Array;
  readonly rows: number;
  constructor(readonly params: LshParams) {
    if (params.numHashes % params.bands !== 0) throw new RangeError(`numHashes (${params.numHashes}) must be a multiple of bands (${params.bands})`);
    this.rows = params.numHashes / params.bands;
    // h_k(x) = a_k * x + b_k mod 2^32 over already-mixed trigram hashes (odd a_k): a permutation
    // of 32-bit values per k, one multiply instead of a full mix per function
    this.mul = new Uint32Array(params.numHashes);
    this.add = new Uint32Array(params.numHashes);
    let s = params.seed >>> 0;
    for (let k = 0; k < params.numHashes; k++) {
      s = (s + 0x9e3779b9) >>> 0;
      this.mul[k] = fmix32(s) | 1;
      s = (s + 0x9e3779b9) >>> 0;
      this.add[k] = fmix32(s);
    }
    this.sig = new Uint32Array(params.numHashes);
  }

  bandKeys(set: ArrayLike<number>, out: Int32Array, outOffset = 0): void {
    const K = this.params.numHashes, sig = this.sig, mul = this.mul, add = this.add;
    sig.fill(0xffffffff);
    for (let t = 0; t < set.length; t++) {
      const x = set[t]!;
      for (let k = 0; k < K; k++) {
        const v = (Math.imul(x, mul[k]!) + add[k]!) >>> 0;
        if (v < sig[k]!) sig[k] = v;
      }
    }
    const r = this.rows;
    for (let b = 0; b < this.params.bands; b++) {
      let h = Math.imul(b + 1, 0x27d4eb2d);
      for (let i = 0; i < r; i++) h = fmix32(h ^ sig[b * r + i]!);
      out[outOffset + b] = h | 0; // int32 keys stay small integers in Maps (uint32 ones box)
    }
  }
}

/** Buckets per band: head of a chain per band key, chains in one Int32Array. */
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

/** Optimal string alignment distance, stopping early once it exceeds `max`. */
export function osaDistance(a: string, b: string, max: number): number {
  const la = a.length, lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  let prev2 = new Int32Array(lb + 1), prev = new Int32Array(lb + 1), cur = new Int32Array(lb + 1);
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= lb; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2; prev2 = prev; prev = cur; cur = t;
  }
  return prev[lb]!;
}
