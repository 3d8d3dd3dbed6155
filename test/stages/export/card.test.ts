import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { datasetConfigs, renderDatasetCard, type DatasetConfig } from '../../../src/stages/export/card.js';
import type { Report } from '../../../src/stages/report/report.js';

const report: Report = {
  tool: { name: 'clickforge', version: '0.0.0' },
  summary: { rowsRead: 10, rowsQuarantined: 0, sessions: 5, serps: 8, clicks: 9, clicksKept: 7, clickDiscardRate: 0.2, evidencePairs: 6, positivePairs: 4, positiveQueries: 3 },
  funnel: [{ step: 'input rows read', count: 10, share: 1 }],
  clickOutcomes: [{ outcome: 'satisfied', count: 7, share: 0.7, kept: true }],
  stages: [],
  accounting: [],
  warnings: [],
  sections: {},
};

// a build without dev records: every dev file is absent, as the export writes no empty file
const files = {
  'sentence-transformers/train.jsonl': 40,
  'sentence-transformers/train.pairs.jsonl': 44,
  'sentence-transformers/train.batched.jsonl': 32,
  'batches/train.json': 32,
  'flagembedding/train.jsonl': 12,
  'tevatron/train.jsonl': 12,
  'clickforge/train.jsonl': 44,
  'beir/corpus.jsonl': 100,
  'beir/queries.jsonl': 15,
  'beir/qrels/train.tsv': 44,
  'beir/qrels/test.tsv': 5,
};
const config = { export: { negatives: 4 }, prompts: { query: '' } };

function frontMatter(card: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(card);
  expect(m, 'front matter').not.toBeNull();
  return parse(m![1]!) as Record<string, unknown>;
}

describe('renderDatasetCard', () => {
  const card = renderDatasetCard(report, config, files, '0.0.0', { teacherScores: null, omittedSplits: [{ file: 'flagembedding/dev.jsonl', reason: 'no dev records' }], filledNegatives: 3 });
  const meta = frontMatter(card);
  const configs = meta.configs as DatasetConfig[];

  it('has Hugging Face metadata with one configuration per written format', () => {
    expect(meta.license).toBe('other');
    expect(meta.task_categories).toContain('sentence-similarity');
    expect(configs.map((c) => c.config_name)).toEqual(['sentence-transformers', 'sentence-transformers-pairs', 'sentence-transformers-batched', 'flagembedding', 'tevatron', 'clickforge', 'beir-corpus', 'beir-queries']);
    expect(configs.filter((c) => c.default)).toEqual([configs[0]]);
  });

  it('lists only files that exist, so an empty split is absent', () => {
    const paths = configs.flatMap((c) => c.data_files.map((f) => f.path));
    for (const p of paths) expect(files, p).toHaveProperty([p]);
    expect(paths.some((p) => p.includes('/dev'))).toBe(false);
    expect(configs.every((c) => c.data_files.every((f) => f.split !== 'dev'))).toBe(true);
  });

  it('keeps one file type across configurations (datasets reads them all with one builder)', () => {
    const pq = datasetConfigs({ 'sentence-transformers/train.parquet': 4, 'beir/corpus.jsonl': 9, 'beir/queries.jsonl': 2 });
    expect(pq.map((c) => c.config_name)).toEqual(['sentence-transformers']);
    expect(pq[0]!.data_files).toEqual([{ split: 'train', path: 'sentence-transformers/train.parquet' }]);
    expect(datasetConfigs({})).toEqual([]);
  });

  it('has a named snippet per format, says why a snippet is not run, and reports teacher scores and omissions', () => {
    const names = [...card.matchAll(/^# snippet: (\S+)$/gm)].map((m) => m[1]);
    expect(names).toEqual(['sentence-transformers', 'sentence-transformers-pairs', 'sentence-transformers-batched', 'datasets', 'flagembedding', 'tevatron', 'beir']);
    expect(card).toMatch(/# snippet: flagembedding\n# not run by clickforge's tests: .+/);
    expect(card).toContain('--train_group_size 5');
    expect(card).not.toContain('--knowledge_distillation True');
    expect(card).toContain('load(split="test")');
    expect(card).toContain('no `pos_scores` / `neg_scores`');
    expect(card).toContain('| `flagembedding/dev.jsonl` | no dev records |');
  });

  it('leaves out the snippets of formats that were not written and asks for distillation with teacher scores', () => {
    const only = renderDatasetCard(report, config, { 'flagembedding/train.jsonl': 3 }, '0.0.0', { teacherScores: 'cosine under bge', omittedSplits: [] });
    expect([...only.matchAll(/^# snippet: (\S+)$/gm)].map((m) => m[1])).toEqual(['datasets', 'flagembedding']);
    expect(only).toContain('--knowledge_distillation True');
    expect(only).toContain('are cosine under bge');
  });

  it('keeps working without the export details', () => {
    const plain = renderDatasetCard(report, {}, { 'clickforge/train.jsonl': 2 }, '0.0.0');
    expect((frontMatter(plain).configs as DatasetConfig[]).map((c) => c.config_name)).toEqual(['clickforge']);
    expect(plain).toContain('| `clickforge/dev.jsonl` | no rows |');
  });
});
