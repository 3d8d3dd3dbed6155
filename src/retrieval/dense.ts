import { usageError } from '../errors.js';
import { TopK } from './topk.js';

/**
 * Exact dense top-k by inner product (cosine for unit vectors): every query against every row.
 *
 * Input: row-major Float32Arrays (queries nq x dim, corpus nc x dim), k.
 * Output: nq x k arrays, best first (ties: lower row first), padded with -1 / -Infinity when the
 * corpus has fewer than k rows.
 *
 * Two engines: `denseTopK` is plain TypeScript (always available; the baseline), and
 * `createOnnxDenseTopK` runs a Gemm + TopK graph in onnxruntime-node (a BLAS-grade matrix product
 * on all cores). `createDenseSearcher` picks ONNX when it loads and falls back to TypeScript.
 * The engines agree up to float rounding: a pair of rows whose scores differ by less than about
 * 1e-6 may come out in either order.
 */
export interface DenseTopKResult {
  readonly k: number;
  readonly ids: Int32Array;
  readonly scores: Float32Array;
}

/** Corpus rows per block: 128 rows x 384 dims x 4 bytes = 192 KB, which stays in a 256 KB+ L2 with the query block. */
export const DENSE_DEFAULTS = { corpusBlock: 128, queryBlock: 32 } as const;

function checkShape(queries: Float32Array, corpus: Float32Array, dim: number, k: number, fn: string): void {
  if (!Number.isInteger(dim) || dim < 1) throw usageError('bad_dense_shape', `${fn}: dim must be a positive integer (got ${dim}).`);
  if (queries.length % dim !== 0 || corpus.length % dim !== 0) throw usageError('bad_dense_shape', `${fn}: array lengths (${queries.length}, ${corpus.length}) are not multiples of dim ${dim}.`);
  if (!Number.isInteger(k) || k < 0) throw usageError('bad_k', `${fn}: k must be a non-negative integer (got ${k}).`);
}

/**
 * Plain TypeScript exact top-k: queries x corpus in blocks (a query block against a corpus block that
 * fits in L2), a 4-query x 2-row register tile in the inner loop, one bounded heap per query.
 */
export function denseTopK(queries: Float32Array, corpus: Float32Array, dim: number, k: number): DenseTopKResult {
  checkShape(queries, corpus, dim, k, 'denseTopK');
  const nq = queries.length / dim;
  const nc = corpus.length / dim;
  const ids = new Int32Array(nq * k).fill(-1);
  const scores = new Float32Array(nq * k).fill(-Infinity);
  if (k === 0) return { ids, scores, k };
  const QB = DENSE_DEFAULTS.queryBlock;
  const CB = DENSE_DEFAULTS.corpusBlock;
  const heaps = Array.from({ length: QB }, () => new TopK(k));
  const tile = new Float32Array(QB * CB);
  for (let q0 = 0; q0 < nq; q0 += QB) {
    const qn = Math.min(QB, nq - q0);
    for (let i = 0; i < qn; i++) heaps[i]!.reset();
    for (let c0 = 0; c0 < nc; c0 += CB) {
      const cn = Math.min(CB, nc - c0);
      // tile[i * CB + r] = <query q0+i, row c0+r>
      for (let i = 0; i < qn; i += 4) {
        const a = (q0 + i) * dim;
        const b = i + 1 < qn ? a + dim : a;
        const c = i + 2 < qn ? b + dim : a;
        const d = i + 3 < qn ? c + dim : a;
        for (let r = 0; r < cn; r += 2) {
          const o0 = (c0 + r) * dim;
          const o1 = r + 1 < cn ? o0 + dim : o0;
          let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
          for (let j = 0; j < dim; j++) {
            const x0 = corpus[o0 + j]!, x1 = corpus[o1 + j]!;
            const qa = queries[a + j]!, qb = queries[b + j]!, qc = queries[c + j]!, qd = queries[d + j]!;
            s00 += qa * x0; s01 += qa * x1;
            s10 += qb * x0; s11 += qb * x1;
            s20 += qc * x0; s21 += qc * x1;
            s30 += qd * x0; s31 += qd * x1;
          }
          const t = i * CB + r;
          tile[t] = s00; tile[t + CB] = s10; tile[t + 2 * CB] = s20; tile[t + 3 * CB] = s30;
          if (r + 1 < cn) { tile[t + 1] = s01; tile[t + 1 + CB] = s11; tile[t + 1 + 2 * CB] = s21; tile[t + 1 + 3 * CB] = s31; }
        }
      }
      for (let i = 0; i < qn; i++) {
        const h = heaps[i]!;
        let th = h.threshold();
        const base = i * CB;
        for (let r = 0; r < cn; r++) {
          const s = tile[base + r]!;
          if (s >= th) {
            h.push(s, c0 + r);
            th = h.threshold();
          }
        }
      }
    }
    for (let i = 0; i < qn; i++) {
      const res = heaps[i]!.result();
      ids.set(res.ids, (q0 + i) * k);
      scores.set(res.scores, (q0 + i) * k);
    }
  }
  return { ids, scores, k };
}

// ---- ONNX: a Gemm + TopK graph written as protobuf bytes (onnx.proto field numbers) ----

class Pb {
  private readonly parts: number[] = [];
  varint(v: number): this {
    while (v > 127) {
      this.parts.push((v % 128) | 128);
      v = Math.floor(v / 128);
    }
    this.parts.push(v);
    return this;
  }
  int(field: number, v: number): this {
    return this.varint(field * 8).varint(v);
  }
  bytes(field: number, b: Uint8Array | number[]): this {
    this.varint(field * 8 + 2).varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, Array.from(new TextEncoder().encode(s)));
  }
  msg(field: number, m: Pb): this {
    return this.bytes(field, m.parts);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, elemType: number, dims: (number | string)[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, typeof d === 'number' ? new Pb().int(1, d) : new Pb().str(2, d));
  const tensor = new Pb().int(1, elemType).msg(2, shape);
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tensor));
}

/** The model: Y = Q x C^T (Gemm, transB = 1); values, indices = TopK(Y, k) along rows (largest, sorted; ties: lower index first). */
export function denseTopKOnnxModel(dim: number, k: number): Uint8Array {
  const kBytes = new Uint8Array(new BigInt64Array([BigInt(k)]).buffer);
  const kTensor = new Pb().int(1, 1).int(2, INT64).str(8, 'K').bytes(9, kBytes);
  const gemm = new Pb().str(1, 'Q').str(1, 'C').str(2, 'Y').str(3, 'gemm').str(4, 'Gemm')
    .msg(5, new Pb().str(1, 'transB').int(3, 1).int(20, 2));
  const topk = new Pb().str(1, 'Y').str(1, 'K').str(2, 'values').str(2, 'indices').str(3, 'topk').str(4, 'TopK')
    .msg(5, new Pb().str(1, 'axis').int(3, 1).int(20, 2));
  const graph = new Pb().msg(1, gemm).msg(1, topk).str(2, 'dense_topk').msg(5, kTensor)
    .msg(11, valueInfo('Q', FLOAT, ['q', dim])).msg(11, valueInfo('C', FLOAT, ['n', dim]))
    .msg(12, valueInfo('values', FLOAT, ['q', k])).msg(12, valueInfo('indices', INT64, ['q', k]));
  return new Pb().int(1, 7).str(2, 'clickforge').msg(7, graph).msg(8, new Pb().str(1, '').int(2, 13)).done();
}

export interface OnnxDenseOptions {
  /**
   * Queries per Gemm call. Default 64: the score block is batch x corpus floats (64 x 200k = 51 MB),
   * large enough for the Gemm to run at full speed, small enough to bound memory. Not tuned further.
   */
  readonly batch?: number;
  /** onnxruntime intra-op threads. Default 0 = all cores. */
  readonly threads?: number;
}

export interface DenseSearcher {
  readonly engine: 'onnx' | 'ts';
  search(queries: Float32Array): Promise<DenseTopKResult>;
  close(): Promise<void>;
}

export const ONNX_DENSE_DEFAULTS = { batch: 64, threads: 0 } as const;

/** Exact top-k with onnxruntime-node. Throws (with the cause) when onnxruntime-node cannot be loaded. */
export async function createOnnxDenseTopK(corpus: Float32Array, dim: number, k: number, opts: OnnxDenseOptions = {}): Promise<DenseSearcher> {
  checkShape(new Float32Array(0), corpus, dim, k, 'createOnnxDenseTopK');
  const nc = corpus.length / dim;
  const kk = Math.min(k, nc);
  const batch = opts.batch ?? ONNX_DENSE_DEFAULTS.batch;
  if (!Number.isInteger(batch) || batch < 1) throw usageError('bad_batch', `createOnnxDenseTopK: batch must be a positive integer (got ${batch}).`);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(denseTopKOnnxModel(dim, kk), {
    intraOpNumThreads: opts.threads ?? ONNX_DENSE_DEFAULTS.threads,
    graphOptimizationLevel: 'all',
  });
  const cTensor = new ort.Tensor('float32', corpus, [nc, dim]);
  return {
    engine: 'onnx',
    async search(queries: Float32Array): Promise<DenseTopKResult> {
      checkShape(queries, corpus, dim, k, 'DenseSearcher.search');
      const nq = queries.length / dim;
      const ids = new Int32Array(nq * k).fill(-1);
      const scores = new Float32Array(nq * k).fill(-Infinity);
      if (kk === 0) return { ids, scores, k };
      for (let q0 = 0; q0 < nq; q0 += batch) {
        const qn = Math.min(batch, nq - q0);
        const qTensor = new ort.Tensor('float32', queries.subarray(q0 * dim, (q0 + qn) * dim), [qn, dim]);
        const out = await session.run({ Q: qTensor, C: cTensor });
        const v = out['values']!.data as Float32Array;
        const ix = out['indices']!.data as BigInt64Array;
        for (let i = 0; i < qn; i++) {
          const o = (q0 + i) * k;
          for (let j = 0; j < kk; j++) {
            ids[o + j] = Number(ix[i * kk + j]!);
            scores[o + j] = v[i * kk + j]!;
          }
        }
      }
      return { ids, scores, k };
    },
    close: () => session.release(),
  };
}

/** ONNX when onnxruntime-node loads, else the TypeScript kernel (`engine` says which). */
export async function createDenseSearcher(corpus: Float32Array, dim: number, k: number, opts: OnnxDenseOptions & { engine?: 'auto' | 'onnx' | 'ts' } = {}): Promise<DenseSearcher> {
  const engine = opts.engine ?? 'auto';
  if (engine !== 'ts') {
    try {
      return await createOnnxDenseTopK(corpus, dim, k, opts);
    } catch (err) {
      if (engine === 'onnx') throw usageError('onnx_unavailable', `onnxruntime-node could not run the dense top-k graph: ${String(err)}. Use engine 'ts' or 'auto'.`, { cause: err });
    }
  }
  return {
    engine: 'ts',
    search: (queries) => Promise.resolve(denseTopK(queries, corpus, dim, k)),
    close: () => Promise.resolve(),
  };
}
