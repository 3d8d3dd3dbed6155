import { openVectorCache, sha256, type VectorCache } from '../embedders/vector-cache.js';

/** One cached number per (judge id, query, document text): a reranker score, or 1 / 0 for an LLM answer. */
export interface JudgeCache {
  get(query: string, doc: string): number | undefined;
  put(entries: readonly { query: string; doc: string; value: number }[]): Promise<void>;
}

export async function openJudgeCache(dir: string | null, judgeId: string): Promise<JudgeCache | undefined> {
  if (!dir) return undefined;
  const cache: VectorCache = await openVectorCache(dir, judgeId, 1);
  const one = new Float32Array(1);
  return {
    get(query, doc) {
      return cache.getInto(sha256(query, doc), one, 0) ? one[0] : undefined;
    },
    put(entries) {
      return cache.put(entries.map((e) => sha256(e.query, e.doc)), Float32Array.from(entries.map((e) => e.value)));
    },
  };
}

/** Judge statistics: answers by kind, cache hits, HTTP requests. */
export interface JudgeStats {
  asked: number;
  relevant: number;
  notRelevant: number;
  unparsable: number;
  cacheHits: number;
}
export const newJudgeStats = (): JudgeStats => ({ asked: 0, relevant: 0, notRelevant: 0, unparsable: 0, cacheHits: 0 });
