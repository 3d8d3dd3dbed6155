/**
 * Result pages as compact typed arrays: page i shows `docs[i*nRanks .. i*nRanks+nRanks)` for query
 * `query[i]`, and bit r of `clicks[i]` is set when the result at 0-based rank r was clicked.
 * A doc index of -1 means "no result at this rank" (short page). A source (yandex-relpred) fills
 * it; the bias stage counts it.
 *
 * No close(): a plain value of arrays, it holds no file, session or connection to release.
 */
export interface ResultPages {
  readonly nPages: number;
  readonly nRanks: number;
  readonly query: Int32Array;
  readonly docs: Int32Array;
  readonly clicks: Uint32Array;
  /** Index -> query key, and index -> document id (shared with other page sets built from the same dictionary). */
  readonly queries: readonly string[];
  readonly docIds: readonly string[];
}
