/** A document as a judge is shown it. */
export interface JudgedDoc {
  readonly doc_id: string;
  readonly text: string;
}

/**
 * A teacher that says whether documents are relevant to a query (a cross-encoder reranker, an LLM).
 * One answer per document, in order: true = relevant (so not a negative), false = not relevant,
 * null = the answer could not be parsed (counted, never guessed).
 */
export interface Judge {
  readonly id?: string;
  judge(query: string, docs: readonly JudgedDoc[]): Promise<(boolean | null)[]>;
  // required, not optional: whoever created the judge closes it without probing; one that holds nothing resolves at once
  /** Release what the judge holds. Idempotent; `judge` after it rejects with `adapter_closed`. */
  close(): Promise<void>;
}
