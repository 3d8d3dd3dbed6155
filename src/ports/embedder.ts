/**
 * An embedding model as the negatives and false-negative stages see it. The built-in model and
 * the ONNX / HTTP adapters implement it. `embed` returns `texts.length x dim` values, row major;
 * vectors need not be normalised (the stages normalise them).
 */
export interface Embedder {
  readonly id: string;
  readonly dim: number;
  embed(texts: readonly string[]): Promise<Float32Array>;
  // required, not optional: whoever created the embedder closes it without probing; one that holds nothing resolves at once
  /** Release what the embedder holds (an ONNX session, a wrapped embedder). Idempotent; `embed` after it rejects with `adapter_closed`. */
  close(): Promise<void>;
}
