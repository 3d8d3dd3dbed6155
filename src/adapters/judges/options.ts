import { z } from 'zod';

/**
 * Judge specs (`createJudge(spec)`): a reranker or an LLM that says whether a mined negative is
 * in fact relevant. See docs/adapters.md.
 */
const common = {
  baseUrl: z.string().url().describe('Server root, e.g. http://127.0.0.1:8000 (vLLM), https://api.jina.ai. No default: sending queries and documents to a service must be a deliberate choice.'),
  model: z.string().min(1).describe('Model name as the server knows it.'),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable NAME, not the key itself').default('OPENAI_API_KEY')
    .describe('Name of the environment variable holding the API key (sent as "Authorization: Bearer"); unset = no header. The key is never written anywhere.'),
  concurrency: z.number().int().min(1).default(4).describe('Requests in flight at once.'),
  requestsPerSecond: z.number().min(0).default(0)
    .describe('Requests started per second, retries included; 0 = unlimited. Set it to the provider\'s limit (e.g. 10 for a 600-requests-per-minute key) to avoid 429s.'),
  timeoutMs: z.number().int().positive().default(60_000).describe('Per-attempt timeout; a timed-out attempt is retried.'),
  maxRetries: z.number().int().min(0).default(5).describe('Retries on 429, 408, 5xx and network errors (exponential back-off with jitter, Retry-After honoured).'),
  cacheDir: z.string().min(1).nullable().default(null)
    .describe('Folder of a disk cache keyed by (judge id, query, document text); null = no cache. Unparsable answers are not cached, so a re-run asks again.'),
};

export const rerankJudgeSpec = z.object({
  kind: z.literal('rerank'),
  ...common,
  path: z.string().default('/v1/rerank').describe('Endpoint path: /v1/rerank (Cohere v1, Jina, vLLM), /rerank (vLLM, TEI\'s Cohere-compatible route on some versions), /v2/rerank (Cohere v2).'),
  threshold: z.number().default(0.5)
    .describe('relevance_score at or above this = relevant. 0.5 is the decision point of sigmoid cross-encoders (bge-reranker, Cohere, Jina return calibrated-ish [0, 1] scores); calibrate on labelled pairs for your model. Scores are cached, so changing it needs no new calls.'),
  batchSize: z.number().int().min(1).default(32).describe('Documents per request (one query per request). 32 fits the usual server limits (TEI max-client-batch-size 32).'),
  sendTopN: z.boolean().default(false).describe('Send top_n = number of documents (off: the common servers return every document when top_n is absent).'),
}).strict();

export const llmJudgeSpec = z.object({
  kind: z.literal('llm'),
  ...common,
  path: z.string().default('/v1/chat/completions').describe('OpenAI-compatible chat completions path.'),
  seed: z.number().int().nullable().default(42).describe('Sent as "seed" (OpenAI, vLLM, Ollama honour it) for repeatable answers; null = not sent, for servers that reject it.'),
  maxTokens: z.number().int().positive().default(20).describe('Answer length cap: {"relevant": false} is ~7 tokens. Reasoning models that think first need more (their answers are otherwise cut and counted unparsable).'),
  maxDocChars: z.number().int().positive().default(2000).describe('Document text sent is cut to this many characters (~500 tokens): bounds cost; the answer rarely needs more than the lead.'),
}).strict();

export const judgeSpec = z.discriminatedUnion('kind', [rerankJudgeSpec, llmJudgeSpec]);

export type JudgeSpec = z.input<typeof judgeSpec>;
export type RerankJudgeOptions = Omit<z.input<typeof rerankJudgeSpec>, 'kind'>;
export type ResolvedRerankJudgeOptions = z.infer<typeof rerankJudgeSpec>;
export type LlmJudgeOptions = Omit<z.input<typeof llmJudgeSpec>, 'kind'>;
export type ResolvedLlmJudgeOptions = z.infer<typeof llmJudgeSpec>;
