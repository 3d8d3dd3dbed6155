import { inputError } from '../../errors.js';
import type { Embedder } from '../../ports/index.js';
import { lifecycle } from '../lifecycle.js';
import { createApiEndpoint, type HttpStats } from '../http.js';
import { openaiEmbedderSpec, parseOptions, type OpenAIEmbedderOptions, type ResolvedOpenAIEmbedderOptions } from './options.js';

export interface OpenAIEmbedder extends Embedder {
  readonly options: Readonly<ResolvedOpenAIEmbedderOptions>;
  readonly stats: HttpStats & { batches: number };
}

const STAGE = 'embedder:openai';

/** Read the key from the environment variable the options name (never from the options). */
/**
 * OpenAI-compatible embeddings: POST {baseUrl}{path} with {model, input: [...]}, reply
 * {data: [{index, embedding}]} (OpenAI, Ollama, vLLM, text-embeddings-inference, LiteLLM ...).
 * Rows come back in input order whatever the order of `data`. Batches run concurrently up to
 * `concurrency`. Without `dim`, one probe request finds the size.
 */
export async function createOpenAIEmbedder(input: OpenAIEmbedderOptions, signal?: AbortSignal): Promise<OpenAIEmbedder> {
  const o = Object.freeze(parseOptions(openaiEmbedderSpec, { ...input, kind: 'openai' }, 'embedder(openai)'));
  const { http, url, headers } = createApiEndpoint(o, STAGE, signal);
  const stats = Object.assign(http.stats, { batches: 0 });

  const bad = (why: string) => inputError('bad_embedding_response', `POST ${url} (model ${o.model}): ${why}. Is this an OpenAI-compatible /v1/embeddings endpoint?`, { stage: STAGE });

  async function request(texts: readonly string[], dim: number | undefined): Promise<Float32Array[]> {
    const body: Record<string, unknown> = { model: o.model, input: texts };
    if (o.dimensions !== undefined) body.dimensions = o.dimensions;
    stats.batches++;
    const json = (await http.postJson(url, body, headers)) as { data?: unknown };
    if (!json || !Array.isArray(json.data)) throw bad('the response has no "data" array');
    if (json.data.length !== texts.length) throw bad(`${json.data.length} embeddings for ${texts.length} inputs`);
    const rows: (Float32Array | undefined)[] = new Array(texts.length);
    for (let k = 0; k < json.data.length; k++) {
      const item = json.data[k] as { index?: unknown; embedding?: unknown };
      const idx = item && typeof item.index === 'number' ? item.index : k; // index is optional in some servers: then order is input order
      if (!Number.isInteger(idx) || idx < 0 || idx >= texts.length || rows[idx]) throw bad(`data[${k}].index ${String(item?.index)} is out of range or repeated`);
      const e = item.embedding;
      if (!Array.isArray(e) || e.length === 0 || !e.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw bad(`data[${k}].embedding is not a list of finite numbers (base64 encoding is not supported: do not send encoding_format)`);
      }
      if (dim !== undefined && e.length !== dim) throw bad(`data[${k}].embedding has ${e.length} values, expected dim ${dim}`);
      rows[idx] = Float32Array.from(e as number[]);
    }
    return rows as Float32Array[];
  }

  let dim = o.dim ?? o.dimensions;
  if (dim === undefined) dim = (await request(['dimension probe'], undefined))[0]!.length;
  const d = dim;
  const normalize = (v: Float32Array) => {
    let ss = 0;
    for (let j = 0; j < v.length; j++) ss += v[j]! * v[j]!;
    if (ss > 0) {
      const inv = 1 / Math.sqrt(ss);
      for (let j = 0; j < v.length; j++) v[j]! *= inv;
    }
  };

  const id = `openai:${o.model}@${new URL(o.baseUrl).host}${o.path === '/v1/embeddings' ? '' : o.path}:${d}d${o.normalize ? ':norm' : ''}`;
  // nothing to release: requests go through the global fetch, which owns its connection pool
  const life = lifecycle(`embedder ${id}`);
  return {
    id,
    dim: d,
    options: o,
    stats,
    close: life.close,
    async embed(texts) {
      life.assertOpen();
      const out = new Float32Array(texts.length * d);
      const jobs: Promise<void>[] = [];
      for (let s = 0; s < texts.length; s += o.batchSize) {
        const part = texts.slice(s, s + o.batchSize);
        jobs.push(request(part, d).then((rows) => {
          for (let r = 0; r < rows.length; r++) {
            if (o.normalize) normalize(rows[r]!);
            out.set(rows[r]!, (s + r) * d);
          }
        }));
      }
      const settled = await Promise.allSettled(jobs);
      const failed = settled.find((x) => x.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return out;
    },
  };
}
