import { describe, expect, it } from 'vitest';
import { bm25Internals, buildBm25 } from '../../src/retrieval/bm25.js';
import { canonicalTermOrder, searchTerms } from '../../src/retrieval/bm25-prune.js';
import { createRng } from '../../src/util/rng.js';

const plain = { tokenize: { stopwords: false, stem: false } };

/** Zipf-like corpus; every 7th document is a copy of the one before, so scores tie often. */
function corpus(n: number, seed: number): { id: string; text: string }[] {
  const rng = createRng(seed);
  const word = (): string => `w${Math.floor(Math.pow(400, rng.next()) - 1)}`;
  const docs: { id: string; text: string }[] = [];
  for (let d = 0; d < n; d++) {
    if (d % 7 === 6) docs.push({ id: `d${d}`, text: docs[d - 1]!.text });
    else docs.push({ id: `d${d}`, text: Array.from({ length: 3 + rng.int(20) }, word).join(' ') });
  }
  return docs;
}

function queries(nq: number, seed: number): string[] {
  const rng = createRng(seed);
  // Frequent and rare words mixed, repeats allowed (a repeated word counts twice).
  return Array.from({ length: nq }, () => Array.from({ length: 1 + rng.int(5) }, () => `w${Math.floor(Math.pow(400, rng.next()) - 1)}`).join(' '));
}

describe('BM25 top-k pruning', () => {
  const docs = corpus(3000, 11);
  const idx = buildBm25(docs, plain);

  it('returns exactly the exhaustive top-k (ids and float32 scores, ties included)', () => {
    let compared = 0;
    for (const k of [1, 5, 10, 50]) {
      for (const q of queries(300, k)) {
        const a = idx.search(q, k, { prune: true });
        const b = idx.search(q, k);
        expect(Array.from(a.ids), q).toEqual(Array.from(b.ids));
        expect(Array.from(a.scores), q).toEqual(Array.from(b.scores));
        compared++;
      }
    }
    expect(compared).toBe(1200);
  });

  it('agrees with exhaustive scoring under an exclude set', () => {
    const rng = createRng(5);
    for (const q of queries(200, 99)) {
      const exclude = new Set(Array.from({ length: 200 }, () => rng.int(docs.length)));
      const a = idx.search(q, 10, { exclude, prune: true });
      const b = idx.search(q, 10, { exclude });
      expect(Array.from(a.ids), q).toEqual(Array.from(b.ids));
      expect(Array.from(a.scores), q).toEqual(Array.from(b.scores));
      for (const d of a.ids) expect(exclude.has(d)).toBe(false);
    }
  });

  it('skips postings on queries mixing a rare and a frequent word, and leaves the scratch arrays clean', () => {
    const it = bm25Internals(idx);
    const V = it.start.length - 1;
    const maxImpact = new Float32Array(V);
    for (let t = 0; t < V; t++) for (let p = it.start[t]!; p < it.start[t + 1]!; p++) maxImpact[t] = Math.max(maxImpact[t]!, it.postImpact[p]!);
    const ix = { start: it.start, postDoc: it.postDoc, postImpact: it.postImpact, maxImpact, acc: new Float32Array(it.n), touched: new Int32Array(it.n) };
    const common = it.vocab.get('w0')!;
    let pruned = 0, tried = 0;
    for (const [w, t] of it.vocab) {
      if (w === 'w0' || it.start[t + 1]! - it.start[t]! < 20) continue;
      const terms = [t, common];
      canonicalTermOrder(terms, maxImpact);
      const all = { scanned: 0 }, some = { scanned: 0 };
      const a = searchTerms(ix, terms, 10, undefined, false, all);
      const b = searchTerms(ix, terms, 10, undefined, true, some);
      expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
      expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
      tried++;
      if (some.scanned < all.scanned) pruned++;
    }
    expect(tried).toBeGreaterThan(20);
    expect(pruned).toBeGreaterThan(tried / 4);
    expect(ix.acc.every((x) => x === 0)).toBe(true);
  });

  it('sums a query\'s terms in one order: word order does not change a score', () => {
    const a = idx.search('w1 w30 w200', 20);
    const b = idx.search('w200 w1 w30', 20);
    expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
    expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
  });
});
