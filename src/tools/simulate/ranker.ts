import { contentTokens } from './text.js';
import type { SimulatedWorld } from './types.js';

/**
 * Candidate lists of the simulated production ranker, computed once per query: the top
 * `candidates` documents by IDF-weighted token overlap (a deliberately simple lexical score, not
 * BM25), plus every judged document (the real ranker has other features) and a few lexical
 * lookalikes (so that pages can promote them). Flat typed arrays: query i owns
 * [start[i], start[i+1]).
 */
export interface CandidateIndex {
  readonly start: Int32Array;
  readonly doc: Int32Array;
  /** Share of the query's IDF mass found in the document, 0..1. */
  readonly lex: Float32Array;
  readonly grade: Uint8Array;
  readonly lookalike: Uint8Array;
}

export function buildCandidates(world: SimulatedWorld, candidates: number): CandidateIndex {
  const docIndex = new Map<string, number>();
  world.docs.forEach((d, i) => docIndex.set(d.doc_id, i));
  const vocab = new Map<string, number>();
  const docTokens: Int32Array[] = [];
  const df: number[] = [];
  for (const d of world.docs) {
    const ids = new Set<number>();
    for (const t of contentTokens(`${d.title} ${d.text}`)) {
      let id = vocab.get(t);
      if (id === undefined) { id = vocab.size; vocab.set(t, id); df.push(0); }
      ids.add(id);
    }
    const arr = Int32Array.from(ids);
    for (const id of arr) df[id] = (df[id] ?? 0) + 1;
    docTokens.push(arr);
  }
  const N = world.docs.length;
  const idf = Float64Array.from(df, (n) => Math.log(1 + N / n));
  // Postings (CSR).
  const pStart = new Int32Array(vocab.size + 1);
  for (const arr of docTokens) for (const id of arr) pStart[id + 1] = (pStart[id + 1] ?? 0) + 1;
  for (let i = 0; i < vocab.size; i++) pStart[i + 1] = (pStart[i + 1] ?? 0) + (pStart[i] ?? 0);
  const fillAt = pStart.slice(0, vocab.size);
  const post = new Int32Array(pStart[vocab.size] ?? 0);
  docTokens.forEach((arr, di) => { for (const id of arr) post[fillAt[id]!++] = di; });

  const judged = new Map<string, Map<number, number>>();
  for (const r of world.qrels) {
    const di = docIndex.get(r.doc_id);
    if (di === undefined) continue;
    let m = judged.get(r.query);
    if (!m) judged.set(r.query, (m = new Map()));
    m.set(di, r.grade);
  }

  const acc = new Float64Array(N);
  const touched: number[] = [];
  const topD = new Int32Array(candidates);
  const topL = new Int32Array(5);
  const lookCache = new Map<string, Int32Array>();
  const lookIdxOf = (family: string): Int32Array => {
    let a = lookCache.get(family);
    if (!a) {
      a = Int32Array.from((world.lookalikes.get(family) ?? []).map((id) => docIndex.get(id) ?? -1).filter((d) => d >= 0));
      lookCache.set(family, a);
    }
    return a;
  };
  const start = new Int32Array(world.queries.length + 1);
  const doc: number[] = [];
  const lex: number[] = [];
  const grade: number[] = [];
  const look: number[] = [];
  world.queries.forEach((q, qi) => {
    const toks = new Set<number>();
    let mass = 0;
    for (const t of contentTokens(q.query)) {
      const id = vocab.get(t);
      // A query word found in no document still counts in the query's mass (as the rarest word).
      if (id !== undefined) toks.add(id);
      else mass += Math.log(1 + N);
    }
    for (const id of toks) {
      const w = idf[id] as number;
      mass += w;
      for (let p = pStart[id] as number; p < (pStart[id + 1] as number); p++) {
        const d = post[p] as number;
        if (acc[d] === 0) touched.push(d);
        acc[d] = (acc[d] as number) + w;
      }
    }
    // Top `candidates` by score (ties: lower doc index), by insertion: most documents are rejected
    // by one comparison with the current minimum.
    let m = 0;
    for (const d of touched) {
      const v = acc[d] as number;
      if (m === candidates) {
        const lv = acc[topD[m - 1] as number] as number;
        if (v < lv || (v === lv && d > (topD[m - 1] as number))) continue;
      } else m++;
      let i = m - 1;
      while (i > 0) {
        const pd = topD[i - 1] as number;
        const pv = acc[pd] as number;
        if (pv > v || (pv === v && pd < d)) break;
        topD[i] = pd;
        i--;
      }
      topD[i] = d;
    }
    const chosen = new Map<number, number>();
    for (let i = 0; i < m; i++) chosen.set(topD[i] as number, 0);
    const g = judged.get(q.query) ?? new Map<number, number>();
    for (const di of g.keys()) if (!chosen.has(di)) chosen.set(di, 0);
    // The five lexically closest lookalikes, so that a page can promote one.
    let nl = 0;
    for (const d of lookIdxOf(q.family)) {
      if (g.has(d)) continue;
      const v = acc[d] as number;
      if (nl === 5) {
        const lv = acc[topL[4] as number] as number;
        if (v < lv || (v === lv && d > (topL[4] as number))) continue;
      } else nl++;
      let i = nl - 1;
      while (i > 0) {
        const pd = topL[i - 1] as number;
        const pv = acc[pd] as number;
        if (pv > v || (pv === v && pd < d)) break;
        topL[i] = pd;
        i--;
      }
      topL[i] = d;
    }
    for (let i = 0; i < nl; i++) chosen.set(topL[i] as number, 1);
    start[qi] = doc.length;
    for (const [di, isLook] of chosen) {
      doc.push(di);
      lex.push(mass > 0 ? (acc[di] as number) / mass : 0);
      grade.push(g.get(di) ?? 0);
      look.push(isLook);
    }
    for (const d of touched) acc[d] = 0;
    touched.length = 0;
  });
  start[world.queries.length] = doc.length;
  return { start, doc: Int32Array.from(doc), lex: Float32Array.from(lex), grade: Uint8Array.from(grade), lookalike: Uint8Array.from(look) };
}
