import { z } from 'zod';

/** Options of the `llm` generator (`synth.llm`). See docs/synth.md. */
export const llmGeneratorOptions = z.object({
  baseUrl: z.string().url().optional()
    .describe('Server root, e.g. http://127.0.0.1:11434 (Ollama), http://127.0.0.1:8000 (vLLM). No default: sending a corpus to a service must be a deliberate choice.'),
  model: z.string().min(1).optional().describe('Model name as the server knows it.'),
  path: z.string().default('/v1/chat/completions').describe('OpenAI-compatible chat completions path.'),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable NAME, not the key itself').default('OPENAI_API_KEY')
    .describe('Name of the environment variable holding the API key (sent as "Authorization: Bearer"); unset = no header. The key is never written anywhere.'),
  concurrency: z.number().int().min(1).default(4).describe('Requests in flight at once. 4 suits a local server on one GPU; hosted APIs take more.'),
  requestsPerSecond: z.number().min(0).default(0).describe('Requests started per second, retries included; 0 = unlimited. Set it to the provider\'s limit to avoid 429s.'),
  timeoutMs: z.number().int().positive().default(60_000).describe('Per-attempt timeout; a timed-out attempt is retried. 60 s: a 200-token answer of a local 7B model on CPU can take tens of seconds.'),
  maxRetries: z.number().int().min(0).default(5).describe('Retries on 429, 408, 5xx and network errors (exponential back-off with jitter, Retry-After honoured).'),
  batchSize: z.number().int().min(1).default(16)
    .describe('Passages per batch: their requests (one per passage and style) are sent together, `concurrency` at a time, and cached before the next batch. 16 keeps the concurrency busy and loses little work on a crash.'),
  temperature: z.number().min(0).max(2).default(0.7)
    .describe('Sampling temperature. 0.7: greedy decoding gives the blandest, most passage-like query (InPars-v2 and Promptagator sample); the seed keeps it repeatable on servers that honour it.'),
  seed: z.number().int().nullable().default(42).describe('Sent as "seed" (OpenAI, vLLM, Ollama honour it); null = not sent, for servers that reject it.'),
  maxTokens: z.number().int().positive().default(200).describe('Answer length cap. 200 tokens hold ten short queries as a JSON list; reasoning models need more.'),
  maxPassageChars: z.number().int().positive().default(2000).describe('Passage text sent is cut to this many characters (~500 tokens): bounds cost; a 200-word passage is ~1,300.'),
  promptsFile: z.string().optional()
    .describe('A JSON file {"<style>": "instruction", ...} replacing the built-in instruction of those styles (docs/synth.md lists them). The prompt is part of the cache key, so an edited prompt never reuses old answers.'),
  cacheDir: z.string().min(1).nullable().default(null)
    .describe('Folder of a disk cache keyed by model + prompt + passage; null = no cache. Unparsable answers are not cached, so a re-run asks again.'),
}).prefault({});
export type LlmGeneratorOptions = z.infer<typeof llmGeneratorOptions>;
