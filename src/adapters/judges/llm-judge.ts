import { createHash } from 'node:crypto';
import { inputError } from '../../errors.js';
import type { Judge } from '../../ports/index.js';
import { lifecycle } from '../lifecycle.js';
import { parseOptions } from '../embedders/options.js';
import { createApiEndpoint, type HttpStats } from '../http.js';
import { newJudgeStats, openJudgeCache, type JudgeStats } from './judge-cache.js';
import { llmJudgeSpec, type LlmJudgeOptions, type ResolvedLlmJudgeOptions } from './options.js';

/**
 * The prompt (documented in docs/adapters.md; its hash is part of the judge id, so a changed
 * prompt never reuses cached answers). It asks whether the document ANSWERS the query, not whether
 * it is on topic: a hard negative is on topic by construction.
 */
export const LLM_JUDGE_SYSTEM_PROMPT =
  'You are a strict search relevance judge. You are given a search query and one candidate document. ' +
  'Decide whether the document answers the query: a user who typed the query would be satisfied to find this document. ' +
  'Being on the same topic, or sharing words with the query, is not enough. ' +
  'Reply with exactly one JSON object and nothing else: {"relevant": true} or {"relevant": false}.';

export function llmJudgeUserPrompt(query: string, doc: string): string {
  return `Query: ${query}\n\nDocument:\n${doc}\n\nDoes the document answer the query? Reply {"relevant": true} or {"relevant": false}.`;
}

/**
 * Strict answer parsing: a JSON object with a boolean "relevant" (optionally inside one ```json
 * fence), or a reply that starts with the word yes or no. Anything else is null: counted, never
 * guessed.
 */
export function parseJudgeAnswer(text: unknown): boolean | null {
  if (typeof text !== 'string') return null;
  let t = text.trim();
  const fence = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(t);
  if (fence) t = fence[1]!.trim();
  if (t.startsWith('{')) {
    try {
      const j = JSON.parse(t) as unknown;
      if (j && typeof j === 'object' && !Array.isArray(j) && typeof (j as { relevant?: unknown }).relevant === 'boolean') return (j as { relevant: boolean }).relevant;
    } catch {
      // not JSON: unparsable
    }
    return null;
  }
  const m = /^(yes|no)\b/i.exec(t);
  return m ? m[1]!.toLowerCase() === 'yes' : null;
}

export interface LlmJudge extends Judge {
  readonly id: string;
  readonly options: Readonly<ResolvedLlmJudgeOptions>;
  readonly stats: JudgeStats & { readonly http: HttpStats };
}

const STAGE = 'judge:llm';

/**
 * An OpenAI-compatible chat model as a judge: one /v1/chat/completions request per (query,
 * document), temperature 0 and a seed, the prompt above, the answer parsed strictly.
 */
export async function createLlmJudge(input: LlmJudgeOptions, signal?: AbortSignal): Promise<LlmJudge> {
  const o = Object.freeze(parseOptions(llmJudgeSpec, { ...input, kind: 'llm' }, 'judge(llm)'));
  const { http, url, headers } = createApiEndpoint(o, STAGE, signal);
  const promptHash = createHash('sha256').update(LLM_JUDGE_SYSTEM_PROMPT).update(llmJudgeUserPrompt('{q}', '{d}')).digest('hex').slice(0, 8);
  const id = `llm:${o.model}@${new URL(o.baseUrl).host}:p${promptHash}:s${o.seed ?? 'none'}:c${o.maxDocChars}`;
  const cache = await openJudgeCache(o.cacheDir, id);
  const stats = Object.assign(newJudgeStats(), { http: http.stats });
  // nothing to release: requests go through the global fetch, which owns its connection pool
  const life = lifecycle(`judge ${id}`);

  async function ask(query: string, doc: string): Promise<boolean | null> {
    const body: Record<string, unknown> = {
      model: o.model,
      messages: [
        { role: 'system', content: LLM_JUDGE_SYSTEM_PROMPT },
        { role: 'user', content: llmJudgeUserPrompt(query, doc.slice(0, o.maxDocChars)) },
      ],
      temperature: 0,
      max_tokens: o.maxTokens,
    };
    if (o.seed !== null) body.seed = o.seed;
    const json = (await http.postJson(url, body, headers)) as { choices?: { message?: { content?: unknown } }[] };
    if (!json || !Array.isArray(json.choices) || json.choices.length === 0 || !json.choices[0]?.message) {
      throw inputError('bad_chat_response', `POST ${url} (model ${o.model}): the response has no choices[0].message. Is this an OpenAI-compatible chat completions endpoint?`, { stage: STAGE });
    }
    return parseJudgeAnswer(json.choices[0].message.content);
  }

  return {
    id,
    options: o,
    stats,
    close: life.close,
    async judge(query, docs) {
      life.assertOpen();
      const out: (boolean | null)[] = docs.map(() => null);
      const fresh: { query: string; doc: string; value: number }[] = [];
      const jobs = docs.map(async (d, i) => {
        const c = cache?.get(query, d.text);
        if (c !== undefined) {
          stats.cacheHits++;
          out[i] = c === 1;
          return;
        }
        const a = await ask(query, d.text);
        out[i] = a;
        if (a !== null) fresh.push({ query, doc: d.text, value: a ? 1 : 0 });
      });
      const settled = await Promise.allSettled(jobs);
      if (fresh.length > 0) await cache?.put(fresh); // keep what was paid for even when one request failed
      const failed = settled.find((x) => x.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      stats.asked += docs.length;
      for (const a of out) {
        if (a === null) stats.unparsable++;
        else if (a) stats.relevant++;
        else stats.notRelevant++;
      }
      return out;
    },
  };
}
