/**
 * How a document reads as training text. One function for positives and negatives alike, in every
 * format: if positives carried their title and negatives did not, "starts with a title line"
 * would separate them, and a model can learn that instead of relevance.
 */
export interface Renderable {
  readonly text: string;
  readonly title?: string | null | undefined;
}

/** Title and body separated by a blank line when `includeTitle` and the document has a title, else the body alone. */
export function renderDocument(doc: Renderable, includeTitle: boolean): string {
  const t = includeTitle && doc.title ? doc.title.trim() : '';
  return t.length > 0 ? `${t}\n\n${doc.text}` : doc.text;
}
