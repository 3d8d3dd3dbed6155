import { afterAll, describe, expect, it } from 'vitest';
import { buildBm25 } from '../../src/retrieval/bm25.js';
import { createParallelBm25, searchManySerial, type ParallelBm25 } from '../../src/retrieval/bm25-parallel.js';
import { createRng } from '../../src/util/rng.js';

// Few words and short documents: many equal scores, so the tie rule is exercised.
const rng = createRng(11);
const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
const corpus = Array.from({ length: 3000 }, (_, i) => ({ id: `d${i}`, text: Array.from({ length: 2 + rng.int(8) }, () => words[Math.floor(rng.next() ** 2 * 60)]).join(' ') }));
const queries = Array.from({ length: 400 }, () => Array.from({ length: 1 + rng.int(4) }, () => words[rng.int(60)]).join(' '));
queries.push('', 'unknownword', 'w1 w1 w1');
const idx = buildBm25(corpus, { tokenize: { stopwords: false, stem: false } });
const pools: ParallelBm25[] = [];
afterAll(async () => { await Promise.all(pools.map((p) => p.close())); });

describe('createParallelBm25', () => {
  it.each([1, 3])('gives exactly the single-thread results with %i worker(s), any k', async (threads) => {
    const pool = createParallelBm25(idx, { threads, chunk: 7 });
    pools.push(pool);
    for (const k of [1, 10, 400]) {
      const par = await pool.searchMany(queries, k);
      const ser = searchManySerial(idx, queries, k);
      expect(Array.from(par.counts)).toEqual(Array.from(ser.counts));
      expect(Buffer.from(par.ids.buffer, par.ids.byteOffset, par.ids.byteLength).equals(Buffer.from(ser.ids.buffer))).toBe(true);
      expect(Buffer.from(par.scores.buffer, par.scores.byteOffset, par.scores.byteLength).equals(Buffer.from(ser.scores.buffer))).toBe(true);
    }
    // A spot check against the public per-query search (and that it is not trivially empty).
    const r = await pool.searchMany(['w3 w40'], 5);
    const one = idx.search('w3 w40', 5);
    expect(r.counts[0]).toBe(5);
    expect(Array.from(r.ids)).toEqual(Array.from(one.ids));
  });

  it('honours per-query exclusions, and batches issued together do not interfere', async () => {
    const pool = createParallelBm25(idx, { threads: 2 });
    pools.push(pool);
    const top = idx.search(queries[0]!, 3);
    const exclude = queries.map((_, q) => (q % 2 === 0 ? new Set([top.ids[0]!, 17]) : undefined));
    const [a, b] = await Promise.all([pool.searchMany(queries, 20, { exclude }), pool.searchMany(queries, 20)]);
    const sa = searchManySerial(idx, queries, 20, { exclude });
    expect(Array.from(a.ids)).toEqual(Array.from(sa.ids));
    expect(Array.from(b.ids)).toEqual(Array.from(searchManySerial(idx, queries, 20).ids));
    expect(Array.from(a.ids.subarray(0, 20))).not.toContain(top.ids[0]);
    await expect(pool.searchMany(['w1'], 5, { exclude: [] })).rejects.toThrow(/one per query/);
  });

  it('rejects bad options with a message that says what to give', () => {
    expect(() => createParallelBm25(idx, { threads: 0 })).toThrow(/threads must be a positive integer/);
    expect(() => createParallelBm25({ ...idx })).toThrow(/built by buildBm25/);
  });
});
