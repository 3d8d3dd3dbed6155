import { describe, expect, it } from 'vitest';
import { createBehaviouralMiner } from '../../../src/stages/negatives/behavioural-miner.js';
import { createBm25Miner } from '../../../src/stages/negatives/bm25-miner.js';
import { createDenseMiner } from '../../../src/stages/negatives/dense-miner.js';
import { createMiningContext } from '../../../src/stages/negatives/mine.js';
import { negativeOptions } from '../../../src/stages/negatives/options.js';
import { createRandomMiner } from '../../../src/stages/negatives/random-miner.js';
import type { MineQuery } from '../../../src/stages/negatives/types.js';
import { pickWindow } from '../../../src/stages/negatives/window.js';
import { bowEmbedder, doc, ev } from './fixtures.js';

const docs = [
  doc('pos', 'how to reset an okta token for a service account'),
  doc('look1', 'okta token expiry policy and token lifetime'),
  doc('look2', 'reset your laptop password at the service desk'),
  doc('look3', 'okta login page is slow'),
  doc('far1', 'cafeteria menu for monday'),
  doc('far2', 'parking permits for visitors'),
  ...Array.from({ length: 30 }, (_, i) => doc(`filler${i}`, `filler document number ${i} about office plants and chairs`)),
];
const O = negativeOptions.parse({});
const q: MineQuery = { query: 'reset okta token', query_norm: 'reset okta token', exclude: new Set([0]) };

describe('bm25 miner', () => {
  const ctx = createMiningContext({ positives: [], evidence: [], docs }, 1);
  it('returns the lexical lookalike first and never the positive; ranks are 1-based', async () => {
    const [c] = await createBm25Miner({ ...O.bm25, skipTop: 0 }, 1).mine([q], ctx);
    expect(c![0]!.doc).toBe(1);
    expect(c!.map((x) => x.doc)).not.toContain(0);
    expect(c!.map((x) => x.rank)).toEqual(c!.map((_, i) => i + 1));
    expect(c!.every((x) => x.source === 'bm25')).toBe(true);
  });
  it('skips the top 3 by default (range_min)', async () => {
    const [all] = await createBm25Miner({ ...O.bm25, skipTop: 0 }, 1).mine([q], ctx);
    const [d] = await createBm25Miner(O.bm25, 1).mine([q], ctx);
    expect(O.bm25.skipTop).toBe(3);
    expect(d!.map((x) => x.doc)).toEqual(all!.slice(3).map((x) => x.doc));
  });
  it('respects the rank window', async () => {
    const [all] = await createBm25Miner({ ...O.bm25, skipTop: 0 }, 1).mine([q], ctx);
    const [w] = await createBm25Miner({ ...O.bm25, skipTop: 1, window: 2, count: 5 }, 1).mine([q], ctx);
    expect(w!.map((x) => x.doc)).toEqual(all!.slice(1, 3).map((x) => x.doc));
    expect(w!.map((x) => x.rank)).toEqual([2, 3]);
  });
});

describe('window sampling', () => {
  it('random sampling is seeded, inside the window and in rank order', () => {
    const o = { skipTop: 3, window: 50, count: 5, sampling: 'random' as const };
    let s = 0.1;
    const a = pickWindow(100, o, () => (s = (s * 9301 + 0.49297) % 1));
    expect(a).toHaveLength(5);
    expect(a.every((p) => p >= 3 && p < 53)).toBe(true);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(new Set(a).size).toBe(5);
    expect(pickWindow(2, o, () => 0)).toEqual([]);
  });
});

describe('random miner', () => {
  const ctx = createMiningContext({ positives: [], evidence: [], docs }, 1);
  it('is seeded, excludes positives, and gives count distinct docs', async () => {
    const [a] = await createRandomMiner({ count: 10 }, 7).mine([q], ctx);
    const [b] = await createRandomMiner({ count: 10 }, 7).mine([q], ctx);
    const [c] = await createRandomMiner({ count: 10 }, 8).mine([q], ctx);
    expect(a!.map((x) => x.doc)).toEqual(b!.map((x) => x.doc));
    expect(a!.map((x) => x.doc)).not.toEqual(c!.map((x) => x.doc));
    expect(new Set(a!.map((x) => x.doc)).size).toBe(10);
    expect(a!.map((x) => x.doc)).not.toContain(0);
  });
});

describe('behavioural miner', () => {
  const qn = 'reset okta token';
  const evidence = [
    ev(qn, 'pos', { clicks: 5, satisfied: 4, grade: 3 }),
    ev(qn, 'look2', { skip_above: 1, impressions: 3 }),
    ev(qn, 'look1', { skip_above: 4, impressions: 6 }),
    ev(qn, 'look3', { impressions: 8 }),
    ev(qn, 'far1', { impressions: 2 }), // below minExposure
    ev(qn, 'far2', { impressions: 9, clicks: 1, grade: 1 }), // clicked
    ev(qn, 'gone', { skip_above: 9 }), // not in the corpus
    ev('another query', 'filler1', { skip_above: 9 }),
  ];
  it('ranks skipped-above first (by count), then unclicked by exposure; drops clicked, rare and unknown docs', async () => {
    const ctx = createMiningContext({ positives: [], evidence, docs }, 1);
    const m = createBehaviouralMiner(O.behavioural);
    const [c] = await m.mine([q], ctx);
    expect(c!.map((x) => [docs[x.doc]!.doc_id, x.behaviour])).toEqual([['look1', 'skip_above'], ['look2', 'skip_above'], ['look3', 'unclicked']]);
    expect(m.missingDocs()).toBe(1);
  });
  it('uses the expected examinations as exposure when given, impressions for a pair it lacks', async () => {
    // look3: 8 impressions at rank 9 (propensity 0.1) = 0.8 examinations < 3: not a negative any more.
    const expectedExaminations = new Map([[`${qn}\tlook3`, 0.8]]);
    const ctx = createMiningContext({ positives: [], evidence, docs, expectedExaminations }, 1);
    const [c] = await createBehaviouralMiner(O.behavioural).mine([q], ctx);
    expect(c!.map((x) => docs[x.doc]!.doc_id)).toEqual(['look1', 'look2']);
    // 3.5 expected examinations pass minExposure and become the miner score.
    const ctx2 = createMiningContext({ positives: [], evidence, docs, expectedExaminations: new Map([[`${qn}\tlook3`, 3.5]]) }, 1);
    const [c2] = await createBehaviouralMiner(O.behavioural).mine([q], ctx2);
    expect(c2!.map((x) => [docs[x.doc]!.doc_id, x.minerScore])).toEqual([['look1', 4], ['look2', 1], ['look3', 3.5]]);
    // A pair missing from the map keeps its impression count (8).
    const ctx3 = createMiningContext({ positives: [], evidence, docs, expectedExaminations: new Map([[`${qn}\tfar1`, 0.1]]) }, 1);
    const [c3] = await createBehaviouralMiner(O.behavioural).mine([q], ctx3);
    expect(c3!.map((x) => [docs[x.doc]!.doc_id, x.minerScore])).toEqual([['look1', 4], ['look2', 1], ['look3', 8]]);
  });
});

describe('dense miner', () => {
  it('returns the exact cosine top-k (same as brute force), across blocks, without positives', async () => {
    const emb = bowEmbedder();
    const ctx = createMiningContext({ positives: [], evidence: [], docs, embedder: emb }, 1);
    const [c] = await createDenseMiner({ ...O.dense, blockSize: 7, count: 5 }, 1).mine([q], ctx);
    const D = await ctx.docVectors();
    const qv = await ctx.queryVector(q.query);
    const brute = docs.map((_, d) => ({ d, s: Array.from(qv).reduce((a, x, j) => a + x * D[d * emb.dim + j]!, 0) }))
      .filter((x) => x.d !== 0)
      .sort((a, b) => b.s - a.s || a.d - b.d)
      .slice(0, 5);
    expect(c!.map((x) => x.doc)).toEqual(brute.map((x) => x.d));
    expect(c![0]!.doc).toBe(1);
    expect(c![0]!.minerScore!).toBeCloseTo(brute[0]!.s, 5);
  });
  it('proposes nothing without an embedder', async () => {
    const ctx = createMiningContext({ positives: [], evidence: [], docs }, 1);
    expect(await createDenseMiner(O.dense, 1).mine([q], ctx)).toEqual([[]]);
  });
  it('with approximate IVF search scanning every cell: the exact answer, positives excluded, recall noted, index closed', async () => {
    const emb = bowEmbedder();
    const ctx = createMiningContext({ positives: [], evidence: [], docs, embedder: emb }, 1);
    const exact = await createDenseMiner({ ...O.dense, count: 5 }, 1).mine([q], ctx);
    // 36 documents -> 12 cells (2 sqrt n); probing all 12, IVF must return the exact top-k
    const miner = createDenseMiner({ ...O.dense, count: 5, approximate: { method: 'ivf', nprobe: 12, minCorpus: 1, recallSample: 10 } }, 1);
    const [c] = await miner.mine([q], ctx);
    await miner.close!();
    expect(c!.map((x) => x.doc)).toEqual(exact[0]!.map((x) => x.doc));
    expect(c!.map((x) => x.doc)).not.toContain(0);
    expect(miner.notes!()).toEqual([expect.stringMatching(/approximate search \(ivf\) recall@50 1\.000 against exact on 1 sampled queries/)]);
    // one cell of 12: the sampled recall against exact says how much was missed
    const partial = createDenseMiner({ ...O.dense, count: 5, approximate: { method: 'ivf', nprobe: 1, minCorpus: 1, recallSample: 10 } }, 1);
    await partial.mine([q], ctx);
    await partial.close!();
    const recall = Number(/recall@50 ([\d.]+)/.exec(partial.notes!()[0]!)![1]);
    expect(recall).toBeGreaterThan(0);
    expect(recall).toBeLessThan(0.5);
    // below minCorpus the miner stays exact and notes nothing
    const small = createDenseMiner({ ...O.dense, count: 5, approximate: { method: 'ivf', nprobe: 1, minCorpus: 1000, recallSample: 10 } }, 1);
    expect((await small.mine([q], ctx))[0]!.map((x) => x.doc)).toEqual(exact[0]!.map((x) => x.doc));
    expect(small.notes!()).toEqual([]);
  });
});
