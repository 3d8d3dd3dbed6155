import { readFile } from 'node:fs/promises';
import { inputError } from '../../errors.js';

/**
 * BERT-style tokenizer: BasicTokenizer (clean control characters, split CJK characters, optional
 * lower-casing with accent stripping, split on whitespace and punctuation) then greedy
 * longest-match-first WordPiece with a continuation prefix ("##"). Same rules as Hugging Face's
 * BertTokenizer / BertNormalizer + BertPreTokenizer + WordPiece, so ids match the model's training.
 */
export interface WordPieceOptions {
  readonly lowercase: boolean;
  readonly unkToken?: string;
  readonly clsToken?: string;
  readonly sepToken?: string;
  readonly padToken?: string;
  readonly prefix?: string;
  /** Words longer than this become one unknown token (BERT: 100). */
  readonly maxCharsPerWord?: number;
}

export interface WordPieceTokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  /** Basic tokenisation only (for tests and debugging). */
  basic(text: string): string[];
  /** WordPiece pieces of one text, without special tokens. */
  pieces(text: string): string[];
  /** [CLS] pieces [SEP] as ids, truncated to maxLength tokens (specials included). */
  encode(text: string, maxLength: number): Int32Array;
}

const isControl = (c: number) => (c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127 || (c >= 0x80 && c < 0xa0);
const isWhite = (ch: string) => /\s/u.test(ch);
const isPunct = (ch: string) => {
  const c = ch.codePointAt(0)!;
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  return /\p{P}/u.test(ch);
};
const isCjk = (c: number) =>
  (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x2a6df) || (c >= 0x2a700 && c <= 0x2b73f) ||
  (c >= 0x2b740 && c <= 0x2b81f) || (c >= 0x2b820 && c <= 0x2ceaf) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x2f800 && c <= 0x2fa1f);

export function createWordPiece(vocab: ReadonlyMap<string, number>, opts: WordPieceOptions): WordPieceTokenizer {
  const unk = opts.unkToken ?? '[UNK]';
  const prefix = opts.prefix ?? '##';
  const maxChars = opts.maxCharsPerWord ?? 100;
  const need = (tok: string) => {
    const id = vocab.get(tok);
    if (id === undefined) throw inputError('bad_vocab', `the vocabulary has no "${tok}" token; a BERT WordPiece vocabulary needs [PAD], [UNK], [CLS] and [SEP].`);
    return id;
  };
  const unkId = need(unk);
  const clsId = need(opts.clsToken ?? '[CLS]');
  const sepId = need(opts.sepToken ?? '[SEP]');
  const padId = need(opts.padToken ?? '[PAD]');

  const basic = (text: string): string[] => {
    let s = '';
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      if (c === 0 || c === 0xfffd || isControl(c)) continue;
      if (isCjk(c)) s += ` ${ch} `;
      else s += isWhite(ch) ? ' ' : ch;
    }
    if (opts.lowercase) s = s.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
    const out: string[] = [];
    for (const word of s.split(' ')) {
      if (word === '') continue;
      let cur = '';
      for (const ch of word) {
        if (isPunct(ch)) {
          if (cur) out.push(cur);
          out.push(ch);
          cur = '';
        } else cur += ch;
      }
      if (cur) out.push(cur);
    }
    return out;
  };

  const wordPieces = (word: string, out: string[]) => {
    const chars = Array.from(word);
    if (chars.length > maxChars) {
      out.push(unk);
      return;
    }
    const start = out.length;
    let i = 0;
    while (i < chars.length) {
      let j = chars.length;
      let found: string | undefined;
      while (j > i) {
        const sub = (i > 0 ? prefix : '') + chars.slice(i, j).join('');
        if (vocab.has(sub)) {
          found = sub;
          break;
        }
        j--;
      }
      if (found === undefined) {
        out.length = start; // one unknown piece makes the whole word unknown, as in BERT
        out.push(unk);
        return;
      }
      out.push(found);
      i = j;
    }
  };

  const pieces = (text: string) => {
    const out: string[] = [];
    for (const w of basic(text)) wordPieces(w, out);
    return out;
  };

  return {
    vocabSize: vocab.size,
    padId,
    basic,
    pieces,
    encode(text, maxLength) {
      const p = pieces(text);
      const n = Math.min(p.length, Math.max(0, maxLength - 2));
      const ids = new Int32Array(n + 2);
      ids[0] = clsId;
      for (let k = 0; k < n; k++) ids[k + 1] = vocab.get(p[k]!) ?? unkId;
      ids[n + 1] = sepId;
      return ids;
    },
  };
}

/** vocab.txt: one token per line, id = line number. */
export function parseVocabTxt(text: string): Map<string, number> {
  const vocab = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) if (!vocab.has(lines[i]!)) vocab.set(lines[i]!, i);
  return vocab;
}

export async function loadVocabTxt(path: string, opts: WordPieceOptions): Promise<WordPieceTokenizer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw inputError('tokenizer_missing', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  return createWordPiece(parseVocabTxt(text), opts);
}

/**
 * tokenizer.json (Hugging Face tokenizers) with a WordPiece model: vocab, unk token, continuation
 * prefix and max word length come from the model; lower-casing from a BertNormalizer when present.
 */
export async function loadTokenizerJson(path: string, opts: WordPieceOptions): Promise<WordPieceTokenizer> {
  let j: {
    model?: { type?: string; vocab?: Record<string, number>; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number };
    normalizer?: { type?: string; lowercase?: boolean } | null;
  };
  try {
    j = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw inputError('tokenizer_missing', `cannot read ${path} as JSON: ${(cause as Error).message}`, { cause });
  }
  if (j.model?.type !== 'WordPiece' || !j.model.vocab) {
    throw inputError('tokenizer_unsupported', `${path}: model.type is "${j.model?.type}"; only WordPiece tokenizers (BERT, MiniLM, BGE, E5) are supported. Use a model folder with vocab.txt or a WordPiece tokenizer.json.`);
  }
  const lowercase = j.normalizer?.type === 'BertNormalizer' && typeof j.normalizer.lowercase === 'boolean' ? j.normalizer.lowercase : opts.lowercase;
  return createWordPiece(new Map(Object.entries(j.model.vocab)), {
    ...opts,
    lowercase,
    unkToken: j.model.unk_token ?? opts.unkToken,
    prefix: j.model.continuing_subword_prefix ?? opts.prefix,
    maxCharsPerWord: j.model.max_input_chars_per_word ?? opts.maxCharsPerWord,
  });
}
