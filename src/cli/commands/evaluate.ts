import { resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { writeFileAtomic, stableJson } from '../../util/fs.js';
import type { EvalReport, CompareReport } from '../../tools/evaluate/index.js';

interface EvalFlags {
  train?: string;
  compare?: string[];
  beir?: string;
  split: string;
  seed: string;
  epochs?: string;
  json?: string;
}

const METRICS = ['recall@10', 'recall@100', 'mrr@10', 'ndcg@10'];
const f3 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '  —  ' : x.toFixed(3));

export function systemTable(r: EvalReport, label = 'trained'): string {
  const head = `system      ${METRICS.map((m) => m.padStart(22)).join('')}`;
  const rows = (['bm25', 'untrained', 'trained'] as const).map((s) => {
    const sys = r.systems[s];
    const cells = METRICS.map((m) => `${f3(sys.mean[m])} [${f3(sys.ci[m]?.[0])},${f3(sys.ci[m]?.[1])}]`.padStart(22));
    return `${(s === 'trained' ? label : s).padEnd(12)}${cells.join('')}`;
  });
  return [head, ...rows].join('\n');
}

export function compareTable(c: CompareReport): string {
  const lines = ['metric        B - A    95% interval         excludes 0'];
  for (const m of METRICS) {
    const d = c.diff[m];
    if (!d) continue;
    const excl = d.lo > 0 || d.hi < 0;
    lines.push(`${m.padEnd(12)} ${(d.mean >= 0 ? '+' : '') + d.mean.toFixed(4)}   [${d.lo.toFixed(4)}, ${d.hi.toFixed(4)}]   ${excl ? 'yes' : 'no'}`);
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description('Train the built-in bi-encoder on a dataset and measure it on held-out queries (next to BM25 and the untrained model), or compare two datasets.')
    .option('--train <file>', 'training records (positives.jsonl, triplets, sentence-transformers or FlagEmbedding JSONL)')
    .option('--compare <files...>', 'two training files A B, evaluated on the same held-out set')
    .requiredOption('--beir <dir>', 'evaluation set in BEIR layout (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)')
    .option('--split <name>', 'qrels split', 'test')
    .option('--seed <n>', 'random seed', '42')
    .option('--epochs <n>', 'training epochs of the built-in model')
    .option('--json <file>', 'also write the full report (per-query values included) as JSON')
    .action(async (f: EvalFlags) => {
      const ev = await import('../../tools/evaluate/index.js');
      const opts = {
        eval: { beir: resolve(f.beir!), split: f.split },
        seed: Number(f.seed),
        ...(f.epochs ? { training: { epochs: Number(f.epochs) } } : {}),
      };
      if (f.compare) {
        if (f.compare.length !== 2) throw usageError('bad_compare', '--compare takes exactly two training files: A B.');
        const c = await ev.compareDatasets(resolve(f.compare[0]!), resolve(f.compare[1]!), opts);
        process.stdout.write(`A = ${f.compare[0]} (${c.a.train.records} records)\n${systemTable(c.a, 'trained on A')}\n\n`);
        process.stdout.write(`B = ${f.compare[1]} (${c.b.train.records} records)\n${systemTable(c.b, 'trained on B')}\n\n`);
        process.stdout.write(`${compareTable(c)}\n`);
        for (const n of [...c.a.notes, ...c.b.notes]) process.stdout.write(`note: ${n}\n`);
        if (f.json) await writeFileAtomic(f.json, stableJson(c));
        return;
      }
      if (!f.train) throw usageError('missing_train', 'give --train <file>, or --compare A B.');
      const r = await ev.evaluateDataset({ ...opts, train: resolve(f.train) });
      process.stdout.write(`${r.train.records} training records, ${r.qids.length} held-out queries, ${r.corpus} documents\n${systemTable(r)}\n`);
      for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
      if (f.json) await writeFileAtomic(f.json, stableJson(r));
    });
}
