/**
 * A teacher that scores how relevant documents are to a query on one scale (a cross-encoder
 * reranker): one score per document, in order, or null where it gave none (counted, never guessed).
 * The export writes these as teacher pseudo-labels (FlagEmbedding pos_scores / neg_scores,
 * MarginMSE margins). The same inputs give the same scores (a cache or a deterministic model).
 */
export interface RelevanceScorer {
  /** Names the teacher in the dataset card and report (e.g. `rerank:bge-reranker@host/rerank`). */
  readonly id: string;
  scores(query: string, docs: readonly string[]): Promise<(number | null)[]>;
}
