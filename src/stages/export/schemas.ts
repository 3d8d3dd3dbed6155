import { z } from 'zod';
import { minerNames } from '../negatives/miners.js';

/**
 * The schema of every exported row, one per file kind. docs/schemas/export/*.schema.json are
 * generated from these (npm run schemas) and the export tests validate written rows against them.
 * The n-tuple schema is shown for the default k = 4 (`export.negatives`); with another k it has
 * negative_1..negative_k.
 */
const text = z.string().min(1);

export const sentenceTransformersTupleRow = (k = 4) =>
  z.strictObject({
    anchor: text.describe('The query.'),
    positive: text.describe('A relevant document, rendered as the negatives are ("title\\n\\ntext" with positives.includeTitle).'),
    ...Object.fromEntries(Array.from({ length: k }, (_, i) => [`negative_${i + 1}`, text.describe(`Hard negative ${i + 1} (mined order; random fill last).`)])),
  }).describe(`sentence-transformers/{split}.jsonl and train.batched.jsonl: one row per (query, positive) with exactly ${k} negatives (export.negatives).`);

export const sentenceTransformersPairRow = z.strictObject({
  anchor: text.describe('The query.'),
  positive: text.describe('A relevant document.'),
}).describe('sentence-transformers/{split}.pairs.jsonl: one row per (query, positive); negatives come from the batch.');

export const flagEmbeddingRow = z.strictObject({
  query: text,
  pos: z.array(text).min(1).describe('The relevant documents of the query.'),
  neg: z.array(text).min(1).describe('Exactly export.negatives hard negatives.'),
  pos_scores: z.array(z.number()).optional().describe('Teacher scores of pos (the rerank judge with export.teacherScores "judge", else cosine under the configured embedder); present only with a teacher.'),
  neg_scores: z.array(z.number()).optional().describe('Teacher scores of neg, on the same scale as pos_scores.'),
  prompt: text.optional().describe('The query instruction (prompts.query); absent when none is set, so the trainer\'s --query_instruction_for_retrieval applies.'),
}).describe('flagembedding/{split}.jsonl: one row per query.');

export const marginMseRow = z.strictObject({
  query: text,
  positive: text.describe('A relevant document.'),
  negative: text.describe('One of the export.negatives hard negatives of the query.'),
  label: z.number().describe('Teacher score of positive minus teacher score of negative (MarginMSELoss target).'),
}).describe('margin-mse/{split}.jsonl: one row per (query, positive, negative); written only with a teacher (export.teacherScores).');

const passage = z.strictObject({
  docid: text,
  title: z.string().describe('The document title ("" when the corpus has none).'),
  text: text.describe('The document body without the title (Tevatron joins them).'),
});

export const tevatronRow = z.strictObject({
  query_id: text,
  query: text,
  positive_passages: z.array(passage).min(1),
  negative_passages: z.array(passage).min(1).describe('Exactly export.negatives passages.'),
}).describe('tevatron/{split}.jsonl: one row per query.');

export const clickforgeRow = z.strictObject({
  query: text,
  query_norm: text,
  family: text.describe('Query family id; a family is in one split only.'),
  doc_id: text.describe('The positive document.'),
  positive: text,
  grade: z.number().int().min(0).max(3),
  weight: z.number(),
  positive_score: z.number().nullable().describe('Score of the positive under the record scorer (BM25, or cosine under the embedder), or the teacher\'s with export.teacherScores "judge".'),
  negatives: z.array(z.strictObject({
    doc_id: text,
    text,
    source: z.enum(minerNames),
    score: z.number().nullable(),
    rank: z.number().int().nullable().describe('1-based rank in the miner\'s own list.'),
    filled: z.boolean().describe('True when negatives.fill added it (a random document that passed the false-negative filters).'),
  })),
}).describe('clickforge/{split}.jsonl: one row per (query, positive), with the provenance of every negative.');

export const beirCorpusRow = z.strictObject({ _id: text, title: z.string(), text: z.string() }).describe('beir/corpus.jsonl: one row per document.');
export const beirQueryRow = z.strictObject({ _id: text, text, metadata: z.strictObject({ family: text }) }).describe('beir/queries.jsonl: one row per query of every split.');

/** File kind -> row schema, by the name of its JSON Schema file in docs/schemas/export/. */
export const EXPORT_SCHEMAS = {
  'sentence-transformers.tuple': sentenceTransformersTupleRow(),
  'sentence-transformers.pair': sentenceTransformersPairRow,
  flagembedding: flagEmbeddingRow,
  'margin-mse': marginMseRow,
  tevatron: tevatronRow,
  clickforge: clickforgeRow,
  'beir.corpus': beirCorpusRow,
  'beir.query': beirQueryRow,
} as const;

/** JSON Schema text of each exported row kind (what scripts/gen-schemas.ts writes to docs/schemas/export/). */
export function exportJsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(EXPORT_SCHEMAS)) {
    out[`${name}.schema.json`] = JSON.stringify({ $id: `clickforge/export/${name}.schema.json`, ...z.toJSONSchema(schema) }, null, 2) + '\n';
  }
  return out;
}
