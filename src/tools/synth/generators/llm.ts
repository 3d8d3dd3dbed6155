import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClickforgeError, inputError, usageError } from '../../../errors.js';
import { createApiEndpoint } from '../../../adapters/http.js';
import { STYLES, type Candidate, type GenerationRequest, type GenerationResult, type Passage, type QueryGenerator, type Style } from '../types.js';
import type { GeneratorContext } from './context.js';

/**
 * The system prompt shared by every style. It asks for what real users type, not for a summary
 * of the passage, and for a bare JSON list (parsed strictly; anything else is counted unparsable).
 */
export const LLM_SYSTEM_PROMPT =
  'You write search queries that real users would type into a search box to find the given passage. ' +
  'Real queries are short, informal and do not copy sentences of the passage. ' +
  'Reply with a JSON list of strings and nothing else, for example ["first query", "second query"].';

/** One instruction per style (docs/synth.md; replace any of them with `llm.promptsFile`). */
export const LLM_STYLE_PROMPTS: Readonly<Record<Style, string>> = {
  keyword: 'Write {n} keyword queries of 2 to 4 words each, no full sentences, no question words.',
  question: 'Write {n} natural-language questions that this passage answers, as a user would ask them.',
  error: 'Write {n} queries a user would type after seeing an error this passage is about: a quoted error message, an error code or a log line, possibly with a few words around it. If the passage is not about an error, reply [].',
  synonym: 'Write {n} queries that ask for what this passage says but use different words: synonyms and paraphrases instead of the passage\'s own terms.',
  acronym: 'Write {n} short queries that use an abbreviation or acronym of a term in this passage (for example "sso" for single sign-on). If nothing in it is usually abbreviated, reply [].',
  novice: 'Write {n} queries from a beginner who does not know the right terms: vague, everyday words, possibly describing the symptom instead of naming it.',
  expert: 'Write {n} precise queries from an expert: exact technical terms, names, codes or parameters from the domain, 3 to 6 words.',
};

export function llmUserPrompt(instruction: string, passage: Passage, n: number, maxChars: number): string {
  const head = passage.title ? `Title: ${passage.title}\n` : '';
  return `${head}Passage:\n${passage.text.slice(0, maxChars)}\n\n${instruction.split('{n}').join(String(n))}\nReply with a JSON list of strings only.`;
}

/**
 * Strict answer parsing: a JSON list of strings, optionally inside one ```json fence. Anything else
 * (prose, an object, a list with a non-string, truncated JSON) is null: counted as unparsable,
 * never guessed at.
 */
export function parseQueryList(text: unknown): string[] | null {
  if (typeof text !== 'string') return null;
  let t = text.trim();
  const fence = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(t);
  if (fence) t = fence[1]!.trim();
  if (!t.startsWith('[')) return null;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return null;
  return (v as string[]).map((x) => x.replace(/\s+/g, ' ').trim()).filter((x) => x !== '');
}

const STAGE = 'synth:llm';

async function loadPrompts(file: string | undefined): Promise<Record<Style, string>> {
  const prompts = { ...LLM_STYLE_PROMPTS };
  if (!file) return prompts;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw usageError('bad_prompts_file', `llm.promptsFile ${file}: ${(cause as Error).message}. It must be a JSON object {"<style>": "instruction with {n}"}.`, { stage: STAGE, cause });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw usageError('bad_prompts_file', `llm.promptsFile ${file} must hold a JSON object {"<style>": "instruction"}.`, { stage: STAGE });
  for (const [k, v] of Object.entries(raw)) {
    if (!(STYLES as readonly string[]).includes(k)) throw usageError('bad_prompts_file', `llm.promptsFile ${file}: "${k}" is not a style (${STYLES.join(', ')}).`, { stage: STAGE });
    if (typeof v !== 'string' || v.trim() === '') throw usageError('bad_prompts_file', `llm.promptsFile ${file}: the prompt of "${k}" must be a non-empty string.`, { stage: STAGE });
    prompts[k as Style] = v;
  }
  return prompts;
}

/** An append-only JSONL cache: one line {key, queries} per answered (model, prompt, passage). */
async function openAnswerCache(dir: string | null, id: string): Promise<{ get(key: string): string[] | undefined; put(entries: readonly { key: string; queries: string[] }[]): Promise<void> } | undefined> {
  if (!dir) return undefined;
  await mkdir(dir, { recursive: true });
  const file = join(dir, `synth-llm-${createHash('sha256').update(id).digest('hex').slice(0, 16)}.jsonl`);
  const map = new Map<string, string[]>();
  try {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as { key?: unknown; queries?: unknown };
        if (typeof e.key === 'string' && Array.isArray(e.queries)) map.set(e.key, e.queries as string[]);
      } catch {
        // a line cut short by a crash: ignored, asked again
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return {
    get: (key) => map.get(key),
    async put(entries) {
      if (entries.length === 0) return;
      for (const e of entries) map.set(e.key, e.queries);
      await appendFile(file, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    },
  };
}

/**
 * Any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server, OpenAI) as a generator:
 * one request per (passage, style) asking for `queriesPerStyle` queries as a JSON list; the
 * requests of a batch go out together through the shared HTTP client (concurrency and rate
 * limits, retries, the key from an environment variable and scrubbed from every message).
 */
export async function createLlmGenerator(ctx: GeneratorContext): Promise<QueryGenerator> {
  const o = ctx.options.llm;
  if (!o.baseUrl || !o.model) {
    throw usageError('missing_llm_options', 'the llm generator needs llm.baseUrl and llm.model (e.g. --set llm.baseUrl=http://127.0.0.1:11434 --set llm.model=qwen2.5:7b-instruct); or use the offline generator, which needs nothing.', { stage: STAGE });
  }
  const model = o.model;
  const prompts = await loadPrompts(o.promptsFile);
  const { http, url, headers } = createApiEndpoint({ ...o, baseUrl: o.baseUrl }, STAGE, ctx.signal);
  // Read here only to drop answers that echo it; it is never stored or printed.
  const key = process.env[o.apiKeyEnv]?.trim() || undefined;
  const promptHash = createHash('sha256').update(LLM_SYSTEM_PROMPT).update(JSON.stringify(prompts)).update(llmUserPrompt('{i}', { kind: 'Passage', passage_id: '', doc_id: '', n: 0, text: '{p}', start: 0, end: 0 }, 0, o.maxPassageChars)).digest('hex').slice(0, 8);
  const id = `llm:${model}@${new URL(o.baseUrl).host}:p${promptHash}:t${o.temperature}:s${o.seed ?? 'none'}`;
  const cache = await openAnswerCache(o.cacheDir, id);
  const n = ctx.options.queriesPerStyle;
  const counters = { requests: 0, answered: 0, cacheHits: 0, unparsable: 0, emptyLists: 0, failed: 0, secretEchoed: 0 };
  let anySuccess = false;

  async function ask(p: Passage, style: Style): Promise<string[] | null> {
    const body: Record<string, unknown> = {
      model,
      messages: [
        { role: 'system', content: LLM_SYSTEM_PROMPT },
        { role: 'user', content: llmUserPrompt(prompts[style], p, n, o.maxPassageChars) },
      ],
      temperature: o.temperature,
      max_tokens: o.maxTokens,
    };
    if (o.seed !== null) body.seed = o.seed;
    counters.requests++;
    const json = (await http.postJson(url, body, headers)) as { choices?: { message?: { content?: unknown } }[] };
    if (!json || !Array.isArray(json.choices) || json.choices.length === 0 || !json.choices[0]?.message) {
      throw inputError('bad_chat_response', `POST ${url} (model ${model}): the response has no choices[0].message. Is this an OpenAI-compatible chat completions endpoint?`, { stage: STAGE });
    }
    const content = json.choices[0].message.content;
    if (key && typeof content === 'string' && content.includes(key)) {
      counters.secretEchoed++;
      return null;
    }
    return parseQueryList(content);
  }

  return {
    name: 'llm',
    id,
    batchSize: o.batchSize,
    async generate(requests: readonly GenerationRequest[]): Promise<GenerationResult[]> {
      const results: { candidates: Candidate[]; misses: { style: Style; reason: string }[] }[] = requests.map(() => ({ candidates: [], misses: [] }));
      const fresh: { key: string; queries: string[] }[] = [];
      let firstError: unknown;
      const jobs = requests.flatMap((r, i) => r.styles.map(async (style) => {
        const k = createHash('sha256').update(`${id}\u0000${style}\u0000${prompts[style]}\u0000${n}\u0000${r.passage.title ?? ''}\u0000${r.passage.text.slice(0, o.maxPassageChars)}`).digest('hex');
        let qs = cache?.get(k);
        if (qs) counters.cacheHits++;
        else {
          let a: string[] | null;
          try {
            a = await ask(r.passage, style);
          } catch (err) {
            if (err instanceof ClickforgeError && err.kind === 'usage') throw err;
            counters.failed++;
            firstError ??= err;
            results[i]!.misses.push({ style, reason: 'request_failed' });
            return;
          }
          anySuccess = true;
          counters.answered++;
          if (a === null) {
            counters.unparsable++;
            results[i]!.misses.push({ style, reason: 'unparsable' });
            return;
          }
          qs = a;
          fresh.push({ key: k, queries: a });
        }
        const kept = [...new Set(qs)].slice(0, n);
        if (kept.length === 0) {
          counters.emptyLists++;
          results[i]!.misses.push({ style, reason: 'empty_list' });
          return;
        }
        for (const text of kept) results[i]!.candidates.push({ text, style });
      }));
      const settled = await Promise.allSettled(jobs);
      await cache?.put(fresh); // keep what was paid for even when a request failed
      const bad = settled.find((s) => s.status === 'rejected');
      if (bad) throw (bad as PromiseRejectedResult).reason;
      // A server that never answered is a set-up problem, not a drop: stop with its error.
      if (!anySuccess && firstError !== undefined && counters.cacheHits === 0) throw firstError;
      // Styles in request order, so the output does not depend on which answer came first.
      for (const [i, r] of results.entries()) {
        const order = requests[i]!.styles;
        r.candidates.sort((a, b) => order.indexOf(a.style) - order.indexOf(b.style));
        r.misses.sort((a, b) => order.indexOf(a.style) - order.indexOf(b.style));
      }
      return results;
    },
    stats: () => ({ ...counters, retries: http.stats.retries, rateLimited: http.stats.rateLimited, timeouts: http.stats.timeouts, maxInFlight: http.stats.maxInFlight }),
    async close() {},
  };
}
