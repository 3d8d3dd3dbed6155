import { createHash } from 'node:crypto';
import { usageError } from '../../errors.js';
import { loadModel, type BiEncoder } from '../../model/bi-encoder.js';
import type { Embedder } from '../../ports/index.js';
import { lifecycle } from '../lifecycle.js';

export interface BuiltinEmbedderOptions {
  /** A model file written by model.save(path). */
  readonly modelPath?: string;
  /** Or a model object (createModel / loadModel / after train). */
  readonly model?: BiEncoder;
}

/** sha256 over the options and the weights: two models share a cache only when they embed alike. */
export function biEncoderHash(model: BiEncoder): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(model.options));
  h.update(new Uint8Array(model.table.buffer, model.table.byteOffset, model.table.byteLength));
  return h.digest('hex').slice(0, 16);
}

/**
 * The built-in bi-encoder as an Embedder (offline, no set-up). The id is fixed when the embedder
 * is created: train the model first, then wrap it (training in place afterwards would leave the
 * id, and any cache keyed by it, describing the old weights).
 */
export async function createBuiltinEmbedder(opts: BuiltinEmbedderOptions): Promise<Embedder & { readonly model: BiEncoder }> {
  if (!opts || (!opts.model && !opts.modelPath)) {
    throw usageError('bad_embedder_options', 'builtin embedder: give `modelPath` (a file written by model.save) or `model` (a BiEncoder object).');
  }
  if (opts.model && opts.modelPath) throw usageError('bad_embedder_options', 'builtin embedder: give either `modelPath` or `model`, not both.');
  const model = opts.model ?? (await loadModel(opts.modelPath!));
  const id = `builtin:${model.dim}d:${biEncoderHash(model)}`;
  const life = lifecycle(`embedder ${id}`);
  return {
    id,
    dim: model.dim,
    model,
    async embed(texts) {
      life.assertOpen();
      return model.embed(texts);
    },
    close: life.close,
  };
}
