import type { Embedder } from '../../../src/ports/index.js';
import { createTokenizer } from '../../../src/text/tokenize.js';
import type { Doc, Evidence, MultiPositive } from '../../../src/types.js';
import { hash32 } from '../../../src/util/rng.js';

export const doc = (doc_id: string, text: string, extra: Partial<Doc> = {}): Doc => ({ kind: 'Doc', doc_id, text, ...extra });

export function ev(query_norm: string, doc_id: string, e: Partial<Evidence> = {}): Evidence {
  return {
    kind: 'Evidence', query_norm, query: query_norm, doc_id, impressions: 10, clicks: 0, satisfied: 0, converted: 0, success_last: 0,
    short_dwell: 0, pogo: 0, unknown_dwell: 0, skip_above: 0, serps: 10, users: 5, first_ts: null, last_ts: null, grade: 0, weight: 0, signals: [], ...e,
  };
}

export function multi(query: string, positives: { doc_id: string; text: string; grade?: number }[]): MultiPositive {
  return { kind: 'MultiPositive', query, query_norm: query.toLowerCase(), positives: positives.map((p) => ({ doc_id: p.doc_id, text: p.text, grade: p.grade ?? 2, weight: 1 })) };
}

/** A deterministic bag-of-stemmed-words embedder (hashed to `dim` buckets): cosine ~ word overlap. */
export function bowEmbedder(dim = 256): Embedder & { calls: number } {
  const tok = createTokenizer({ stopwords: true, stem: true });
  const e = {
    id: `bow-${dim}`,
    dim,
    calls: 0,
    embed(texts: readonly string[]): Promise<Float32Array> {
      e.calls++;
      const out = new Float32Array(texts.length * dim);
      texts.forEach((t, i) => {
        for (const w of tok(t)) out[i * dim + (hash32(w) % dim)]! += 1;
      });
      return Promise.resolve(out);
    },
    close: () => Promise.resolve(),
  };
  return e;
}
