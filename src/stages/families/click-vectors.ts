import { inputError } from '../../errors.js';
import type { FamilyOptions } from './options.js';
import type { ClickVector, ClickVectors, FamilyInput } from './types.js';

const STAGE = 'families';

/**
 * Per-query click vectors (rules e and f): documents by index with L1-normalised weights. Built
 * only when coSession or coClick is on (the signals are loaded for them alone); queries with fewer
 * than coClick.minClicks clicks get none.
 */
export function buildClickVectors(
  clicks: FamilyInput['clicks'],
  n: number,
  lookup: (q: string) => number | undefined,
  o: FamilyOptions,
  drop: (reason: string) => void,
): ClickVectors {
  const vecs: (ClickVector | undefined)[] = new Array(n);
  if (!(o.coSession.enabled || o.coClick.enabled) || !clicks || clicks.length === 0) return { vecs, docCount: 0 };
  const docIndex = new Map<string, number>();
  const perQ = new Map<number, Map<number, number>>();
  clicks.forEach((c, i) => {
    if (!c || typeof c.doc_id !== 'string' || typeof c.clicks !== 'number' || !Number.isFinite(c.clicks) || c.clicks < 0) {
      throw inputError('bad_input', `buildFamilies: clicks[${i}] must be { query, doc_id, clicks >= 0 } (got ${JSON.stringify(c)})`, { stage: STAGE });
    }
    const qi = lookup(c.query);
    if (qi === undefined) { drop('click_unknown_query'); return; }
    let di = docIndex.get(c.doc_id);
    if (di === undefined) docIndex.set(c.doc_id, (di = docIndex.size));
    let m = perQ.get(qi);
    if (!m) perQ.set(qi, (m = new Map()));
    m.set(di, (m.get(di) ?? 0) + c.clicks);
  });
  for (const [qi, m] of perQ) {
    let total = 0;
    for (const v of m.values()) total += v;
    if (total <= 0 || total < o.coClick.minClicks) { drop('click_vector_below_min_clicks'); continue; }
    const docs = Int32Array.from([...m.keys()].sort((a, b) => a - b));
    const w = new Float64Array(docs.length);
    let sq = 0;
    for (let k = 0; k < docs.length; k++) { const x = m.get(docs[k]!)! / total; w[k] = x; sq += x * x; }
    vecs[qi] = { docs, w, norm: Math.sqrt(sq) };
  }
  return { vecs, docCount: docIndex.size };
}

export function cosineOf(a: ClickVector, b: ClickVector): number {
  let i = 0, j = 0, dot = 0;
  while (i < a.docs.length && j < b.docs.length) {
    const x = a.docs[i]!, y = b.docs[j]!;
    if (x === y) { dot += a.w[i++]! * b.w[j++]!; } else if (x < y) i++; else j++;
  }
  return dot === 0 ? 0 : dot / (a.norm * b.norm);
}

/** Summed click vectors of the current families (by root), roots ascending. */
function familyVectors(cv: ClickVectors, familyOf: (q: number) => number): Map<number, ClickVector> {
  const acc = new Map<number, Map<number, number>>();
  for (let i = 0; i < cv.vecs.length; i++) {
    const v = cv.vecs[i];
    if (!v) continue;
    const r = familyOf(i);
    let m = acc.get(r);
    if (!m) acc.set(r, (m = new Map()));
    for (let k = 0; k < v.docs.length; k++) m.set(v.docs[k]!, (m.get(v.docs[k]!) ?? 0) + v.w[k]!);
  }
  const fv = new Map<number, ClickVector>();
  for (const r of [...acc.keys()].sort((a, b) => a - b)) {
    const m = acc.get(r)!;
    const docs = Int32Array.from([...m.keys()].sort((a, b) => a - b));
    const w = new Float64Array(docs.length);
    let sq = 0;
    for (let k = 0; k < docs.length; k++) { w[k] = m.get(docs[k]!)!; sq += w[k]! * w[k]!; }
    fv.set(r, { docs, w, norm: Math.sqrt(sq) });
  }
  return fv;
}

export interface FamilyClickPairs {
  /** Pairs of family roots (a < b) with cosine c, best first. */
  readonly pairs: readonly { readonly a: number; readonly b: number; readonly c: number }[];
  /** Documents left out of candidate generation: clicked by more than maxDocFamilies families. */
  readonly tooCommon: number;
}

/** Pairs of current families whose summed click vectors have at least this cosine. */
export function familyClickPairs(cv: ClickVectors, familyOf: (q: number) => number, threshold: number, maxDocFamilies: number): FamilyClickPairs {
  const n = cv.vecs.length;
  const fv = familyVectors(cv, familyOf);
  const postings: number[][] = Array.from({ length: cv.docCount }, () => []);
  for (const [r, v] of fv) for (const d of v.docs) postings[d]!.push(r);
  let tooCommon = 0;
  const pairs: { a: number; b: number; c: number }[] = [];
  const seenPair = new Set<number>();
  for (let d = 0; d < cv.docCount; d++) {
    const p = postings[d]!;
    if (p.length > maxDocFamilies) { tooCommon++; continue; }
    for (let x = 0; x < p.length; x++) for (let y = x + 1; y < p.length; y++) {
      const a = p[x]!, b = p[y]!;
      const key = a * n + b;
      if (seenPair.has(key)) continue;
      seenPair.add(key);
      const c = cosineOf(fv.get(a)!, fv.get(b)!);
      if (c >= threshold) pairs.push({ a, b, c });
    }
  }
  return { pairs: pairs.sort((x, y) => y.c - x.c || x.a - y.a || x.b - y.b), tooCommon };
}
