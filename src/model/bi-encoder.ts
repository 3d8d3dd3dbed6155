import { readFile } from 'node:fs/promises';
import { inputError, usageError } from '../errors.js';
import { createRng } from '../util/rng.js';
import { writeFileAtomic } from '../util/fs.js';
import { Featurizer } from './features.js';
import { modelOptions, type ModelOptions, type ResolvedModelOptions } from './options.js';

/**
 * The built-in bi-encoder: an embedding bag over hashed features (word unigrams, word bigrams,
 * character n-grams), summed and L2-normalised, one tower shared by queries and documents.
 *
 * Sum, mean and sqrt(n) pooling give the same direction once the vector is L2-normalised, so
 * we sum. Works offline with no downloaded weights; train it with `train` (src/model/train.ts).
 *
 * Related: docs/model.md.
 */
export interface BiEncoder {
  readonly options: ResolvedModelOptions;
  readonly dim: number;
  /** The embedding table, buckets x dim, row-major. Train updates it in place. */
  readonly table: Float32Array;
  /** Examples seen by `train` so far (saved with the model). */
  trainedExamples: number;
  /** Embeddings of the texts, n x dim row-major, each row unit length (all-zero for a text without features). */
  embed(texts: readonly string[]): Float32Array;
  /** Embed one text into out[offset .. offset + dim). Returns the norm before normalisation. */
  embedInto(text: string, out: Float32Array, offset: number): number;
  /** The featurizer (shared buffers: read them before the next call). */
  readonly featurizer: Featurizer;
  save(path: string): Promise<void>;
}

const MAGIC = 0x45424643; // "CFBE" little-endian
const FORMAT = 'clickforge-biencoder';
const VERSION = 1;

function resolve(opts: ModelOptions): ResolvedModelOptions {
  const r = modelOptions.safeParse(opts ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - model.${i.path.join('.')}: ${i.message}`);
    throw usageError('bad_model_options', `invalid model options:\n${lines.join('\n')}\nSee docs/model.md.`);
  }
  if (r.data.charMax < r.data.charMin) throw usageError('bad_model_options', `model.charMax (${r.data.charMax}) must be >= model.charMin (${r.data.charMin}).`);
  return Object.freeze(r.data);
}

function make(o: ResolvedModelOptions, table: Float32Array, trainedExamples: number): BiEncoder {
  const dim = o.dim;
  const fz = new Featurizer(o);
  const embedInto = (text: string, out: Float32Array, offset: number): number => {
    const n = fz.featurize(text);
    const bk = fz.buckets, wt = fz.weights;
    out.fill(0, offset, offset + dim);
    for (let f = 0; f < n; f++) {
      const row = bk[f]! * dim;
      const w = wt[f]!;
      for (let k = 0; k < dim; k++) out[offset + k]! += w * table[row + k]!;
    }
    let ss = 0;
    for (let k = 0; k < dim; k++) ss += out[offset + k]! * out[offset + k]!;
    const norm = Math.sqrt(ss);
    if (norm > 0) {
      const inv = 1 / norm;
      for (let k = 0; k < dim; k++) out[offset + k]! *= inv;
    }
    return norm;
  };
  const model: BiEncoder = {
    options: o,
    dim,
    table,
    trainedExamples,
    featurizer: fz,
    embedInto,
    embed(texts) {
      const out = new Float32Array(texts.length * dim);
      for (let i = 0; i < texts.length; i++) embedInto(texts[i]!, out, i * dim);
      return out;
    },
    async save(path) {
      const header = new TextEncoder().encode(JSON.stringify({ format: FORMAT, version: VERSION, options: o, trainedExamples: model.trainedExamples }));
      const pad = (4 - ((8 + header.length) % 4)) % 4;
      const buf = new Uint8Array(8 + header.length + pad + table.byteLength);
      const dv = new DataView(buf.buffer);
      dv.setUint32(0, MAGIC, true);
      dv.setUint32(4, header.length, true);
      buf.set(header, 8);
      buf.fill(32, 8 + header.length, 8 + header.length + pad);
      const body = new Uint8Array(table.buffer, table.byteOffset, table.byteLength);
      buf.set(body, 8 + header.length + pad);
      await writeFileAtomic(path, buf);
    },
  };
  return model;
}

/** A new untrained model with a seeded random table. */
export function createModel(opts: ModelOptions = {}): BiEncoder {
  const o = resolve(opts);
  const table = new Float32Array(o.buckets * o.dim);
  const rng = createRng(o.seed).fork('table');
  const a = (o.initScale * Math.sqrt(3)) / Math.sqrt(o.dim);
  for (let i = 0; i < table.length; i++) table[i] = (2 * rng.next() - 1) * a;
  return make(o, table, 0);
}

/** Load a model written by `model.save(path)`. */
export async function loadModel(path: string): Promise<BiEncoder> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (cause) {
    throw inputError('model_missing', `cannot read model file ${path}: ${(cause as Error).message}`, { cause });
  }
  const bad = (why: string) => inputError('model_corrupt', `${path} is not a clickforge bi-encoder file (${why}). Save one with model.save(path).`);
  if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) throw bad('wrong magic bytes');
  const hlen = buf.readUInt32LE(4);
  if (8 + hlen > buf.length) throw bad('truncated header');
  let header: { format?: string; version?: number; options?: unknown; trainedExamples?: number };
  try {
    header = JSON.parse(buf.subarray(8, 8 + hlen).toString('utf8'));
  } catch {
    throw bad('header is not JSON');
  }
  if (header.format !== FORMAT || header.version !== VERSION) throw bad(`format ${header.format} v${header.version}, expected ${FORMAT} v${VERSION}`);
  const o = resolve(header.options as ModelOptions);
  const start = 8 + hlen + ((4 - ((8 + hlen) % 4)) % 4);
  const bytes = o.buckets * o.dim * 4;
  if (buf.length - start !== bytes) throw bad(`expected ${bytes} bytes of weights, found ${buf.length - start}`);
  const table = new Float32Array(o.buckets * o.dim);
  new Uint8Array(table.buffer).set(buf.subarray(start, start + bytes));
  return make(o, table, header.trainedExamples ?? 0);
}
