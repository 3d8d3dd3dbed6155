import type { Passage } from './types.js';

export interface ChunkOptions {
  /** Words per passage (a character of a script written without spaces counts as one word). */
  readonly size: number;
  /** Words shared by consecutive passages. */
  readonly overlap: number;
}

// A unit is a run of non-space characters, or one character of a script written without spaces
// (Han, kana, Thai...): a Chinese document has no spaces, so it is cut by characters.
const UNIT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]\p{M}*|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+/gu;

/**
 * Cut a document into passages of `size` words with `overlap` words in common between neighbours.
 * A passage is the exact slice of the document text from its first word to its last (spacing and
 * punctuation kept); its id is `<doc_id>#<n>`. A text of `size` words or fewer is one passage; the
 * last passage may be shorter. A text without a letter or a digit gives no passage.
 */
export function chunkDocument(doc: { readonly doc_id: string; readonly text: string; readonly title?: string | undefined }, opts: ChunkOptions): Passage[] {
  const starts: number[] = [];
  const ends: number[] = [];
  UNIT.lastIndex = 0;
  for (let m = UNIT.exec(doc.text); m !== null; m = UNIT.exec(doc.text)) {
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  const n = starts.length;
  if (n === 0 || !/[\p{L}\p{N}]/u.test(doc.text)) return [];
  const step = Math.max(1, opts.size - opts.overlap);
  const windows: number[] = [];
  for (let s = 0; ; s += step) {
    windows.push(s);
    if (s + opts.size >= n) break;
  }
  const title = doc.title && doc.title.trim() !== '' ? doc.title.trim() : undefined;
  return windows.map((s, i) => {
    const e = Math.min(n, s + opts.size) - 1;
    const start = starts[s]!;
    const end = ends[e]!;
    return { kind: 'Passage' as const, passage_id: `${doc.doc_id}#${i}`, doc_id: doc.doc_id, n: i, ...(title ? { title } : {}), text: doc.text.slice(start, end), start, end };
  });
}

/** The passage id's document: everything before the last '#'. */
export function docIdOf(passageId: string): string {
  const i = passageId.lastIndexOf('#');
  return i < 0 ? passageId : passageId.slice(0, i);
}

/** What seeds a passage's draws: its content (title and text), not its id. */
export const passageKey = (p: Pick<Passage, 'title' | 'text'>): string => `${p.title ?? ''}\n${p.text}`;
