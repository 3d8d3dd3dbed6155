import { stringify } from 'yaml';
import type { Report } from '../report/report.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * The dataset card (dataset/README.md): what the files are, how to load them with the usual
 * trainers, how the data was built (config, counts, drops) and what the report says about it.
 */
export function renderDatasetCard(r: Report, config: unknown, files: Readonly<Record<string, number>>, version: string): string {
  const s = r.summary;
  const lines: string[] = [
    '# Dataset card',
    '',
    `Built by clickforge ${version} from a search click log: ${fmt(s.serps)} result pages in ${fmt(s.sessions)} sessions, ` +
      `${fmt(s.clicks)} raw clicks of which ${(100 * s.clickDiscardRate).toFixed(1)}% were discarded as evidence, ` +
      `${fmt(s.positivePairs)} graded positive pairs over ${fmt(s.positiveQueries)} queries.`,
    '',
    '## Files',
    '',
    '| file | rows |',
    '|---|---:|',
    ...Object.entries(files).sort().map(([f, n]) => `| \`${f}\` | ${fmt(n)} |`),
    '',
    'Splits are by query family (a family never spans two splits). Test families appear only in the',
    'BEIR folder, as evaluation qrels; they are never in a training file.',
    '',
    '## Loading',
    '',
    '```python',
    '# sentence-transformers (MultipleNegativesRankingLoss): anchor, positive, negative_1..n',
    'from datasets import load_dataset',
    'train = load_dataset("json", data_files="sentence-transformers/train.jsonl", split="train")',
    '# conflict-free batches for in-batch negatives: keep the order, use the batch size in batches/train.json',
    'batched = load_dataset("json", data_files="sentence-transformers/train.batched.jsonl", split="train")',
    '',
    '# FlagEmbedding fine-tuning: --train_data flagembedding/train.jsonl',
    '# Tevatron: --dataset_name json --dataset_path tevatron/train.jsonl',
    '',
    '# BEIR evaluation',
    'from beir.datasets.data_loader import GenericDataLoader',
    'corpus, queries, qrels = GenericDataLoader("beir").load(split="test")',
    '```',
    '',
    '## How it was built',
    '',
    '| step | count |',
    '|---|---:|',
    ...r.funnel.map((f) => `| ${f.step} | ${fmt(f.count)} |`),
    '',
    'Raw clicks by outcome:',
    '',
    '| outcome | clicks | used |',
    '|---|---:|---|',
    ...r.clickOutcomes.map((c) => `| ${c.outcome} | ${fmt(c.count)} | ${c.kept ? 'yes' : 'no'} |`),
    '',
    `Counts add up: ${r.accounting.every((a) => a.ok) ? 'yes' : 'NO — see report.md'} (${r.accounting.length} checks). The full report is report.md beside this folder.`,
    '',
    '## Configuration',
    '',
    '```yaml',
    stringify(config).trimEnd(),
    '```',
    '',
  ];
  return lines.join('\n');
}
