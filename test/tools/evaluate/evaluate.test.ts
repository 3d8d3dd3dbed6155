import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareDatasets, evaluateDataset } from '../../../src/tools/evaluate/evaluate.js';
import { datasetQuality } from '../../../src/tools/evaluate/quality.js';
import type { TrainRecord } from '../../../src/tools/evaluate/readers.js';

// A world where queries use abbreviations the documents never contain.
const ABBR: Record<string, string> = { pw: 'password', acct: 'account', cfg: 'configuration', msg: 'message', pic: 'picture', addr: 'address', doc: 'document', tx: 'transaction' };
const CTX = ['reset', 'delete', 'export', 'share', 'recover', 'update', 'archive', 'verify', 'rename', 'lock'];
const TRAIN_CTX = CTX.slice(0, 7), TEST_CTX = CTX.slice(7);
const id = (w: string, c: string) => `${w}-${c}`;

const dir = mkdtempSync(join(tmpdir(), 'cf-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const beir = join(dir, 'beir');
mkdirSync(join(beir, 'qrels'), { recursive: true });
writeFileSync(join(beir, 'corpus.jsonl'), Object.values(ABBR).flatMap((w) => CTX.map((c) => JSON.stringify({ _id: id(w, c), title: `${w} ${c}`, text: 'settings page' }))).join('\n'));
const evalQ = Object.entries(ABBR).flatMap(([a, w]) => TEST_CTX.map((c) => ({ qid: `${a}-${c}`, text: `${a} ${c}`, doc: id(w, c) })));
writeFileSync(join(beir, 'queries.jsonl'), evalQ.map((q) => JSON.stringify({ _id: q.qid, text: q.text })).join('\n'));
writeFileSync(join(beir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\n' + evalQ.map((q) => `${q.qid}\t${q.doc}\t1`).join('\n'));

const good: TrainRecord[] = Object.entries(ABBR).flatMap(([a, w]) => TRAIN_CTX.map((c) => ({ query: `${a} ${c}`, positive: `${w} ${c} settings page`, positiveId: id(w, c) })));
const words = Object.values(ABBR);
const bad: TrainRecord[] = good.map((r, i) => ({ query: r.query, positive: `${words[(i * 3 + 1) % words.length]} ${r.query.split(' ')[1]} settings page` }));
const opts = { eval: { beir }, model: { dim: 32, buckets: 2 ** 14 }, training: { epochs: 30, batchSize: 16, lr: 0.1 }, bootstrap: { samples: 200 }, seed: 3 };

describe('evaluateDataset', () => {
  it('trains on the file and beats the untrained model and BM25 on held-out queries', async () => {
    const trainFile = join(dir, 'train.jsonl');
    writeFileSync(trainFile, good.map((r) => JSON.stringify({ query: r.query, positive: r.positive, doc_id: r.positiveId })).join('\n'));
    const r = await evaluateDataset({ ...opts, train: trainFile });
    expect(r.qids.length).toBe(evalQ.length);
    expect(r.corpus).toBe(80);
    expect(r.train.records).toBe(good.length);
    expect(r.train.heldOutOverlap).toBe(0);
    const { bm25, untrained, trained } = r.systems;
    expect(trained.mean['ndcg@10']).toBeGreaterThan(untrained.mean['ndcg@10']! + 0.2);
    expect(trained.mean['ndcg@10']).toBeGreaterThan(bm25.mean['ndcg@10']! + 0.2);
    for (const s of [bm25, untrained, trained]) {
      const [lo, hi] = s.ci['ndcg@10']!;
      expect(lo).toBeLessThanOrEqual(s.mean['ndcg@10']!);
      expect(hi).toBeGreaterThanOrEqual(s.mean['ndcg@10']!);
      expect(s.perQuery['recall@100']!.length).toBe(evalQ.length);
    }
    expect(Object.keys(trained.mean).sort()).toEqual(['mrr@10', 'mrr@100', 'ndcg@10', 'ndcg@100', 'recall@10', 'recall@100']);
  });

  it('flags training queries that are evaluation queries', async () => {
    const r = await evaluateDataset({ ...opts, training: { epochs: 1 }, train: [...good, { query: 'PW verify', positive: 'password verify settings page' }] });
    expect(r.train.heldOutOverlap).toBe(1);
    expect(r.notes.join(' ')).toMatch(/not held out/);
  });
});

describe('compareDatasets', () => {
  it('finds the better set with a paired CI, and no difference between identical sets', async () => {
    const c = await compareDatasets(good, bad, opts);
    expect(c.diff['ndcg@10']!.mean).toBeLessThan(-0.2);
    expect(c.diff['ndcg@10']!.hi).toBeLessThan(0);
    const same = await compareDatasets(good, good, { ...opts, training: { epochs: 2 } });
    expect(same.diff['ndcg@10']).toEqual({ mean: 0, lo: 0, hi: 0 });
  });
});

describe('datasetQuality', () => {
  it('measures positive precision/recall, false negatives and family leakage', () => {
    const truth = {
      qrels: new Map([
        ['pw reset', new Map([['d1', 2], ['d2', 1], ['d3', 0]])],
        ['acct lock', new Map([['d4', 1]])],
      ]),
      queryFamily: new Map([['pw reset', 'F1'], ['reset pw', 'F1'], ['acct lock', 'F2'], ['vpn', 'F3']]),
    };
    const train: TrainRecord[] = [
      { query: 'PW reset', positive: 'x', positiveId: 'd1', negativeIds: ['d2', 'd3'] },
      { query: 'pw reset', positive: 'x', positiveId: 'd3' },
      { query: 'acct lock', positive: 'x', positiveId: 'd4' },
      { query: 'no ids', positive: 'x' },
    ];
    const q = datasetQuality(train, truth, ['reset pw', 'vpn', 'unknown']);
    expect(q.positivePrecision).toBeCloseTo(2 / 3);
    expect(q.positiveRecall).toBeCloseTo(2 / 3);
    expect(q.negativeFalseNegativeRate).toBe(0.5);
    expect(q.familyLeakage).toBe(0.5);
    expect(q.counts).toMatchObject({ positives: 3, positivesWithoutId: 1, negatives: 2, relevantPairs: 3, testQueriesWithoutFamily: 1 });
  });
});
