import { stringify } from 'yaml';
import type { Report } from '../report/report.js';
import * as snip from './snippets.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/** What the export knows beyond the files it wrote (from `ExportResult`). */
export interface CardInfo {
  /** Where FlagEmbedding's pos_scores / neg_scores come from, or null when they are left out. */
  readonly teacherScores: string | null;
  /** Files not written because they would have been empty, and why. */
  readonly omittedSplits: readonly { readonly file: string; readonly reason: string }[];
  /** Negatives added by negatives.fill among the exported negatives. */
  readonly filledNegatives?: number;
  /** The card's `license` (Hugging Face identifier). Default "other", a placeholder to set before publishing. */
  readonly license?: string;
}

/** A Hugging Face configuration of the dataset folder: a name and its split files. */
export interface DatasetConfig {
  readonly config_name: string;
  readonly default?: true;
  readonly data_files: readonly { readonly split: string; readonly path: string }[];
}

/** Every configuration the folder can have: name, what a row is, split -> file stem (path without extension). */
const CONFIGS: readonly { readonly name: string; readonly what: string; readonly splits: readonly (readonly [string, string])[] }[] = [
  { name: 'sentence-transformers', what: 'anchor, positive, negative_1..k', splits: [['train', 'sentence-transformers/train'], ['dev', 'sentence-transformers/dev']] },
  { name: 'sentence-transformers-pairs', what: 'anchor, positive', splits: [['train', 'sentence-transformers/train.pairs'], ['dev', 'sentence-transformers/dev.pairs']] },
  { name: 'sentence-transformers-batched', what: 'the n-tuples in conflict-free batch order', splits: [['train', 'sentence-transformers/train.batched']] },
  { name: 'flagembedding', what: 'query, pos, neg; pos_scores, neg_scores and prompt when set', splits: [['train', 'flagembedding/train'], ['dev', 'flagembedding/dev']] },
  { name: 'tevatron', what: 'query_id, query, positive_passages, negative_passages', splits: [['train', 'tevatron/train'], ['dev', 'tevatron/dev']] },
  { name: 'clickforge', what: 'one row per query and positive, with grade, weight and each negative\'s provenance', splits: [['train', 'clickforge/train'], ['dev', 'clickforge/dev']] },
  { name: 'beir-corpus', what: '_id, title, text', splits: [['corpus', 'beir/corpus']] },
  { name: 'beir-queries', what: '_id, text, metadata', splits: [['queries', 'beir/queries']] },
];

/**
 * The `configs` of the card's front matter, from the files that exist only (a format or split that
 * was not written is absent). `datasets` reads every configuration of a folder with the builder of
 * the first one, so all share one file type: JSON Lines when the first has them, else Parquet; the
 * BEIR qrels (TSV) are never a configuration. The first configuration is the default.
 */
export function datasetConfigs(files: Readonly<Record<string, number>>): DatasetConfig[] {
  const has = (path: string) => (files[path] ?? 0) > 0;
  const first = CONFIGS.find((c) => c.splits.some(([, stem]) => has(`${stem}.jsonl`) || has(`${stem}.parquet`)));
  if (!first) return [];
  const ext = first.splits.some(([, stem]) => has(`${stem}.jsonl`)) ? 'jsonl' : 'parquet';
  const out: DatasetConfig[] = [];
  for (const c of CONFIGS) {
    const data_files = c.splits.filter(([, stem]) => has(`${stem}.${ext}`)).map(([split, stem]) => ({ split, path: `${stem}.${ext}` }));
    if (data_files.length > 0) out.push({ config_name: c.name, ...(out.length === 0 ? { default: true as const } : {}), data_files });
  }
  return out;
}

/** Hugging Face's size bucket for a row count. */
function sizeCategory(n: number): string {
  const buckets: [number, string][] = [[1e3, 'n<1K'], [1e4, '1K<n<10K'], [1e5, '10K<n<100K'], [1e6, '100K<n<1M'], [1e7, '1M<n<10M'], [1e8, '10M<n<100M'], [1e9, '100M<n<1B']];
  return buckets.find(([limit]) => n < limit)?.[1] ?? 'n>1B';
}

/** A value at `path` in the (validated) config, if it has that type. */
function setting<T>(config: unknown, path: readonly string[], type: 'number' | 'string'): T | undefined {
  let v: unknown = config;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === type ? (v as T) : undefined;
}

/**
 * The dataset card (dataset/README.md), a Hugging Face dataset card: front matter with one
 * configuration per written format, then what the files are, how to train on them with the usual
 * trainers (snippets.ts), teacher scores and files left out, how the data was built and the config.
 */
export function renderDatasetCard(r: Report, config: unknown, files: Readonly<Record<string, number>>, version: string, info?: CardInfo): string {
  const s = r.summary;
  const has = (path: string) => (files[path] ?? 0) > 0;
  const configs = datasetConfigs(files);
  const rowsOf = (c: DatasetConfig) => c.data_files.reduce((a, f) => a + (files[f.path] ?? 0), 0);
  const front = {
    license: info?.license ?? 'other',
    task_categories: ['sentence-similarity', 'text-retrieval'],
    task_ids: ['document-retrieval'],
    tags: ['sentence-transformers', 'embeddings', 'hard-negatives', 'click-logs', 'clickforge'],
    ...(configs.length ? { size_categories: [sizeCategory(Math.max(...configs.map(rowsOf)))] } : {}),
    configs,
  };
  const k = setting<number>(config, ['export', 'negatives'], 'number');
  const groupSize = k === undefined ? undefined : k + 1;
  const prompt = setting<string>(config, ['prompts', 'query'], 'string') ?? '';
  const distill = info?.teacherScores != null;

  const lines: string[] = [
    '---',
    stringify(front).trimEnd(),
    '---',
    '',
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
  ];

  if (configs.length) {
    const what = new Map(CONFIGS.map((c) => [c.name, c.what]));
    lines.push(
      '## Configurations',
      '',
      '`datasets.load_dataset` on this folder (or its Hub repository) reads these; the first is the default.',
      '',
      '| configuration | splits | rows |',
      '|---|---|---|',
      ...configs.map((c) => `| \`${c.config_name}\` (${what.get(c.config_name)}) | ${c.data_files.map((f) => f.split).join(', ')} | ${fmt(rowsOf(c))} |`),
      '',
      'The BEIR qrels (TSV) are not a configuration: `datasets` reads every configuration of a folder with one builder.',
      '',
    );
  }

  const blocks: { title: string; text: string; snippet: snip.Snippet }[] = [];
  if (has('sentence-transformers/train.jsonl'))
    blocks.push({ title: 'sentence-transformers, n-tuples', text: 'MultipleNegativesRankingLoss and CachedMultipleNegativesRankingLoss read every column as it is; GISTEmbedLoss takes one negative at most (`train.select_columns(["anchor", "positive", "negative_1"])`). Rows of one query share their negatives, so the `no_duplicates` sampler keeps them out of one batch.', snippet: snip.sentenceTransformers });
  if (has('sentence-transformers/train.pairs.jsonl'))
    blocks.push({ title: 'sentence-transformers, pairs', text: 'In-batch negatives only: a large batch, cached so that it fits in memory.', snippet: snip.sentenceTransformersPairs });
  if (has('sentence-transformers/train.batched.jsonl') && has('batches/train.json'))
    blocks.push({ title: 'sentence-transformers, conflict-free batches', text: 'No batch holds two rows of one query family, two rows with one positive or near-duplicate positives, so an in-batch negative is rarely a hidden positive, as long as the order and the batch size are kept.', snippet: snip.sentenceTransformersBatched });
  if (configs.length) {
    const named = configs[1] ?? configs[0]!;
    blocks.push({ title: 'Hugging Face datasets', text: 'The configurations above, by name.', snippet: snip.huggingFace(named.config_name) });
  }
  if (has('flagembedding/train.jsonl')) {
    const p = prompt === ''
      ? 'Rows carry no `prompt`, so `--query_instruction_for_retrieval` (if you set one) applies to every query.'
      : `Every row's \`prompt\` is ${JSON.stringify(prompt)} (config \`prompts.query\`); it replaces \`--query_instruction_for_retrieval\`.`;
    blocks.push({ title: 'FlagEmbedding', text: `${p}${groupSize ? ` \`--train_group_size ${groupSize}\` is one positive and the ${k} negatives of a row; a larger group repeats negatives.` : ''}`, snippet: snip.flagEmbedding({ ...(groupSize ? { groupSize } : {}), distill }) });
  }
  if (has('tevatron/train.jsonl'))
    blocks.push({ title: 'Tevatron', text: `Passages hold \`title\` and \`text\` apart; Tevatron joins them.${groupSize ? ` A larger \`--train_group_size\` makes it draw negatives with replacement.` : ''}`, snippet: snip.tevatron(groupSize ? { groupSize } : {}) });
  const qrelSplit = ['test', 'dev', 'train'].find((sp) => has(`beir/qrels/${sp}.tsv`));
  if (has('beir/corpus.jsonl') && has('beir/queries.jsonl') && qrelSplit)
    blocks.push({ title: 'BEIR', text: `Qrels are graded positives per split (${['train', 'dev', 'test'].filter((sp) => has(`beir/qrels/${sp}.tsv`)).join(', ')}); \`clickforge evaluate --beir beir\` reads them too.`, snippet: snip.beir(qrelSplit) });

  if (blocks.length) {
    lines.push('## Training', '', 'Run from this folder; `model` is the SentenceTransformer you fine-tune, e.g. `SentenceTransformer("BAAI/bge-small-en-v1.5")`.', '');
    for (const b of blocks) lines.push(`### ${b.title}`, '', b.text, '', snip.renderSnippet(b.snippet), '');
  }

  if (has('flagembedding/train.jsonl') || info) {
    lines.push('## Teacher scores', '');
    if (!info) lines.push('Whether FlagEmbedding rows carry `pos_scores` / `neg_scores` is in report.md (export notes).');
    else if (info.teacherScores) lines.push(`FlagEmbedding \`pos_scores\` / \`neg_scores\` are ${info.teacherScores}, one score per text of \`pos\` / \`neg\`; \`--knowledge_distillation True\` trains on them.`);
    else lines.push('FlagEmbedding rows have no `pos_scores` / `neg_scores`: no embedder scored the records on one scale (BM25 and click counts are not a teacher scale). Train without `--knowledge_distillation`.');
    if (info?.filledNegatives) lines.push('', `${fmt(info.filledNegatives)} exported negatives were added by \`negatives.fill\` (random documents that passed the false-negative filters); \`clickforge/*.jsonl\` marks them \`filled: true\`.`);
    lines.push('');
  }

  const omitted = info?.omittedSplits ?? derivedOmissions(has);
  if (omitted.length) {
    lines.push('## Files not written', '', 'A file that would be empty is not written, and no configuration lists it.', '', '| file | why |', '|---|---|', ...omitted.map((o) => `| \`${o.file}\` | ${o.reason} |`), '');
  }

  lines.push(
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
  );
  return lines.join('\n');
}

/** Without the export's own list: the train/dev files missing from formats that wrote some split. */
function derivedOmissions(has: (path: string) => boolean): { file: string; reason: string }[] {
  const out: { file: string; reason: string }[] = [];
  for (const c of CONFIGS) {
    const present = c.splits.filter(([, stem]) => has(`${stem}.jsonl`) || has(`${stem}.parquet`));
    if (present.length === 0) continue;
    for (const [, stem] of c.splits) if (!present.some(([, p]) => p === stem)) out.push({ file: `${stem}.jsonl`, reason: 'no rows' });
  }
  const qrels = ['train', 'dev', 'test'].map((sp) => `beir/qrels/${sp}.tsv`);
  if (qrels.some(has)) for (const q of qrels) if (!has(q)) out.push({ file: q, reason: 'no rows' });
  return out;
}
