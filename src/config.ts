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
import { calibrationOptions } from './stages/calibration/options.js';
import { balanceOptions } from './stages/balance/options.js';
import { reportOptions } from './stages/report/options.js';
import { sourceOptions } from './stages/sources/options.js';
import { embedderSpec } from './adapters/embedders/options.js';
import { judgeSpec } from './adapters/judges/options.js';

// ---- strictness -------------------------------------------------------------------------------

type AnyDef = Record<string, unknown> & { type: string };
const defOf = (s: z.core.$ZodType): AnyDef => s._zod.def as unknown as AnyDef;
const strictCopies = new WeakMap<z.core.$ZodType, z.core.$ZodType>();

/**
 * A copy of `schema` in which every object refuses unknown keys (zod's default strips them, so a
 * typo in a config file was silently ignored). Objects that already declare a catchall keep it.
 * Descriptions are carried over, so the generated docs stay the same.
 */
export function strictDeep<T extends z.core.$ZodType>(schema: T): T {
  const hit = strictCopies.get(schema);
  if (hit) return hit as T;
  const def = defOf(schema);
  const s = (x: unknown) => strictDeep(x as z.core.$ZodType);
  let patch: Record<string, unknown> | undefined;
  switch (def.type) {
    case 'object': {
      const shape = Object.fromEntries(Object.entries(def.shape as Record<string, z.core.$ZodType>).map(([k, v]) => [k, s(v)]));
      patch = { shape, ...(def.catchall ? {} : { catchall: z.never() }) };
      break;
    }
    case 'default': case 'prefault': case 'optional': case 'nullable': case 'readonly': case 'catch': case 'nonoptional':
      patch = { innerType: s(def.innerType) };
      break;
    case 'array':
      patch = { element: s(def.element) };
      break;
    case 'record':
      patch = { valueType: s(def.valueType) };
      break;
    case 'tuple':
      patch = { items: (def.items as unknown[]).map(s), rest: def.rest ? s(def.rest) : null };
      break;
    case 'union':
      patch = { options: (def.options as unknown[]).map(s) };
      break;
    case 'pipe':
      patch = { in: s(def.in), out: s(def.out) };
      break;
    case 'lazy': {
      const getter = def.getter as () => z.core.$ZodType;
      patch = { getter: () => s(getter()) };
      break;
    }
    default:
      return schema;
  }
  const copy = (schema as unknown as z.ZodType).clone(z.core.util.mergeDefs(def, patch) as never) as unknown as T;
  const meta = z.globalRegistry.get(schema as never);
  if (meta) z.globalRegistry.add(copy as never, meta);
  strictCopies.set(schema, copy);
  return copy;
}

/**
 * The options schema: one declaration gives the TypeScript type, the config-file validation
 * and the documented defaults. Every threshold lives here (through the stage option files).
 */
export const configSchema = strictDeep(z.object({
  input: ingestOptions.prefault({}),
  output: z.string().default('out').describe('Output folder.'),
  seed: z.number().int().default(42).describe('Seed for every random choice. Same inputs + config + seed = identical outputs.'),
  threads: z.number().int().positive().optional().describe('DuckDB threads (default: all cores). Outputs do not depend on it.'),
  memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'use a size such as "1GB" or "512MB"').optional()
    .describe('DuckDB memory limit such as "1GB" (default: DuckDB\'s own, 80% of RAM), above which DuckDB spills to `<output>/.duckdb-tmp`; the JS heap is not included and outputs do not depend on it. Unset by default because DuckDB\'s own limit suits a machine of its own (docs/design/evidence-at-scale.md).'),
  sources: sourceOptions.prefault({})
    .describe('Grades, weights and caps of the bootstrap sources (input.synthetic, input.seeds, input.faq, input.macros, input.pinned, input.collections); see docs/bootstrap.md. The manifest of a build without those files leaves the block out, so a click-only build writes what it wrote before.'),
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
  report: reportOptions.prefault({}).describe('The quality report: thresholds of the six-question checklist (report.md, report.html) and the size of the example browser (docs/report.md).'),
  calibration: calibrationOptions.prefault({})
    .describe('Labels at work: fit a calibration of this log\'s signals (`clickforge calibrate`), or build with one (`build --calibration FILE`). Every build with labels also checks its rules against them (the do-no-harm section).'),
  embedder: embedderSpec.nullable().default(null)
    .describe('An embedder for the dense miner, the positive-aware and the ambiguity filters: {kind: builtin, modelPath} | {kind: openai, baseUrl, model, apiKeyEnv} | {kind: onnx, dir}, each with optional cacheDir (see docs/adapters.md). null = none: BM25 and behavioural negatives only (offline default).'),
  prompts: z.object({
    query: z.string().default('')
      .describe('Text put before every query (an E5 "query: " prefix or a BGE instruction), given to the embedder in dense mining and to FlagEmbedding as `prompt`. Empty by default because the model decides, and an empty `prompt` would override the trainer\'s --query_instruction_for_retrieval.'),
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
  // teacher pseudo-labels need a judge that scores on a scale; an LLM judge only says yes or no
  if (c.export.teacherScores === 'judge' && c.judge?.kind !== 'rerank') {
    ctx.addIssue({
      code: 'custom',
      path: ['export', 'teacherScores'],
      message: `"judge" needs a judge of kind rerank (now: ${c.judge ? `kind ${c.judge.kind}` : 'none'}): set judge: {kind: rerank, baseUrl, model} (docs/adapters.md), or export.teacherScores to "auto"`,
    });
  }
  // Unclicked pairs below evidence.minExposureForNegative never reach the behavioural miner.
  if (c.evidence.minExposureForNegative > c.negatives.behavioural.minExposure) {
    ctx.addIssue({
      code: 'custom',
      path: ['evidence', 'minExposureForNegative'],
      message: `must be <= negatives.behavioural.minExposure (${c.negatives.behavioural.minExposure}): lower evidence.minExposureForNegative, or the behavioural miner never sees the pairs it asks for`,
    });
  }
}));

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/**
 * Validate options (from a file, flags or a library call) and freeze them. Unknown keys are
 * refused at every level, each with the closest valid name; the message holds one line per
 * problem, each naming the option.
 */
export function parseConfig(input: unknown, where = 'options'): Config {
  const r = configSchema.safeParse(input ?? {});
  if (!r.success) {
    const lines = optionProblems(configSchema, r.error.issues, input ?? {}, 'docs/config.md');
    const more = where === 'options' ? '' : ` (in ${where})`;
    throw usageError('bad_config', lines.map((l) => `${l}${more}`).join('\n[clickforge] '));
  }
  return deepFreeze(r.data);
}

/** The object keys valid at `path` (the input picks the branch of a discriminated union); undefined if not an object there. */
function keysAt(schema: z.core.$ZodType, path: readonly PropertyKey[], value: unknown): string[] | undefined {
  const def = defOf(schema);
  const at = (v: unknown, k: PropertyKey) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined);
  switch (def.type) {
    case 'default': case 'prefault': case 'optional': case 'nullable': case 'readonly': case 'catch': case 'nonoptional':
      return keysAt(def.innerType as z.core.$ZodType, path, value);
    case 'pipe':
      return keysAt(def.in as z.core.$ZodType, path, value);
    case 'lazy':
      return keysAt((def.getter as () => z.core.$ZodType)(), path, value);
    case 'object': {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      if (path.length === 0) return Object.keys(shape);
      const child = shape[String(path[0])];
      return child ? keysAt(child, path.slice(1), at(value, path[0]!)) : undefined;
    }
    case 'array':
      return path.length ? keysAt(def.element as z.core.$ZodType, path.slice(1), at(value, path[0]!)) : undefined;
    case 'tuple': {
      const item = (def.items as z.core.$ZodType[])[Number(path[0])] ?? (def.rest as z.core.$ZodType | null);
      return path.length && item ? keysAt(item, path.slice(1), at(value, path[0]!)) : undefined;
    }
    case 'record':
      return path.length ? keysAt(def.valueType as z.core.$ZodType, path.slice(1), at(value, path[0]!)) : undefined;
    case 'union': {
      let options = def.options as z.core.$ZodType[];
      const disc = def.discriminator as string | undefined;
      if (disc) {
        const picked = options.filter((o) => (o._zod as { propValues?: Record<string, Set<unknown>> }).propValues?.[disc]?.has(at(value, disc)));
        if (picked.length) options = picked;
      }
      const keys = options.flatMap((o) => keysAt(o, path, value) ?? []);
      return keys.length ? [...new Set(keys)] : undefined;
    }
    default:
      return undefined;
  }
}

/** Every option path of the schema (all branches of unions), for suggesting an option put at the wrong level. */
function allPaths(schema: z.core.$ZodType, prefix: string, out: string[], seen = new Set<z.core.$ZodType>()): string[] {
  if (seen.has(schema)) return out;
  seen.add(schema);
  const def = defOf(schema);
  const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  if (inner) return allPaths(inner as z.core.$ZodType, prefix, out, seen);
  if (def.type === 'object') {
    for (const [k, v] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.push(p);
      allPaths(v, p, out, new Set(seen));
    }
  } else if (def.type === 'union') {
    for (const o of def.options as z.core.$ZodType[]) allPaths(o, prefix, out, seen);
  }
  return out;
}

/** Optimal string alignment distance (Levenshtein + adjacent transpositions), case and `_`/`-` ignored. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase().replace(/[_-]/g, ''), y = b.toLowerCase().replace(/[_-]/g, '');
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const row = d[i]!, prev = d[i - 1]!;
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[x.length]![y.length]!;
}

/** The candidates closest to `name`, if any is close: up to a quarter of its letters (1 to 3) edited. */
export function closest(name: string, candidates: readonly string[], last: (c: string) => string = (c) => c): string[] {
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 4)));
  let best = Infinity;
  let found: string[] = [];
  for (const c of candidates) {
    const dist = editDistance(name, last(c));
    if (dist > limit || dist > best) continue;
    if (dist < best) [best, found] = [dist, []];
    found.push(c);
  }
  return found;
}

const orList = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`);

function unknownKeyLine(schema: z.core.$ZodType, parent: readonly PropertyKey[], key: string, input: unknown, doc: string): string {
  const prefix = parent.length ? `${parent.join('.')}.` : '';
  const name = `${prefix}${key}`;
  const here = keysAt(schema, parent, input) ?? [];
  const near = closest(key, here);
  if (near.length) return `${name}: unknown option; did you mean ${orList(near.map((k) => `${prefix}${k}`))}?`;
  // the right name at another level (e.g. satisfiedDwellMs at the top instead of under evidence)
  const elsewhere = closest(key, allPaths(schema, '', []), (p) => p.slice(p.lastIndexOf('.') + 1)).slice(0, 3);
  if (elsewhere.length) return `${name}: unknown option; did you mean ${orList(elsewhere)}?`;
  const where = parent.length ? `the options under ${parent.join('.')} are` : 'the top-level options are';
  return `${name}: unknown option; ${where} ${here.join(', ')} (see ${doc})`;
}

/**
 * One self-contained line per problem of `input` against `schema`, naming the option: unknown
 * keys with the closest valid name, misspelt enum values and kinds with theirs.
 */
export function optionProblems(schema: z.core.$ZodType, issues: readonly z.core.$ZodIssue[], input: unknown, doc: string): string[] {
  return issues.flatMap((i) => issueLines(schema, i, input, doc));
}

function issueLines(schema: z.core.$ZodType, issue: z.core.$ZodIssue, input: unknown, doc: string): string[] {
  const name = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => unknownKeyLine(schema, issue.path, k, input, doc));
  if (issue.code === 'invalid_union' && 'discriminator' in issue && Array.isArray((issue as { options?: unknown }).options)) {
    const opts = (issue as unknown as { options: unknown[] }).options.map(String);
    const got = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
    const near = typeof got === 'string' ? closest(got, opts) : [];
    return [`${name}: ${got === undefined ? 'missing' : `unknown ${JSON.stringify(got)}`}; use one of ${opts.join(', ')}${near.length ? ` (did you mean ${orList(near)}?)` : ''}`];
  }
  if (issue.code === 'invalid_value') {
    const got = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
    const values = issue.values.map(String);
    const near = typeof got === 'string' ? closest(got, values) : [];
    if (near.length) return [`${name}: ${issue.message}; did you mean ${orList(near.map((v) => JSON.stringify(v)))}?`];
  }
  return [`${name}: ${issue.message} (see ${doc})`];
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
    for (const k of ['corpus', 'labels', 'synthetic', 'seeds', 'faq', 'macros', 'pinned', 'collections'] as const) if (input[k] !== undefined) input[k] = abs(input[k]);
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
