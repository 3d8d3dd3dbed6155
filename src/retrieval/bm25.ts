import { usageError } from '../errors.js';
import { createTokenizer, type TokenizeOptions, type Tokenizer } from '../text/tokenize.js';
import { canonicalTermOrder, scoreTerms, searchTerms } from './bm25-prune.js';

/**
 * Okapi BM25 over our own inverted index (the DuckDB `fts` extension is not available offline).
 *
 * Postings are CSR arrays: for term t, documents `docs[start[t] .. start[t+1])` (ascending) with
 * precomputed impacts `idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))`, so a query
 * is one pass of additions into a reused Float32Array accumulator followed by an exact top-k heap
 * over the documents it touched. idf is Lucene's `ln(1 + (N - df + 0.5) / (df + 0.5))` (never
 * negative). A query term that appears twice counts twice (as in Lucene and bm25s).
 */
export interface Bm25Options {
  /** Term-frequency saturation. 0.9 is Anserini's default (tuned on MS MARCO), also bm25s'. */
  readonly k1?: number;
  /** Length normalisation. 0.4 is Anserini's default for short passages. */
  readonly b?: number;
  /** Tokeniser options. Default: English stop words removed, Porter stemming (Anserini's default analyser). */
  readonly tokenize?: TokenizeOptions;
}

export interface Bm25SearchResult {
  /** Document indices (positions in the input array), best first. */
  readonly ids: Int32Array;
  readonly scores: Float32Array;
}

/** Every matching document's score, in no particular order. */
export interface Bm25Scores {
  readonly ids: Int32Array;
  readonly scores: Float32Array;
  readonly max: number;
}

export interface Bm25Index {
  readonly size: number;
  readonly vocabularySize: number;
  readonly avgDocLength: number;
  /**
   * Top-k documents for a query. Documents without any query term are never returned. `prune`
   * skips postings that cannot change the top k (bm25-prune), with the same result; it is off by
   * default because on the benchmark's query shape it measured slower than the full scan.
   */
  search(query: string, k: number, opts?: { exclude?: ReadonlySet<number>; prune?: boolean }): Bm25SearchResult;
  /**
   * The score of every document holding a query term, unranked: the same scores as
   * `search(query, size)` (same float32 sums), `max` its first score (0 when no document matches),
   * in O(postings) without ordering the matches, for callers that look scores up by document.
   */
  scoreAll(query: string): Bm25Scores;
  /** The id of document index i. */
  docId(i: number): string;
  /** Bytes held by the index arrays (not counting the id strings and the vocabulary Map). */
  bytes(): number;
}

/** What the parallel searcher needs: the CSR arrays (SharedArrayBuffer-backed) and the query side. */
export interface Bm25Internals {
  readonly n: number;
  readonly start: Int32Array;
  readonly postDoc: Int32Array;
  readonly postImpact: Float32Array;
  /** The largest impact of each term: the order a query's terms are summed in (bm25-prune). */
  readonly maxImpact: Float32Array;
  readonly vocab: ReadonlyMap<string, number>;
  readonly tokenize: Tokenizer;
}

const internals = new WeakMap<Bm25Index, Bm25Internals>();

/** The arrays behind an index built by `buildBm25` (for bm25-parallel; not a public API). */
export function bm25Internals(index: Bm25Index): Bm25Internals {
  const it = internals.get(index);
  if (it === undefined) throw usageError('bad_bm25_index', 'This BM25 index was not built by buildBm25 (no shared postings): build it with buildBm25.');
  return it;
}

const sharedInt32 = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
const sharedFloat32 = (n: number): Float32Array => new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);

export const BM25_DEFAULTS = { k1: 0.9, b: 0.4, tokenize: { stopwords: true, stem: true } } as const;

/** Pass 1's output: every document's (term id, tf) pairs, the document frequencies and the terms. */
interface TermCounts {
  readonly ids: string[];
  readonly docLen: Int32Array;
  readonly pairTerm: Int32Array;
  readonly pairTf: Uint16Array;
  readonly pairStart: Int32Array;
  readonly np: number;
  readonly df: Int32Array;
  readonly keys: readonly string[];
}

const fnv1a = (w: string): number => {
  let h = 0x811c9dc5;
  for (let j = 0; j < w.length; j++) h = Math.imul(h ^ w.charCodeAt(j), 0x01000193);
  return h;
};

/**
 * Pass 1: per-document (term, tf) pairs, appended to growable buffers. Terms get ids through an
 * open-addressing table keyed by an FNV hash of the characters: about 2x faster than Map.get on
 * freshly split strings (whose hash V8 has not cached yet). A term's tf slot in the current
 * document is found through lastDoc/slotOf, so there is no per-document sort.
 */
function countTerms(docs: readonly { id: string; text: string }[], tok: Tokenizer): TermCounts {
  const n = docs.length;
  const ids: string[] = new Array<string>(n);
  const docLen = new Int32Array(n);
  let pairTerm = new Int32Array(1 << 16);
  let pairTf = new Uint16Array(1 << 16);
  const pairStart = new Int32Array(n + 1);
  let np = 0;
  let df = new Int32Array(1024);
  let lastDoc = new Int32Array(1024).fill(-1);
  let slotOf = new Int32Array(1024);
  const keys: string[] = [];
  let tableMask = (1 << 16) - 1;
  let table = new Int32Array(tableMask + 1).fill(-1);
  for (let d = 0; d < n; d++) {
    const doc = docs[d]!;
    ids[d] = doc.id;
    const toks = tok(doc.text);
    const len = toks.length;
    docLen[d] = len;
    if (np + len > pairTerm.length) {
      const cap = Math.max(pairTerm.length * 2, np + len);
      const gt = new Int32Array(cap);
      gt.set(pairTerm.subarray(0, np));
      pairTerm = gt;
      const gf = new Uint16Array(cap);
      gf.set(pairTf.subarray(0, np));
      pairTf = gf;
    }
    for (let i = 0; i < len; i++) {
      const w = toks[i]!;
      let p = fnv1a(w) & tableMask;
      let id: number;
      for (;;) {
        id = table[p]!;
        if (id < 0 || keys[id] === w) break;
        p = (p + 1) & tableMask;
      }
      if (id < 0) {
        id = keys.length;
        keys.push(w);
        table[p] = id;
        if (id >= df.length) {
          const c = df.length * 2;
          const g = new Int32Array(c);
          g.set(df);
          df = g;
          const l = new Int32Array(c).fill(-1);
          l.set(lastDoc);
          lastDoc = l;
          const so = new Int32Array(c);
          so.set(slotOf);
          slotOf = so;
        }
        if (keys.length * 2 > tableMask) {
          // Keep the load factor under 1/2.
          tableMask = tableMask * 2 + 1;
          table = new Int32Array(tableMask + 1).fill(-1);
          for (let k = 0; k < keys.length; k++) {
            let q = fnv1a(keys[k]!) & tableMask;
            while (table[q]! >= 0) q = (q + 1) & tableMask;
            table[q] = k;
          }
        }
      }
      if (lastDoc[id] !== d) {
        lastDoc[id] = d;
        slotOf[id] = np;
        pairTerm[np] = id;
        pairTf[np] = 1;
        np++;
        df[id]!++;
      } else {
        const sl = slotOf[id]!;
        if (pairTf[sl]! < 65535) pairTf[sl]!++;
      }
    }
    pairStart[d + 1] = np;
  }
  return { ids, docLen, pairTerm, pairTf, pairStart, np, df, keys };
}

/**
 * Pass 2: counting sort into CSR by term (documents stay ascending within a term), each posting
 * holding its BM25 impact. Postings live in SharedArrayBuffers so that worker threads
 * (bm25-parallel) read them without a copy.
 */
function postings(c: TermCounts, k1: number, b: number): { start: Int32Array; postDoc: Int32Array; postImpact: Float32Array; maxImpact: Float32Array; idf: Float32Array; avg: number } {
  const { docLen, pairTerm, pairTf, pairStart, np, df } = c;
  const n = docLen.length;
  const V = c.keys.length;
  const start = sharedInt32(V + 1);
  for (let t = 0; t < V; t++) start[t + 1] = start[t]! + df[t]!;
  const cursor = start.slice(0, V);
  const postDoc = sharedInt32(np);
  const postImpact = sharedFloat32(np);
  let total = 0;
  for (let d = 0; d < n; d++) total += docLen[d]!;
  const avg = n > 0 ? total / n : 0;
  const idf = new Float32Array(V);
  const maxImpact = new Float32Array(V);
  for (let t = 0; t < V; t++) idf[t] = Math.log(1 + (n - df[t]! + 0.5) / (df[t]! + 0.5));
  for (let d = 0; d < n; d++) {
    const norm = k1 * (1 - b + (avg > 0 ? (b * docLen[d]!) / avg : 0));
    for (let p = pairStart[d]!; p < pairStart[d + 1]!; p++) {
      const t = pairTerm[p]!;
      const tf = pairTf[p]!;
      const at = cursor[t]!++;
      postDoc[at] = d;
      const imp = (postImpact[at] = (idf[t]! * tf * (k1 + 1)) / (tf + norm));
      if (imp > maxImpact[t]!) maxImpact[t] = imp;
    }
  }
  return { start, postDoc, postImpact, maxImpact, idf, avg };
}

export function buildBm25(docs: readonly { id: string; text: string }[], opts: Bm25Options = {}): Bm25Index {
  const k1 = opts.k1 ?? BM25_DEFAULTS.k1;
  const b = opts.b ?? BM25_DEFAULTS.b;
  if (!(k1 >= 0) || !(b >= 0 && b <= 1)) throw usageError('bad_bm25_options', `BM25 needs k1 >= 0 and 0 <= b <= 1 (got k1=${k1}, b=${b}).`);
  const tok: Tokenizer = createTokenizer(opts.tokenize ?? BM25_DEFAULTS.tokenize);
  const n = docs.length;
  const counts = countTerms(docs, tok);
  const { ids, docLen } = counts;
  const vocab = new Map<string, number>();
  for (let t = 0; t < counts.keys.length; t++) vocab.set(counts.keys[t]!, t);
  const V = vocab.size;
  const { start, postDoc, postImpact, maxImpact, idf, avg } = postings(counts, k1, b);

  const acc = new Float32Array(n);
  const touched = new Int32Array(n);
  const qTerms: number[] = [];
  const pruneIx = { start, postDoc, postImpact, maxImpact, acc, touched };
  /** The query's known term ids in the canonical summation order. */
  const termsOf = (query: string): number[] => {
    qTerms.length = 0;
    for (const t of tok(query)) {
      const id = vocab.get(t);
      if (id !== undefined) qTerms.push(id);
    }
    canonicalTermOrder(qTerms, maxImpact);
    return qTerms;
  };

  const index: Bm25Index = {
    size: n,
    vocabularySize: V,
    avgDocLength: avg,
    docId(i: number): string {
      const id = ids[i];
      if (id === undefined) throw usageError('bad_doc_index', `BM25 document index ${i} is out of range 0..${n - 1}.`);
      return id;
    },
    bytes: () => docLen.byteLength + start.byteLength + postDoc.byteLength + postImpact.byteLength + maxImpact.byteLength + idf.byteLength + acc.byteLength + touched.byteLength,
    search(query: string, k: number, sopts?: { exclude?: ReadonlySet<number>; prune?: boolean }): Bm25SearchResult {
      return searchTerms(pruneIx, termsOf(query), k, sopts?.exclude, sopts?.prune === true);
    },
    scoreAll: (query: string): Bm25Scores => scoreTerms(pruneIx, termsOf(query)),
  };
  internals.set(index, { n, start, postDoc, postImpact, maxImpact, vocab, tokenize: tok });
  return index;
}
