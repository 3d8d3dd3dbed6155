import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { inputError, usageError } from '../../errors.js';
import type { Embedder } from '../../ports/index.js';
import { lifecycle } from '../lifecycle.js';
import { onnxEmbedderSpec, parseOptions, type OnnxEmbedderOptions, type ResolvedOnnxEmbedderOptions } from './options.js';
import { loadTokenizerJson, loadVocabTxt, type WordPieceTokenizer } from './wordpiece.js';

export interface OnnxEmbedder extends Embedder {
  readonly options: Readonly<ResolvedOnnxEmbedderOptions>;
  readonly tokenizer: WordPieceTokenizer;
  /** Model runs and texts truncated to maxLength. */
  readonly stats: { runs: number; truncated: number };
  /** Free the onnxruntime session (once, however often it is called). */
  close(): Promise<void>;
}

const STAGE = 'embedder:onnx';
const exists = (p: string) => access(p).then(() => true, () => false);

/**
 * A local sentence-embedding model (model.onnx + a WordPiece vocab.txt or tokenizer.json) run
 * with onnxruntime-node on the CPU: input_ids / attention_mask / token_type_ids as int64 (only
 * those the model declares), pooling over the attention mask (mean) or the first token (cls),
 * then L2 normalisation. Offline: nothing is downloaded.
 */
export async function createOnnxEmbedder(input: OnnxEmbedderOptions): Promise<OnnxEmbedder> {
  const o = Object.freeze(parseOptions(onnxEmbedderSpec, { ...input, kind: 'onnx' }, 'embedder(onnx)'));
  const modelPath = join(o.modelDir, o.modelFile);
  let modelBytes: Buffer;
  try {
    modelBytes = await readFile(modelPath);
  } catch (cause) {
    throw inputError('model_missing', `cannot read the ONNX model ${modelPath}: ${(cause as Error).message}. Point modelDir at a folder holding ${o.modelFile} (or set modelFile, e.g. onnx/model.onnx).`, { cause, stage: STAGE });
  }

  const vocabTxt = join(o.modelDir, 'vocab.txt');
  const tokJson = join(o.modelDir, 'tokenizer.json');
  const which = o.tokenizer !== 'auto' ? o.tokenizer : (await exists(vocabTxt)) ? 'vocab.txt' : (await exists(tokJson)) ? 'tokenizer.json' : undefined;
  if (!which) throw inputError('tokenizer_missing', `${o.modelDir} has neither vocab.txt nor tokenizer.json: a WordPiece tokenizer is needed next to the model.`, { stage: STAGE });
  const tokPath = which === 'vocab.txt' ? vocabTxt : tokJson;
  const tokenizer = which === 'vocab.txt' ? await loadVocabTxt(tokPath, { lowercase: o.lowercase }) : await loadTokenizerJson(tokPath, { lowercase: o.lowercase });

  const ort = await import('onnxruntime-node');
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelBytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(o.threads > 0 ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {}),
    });
  } catch (cause) {
    throw inputError('model_unloadable', `onnxruntime cannot load ${modelPath}: ${(cause as Error).message}`, { cause, stage: STAGE });
  }
  const known = new Set(['input_ids', 'attention_mask', 'token_type_ids']);
  const unknown = session.inputNames.filter((n) => !known.has(n));
  if (!session.inputNames.includes('input_ids') || unknown.length > 0) {
    throw inputError('model_inputs', `${modelPath} takes inputs [${session.inputNames.join(', ')}]; a BERT-style encoder takes input_ids and optionally attention_mask and token_type_ids${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`, { stage: STAGE });
  }
  const outputName = o.outputName ?? session.outputNames[0]!;
  if (!session.outputNames.includes(outputName)) {
    throw usageError('bad_adapter_options', `embedder(onnx).outputName "${outputName}" is not an output of ${modelPath}; outputs: ${session.outputNames.join(', ')}.`, { stage: STAGE });
  }
  const feeds = new Set(session.inputNames);
  const stats = { runs: 0, truncated: 0 };

  async function run(texts: readonly string[]): Promise<{ data: Float32Array; dim: number }> {
    const enc = texts.map((t) => tokenizer.encode(t, o.maxLength));
    for (let i = 0; i < texts.length; i++) if (enc[i]!.length === o.maxLength && tokenizer.pieces(texts[i]!).length > o.maxLength - 2) stats.truncated++;
    const B = enc.length;
    const L = Math.max(...enc.map((e) => e.length));
    const ids = new BigInt64Array(B * L).fill(BigInt(tokenizer.padId));
    const mask = new BigInt64Array(B * L);
    for (let b = 0; b < B; b++) {
      const e = enc[b]!;
      for (let s = 0; s < e.length; s++) {
        ids[b * L + s] = BigInt(e[s]!);
        mask[b * L + s] = 1n;
      }
    }
    const inputs: Record<string, Tensor> = { input_ids: new ort.Tensor('int64', ids, [B, L]) };
    if (feeds.has('attention_mask')) inputs.attention_mask = new ort.Tensor('int64', mask, [B, L]);
    if (feeds.has('token_type_ids')) inputs.token_type_ids = new ort.Tensor('int64', new BigInt64Array(B * L), [B, L]);
    stats.runs++;
    const res = await session.run(inputs, [outputName]);
    const t = res[outputName]!;
    const data = t.data as Float32Array;
    if (t.type !== 'float32') throw inputError('model_output', `${modelPath} output ${outputName} is ${t.type}; float32 expected.`, { stage: STAGE });
    const dims = t.dims;
    const out = new Float32Array(B * (dims.at(-1) ?? 0));
    if (dims.length === 2 && dims[0] === B) {
      out.set(data);
      return { data: out, dim: dims[1]! };
    }
    if (dims.length !== 3 || dims[0] !== B || dims[1] !== L) {
      throw inputError('model_output', `${modelPath} output ${outputName} has shape [${dims.join(', ')}]; expected [batch, seq, dim] (token vectors) or [batch, dim] (pooled). Set outputName.`, { stage: STAGE });
    }
    const D = dims[2]!;
    for (let b = 0; b < B; b++) {
      const n = o.pooling === 'cls' ? 1 : enc[b]!.length; // padding sits after the real tokens
      const base = b * L * D;
      for (let s = 0; s < n; s++) for (let j = 0; j < D; j++) out[b * D + j]! += data[base + s * D + j]!;
      const inv = 1 / n;
      for (let j = 0; j < D; j++) out[b * D + j]! *= inv;
    }
    return { data: out, dim: D };
  }

  const declared = session.outputMetadata?.find?.((m) => m.name === outputName);
  const lastDim = declared && declared.isTensor ? declared.shape.at(-1) : undefined;
  const dim = typeof lastDim === 'number' && lastDim > 0 ? lastDim : (await run(['dimension probe'])).dim;

  const h = createHash('sha256').update(modelBytes).update(await readFile(tokPath)).digest('hex').slice(0, 16);
  const id = `onnx:${basename(o.modelDir)}:${h}:${o.pooling}:${o.maxLength}${o.lowercase ? ':lc' : ''}${o.normalize ? ':norm' : ''}${o.outputName ? `:${o.outputName}` : ''}`;

  const life = lifecycle(`embedder ${id}`, () => session.release());
  return {
    id,
    dim,
    options: o,
    tokenizer,
    stats,
    close: life.close,
    async embed(texts) {
      life.assertOpen();
      const out = new Float32Array(texts.length * dim);
      for (let s = 0; s < texts.length; s += o.batchSize) {
        const part = texts.slice(s, s + o.batchSize);
        const r = await run(part);
        if (r.dim !== dim) throw inputError('model_output', `${modelPath} returned ${r.dim}-d vectors, declared ${dim}.`, { stage: STAGE });
        out.set(r.data, s * dim);
      }
      if (o.normalize) {
        for (let r = 0; r < texts.length; r++) {
          let ss = 0;
          for (let j = 0; j < dim; j++) ss += out[r * dim + j]! * out[r * dim + j]!;
          if (ss > 0) {
            const inv = 1 / Math.sqrt(ss);
            for (let j = 0; j < dim; j++) out[r * dim + j]! *= inv;
          }
        }
      }
      return out;
    },
  };
}
