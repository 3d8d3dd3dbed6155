import { stemmer } from 'stemmer';
import { createTokenizer, ENGLISH_STOPWORDS } from '../../../text/tokenize.js';
import { createRng, type Rng } from '../../../util/rng.js';
import type { Candidate, GenerationRequest, GenerationResult, Passage, QueryGenerator, Style } from '../types.js';
import { passageKey } from '../passages.js';
import type { GeneratorContext } from './context.js';

/**
 * The offline generator: no model, no network. It builds queries from what the corpus itself
 * says — the passage's salient terms by BM25 idf against all passages, question and novice
 * templates over those terms, error strings and codes found in the text, acronyms with the
 * expansions the corpus defines ("Single Sign-On (SSO)"), and other surface forms of a term found
 * in the corpus. It is fast and deterministic, and it is weaker than an LLM: it cannot paraphrase,
 * it knows no synonym the corpus does not spell out, and its questions are templates. Use it to
 * start without set-up, in tests, and as a lexical baseline; use `llm` for paraphrases.
 */

const stem = (() => {
  const cache = new Map<string, string>();
  return (t: string): string => {
    let s = cache.get(t);
    if (s === undefined) {
      s = /^[a-z]+$/.test(t) ? stemmer(t) : t;
      if (cache.size < 500_000) cache.set(t, s);
    }
    return s;
  };
})();

// Words too common in queries to be salient, beyond the stop list.
const WEAK = new Set(['also', 'may', 'must', 'one', 'two', 'use', 'used', 'using', 'would', 'could', 'should', 'shall', 'given', 'made', 'make', 'well', 'new', 'however', 'thus', 'hence', 'therefore', 'paper', 'results', 'present', 'presented', 'shown', 'show', 'shows', 'obtained', 'found', 'case', 'cases', 'method', 'et', 'al', 'both', 'each', 'other', 'some', 'all', 'any', 'more', 'most', 'only', 'same', 'over', 'under', 'between', 'about', 'after', 'before', 'through', 'during', 'within', 'without', 'upon', 'here', 'there', 'them', 'those', 'while', 'because', 'since', 'being', 'just', 'like', 'via', 'e', 'g', 'i', 'let', 'lets', 'get', 'gets', 'see', 'way', 'etc']);

const isUnspaced = (t: string) => /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u.test(t);
const isContent = (t: string) => !ENGLISH_STOPWORDS.has(t) && !WEAK.has(t) && (isUnspaced(t) || (t.length >= 3 && !/^\d+$/.test(t)));

interface Term {
  readonly surface: string;
  readonly stem: string;
  readonly weight: number;
  readonly idf: number;
  readonly first: number;
}

/** Corpus-level statistics the generator reads: idf of stems, surface forms of a stem, acronyms. */
interface CorpusStats {
  idf(stem: string): number;
  /** Other surface forms of a stem seen in the corpus, most frequent first. */
  variants(stem: string): readonly string[];
  /** ACRONYM -> expansion (lower case), and expansion -> ACRONYM. */
  readonly acronyms: ReadonlyMap<string, string>;
  readonly expansions: ReadonlyMap<string, string>;
  /** First word of an expansion -> the expansions starting with it. */
  readonly expansionsByFirst: ReadonlyMap<string, readonly string[]>;
}

const STOP_IN_EXPANSION = new Set(['of', 'and', 'the', 'for', 'to', 'in', 'on', 'a', 'an', '&']);

/** Does `acronym` abbreviate `phrase`? Its capitals are the initials of the phrase's last words (stop words may be skipped, hyphens split words). */
export function abbreviates(acronym: string, phrase: string): string | undefined {
  const letters = acronym.replace(/[^A-Z]/g, '');
  if (letters.length < 2) return undefined;
  const words = [...phrase.matchAll(/[^\s-]+/g)];
  let li = letters.length - 1;
  let wi = words.length - 1;
  let startWord = -1;
  while (li >= 0 && wi >= 0) {
    const w = words[wi]![0];
    if (w[0]!.toUpperCase() === letters[li]) {
      li--;
      startWord = wi;
    } else if (!STOP_IN_EXPANSION.has(w.toLowerCase())) return undefined;
    wi--;
  }
  if (li >= 0 || startWord < 0) return undefined;
  return phrase.slice(words[startWord]!.index).trim();
}

const ACRONYM_AFTER = /((?:[A-Za-z][\w&-]*\s+){0,7}[A-Za-z][\w&-]*)\s*\(\s*([A-Z][A-Za-z0-9]{1,9}s?)\s*\)/g;
const ACRONYM_BEFORE = /\b([A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*)\s*\(\s*([A-Za-z][\w&\s-]{3,80}?)\s*\)/g;

function findAcronyms(text: string, into: Map<string, Map<string, number>>): void {
  const add = (acr: string, exp: string) => {
    const a = acr.replace(/s$/, (m) => (acr.length > 2 && /[A-Z]s$/.test(acr) ? '' : m));
    let m = into.get(a);
    if (!m) into.set(a, (m = new Map()));
    const e = exp.toLowerCase();
    m.set(e, (m.get(e) ?? 0) + 1);
  };
  for (const m of text.matchAll(ACRONYM_AFTER)) {
    const exp = abbreviates(m[2]!, m[1]!);
    if (exp) add(m[2]!, exp);
  }
  for (const m of text.matchAll(ACRONYM_BEFORE)) {
    const exp = abbreviates(m[1]!, m[2]!);
    if (exp && exp.split(/[\s-]+/).length === m[2]!.trim().split(/[\s-]+/).length) add(m[1]!, exp);
  }
}

function corpusStats(passages: readonly Passage[]): CorpusStats {
  const tok = createTokenizer({});
  const df = new Map<string, number>();
  const forms = new Map<string, Map<string, number>>();
  const acr = new Map<string, Map<string, number>>();
  const seenDoc = new Set<string>();
  for (const p of passages) {
    const seen = new Set<string>();
    for (const t of tok(p.title ? `${p.title} ${p.text}` : p.text)) {
      const s = stem(t);
      if (!seen.has(s)) {
        seen.add(s);
        df.set(s, (df.get(s) ?? 0) + 1);
      }
      if (/^[a-z]+$/.test(t) && t !== s) {
        let f = forms.get(s);
        if (!f) forms.set(s, (f = new Map()));
        if (f.size < 8 || f.has(t)) f.set(t, (f.get(t) ?? 0) + 1);
      }
    }
    // Acronyms are defined once per document, not per overlapping passage.
    if (!seenDoc.has(p.doc_id) || p.n > 0) findAcronyms(p.text, acr);
    seenDoc.add(p.doc_id);
  }
  const n = passages.length;
  const acronyms = new Map<string, string>();
  const expansions = new Map<string, string>();
  for (const a of [...acr.keys()].sort()) {
    const best = [...acr.get(a)!.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]!;
    acronyms.set(a, best[0]);
    if (!expansions.has(best[0])) expansions.set(best[0], a);
  }
  const variantsOf = new Map<string, string[]>();
  const expansionsByFirst = new Map<string, string[]>();
  for (const e of expansions.keys()) {
    const f = e.split(/[\s-]+/)[0]!;
    const l = expansionsByFirst.get(f);
    if (l) l.push(e);
    else expansionsByFirst.set(f, [e]);
  }
  return {
    expansionsByFirst,
    idf: (s) => {
      const d = df.get(s) ?? 0;
      return Math.log(1 + (n - d + 0.5) / (d + 0.5));
    },
    variants: (s) => {
      let v = variantsOf.get(s);
      if (!v) {
        const f = forms.get(s);
        v = f ? [...f.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([w]) => w) : [];
        variantsOf.set(s, v);
      }
      return v;
    },
    acronyms,
    expansions,
  };
}

interface Analysis {
  /** Content terms by tf x idf, best first. */
  readonly terms: readonly Term[];
  /** Two-word phrases of adjacent content words, best first. */
  readonly phrases: readonly { readonly text: string; readonly weight: number; readonly stems: readonly string[] }[];
  readonly lower: string;
  /** Acronyms of the corpus map the passage uses, sorted. */
  readonly acronymsUsed: readonly string[];
  /** Expansions of the corpus map the passage spells out, sorted. */
  readonly expansionsUsed: readonly string[];
  /** Upper-case words of 2-6 letters (acronyms without a known expansion too), sorted. */
  readonly caps: readonly string[];
}

function analyse(p: Passage, stats: CorpusStats, tok: (s: string) => string[]): Analysis {
  const toks = tok(p.text);
  const byStem = new Map<string, { surface: Map<string, number>; tf: number; first: number }>();
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (!isContent(t)) continue;
    const s = stem(t);
    let e = byStem.get(s);
    if (!e) byStem.set(s, (e = { surface: new Map(), tf: 0, first: i }));
    e.tf++;
    e.surface.set(t, (e.surface.get(t) ?? 0) + 1);
  }
  const terms: Term[] = [];
  for (const [s, e] of byStem) {
    const idf = stats.idf(s);
    const surface = [...e.surface.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]![0];
    // Sub-linear tf (BM25-like saturation with k1 = 0.9) so that one repeated word does not take every query.
    terms.push({ surface, stem: s, idf, weight: (idf * e.tf * 1.9) / (e.tf + 0.9), first: e.first });
  }
  terms.sort((a, b) => b.weight - a.weight || a.first - b.first);
  const phraseMap = new Map<string, { text: string; weight: number; stems: string[]; first: number }>();
  for (let i = 0; i + 1 < toks.length; i++) {
    const a = toks[i]!, b = toks[i + 1]!;
    if (!isContent(a) || !isContent(b) || isUnspaced(a) || isUnspaced(b)) continue;
    const key = `${a} ${b}`;
    const e = phraseMap.get(key);
    const w = stats.idf(stem(a)) + stats.idf(stem(b));
    if (e) e.weight += w * 0.5;
    else phraseMap.set(key, { text: key, weight: w, stems: [stem(a), stem(b)], first: i });
  }
  const phrases = [...phraseMap.values()].sort((x, y) => y.weight - x.weight || x.first - y.first);
  const lower = p.text.toLowerCase();
  const caps = new Set<string>();
  const acronymsUsed = new Set<string>();
  for (const m of p.text.matchAll(/\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b/g)) {
    if (stats.acronyms.has(m[0])) acronymsUsed.add(m[0]);
    if (/^[A-Z]{2,6}$/.test(m[0]) && !ENGLISH_STOPWORDS.has(m[0].toLowerCase())) caps.add(m[0]);
  }
  const expansionsUsed = new Set<string>();
  for (const t of new Set(toks)) for (const e of stats.expansionsByFirst.get(t) ?? []) if (lower.includes(e)) expansionsUsed.add(e);
  return { terms, phrases, lower, acronymsUsed: [...acronymsUsed].sort(), expansionsUsed: [...expansionsUsed].sort(), caps: [...caps].sort() };
}

/** Weighted sampling of k distinct items (weights >= 0), in rank order of the draw. */
function sample<T>(items: readonly T[], weight: (t: T) => number, k: number, rng: Rng): T[] {
  const pool = items.slice();
  const out: T[] = [];
  while (out.length < k && pool.length > 0) {
    let total = 0;
    for (const t of pool) total += Math.max(1e-9, weight(t));
    let r = rng.next() * total;
    let pick = pool.length - 1;
    for (let i = 0; i < pool.length; i++) {
      r -= Math.max(1e-9, weight(pool[i]!));
      if (r <= 0) {
        pick = i;
        break;
      }
    }
    out.push(pool[pick]!);
    pool.splice(pick, 1);
  }
  return out;
}

const pick = <T>(xs: readonly T[], rng: Rng): T => xs[rng.int(xs.length)]!;
const joinTerms = (ts: readonly Term[]) => [...ts].sort((a, b) => a.first - b.first).map((t) => t.surface).join(' ');

const QUESTION_ONE = ['what is {a}', 'how does {a} work', 'how to measure {a}', 'why is {a} important', 'what causes {a}', 'how is {a} calculated'];
const QUESTION_TWO = ['how does {a} affect {b}', 'what is the effect of {a} on {b}', 'how is {a} related to {b}', 'what is the relation between {a} and {b}', 'can {a} be used for {b}'];
const NOVICE = ['what does {t} mean', '{a} not working', 'help with {a}', 'how do i {a}', 'problem with {a}', 'why is my {a} wrong', '{a} explained simply'];

const ERROR_QUOTED = /["“'`]([^"”'`\n]{6,100})["”'`]/g;
const ERROR_WORDS = /\b(error|errors|fail(?:ed|s|ure)?|denied|invalid|not found|unable|cannot|can't|exception|timeout|timed out|refused|forbidden|unauthori[sz]ed|missing|unknown|crash(?:ed)?)\b/i;
const ERROR_CODE = /\b(?:[A-Z]{2,}[-_]?\d{2,}[A-Z0-9]*|0x[0-9A-Fa-f]{4,}|E\d{3,}|HTTP\s?[1-5]\d\d|(?:error|code|errno)\s*[:#]?\s*-?\d{2,})\b/g;
const ERROR_CLASS = /\b[A-Z][A-Za-z]+(?:Error|Exception|Fault)\b/g;
const LOG_LINE = /\b(?:ERROR|FATAL|CRITICAL|WARN(?:ING)?)\b[:\]\s-]+([^\n.,;]{5,80})/g;

/** Error strings and codes in a text, in order of appearance, de-duplicated. */
export function findErrorStrings(text: string): string[] {
  const found: { at: number; s: string }[] = [];
  for (const m of text.matchAll(ERROR_QUOTED)) if (ERROR_WORDS.test(m[1]!)) found.push({ at: m.index, s: m[1]!.trim() });
  for (const m of text.matchAll(LOG_LINE)) found.push({ at: m.index, s: m[0].trim() });
  for (const m of text.matchAll(ERROR_CLASS)) found.push({ at: m.index, s: m[0] });
  for (const m of text.matchAll(ERROR_CODE)) found.push({ at: m.index, s: m[0].trim() });
  found.sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of found) {
    const k = f.s.toLowerCase();
    if ([...seen].some((s) => s.includes(k))) continue;
    seen.add(k);
    out.push(f.s);
  }
  return out;
}

interface Made {
  readonly text?: string;
  readonly miss?: string;
}

function makeQuery(style: Style, p: Passage, a: Analysis, stats: CorpusStats, rng: Rng): Made {
  const terms = a.terms;
  if (terms.length === 0 && style !== 'error') return { miss: 'no_salient_terms' };
  const top = terms.slice(0, 8);
  switch (style) {
    case 'keyword': {
      const k = Math.min(top.length, 2 + rng.int(3));
      return { text: joinTerms(sample(top, (t) => t.weight, k, rng)) };
    }
    case 'expert': {
      // Rarest terms, with a code or an acronym of the passage when there is one.
      const rare = [...terms].sort((x, y) => y.idf - x.idf || x.first - y.first).slice(0, 6);
      const k = Math.min(rare.length, 3 + rng.int(3));
      const chosen = sample(rare, (t) => t.idf, k, rng);
      const extra = a.acronymsUsed[0] ?? a.caps[0] ?? findErrorStrings(p.text).find((s) => /\d/.test(s) && s.length <= 12);
      const q = joinTerms(chosen);
      return { text: extra && !q.includes(extra.toLowerCase()) ? `${extra} ${q}` : q };
    }
    case 'question': {
      const phr = a.phrases.slice(0, 6);
      const first = phr.length > 0 && rng.next() < 0.6 ? sample(phr, (x) => x.weight, 1, rng)[0]!.text : sample(top, (t) => t.weight, 1, rng)[0]!.surface;
      const others = top.filter((t) => !first.includes(t.surface));
      if (others.length > 0 && rng.next() < 0.5) {
        const b = sample(others.slice(0, 5), (t) => t.weight, 1, rng)[0]!.surface;
        return { text: pick(QUESTION_TWO, rng).replace('{a}', first).replace('{b}', b) };
      }
      return { text: pick(QUESTION_ONE, rng).replace('{a}', first) };
    }
    case 'novice': {
      // Novices use the commoner words of the passage, and ask about its rarest one.
      const common = [...top].sort((x, y) => x.idf - y.idf || x.first - y.first).slice(0, 4);
      const t = pick(NOVICE, rng);
      if (t.includes('{t}')) return { text: t.replace('{t}', [...terms].sort((x, y) => y.idf - x.idf || x.first - y.first)[0]!.surface) };
      const k = Math.min(common.length, 1 + rng.int(2));
      return { text: t.replace('{a}', joinTerms(sample(common, (x) => 1 / Math.max(0.1, x.idf), k, rng))) };
    }
    case 'error': {
      const errs = findErrorStrings(p.text);
      if (errs.length === 0) return { miss: 'no_error_string' };
      const e = pick(errs.slice(0, 4), rng);
      const ctx = top.filter((t) => !e.toLowerCase().includes(t.surface));
      const r = rng.next();
      if (r < 0.4 || ctx.length === 0) return { text: e.length > 12 ? `"${e}"` : `${e} error` };
      return { text: `${e} ${ctx[0]!.surface}` };
    }
    case 'acronym': {
      // An expansion the passage spells out becomes its acronym; an acronym it uses stays.
      const options = new Set<string>([...a.expansionsUsed.map((e) => stats.expansions.get(e)!), ...a.acronymsUsed, ...a.caps]);
      if (options.size === 0) return { miss: 'no_acronym' };
      const ac = pick([...options].sort(), rng);
      const exp = stats.acronyms.get(ac);
      const ctx = top.filter((t) => !(exp ?? '').includes(t.surface) && t.surface !== ac.toLowerCase());
      const casing = rng.next() < 0.5 ? ac.toLowerCase() : ac;
      return { text: ctx.length > 0 ? `${casing} ${sample(ctx.slice(0, 4), (t) => t.weight, 1, rng)[0]!.surface}` : casing };
    }
    case 'synonym': {
      // Say it the other way the corpus says it: an acronym the passage uses by its expansion, or
      // one term by another inflection found in the corpus.
      const k = Math.min(top.length, 2 + rng.int(2));
      const chosen = sample(top, (t) => t.weight, k, rng).sort((x, y) => x.first - y.first);
      const words = chosen.map((t) => t.surface);
      const ways: (() => string | undefined)[] = [
        () => {
          if (a.acronymsUsed.length === 0) return undefined;
          const ac = pick(a.acronymsUsed, rng);
          const exp = stats.acronyms.get(ac)!;
          const rest = chosen.filter((t) => t.surface !== ac.toLowerCase() && !exp.includes(t.surface)).slice(0, 2).map((t) => t.surface);
          return [exp, ...rest].join(' ');
        },
        () => {
          if (a.expansionsUsed.length === 0) return undefined;
          const e = pick(a.expansionsUsed, rng);
          const rest = chosen.filter((t) => !e.includes(t.surface)).slice(0, 2).map((t) => t.surface);
          return [stats.expansions.get(e)!.toLowerCase(), ...rest].join(' ');
        },
        () => {
          const i0 = rng.int(chosen.length);
          for (let j = 0; j < chosen.length; j++) {
            const i = (i0 + j) % chosen.length;
            const v = stats.variants(chosen[i]!.stem).find((w) => w !== chosen[i]!.surface);
            if (v) return words.map((w, k) => (k === i ? v : w)).join(' ');
          }
          return undefined;
        },
      ];
      const start = rng.int(ways.length);
      for (let j = 0; j < ways.length; j++) {
        const q = ways[(start + j) % ways.length]!();
        if (q) return { text: q };
      }
      return { miss: 'no_synonym' };
    }
  }
}

export async function createOfflineGenerator(ctx: GeneratorContext): Promise<QueryGenerator> {
  const stats = corpusStats(ctx.passages);
  const tok = createTokenizer({});
  const counters = { passages: 0, candidates: 0, misses: 0 };
  const perStyle = ctx.options.queriesPerStyle;
  return {
    name: 'offline',
    id: `offline:v1:acronyms=${stats.acronyms.size}`,
    batchSize: 256,
    async generate(requests: readonly GenerationRequest[]): Promise<GenerationResult[]> {
      return requests.map(({ passage, styles }) => {
        counters.passages++;
        const a = analyse(passage, stats, tok);
        const candidates: Candidate[] = [];
        const misses: { style: Style; reason: string }[] = [];
        for (const style of styles) {
          const rng = createRng(`${ctx.seed}|offline|${passageKey(passage)}|${style}`);
          let made = 0;
          let miss: string | undefined;
          for (let attempt = 0; attempt < perStyle * 3 && made < perStyle; attempt++) {
            const m = makeQuery(style, passage, a, stats, rng);
            if (m.miss) {
              miss = m.miss;
              break;
            }
            const text = m.text!.replace(/\s+/g, ' ').trim();
            if (text === '' || candidates.some((c) => c.text === text)) continue;
            candidates.push({ text, style });
            made++;
          }
          if (made === 0) misses.push({ style, reason: miss ?? 'no_new_query' });
        }
        counters.candidates += candidates.length;
        counters.misses += misses.length;
        return { candidates, misses };
      });
    },
    stats: () => ({ ...counters, acronyms: stats.acronyms.size }),
    async close() {},
  };
}

/** The acronyms a corpus defines, for tests and the report. */
export function corpusAcronyms(passages: readonly Passage[]): ReadonlyMap<string, string> {
  return corpusStats(passages).acronyms;
}
