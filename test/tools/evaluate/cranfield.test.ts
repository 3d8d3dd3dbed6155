import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateDataset } from '../../../src/tools/evaluate/evaluate.js';
import type { TrainRecord } from '../../../src/tools/evaluate/readers.js';

// Real data: the Cranfield collection in ../shared/data (or CLICKFORGE_DATA). Skips when absent.
const DATA = resolve(process.env.CLICKFORGE_DATA ?? join(process.cwd(), '..', 'shared', 'data'), 'cranfield');
const present = existsSync(join(DATA, 'cran.all.1400'));

function smart(text: string): { id: string; fields: Record<string, string> }[] {
  const out: { id: string; fields: Record<string, string> }[] = [];
  let cur: { id: string; fields: Record<string, string> } | undefined;
  let field = '';
  for (const line of text.split(/\r?\n/)) {
    const m = /^\.([ITABW])\s*(.*)$/.exec(line);
    if (m && m[1] === 'I') {
      cur = { id: m[2]!.trim(), fields: {} };
      out.push(cur);
    } else if (m) field = m[1]!;
    else if (cur) cur.fields[field] = `${cur.fields[field] ?? ''} ${line.trim()}`.trim();
  }
  return out;
}

describe.skipIf(!present)('evaluate on Cranfield (real corpus, queries and graded qrels)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-cran-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('BM25 is sane and training on half the queries beats the untrained model on the other half', async () => {
    const docs = smart(readFileSync(join(DATA, 'cran.all.1400'), 'utf8'));
    const queries = smart(readFileSync(join(DATA, 'cran.qry'), 'utf8')).map((q, i) => ({ id: String(i + 1), text: q.fields.W ?? '' }));
    const qrels: [string, string, number][] = [];
    for (const line of readFileSync(join(DATA, 'cranqrel'), 'utf8').split(/\r?\n/)) {
      const [q, d, g] = line.trim().split(/\s+/).map(Number) as [number, number, number];
      if (!q || !d || !(g >= 1 && g <= 4)) continue;
      qrels.push([String(q), String(d), 5 - g]); // Cleverdon 1 (best) .. 4 -> gain 4 .. 1
    }
    const beir = join(dir, 'beir');
    mkdirSync(join(beir, 'qrels'), { recursive: true });
    writeFileSync(join(beir, 'corpus.jsonl'), docs.map((d) => JSON.stringify({ _id: d.id, title: '', text: d.fields.W ?? d.fields.T ?? '' })).join('\n'));
    writeFileSync(join(beir, 'queries.jsonl'), queries.map((q) => JSON.stringify({ _id: q.id, text: q.text })).join('\n'));
    const isTest = (q: string) => Number(q) % 2 === 0;
    writeFileSync(join(beir, 'qrels', 'test.tsv'), qrels.filter(([q]) => isTest(q)).map((r) => r.join('\t')).join('\n'));
    const text = new Map(docs.map((d) => [d.id, d.fields.W ?? '']));
    const qtext = new Map(queries.map((q) => [q.id, q.text]));
    const train: TrainRecord[] = qrels.filter(([q, , g]) => !isTest(q) && g >= 2).map(([q, d]) => ({ query: qtext.get(q)!, positive: text.get(d)!, positiveId: d }));

    const r = await evaluateDataset({ train, eval: { beir }, model: { dim: 32, maxTokens: 64 }, training: { epochs: 4, batchSize: 32 }, bootstrap: { samples: 300 }, seed: 1 });
    const { bm25, untrained, trained } = r.systems;
    const fmt = (s: typeof bm25) => `${s.mean['ndcg@10']!.toFixed(3)} [${s.ci['ndcg@10']!.map((x) => x.toFixed(3)).join(', ')}]`;
    console.info(`cranfield: ${r.qids.length} test queries, ${train.length} train records; nDCG@10 bm25 ${fmt(bm25)}, untrained ${fmt(untrained)}, trained ${fmt(trained)}; train ${r.train.stats.seconds.toFixed(1)} s`);
    expect(r.qids.length).toBeGreaterThan(100);
    expect(bm25.mean['ndcg@10']).toBeGreaterThan(0.3);
    expect(trained.mean['ndcg@10']).toBeGreaterThan(untrained.mean['ndcg@10']!);
  }, 180_000);
});
