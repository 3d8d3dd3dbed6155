import { inputError } from '../../errors.js';
import type { Judge } from '../../ports/index.js';
import { lifecycle } from '../lifecycle.js';
import { parseOptions } from '../embedders/options.js';
import { createApiEndpoint, type HttpStats } from '../http.js';
import { newJudgeStats, openJudgeCache, type JudgeStats } from './judge-cache.js';
import { rerankJudgeSpec, type RerankJudgeOptions, type ResolvedRerankJudgeOptions } from './options.js';

export interface RerankJudge extends Judge {
  readonly id: string;
  readonly options: Readonly<ResolvedRerankJudgeOptions>;
  readonly stats: JudgeStats & { readonly http: HttpStats };
  /** Raw relevance scores (null where the server gave none), for calibration. */
  scores(query: string, docs: readonly string[]): Promise<(number | null)[]>;
}

const STAGE = 'judge:rerank';

/**
 * A cross-encoder reranker behind the common /rerank API ({model, query, documents, top_n?} ->
 * {results: [{index, relevance_score}]}, as Cohere, Jina, vLLM and TEI's compatible route serve
 * it): relevant when relevance_score >= threshold. A document the server leaves out of `results`
 * gets null (counted), never a guess.
 */
export async function createRerankJudge(input: RerankJudgeOptions, signal?: AbortSignal): Promise<RerankJudge> {
  const o = Object.freeze(parseOptions(rerankJudgeSpec, { ...input, kind: 'rerank' }, 'judge(rerank)'));
  const { http, url, headers } = createApiEndpoint(o, STAGE, signal);
  const id = `rerank:${o.model}@${new URL(o.baseUrl).host}${o.path}`;
  const cache = await openJudgeCache(o.cacheDir, id);
  const stats = Object.assign(newJudgeStats(), { http: http.stats });
  // nothing to release: requests go through the global fetch, which owns its connection pool
  const life = lifecycle(`judge ${id}`);

  async function request(query: string, docs: readonly string[]): Promise<(number | null)[]> {
    const body: Record<string, unknown> = { model: o.model, query, documents: docs };
    if (o.sendTopN) body.top_n = docs.length;
    const json = (await http.postJson(url, body, headers)) as { results?: unknown };
    if (!json || !Array.isArray(json.results)) {
      throw inputError('bad_rerank_response', `POST ${url} (model ${o.model}): the response has no "results" array. Is this a /rerank endpoint of the Cohere/Jina shape?`, { stage: STAGE });
    }
    const out: (number | null)[] = docs.map(() => null);
    for (const r of json.results as { index?: unknown; relevance_score?: unknown }[]) {
      const i = r?.index;
      const s = r?.relevance_score;
      if (typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < docs.length && typeof s === 'number' && Number.isFinite(s)) out[i] = s;
    }
    return out;
  }

  async function scores(query: string, docs: readonly string[]): Promise<(number | null)[]> {
    life.assertOpen();
    const out: (number | null)[] = docs.map(() => null);
    const todo: number[] = [];
    for (let i = 0; i < docs.length; i++) {
      const c = cache?.get(query, docs[i]!);
      if (c === undefined) todo.push(i);
      else {
        out[i] = c;
        stats.cacheHits++;
      }
    }
    const jobs: Promise<void>[] = [];
    for (let s = 0; s < todo.length; s += o.batchSize) {
      const idx = todo.slice(s, s + o.batchSize);
      jobs.push(request(query, idx.map((i) => docs[i]!)).then(async (sc) => {
        const fresh: { query: string; doc: string; value: number }[] = [];
        sc.forEach((v, k) => {
          out[idx[k]!] = v === null ? null : Math.fround(v); // as the cache stores it, so a re-run thresholds alike
          if (v !== null) fresh.push({ query, doc: docs[idx[k]!]!, value: v });
        });
        await cache?.put(fresh);
      }));
    }
    const settled = await Promise.allSettled(jobs);
    const failed = settled.find((x) => x.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return out;
  }

  return {
    id,
    options: o,
    stats,
    scores,
    close: life.close,
    async judge(query, docs) {
      const sc = await scores(query, docs.map((d) => d.text));
      stats.asked += docs.length;
      return sc.map((s) => {
        if (s === null) {
          stats.unparsable++;
          return null;
        }
        if (s >= o.threshold) {
          stats.relevant++;
          return true;
        }
        stats.notRelevant++;
        return false;
      });
    },
  };
}
