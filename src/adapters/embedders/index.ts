import type { Embedder } from '../../ports/index.js';
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
    if (s.kind === 'builtin') inner = await createBuiltinEmbedder({ modelPath: s.modelPath });
    else if (s.kind === 'openai') inner = await createOpenAIEmbedder(s, signal);
    else inner = await createOnnxEmbedder(s);
  }
  return cacheDir ? createCachedEmbedder(inner, { cacheDir }) : inner;
}
