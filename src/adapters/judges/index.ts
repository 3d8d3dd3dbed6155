import type { Judge } from '../../ports/index.js';
import { parseOptions } from '../embedders/options.js';
import { createLlmJudge } from './llm-judge.js';
import { judgeSpec, type JudgeSpec } from './options.js';
import { createRerankJudge } from './rerank-judge.js';

export { createRerankJudge, type RerankJudge } from './rerank-judge.js';
export { createLlmJudge, parseJudgeAnswer, llmJudgeUserPrompt, LLM_JUDGE_SYSTEM_PROMPT, type LlmJudge } from './llm-judge.js';
export { judgeSpec, rerankJudgeSpec, llmJudgeSpec, type JudgeSpec, type RerankJudgeOptions, type LlmJudgeOptions } from './options.js';
export type { JudgeStats } from './judge-cache.js';

/** A Judge from a config object: `{kind: 'rerank', baseUrl, model, ...}` or `{kind: 'llm', baseUrl, model, ...}`. See docs/adapters.md. */
export async function createJudge(spec: JudgeSpec, signal?: AbortSignal): Promise<Judge> {
  const s = parseOptions(judgeSpec, spec, 'judge');
  return s.kind === 'rerank' ? createRerankJudge(s, signal) : createLlmJudge(s, signal);
}
