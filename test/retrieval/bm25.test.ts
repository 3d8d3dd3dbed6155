import { describe, expect, it } from 'vitest';
import { buildBm25 } from '../../src/retrieval/bm25.js';
import { TopK } from '../../src/retrieval/topk.js';
import { createRng } from '../../src/util/rng.js';

const docs = [
  { id: 'a', text: 'reset password okta' },
  { id: 'b', text: 'password password policy for laptops and phones' },
  { id: 'c', text: 'vpn setup guide' },
  { id: 'd', text: 'okta' },
];
const plain = { tokenize: { stopwords: false, stem: false } };

describe('buildBm25', () => {
  it('scores match the BM25 formula computed by hand', () => {
    const idx = buildBm25(docs, { k1: 0.9, b: 0.4, ...plain });
    const N = 4;
    const avg = (3 + 7 + 3 + 1) / 4;
    const idf = (df: number) => Math.log(1 + (N - df + 0.5) / (df + 0.5));
    const term = (tf: number, len: number, df: number) => (idf(df) * tf * 1.9) / (tf + 0.9 * (1 - 0.4 + (0.4 * len) / avg));
    const r = idx.search('password', 10);
    expect(Array.from(r.ids)).toEqual([1, 0]);
    expect(r.scores[0]).toBeCloseTo(term(2, 7, 2), 5);
    expect(r.scores[1]).toBeCloseTo(term(1, 3, 2), 5);
    const r2 = idx.search('okta password', 10);
    expect(idx.docId(r2.ids[0]!)).toBe('a');
    expect(r2.scores[0]).toBeCloseTo(term(1, 3, 2) + term(1, 3, 2), 5);
  });

  it('returns nothing for unknown words, honours exclude and k', () => {
    const idx = buildBm25(docs, plain);
    expect(idx.search('zzz', 5).ids.length).toBe(0);
    expect(Array.from(idx.search('okta', 5, { exclude: new Set([3]) }).ids)).toEqual([0]);
    expect(idx.search('okta password vpn', 2).ids.length).toBe(2);
    expect(() => idx.docId(9)).toThrow(/out of range/);
  });

  it('stems and drops stop words by default', () => {
    const idx = buildBm25(docs);
    expect(idx.docId(idx.search('the resetting', 3).ids[0]!)).toBe('a');
  });

  it('top-k is the head of the full ranking and equals the sum of per-term scores (stable ties)', () => {
    const rng = createRng(7);
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const corpus = Array.from({ length: 300 }, (_, i) => ({ id: `d${i}`, text: Array.from({ length: 3 + rng.int(10) }, () => words[rng.int(40)]).join(' ') }));
    const idx = buildBm25(corpus, plain);
    for (let q = 0; q < 20; q++) {
      const query = `${words[rng.int(40)]} ${words[rng.int(40)]}`;
      const all = idx.search(query, 1000);
      const top = idx.search(query, 7);
      const [w1, w2] = query.split(' ') as [string, string];
      const brute = new Map<number, number>();
      for (const w of w1 === w2 ? [w1, w1] : [w1, w2]) {
        const r = idx.search(w, 1000);
        r.ids.forEach((d, i) => brute.set(d, (brute.get(d) ?? 0) + r.scores[i]!));
      }
      expect(all.ids.length).toBe(brute.size);
      all.ids.forEach((d, i) => expect(all.scores[i]).toBeCloseTo(brute.get(d)!, 4));
      expect(Array.from(top.ids)).toEqual(Array.from(all.ids.subarray(0, 7)));
      for (let i = 1; i < all.ids.length; i++) {
        const ok = all.scores[i - 1]! > all.scores[i]! || (all.scores[i - 1] === all.scores[i] && all.ids[i - 1]! < all.ids[i]!);
        expect(ok).toBe(true);
      }
    }
  });
});

describe('Bm25Index.scoreAll', () => {
  it('gives every matching document the score of search(query, size), bit for bit, and its max', () => {
    const rng = createRng(11);
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
    // skewed word use, so that some words are in most documents and scores tie
    const pick = () => words[Math.floor(words.length * rng.next() ** 3)]!;
    const many = Array.from({ length: 400 }, (_, i) => ({ id: `d${i}`, text: Array.from({ length: 3 + rng.int(12) }, pick).join(' ') }));
    const idx = buildBm25(many, plain);
    const queries = [...Array.from({ length: 50 }, () => Array.from({ length: 1 + rng.int(4) }, pick).join(' ')), 'w0 w0 w1', 'nothing here', ''];
    for (const q of queries) {
      const ranked = idx.search(q, idx.size);
      const all = idx.scoreAll(q);
      const byDoc = (ids: Int32Array, scores: Float32Array) => new Map(Array.from(ids, (d, i) => [d, scores[i]!]));
      expect(byDoc(all.ids, all.scores)).toEqual(byDoc(ranked.ids, ranked.scores));
      expect(all.ids.length).toBe(ranked.ids.length);
      expect(all.max).toBe(ranked.scores.length > 0 ? ranked.scores[0] : 0);
    }
    // the scratch accumulator is clean after scoreAll: a search right after it is unchanged
    expect(Array.from(idx.search('w1 w2', 5).scores)).toEqual(Array.from(buildBm25(many, plain).search('w1 w2', 5).scores));
  });
});

describe('TopK', () => {
  it('keeps the k best with ties broken by lower index', () => {
    const t = new TopK(3);
    for (const [s, i] of [[1, 5], [2, 1], [2, 0], [0.5, 2], [2, 9], [3, 4]] as const) t.push(s, i);
    const r = t.result();
    expect(Array.from(r.ids)).toEqual([4, 0, 1]);
    expect(Array.from(r.scores)).toEqual([3, 2, 2]);
  });
});
