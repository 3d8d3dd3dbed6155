import { stemmer } from 'stemmer';

/**
 * Word tokeniser shared by BM25 and the built-in model.
 *
 * NFKC + lowercase, then runs of letters/digits/marks (Unicode aware). Scripts written without
 * spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) become overlapping character
 * bigrams (a lone character stays a unigram): this is what Lucene's CJKBigramFilter does and
 * needs no dictionary, is deterministic, and does not depend on the ICU build's word-break data
 * (which `Intl.Segmenter` does).
 */
export interface TokenizeOptions {
  /** Drop English stop words (true = the built-in list below, or your own set). Default false. */
  readonly stopwords?: boolean | ReadonlySet<string>;
  /** Porter-stem Latin-script tokens (the `stemmer` package). Default false. */
  readonly stem?: boolean;
  /** Drop tokens shorter than this many characters (bigrams of unspaced scripts are kept). Default 1. */
  readonly minLength?: number;
}

/** A small English stop list (Lucene's EnglishAnalyzer set plus a few frequent words). */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  ('a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with ' +
    'from has have had were been its which who what when where how can do does did i you he she we our your my me so than too very')
    .split(' '),
);

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const UNSPACED_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{M}]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+/gu;
const LATIN_ASCII = /^[a-z]+$/;
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const ASCII_SEP = /[^a-z0-9]+/;

export type Tokenizer = (text: string) => string[];

/** Build a tokeniser once (it caches stems) and call it per text. */
export function createTokenizer(opts: TokenizeOptions = {}): Tokenizer {
  const stop = opts.stopwords === true ? ENGLISH_STOPWORDS : opts.stopwords || undefined;
  const stem = opts.stem ?? false;
  const minLength = opts.minLength ?? 1;
  const stemCache = new Map<string, string>();
  const doStem = (t: string): string => {
    let s = stemCache.get(t);
    if (s === undefined) {
      s = LATIN_ASCII.test(t) ? stemmer(t) : t;
      if (stemCache.size < 500_000) stemCache.set(t, s);
    }
    return s;
  };
  const push = (out: string[], t: string): void => {
    if (t.length < minLength) return;
    if (stop && stop.has(t)) return;
    out.push(stem ? doStem(t) : t);
  };
  return (text: string): string[] => {
    const out: string[] = [];
    if (ASCII.test(text)) {
      // NFKC is the identity on ASCII: split directly (about 2x faster on English text, measured 221 vs 416 ms for 100k lines).
      const parts = text.toLowerCase().split(ASCII_SEP);
      for (let i = 0; i < parts.length; i++) if (parts[i]) push(out, parts[i]!);
      return out;
    }
    const norm = text.normalize('NFKC').toLowerCase();
    const anyUnspaced = UNSPACED.test(norm);
    for (const m of norm.matchAll(WORD)) {
      const w = m[0];
      if (!anyUnspaced || !UNSPACED.test(w)) {
        push(out, w);
        continue;
      }
      for (const part of w.matchAll(UNSPACED_RUN)) {
        const p = part[0];
        if (!UNSPACED.test(p)) {
          push(out, p);
          continue;
        }
        const chars = Array.from(p);
        if (chars.length === 1) out.push(p);
        else for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
      }
    }
    return out;
  };
}

/** One-off tokenisation; build a tokeniser with createTokenizer for many texts. */
export function tokenize(text: string, opts: TokenizeOptions = {}): string[] {
  return createTokenizer(opts)(text);
}
