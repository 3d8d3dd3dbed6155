import { stemmer } from 'stemmer';
import { z } from 'zod';

/**
 * The coarse "intent" normaliser behind query families: "How do I reset my Okta tokens?" and
 * "okta token reset" get the same key. It is much coarser than normalizeQuery (the evidence key):
 * it drops stop and question words, stems and sorts tokens. Non-Latin text is never stemmed or
 * stop-worded; scripts written without spaces (Chinese, Japanese, Thai, ...) are segmented into
 * words with `Intl.Segmenter` so that token sorting does not scramble their characters.
 */

/**
 * English stop and question words. Question openers ("how do i", "what is", "how to", "where can
 * i", "is there a") are covered word by word. Negations (no, not, nor, without) and comparison
 * words (vs, versus, between) are deliberately absent: "laptop without fan" is not "laptop fan".
 */
export const FAMILY_STOP_WORDS: readonly string[] = (
  'a an the and or but if then so as of at by for from in into on onto to with within about over under ' +
  'up down out off via per ' +
  'i me my mine we us our you your yours he him his she her it its they them their this that these those ' +
  'am is are was were be been being do does did doing done have has had having ' +
  'can could will would shall should may might must ' +
  'how what whats when where which who whom whose why hows wheres whos ' +
  'please there here any some'
).split(' ');

export const familyKeyOptions = z.object({
  foldAccents: z.boolean().default(true)
    .describe('Strip accents from Latin letters (café -> cafe). Marks on other scripts (Devanagari vowel signs, Japanese dakuten) are always kept: removing them changes the word.'),
  removeStopWords: z.boolean().default(true)
    .describe('Drop stop and question words from Latin-script tokens. A query made only of stop words keeps its normalised form.'),
  stopWords: z.array(z.string()).optional()
    .describe('Your own stop-word list (lower case, one word each); default FAMILY_STOP_WORDS (English).'),
  stem: z.boolean().default(true)
    .describe('Porter-stem Latin-script tokens (the `stemmer` package): "tokens" and "token" meet.'),
  sortTokens: z.boolean().default(true)
    .describe('Sort tokens so that word order does not matter ("okta token reset" = "reset okta token").'),
  dedupeTokens: z.boolean().default(true)
    .describe('Keep each token once ("vpn vpn error" = "vpn error").'),
});
export type FamilyKeyOptions = z.infer<typeof familyKeyOptions>;

const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const PUNCT = /[\p{P}\p{S}\p{C}]+/gu;
const APOSTROPHE = /['’ʼ`´]/gu;
const HAS_MARK = /\p{M}/u;
const LATIN_MARKS = /(\p{Script=Latin})\p{M}+/gu;
const LATIN_WORD = /^\p{Script=Latin}+$/u;
const ASCII_WORD = /^[a-z]+$/;
const WS = /\s+/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export type FamilyKeyer = (query: string) => string;

/** Build a key function once (it caches stems and segmenter state) and call it per query. */
export function createFamilyKeyer(options: Partial<FamilyKeyOptions> = {}): FamilyKeyer {
  const o = familyKeyOptions.parse(options);
  const stop = new Set(o.stopWords ?? FAMILY_STOP_WORDS);
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
  const stemCache = new Map<string, string>();
  const stemOf = (t: string): string => {
    let s = stemCache.get(t);
    if (s === undefined) {
      s = ASCII_WORD.test(t) || LATIN_WORD.test(t) ? stemmer(t) : t;
      if (stemCache.size < 1_000_000) stemCache.set(t, s);
    }
    return s;
  };

  const surfaceTokens = (query: string): string[] => {
    const ascii = PRINTABLE_ASCII.test(query);
    let s = (ascii ? query : query.normalize('NFKC')).toLowerCase().replace(APOSTROPHE, '');
    if (!ascii && o.foldAccents) {
      const d = s.normalize('NFD');
      if (HAS_MARK.test(d)) s = d.replace(LATIN_MARKS, '$1').normalize('NFC');
    }
    s = s.replace(PUNCT, ' ').trim();
    if (s === '') return [];
    if (ascii) return s.split(WS);
    const out: string[] = [];
    for (const chunk of s.split(WS)) {
      if (!UNSPACED.test(chunk)) {
        out.push(chunk);
        continue;
      }
      for (const seg of segmenter.segment(chunk)) if (seg.isWordLike) out.push(seg.segment);
    }
    return out;
  };

  return (query: string): string => {
    const surface = surfaceTokens(query);
    if (surface.length === 0) return query.normalize('NFKC').toLowerCase().trim();
    let toks: string[] = [];
    for (const t of surface) {
      const latin = ASCII_WORD.test(t) || LATIN_WORD.test(t);
      if (latin && o.removeStopWords && stop.has(t)) continue;
      toks.push(latin && o.stem ? stemOf(t) : t);
    }
    if (toks.length === 0) return surface.join(' ');
    if (o.sortTokens) toks.sort();
    if (o.dedupeTokens) toks = toks.filter((t, i) => (o.sortTokens ? i === 0 || toks[i - 1] !== t : toks.indexOf(t) === i));
    return toks.join(' ');
  };
}

const defaultKeyer: { fn?: FamilyKeyer } = {};
const keyerCache = new WeakMap<object, FamilyKeyer>();

/**
 * The family key of one query. For many queries build a keyer once with createFamilyKeyer (the
 * keyer for a given options object is cached here too).
 */
export function familyKey(query: string, opts?: Partial<FamilyKeyOptions>): string {
  if (!opts) return (defaultKeyer.fn ??= createFamilyKeyer())(query);
  let fn = keyerCache.get(opts);
  if (!fn) keyerCache.set(opts, (fn = createFamilyKeyer(opts)));
  return fn(query);
}
