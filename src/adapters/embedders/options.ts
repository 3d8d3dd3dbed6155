import { z } from 'zod';
import { usageError } from '../../errors.js';

/**
 * Embedder specs, as a config file or the library gives them (`createEmbedder(spec)`).
 * `kind` picks the adapter; every option has a default except the few that say what to call.
 * See docs/adapters.md.
 */
const common = {
  cacheDir: z.string().min(1).nullable().default(null)
    .describe('Folder of a disk cache keyed by (embedder id, sha256 of the text); null = no cache. A second run over the same texts makes no model call.'),
};

const http = {
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable NAME, not the key itself').default('OPENAI_API_KEY')
    .describe('Name of the environment variable holding the API key, sent as "Authorization: Bearer" and never written to a config, file, log or error. An unset variable sends no Authorization header (Ollama, local vLLM/TEI).'),
  concurrency: z.number().int().min(1).default(4)
    .describe('Requests in flight at once. 4 keeps a local server busy without queueing deep and stays under typical per-key limits.'),
  requestsPerSecond: z.number().min(0).default(0).describe('Requests started per second, retries included; 0 = unlimited (a 429 still backs off).'),
  timeoutMs: z.number().int().positive().default(60_000)
    .describe('Per-attempt timeout. 60 s covers a large batch on a CPU-only server; a timed-out attempt is retried.'),
  maxRetries: z.number().int().min(0).default(5)
    .describe('Retries on 429, 408, 5xx and network errors, with exponential back-off and full jitter (0.5 s x 2^k, capped at 30 s); Retry-After is honoured. 5 retries ride out ~30 s of outage.'),
};

export const builtinEmbedderSpec = z.object({
  kind: z.literal('builtin'),
  modelPath: z.string().min(1).describe('A model file written by model.save(path) (clickforge evaluate / train). Library users may pass `model` instead.'),
  ...common,
}).strict();

export const openaiEmbedderSpec = z.object({
  kind: z.literal('openai'),
  baseUrl: z.string().url().describe('Server root, e.g. https://api.openai.com, http://127.0.0.1:11434 (Ollama), http://127.0.0.1:8080 (TEI). No default: sending corpus text to a service must be a deliberate choice.'),
  model: z.string().min(1).describe('Model name as the server knows it, e.g. text-embedding-3-small, nomic-embed-text, BAAI/bge-small-en-v1.5.'),
  path: z.string().default('/v1/embeddings').describe('Endpoint path under baseUrl.'),
  dim: z.number().int().positive().optional().describe('Embedding size; when absent one request embeds a probe text to find it.'),
  dimensions: z.number().int().positive().optional().describe('Sent as "dimensions" (OpenAI text-embedding-3 shortening); leave unset for servers that reject it.'),
  batchSize: z.number().int().min(1).max(2048).default(32)
    .describe('Texts per request. 32 = text-embeddings-inference\'s default max-client-batch-size; OpenAI accepts up to 2048.'),
  normalize: z.boolean().default(true).describe('L2-normalise each returned vector (OpenAI already does; Ollama and some vLLM models do not).'),
  ...http,
  ...common,
}).strict();

export const onnxEmbedderSpec = z.object({
  kind: z.literal('onnx'),
  modelDir: z.string().min(1).describe('A local sentence-embedding model folder (e.g. an Optimum / sentence-transformers ONNX export) with model.onnx and vocab.txt or tokenizer.json. Nothing is downloaded.'),
  modelFile: z.string().default('model.onnx').describe('The ONNX file inside modelDir (e.g. onnx/model.onnx).'),
  tokenizer: z.enum(['auto', 'vocab.txt', 'tokenizer.json']).default('auto').describe('auto = vocab.txt when present, else tokenizer.json (WordPiece only).'),
  lowercase: z.boolean().default(true).describe('Lower-case and strip accents (uncased BERT, MiniLM, BGE-en, E5). A tokenizer.json BertNormalizer setting wins over this.'),
  pooling: z.enum(['mean', 'cls']).default('mean')
    .describe('mean = average of token vectors over the attention mask (sentence-transformers all-MiniLM / mpnet, E5); cls = the first token (BGE). Use what the model card says.'),
  maxLength: z.number().int().min(3).max(8192).default(256)
    .describe('Tokens per text including [CLS] and [SEP]; longer texts are truncated. 256 = all-MiniLM-L6-v2\'s max_seq_length; BERT position embeddings stop at 512.'),
  batchSize: z.number().int().min(1).default(32).describe('Texts per model run (padded to the longest in the batch).'),
  normalize: z.boolean().default(true).describe('L2-normalise each vector (what cosine similarity needs).'),
  outputName: z.string().optional().describe('Model output to read; default the first output. Rank 3 [batch, seq, dim] is pooled; rank 2 [batch, dim] is used as is.'),
  threads: z.number().int().min(0).default(1).describe('onnxruntime intra-op threads; 1 leaves the other cores to the pipeline, 0 = onnxruntime\'s default.'),
  ...common,
}).strict();

export const embedderSpec = z.discriminatedUnion('kind', [builtinEmbedderSpec, openaiEmbedderSpec, onnxEmbedderSpec]);

export type EmbedderSpec = z.input<typeof embedderSpec>;
export type BuiltinEmbedderSpec = z.input<typeof builtinEmbedderSpec>;
export type OpenAIEmbedderOptions = Omit<z.input<typeof openaiEmbedderSpec>, 'kind'>;
export type ResolvedOpenAIEmbedderOptions = z.infer<typeof openaiEmbedderSpec>;
export type OnnxEmbedderOptions = Omit<z.input<typeof onnxEmbedderSpec>, 'kind'>;
export type ResolvedOnnxEmbedderOptions = z.infer<typeof onnxEmbedderSpec>;

/** Validate adapter options; the message names each bad option (prefixed by `where`) and the doc page. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${[where, ...i.path.map(String)].join('.')}: ${i.message}`);
    throw usageError('bad_adapter_options', `invalid ${where} options:\n${lines.join('\n')}\nSee docs/adapters.md.`);
  }
  return r.data;
}
