import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { usageError } from './errors.js';
import { ingestOptions } from './stages/ingest/options.js';
import { sessionOptions } from './stages/sessions/options.js';
import { evidenceOptions } from './stages/evidence/options.js';
import { gradingOptions } from './stages/evidence/grading.js';
import { biasOptions } from './stages/bias/options.js';
import { positiveOptions } from './stages/positives/options.js';
import { negativeOptions } from './stages/negatives/options.js';
import { familyOptions } from './stages/families/options.js';
import { splitOptions } from './stages/splits/options.js';
import { exportOptions } from './stages/export/options.js';
import { balanceOptions } from './stages/balance/options.js';
import { embedderSpec } from './adapters/embedders/options.js';
import { judgeSpec } from './adapters/judges/options.js';

/**
 * The options schema: one declaration gives the TypeScript type, the config-file validation
 * and the documented defaults. Every threshold lives here (through the stage option files).
 */
export const configSchema = z.object({
  input: ingestOptions.prefault({}),
  output: z.string().default('out').describe('Output folder.'),
  seed: z.number().int().default(42).describe('Seed for every random choice. Same inputs + config + seed = identical outputs.'),
  threads: z.number().int().positive().optional().describe('DuckDB threads (default: all cores). Outputs do not depend on it.'),
  memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'use a size such as "1GB" or "512MB"').optional()
    .describe('DuckDB memory limit (e.g. "1GB"; default: DuckDB\'s own, 80% of RAM). Above it DuckDB spills to `<output>/.duckdb-tmp`. The JS heap is not included. 10M events: peak RSS 3.8-3.9 GB without a limit, 2.6-2.9 GB with "1GB" at about the same speed (docs/stages/evidence-scale.md). Outputs do not depend on it.'),
  sessions: sessionOptions.prefault({}),
  bias: biasOptions.prefault({}),
  evidence: evidenceOptions.prefault({}),
  grading: gradingOptions.prefault({}),
  balance: balanceOptions.prefault({}),
  positives: positiveOptions.prefault({}),
  families: familyOptions.prefault({}),
  splits: splitOptions.prefault({}),
  negatives: negativeOptions.prefault({}),
  export: exportOptions.prefault({}),
  embedder: embedderSpec.nullable().default(null)
    .describe('An embedder for the dense miner, the positive-aware and the ambiguity filters: {kind: builtin, modelPath} | {kind: openai, baseUrl, model, apiKeyEnv} | {kind: onnx, dir}, each with optional cacheDir (see docs/adapters.md). null = none: BM25 and behavioural negatives only (offline default).'),
  prompts: z.object({
    query: z.string().default('')
      .describe('Text put before every query: an E5 "query: " prefix or a BGE instruction such as "Represent this sentence for searching relevant passages: ". The embedder gets it in dense mining and FlagEmbedding gets it as `prompt`; empty by default because the model decides (an empty FlagEmbedding `prompt` would override the trainer\'s --query_instruction_for_retrieval, so it is left out).'),
    document: z.string().default('')
      .describe('Text put before every document the embedder embeds in dense mining (E5 "passage: "). Empty by default: most models (BGE, MiniLM) use none.'),
  }).prefault({}).describe('Query and document prefixes of the embedding model being trained and of the mining embedder.'),
  judge: judgeSpec.nullable().default(null)
    .describe('A teacher judge that vetoes negatives it calls relevant: {kind: rerank, baseUrl, model, threshold} | {kind: llm, baseUrl, model} (see docs/adapters.md). null = none.'),
  curriculum: z.object({
    enabled: z.boolean().default(false)
      .describe('Also write curriculum stage datasets under dataset/curriculum/: (1) positives only, for in-batch negatives; (2) plus BM25 and behavioural negatives; (3) plus dense negatives mined by the built-in model trained on (1)+(2). Same as `build --curriculum`.'),
    epochs: z.number().int().positive().default(2).describe('Epochs of the built-in model trained on stages 1+2 before it mines stage 3.'),
  }).prefault({}),
}).superRefine((c, ctx) => {
  // Unclicked pairs below evidence.minExposureForNegative never reach the behavioural miner.
  if (c.evidence.minExposureForNegative > c.negatives.behavioural.minExposure) {
    ctx.addIssue({
      code: 'custom',
      path: ['evidence', 'minExposureForNegative'],
      message: `must be <= negatives.behavioural.minExposure (${c.negatives.behavioural.minExposure}): lower evidence.minExposureForNegative, or the behavioural miner never sees the pairs it asks for`,
    });
  }
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Validate options (from a file, flags or a library call) and freeze them. */
export function parseConfig(input: unknown, where = 'options'): Config {
  const r = configSchema.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw usageError('bad_config', `invalid ${where}:\n${lines.join('\n')}\nSee docs/config.md or run \`clickforge init\` for a commented example.`);
  }
  return deepFreeze(r.data);
}

/** Load a YAML or JSON config file; relative input/output paths are resolved against the file's folder. */
export async function loadConfigFile(path: string): Promise<ConfigInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw usageError('config_missing', `cannot read config file ${path}: ${(cause as Error).message}. Create one with \`clickforge init\`.`, { cause });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    throw usageError('config_syntax', `config file ${path} is not valid YAML/JSON: ${(cause as Error).message}`, { cause });
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw usageError('config_syntax', `config file ${path} must hold a mapping of options`);
  const base = dirname(resolve(path));
  const abs = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) ? resolve(base, p) : p);
  const cfg = raw as Record<string, unknown>;
  const input = cfg.input as Record<string, unknown> | undefined;
  if (input && typeof input === 'object') {
    for (const k of ['serps', 'events'] as const) {
      const v = input[k];
      if (typeof v === 'string') input[k] = [abs(v)];
      else if (Array.isArray(v)) input[k] = v.map(abs);
    }
    for (const k of ['corpus', 'labels'] as const) if (input[k] !== undefined) input[k] = abs(input[k]);
  }
  if (cfg.output !== undefined) cfg.output = abs(cfg.output);
  return cfg as ConfigInput;
}

/** Merge b into a (b wins); plain objects merge recursively, arrays and scalars replace. */
export function mergeConfig(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = mergeConfig(out[k], v);
    return out;
  }
  return b;
}
