import type { z } from 'zod';
import type { Embedder } from '../../ports/index.js';
import { kindEnum } from '../../util/registry.js';
import type { BiEncoder } from '../../model/bi-encoder.js';
import { createBuiltinEmbedder } from './builtin-embedder.js';
import { createCachedEmbedder } from './cached-embedder.js';
import { createOnnxEmbedder } from './onnx-embedder.js';
import { createOpenAIEmbedder } from './openai-embedder.js';
import { embedderSpec, parseOptions, type EmbedderSpec } from './options.js';

export { createBuiltinEmbedder, biEncoderHash, type BuiltinEmbedderOptions } from './builtin-embedder.js';
export { createCachedEmbedder, type CachedEmbedder, type CachedEmbedderOptions } from './cached-embedder.js';
export { createOnnxEmbedder, type OnnxEmbedder } from './onnx-embedder.js';
export { createOpenAIEmbedder, type OpenAIEmbedder } from './openai-embedder.js';
export { createWordPiece, parseVocabTxt, loadVocabTxt, loadTokenizerJson, type WordPieceTokenizer, type WordPieceOptions } from './wordpiece.js';
export { openVectorCache, type VectorCache } from './vector-cache.js';
export {
  embedderSpec, builtinEmbedderSpec, openaiEmbedderSpec, onnxEmbedderSpec, parseOptions,
  type EmbedderSpec, type OpenAIEmbedderOptions, type OnnxEmbedderOptions,
} from './options.js';

type ResolvedEmbedderSpec = z.infer<typeof embedderSpec>;
/** Creates one kind of embedder from its validated spec. */
export type EmbedderFactory<S extends ResolvedEmbedderSpec = ResolvedEmbedderSpec> = (spec: S, signal?: AbortSignal) => Promise<Embedder>;

/** One factory per `kind` of `embedderSpec` (the type below fails when a kind has no entry, or an entry no spec). */
export const embedders = {
  builtin: (s) => createBuiltinEmbedder({ modelPath: s.modelPath }),
  openai: (s, signal) => createOpenAIEmbedder(s, signal),
  onnx: (s) => createOnnxEmbedder(s),
} satisfies { [K in ResolvedEmbedderSpec['kind']]: EmbedderFactory<Extract<ResolvedEmbedderSpec, { kind: K }>> };

/** The embedder kinds, from the registry's keys. */
export const embedderKind = kindEnum(embedders);
export type EmbedderKind = z.infer<typeof embedderKind>;

/**
 * An Embedder from a config object: `{kind: 'builtin', modelPath}`, `{kind: 'openai', baseUrl,
 * model, ...}` or `{kind: 'onnx', modelDir, ...}`, wrapped in a disk cache when `cacheDir` is set.
 * Library users of the built-in kind may pass `{kind: 'builtin', model}` with a BiEncoder object.
 * See docs/adapters.md.
 */
export async function createEmbedder(spec: EmbedderSpec | { kind: 'builtin'; model: BiEncoder; cacheDir?: string | null }, signal?: AbortSignal): Promise<Embedder> {
  let inner: Embedder;
  let cacheDir: string | null;
  if (spec && spec.kind === 'builtin' && 'model' in spec && spec.model) {
    inner = await createBuiltinEmbedder({ model: spec.model });
    cacheDir = spec.cacheDir ?? null;
  } else {
    const s = parseOptions(embedderSpec, spec, 'embedder');
    cacheDir = s.cacheDir;
    // each entry takes its own kind's spec; TypeScript cannot correlate the lookup with s
    const create = embedders[s.kind] as EmbedderFactory;
    inner = await create(s, signal);
  }
  return cacheDir ? createCachedEmbedder(inner, { cacheDir }) : inner;
}
