import type { z } from 'zod';
import type { Judge } from '../../ports/index.js';
import { kindEnum } from '../../util/registry.js';
import { parseOptions } from '../embedders/options.js';
import { createLlmJudge } from './llm-judge.js';
import { judgeSpec, type JudgeSpec } from './options.js';
import { createRerankJudge } from './rerank-judge.js';

export { createRerankJudge, type RerankJudge } from './rerank-judge.js';
export { createLlmJudge, parseJudgeAnswer, llmJudgeUserPrompt, LLM_JUDGE_SYSTEM_PROMPT, type LlmJudge } from './llm-judge.js';
export { judgeSpec, rerankJudgeSpec, llmJudgeSpec, type JudgeSpec, type RerankJudgeOptions, type LlmJudgeOptions } from './options.js';
export type { JudgeStats } from './judge-cache.js';

type ResolvedJudgeSpec = z.infer<typeof judgeSpec>;
/** Creates one kind of judge from its validated spec. */
export type JudgeFactory<S extends ResolvedJudgeSpec = ResolvedJudgeSpec> = (spec: S, signal?: AbortSignal) => Promise<Judge>;

/** One factory per `kind` of `judgeSpec` (the type below fails when a kind has no entry, or an entry no spec). */
export const judges = {
  rerank: (s, signal) => createRerankJudge(s, signal),
  llm: (s, signal) => createLlmJudge(s, signal),
} satisfies { [K in ResolvedJudgeSpec['kind']]: JudgeFactory<Extract<ResolvedJudgeSpec, { kind: K }>> };

/** The judge kinds, from the registry's keys. */
export const judgeKind = kindEnum(judges);
export type JudgeKind = z.infer<typeof judgeKind>;

/** A Judge from a config object: `{kind: 'rerank', baseUrl, model, ...}` or `{kind: 'llm', baseUrl, model, ...}`. See docs/adapters.md. */
export async function createJudge(spec: JudgeSpec, signal?: AbortSignal): Promise<Judge> {
  const s = parseOptions(judgeSpec, spec, 'judge');
  // each entry takes its own kind's spec; TypeScript cannot correlate the lookup with s
  const create = judges[s.kind] as JudgeFactory;
  return create(s, signal);
}
