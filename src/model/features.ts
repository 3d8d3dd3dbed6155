import { createTokenizer, type Tokenizer } from '../text/tokenize.js';
import type { ResolvedModelOptions } from './options.js';

const SEED_WORD = 0x811c9dc5;
const SEED_CHAR = 0x2545f491;
const SEED_BIGRAM = 0x9e3779b9;
const FNV_PRIME = 0x01000193;

function fnv(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Hashed features of a text, written into reusable buffers (no per-feature objects): word
 * unigrams, word bigrams, and character n-grams of "<word>" (fastText style). Returns the count.
 */
export class Featurizer {
  private readonly tok: Tokenizer;
  private readonly mask: number;
  buckets: Int32Array = new Int32Array(4096);
  weights: Float32Array = new Float32Array(4096);

  constructor(private readonly o: ResolvedModelOptions) {
    this.tok = createTokenizer({ stopwords: false, stem: false });
    this.mask = o.buckets - 1;
  }

  private ensure(n: number): void {
    if (n <= this.buckets.length) return;
    const cap = Math.max(n, this.buckets.length * 2);
    const b = new Int32Array(cap);
    b.set(this.buckets);
    this.buckets = b;
    const w = new Float32Array(cap);
    w.set(this.weights);
    this.weights = w;
  }

  /** Features of `text` in this.buckets/this.weights [0, count). */
  featurize(text: string): number {
    const o = this.o;
    const toks = this.tok(text);
    const nt = Math.min(toks.length, o.maxTokens);
    const cmin = o.charMin, cmax = Math.max(o.charMin, o.charMax);
    let n = 0;
    let prev = 0;
    for (let t = 0; t < nt; t++) {
      const w = toks[t]!;
      const L = w.length + 2;
      this.ensure(n + 2 + L * (cmax - cmin + 1));
      const bk = this.buckets, wt = this.weights;
      const hw = fnv(w, SEED_WORD);
      if (o.wordWeight > 0) {
        bk[n] = mix(hw) & this.mask;
        wt[n++] = o.wordWeight;
      }
      if (o.bigramWeight > 0 && t > 0) {
        bk[n] = mix((Math.imul(prev, 0x27d4eb2d) ^ hw ^ SEED_BIGRAM) >>> 0) & this.mask;
        wt[n++] = o.bigramWeight;
      }
      prev = hw;
      if (o.charWeight > 0) {
        for (let i = 0; i + cmin <= L; i++) {
          let h = SEED_CHAR;
          for (let j = i; j < L && j - i < cmax; j++) {
            const c = j === 0 ? 60 : j === L - 1 ? 62 : w.charCodeAt(j - 1);
            h = Math.imul(h ^ c, FNV_PRIME);
            if (j - i + 1 >= cmin) {
              bk[n] = mix(h >>> 0) & this.mask;
              wt[n++] = o.charWeight;
            }
          }
        }
      }
    }
    return n;
  }
}
