/**
 * The code blocks of the dataset card (dataset/README.md). Each block starts with
 * `# snippet: <name>`; test/python extracts the blocks by name from a generated card and runs the
 * Python ones from the dataset folder with `model` bound to a small SentenceTransformer, so the
 * code users copy is the code that is tested. A block the tests cannot run (its tool does not
 * install there) says so on its second line, after `NOT_RUN`.
 */
export interface Snippet {
  readonly name: string;
  readonly lang: 'python' | 'bash';
  /** Why the tests do not run this block; undefined when they do. */
  readonly notRun?: string;
  readonly code: string;
}

/** Second line of a block the tests skip; the reason follows. */
export const NOT_RUN = "# not run by clickforge's tests: ";

/** The fenced block as it appears in the card. */
export function renderSnippet(s: Snippet): string {
  return ['```' + s.lang, `# snippet: ${s.name}`, ...(s.notRun ? [NOT_RUN + s.notRun] : []), s.code.trimEnd(), '```'].join('\n');
}

const trainST = (file: string, lossImport: string, loss: string, args: string) =>
  `from datasets import load_dataset
from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
from sentence_transformers.sentence_transformer.losses import ${lossImport}

train = load_dataset("json", data_files="${file}", split="train")
args = SentenceTransformerTrainingArguments(output_dir="checkpoints", ${args})
trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train, loss=${loss})
trainer.train()`;

/** n-tuples (anchor, positive, negative_1..k) with MultipleNegativesRankingLoss; rows of one query share negatives, hence no_duplicates. */
export const sentenceTransformers: Snippet = {
  name: 'sentence-transformers',
  lang: 'python',
  code: trainST('sentence-transformers/train.jsonl', 'MultipleNegativesRankingLoss', 'MultipleNegativesRankingLoss(model)', 'batch_sampler="no_duplicates"'),
};

/** (anchor, positive) pairs: in-batch negatives only, so a large batch through CachedMultipleNegativesRankingLoss. */
export const sentenceTransformersPairs: Snippet = {
  name: 'sentence-transformers-pairs',
  lang: 'python',
  code: trainST(
    'sentence-transformers/train.pairs.jsonl',
    'CachedMultipleNegativesRankingLoss',
    'CachedMultipleNegativesRankingLoss(model, mini_batch_size=32)',
    'per_device_train_batch_size=256, batch_sampler="no_duplicates"',
  ),
};

/**
 * The train split in conflict-free batch order: a sequential batch sampler keeps the file's order
 * (sentence-transformers' default sampler shuffles) and the batch size is the one it was composed for.
 */
export const sentenceTransformersBatched: Snippet = {
  name: 'sentence-transformers-batched',
  lang: 'python',
  code: `import json
from datasets import load_dataset
from torch.utils.data import SequentialSampler
from sentence_transformers import DefaultBatchSampler, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

# rows are in conflict-free batches: keep their order and their batch size (one device)
train = load_dataset("json", data_files="sentence-transformers/train.batched.jsonl", split="train")
batch_size = json.load(open("batches/train.json"))["batchSize"]

def in_file_order(dataset, batch_size, drop_last, **kwargs):
    return DefaultBatchSampler(SequentialSampler(dataset), batch_size=batch_size, drop_last=drop_last, **kwargs)

args = SentenceTransformerTrainingArguments(output_dir="checkpoints", per_device_train_batch_size=batch_size, batch_sampler=in_file_order)
trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train, loss=MultipleNegativesRankingLoss(model))
trainer.train()`,
};

/** `datasets.load_dataset` on this folder: the default configuration, then `config` by name. */
export function huggingFace(config: string): Snippet {
  return {
    name: 'datasets',
    lang: 'python',
    code: `from pathlib import Path
from datasets import load_dataset

folder = str(Path.cwd())  # this folder (datasets refuses "."), or its Hub repository id
default = load_dataset(folder)
${config.replace(/\W/g, '_')} = load_dataset(folder, "${config}", split="train")`,
  };
}

/**
 * FlagEmbedding fine-tuning. Rows carry `prompt` only when one is configured, so
 * --query_instruction_for_retrieval applies otherwise; `groupSize` = 1 + negatives per row.
 */
export function flagEmbedding(o: { groupSize?: number; distill: boolean }): Snippet {
  return {
    name: 'flagembedding',
    lang: 'bash',
    notRun: 'FlagEmbedding does not install where clickforge is tested; the tests check the fields its loader reads',
    code: [
      'torchrun --nproc_per_node 1 -m FlagEmbedding.finetune.embedder.encoder_only.base \\',
      '  --model_name_or_path BAAI/bge-base-en-v1.5 \\',
      '  --train_data flagembedding/train.jsonl \\',
      ...(o.groupSize ? [`  --train_group_size ${o.groupSize} \\`] : []),
      ...(o.distill ? ['  --knowledge_distillation True \\'] : []),
      '  --output_dir checkpoints',
    ].join('\n'),
  };
}

/** Tevatron training on the JSON file; `groupSize` = 1 + negatives per row (more would repeat negatives). */
export function tevatron(o: { groupSize?: number }): Snippet {
  return {
    name: 'tevatron',
    lang: 'bash',
    notRun: 'Tevatron does not install where clickforge is tested; the tests check the fields its loader reads',
    code: [
      'python -m tevatron.retriever.driver.train \\',
      '  --model_name_or_path bert-base-uncased \\',
      '  --dataset_name json --dataset_path tevatron/train.jsonl \\',
      ...(o.groupSize ? [`  --train_group_size ${o.groupSize} \\`] : []),
      '  --output_dir checkpoints',
    ].join('\n'),
  };
}

/** BEIR's loader on the beir/ folder, for one split that has qrels. */
export function beir(split: string): Snippet {
  return {
    name: 'beir',
    lang: 'python',
    notRun: 'beir does not install where clickforge is tested; the tests check the files its loader reads',
    code: `from beir.datasets.data_loader import GenericDataLoader

corpus, queries, qrels = GenericDataLoader(data_folder="beir").load(split="${split}")`,
  };
}
