/**
 * Measuring click signals against the labels of a real log (TREC Session 2014, see trec-session.ts).
 *
 * Input: the log as read by `readTrecSession`.
 * Output: per (normalised query, doc) pair the raw-log signals (`logPairSignals`) and the label
 * (`labelGrades`); per shown labelled result the rates a new user would compute
 * (`impressionRates`); the grouping that keeps a query family, a session and a query on one side
 * of the calibration / measurement split (`groupQueries`, `calibrationGroups`); Wilson intervals.
 * Related: bench/trec-session.ts, docs/design/real-log-trec-session.md.
 */
import { normalizeQuery } from '../../text/normalize.js';
import { rateOf, type Rate } from '../../util/intervals.js';
import { hash32 } from '../../util/rng.js';
import { UnionFind } from '../../util/union-find.js';

export { rateOf, wilson, type Rate } from '../../util/intervals.js';
import type { TrecSessionLog } from './trec-session.js';

/** A label counts as relevant from this grade on (grades are -2 spam, 0..4). */
export const RELEVANT_GRADE = 1;

export const pairKey = (queryNorm: string, docId: string): string => `${queryNorm}\t${docId}`;

/** Share of labelled-relevant items among those `select` keeps (items without a grade are skipped). */
export function rateOver<T>(items: Iterable<T>, gradeOf: (t: T) => number | undefined, select: (t: T) => boolean = () => true): Rate {
  let n = 0, k = 0;
  for (const t of items) {
    if (!select(t)) continue;
    const g = gradeOf(t);
    if (g === undefined) continue;
    n++;
    if (g >= RELEVANT_GRADE) k++;
  }
  return rateOf(k, n);
}

/** What the raw log says about one (normalised query, doc) pair, over every page of the log. */
export interface PairSignals {
  readonly query_norm: string;
  readonly doc_id: string;
  impressions: number;
  clicks: number;
  /** Sessions with at least one click on the pair. */
  readonly clickSessions: Set<string>;
  /** Impressions above a click on the same page, not clicked there. */
  skipAbove: number;
  /** Some click on the pair was the last click of its session. */
  lastClickOfSession: boolean;
  /** Some click's page was followed, in its session, by a page with another query (a reformulation in this log). */
  clickBeforeReformulation: boolean;
  /** Some click's page was not followed by another query in its session. */
  clickWithoutReformulation: boolean;
  /** Best (smallest) 1-based rank of a click; 0 when never clicked. */
  bestClickRank: number;
}

/** Signals of every shown (normalised query, doc) pair, keyed by `pairKey`. */
export function logPairSignals(log: TrecSessionLog): Map<string, PairSignals> {
  const out = new Map<string, PairSignals>();
  const pages = log.pages;
  // last click of each session: pages of a session are consecutive, clicks in rank order
  const lastClick = new Map<string, { page: number; rank: number }>();
  pages.forEach((p, i) => {
    for (let r = p.clicks.length - 1; r >= 0; r--) if (p.clicks[r] === 1) {
      lastClick.set(p.session_id, { page: i, rank: r });
      break;
    }
  });
  pages.forEach((p, i) => {
    const qn = normalizeQuery(p.query);
    let reformulated = false;
    for (let j = i + 1; j < pages.length && pages[j]!.session_id === p.session_id; j++) {
      if (normalizeQuery(pages[j]!.query) !== qn) {
        reformulated = true;
        break;
      }
    }
    let lowestClick = -1;
    for (let r = 0; r < p.clicks.length; r++) if (p.clicks[r] === 1) lowestClick = r;
    const last = lastClick.get(p.session_id);
    p.results.forEach((d, r) => {
      const k = pairKey(qn, d);
      let s = out.get(k);
      if (!s) {
        s = { query_norm: qn, doc_id: d, impressions: 0, clicks: 0, clickSessions: new Set(), skipAbove: 0, lastClickOfSession: false, clickBeforeReformulation: false, clickWithoutReformulation: false, bestClickRank: 0 };
        out.set(k, s);
      }
      s.impressions++;
      if (p.clicks[r] === 1) {
        s.clicks++;
        s.clickSessions.add(p.session_id);
        if (last && last.page === i && last.rank === r) s.lastClickOfSession = true;
        if (reformulated) s.clickBeforeReformulation = true;
        else s.clickWithoutReformulation = true;
        if (s.bestClickRank === 0 || r + 1 < s.bestClickRank) s.bestClickRank = r + 1;
      } else if (r < lowestClick) {
        s.skipAbove++;
      }
    });
  });
  return out;
}

export interface LabelGrades {
  /** pairKey -> max grade over the labelled pages (and query texts) that showed the pair. */
  readonly grade: ReadonlyMap<string, number>;
  /** Pairs graded more than once after query normalisation, and those with different grades / different relevance. */
  readonly multiplyGraded: number;
  readonly gradeDisagreements: number;
  /** Pairs whose grades disagree on relevant or not: the only pairs where max and min combination differ. */
  readonly relevanceDisagreements: number;
}

/** Labels keyed by normalised query, combined by max (each labelled page's grade of each shown doc). */
export function labelGrades(log: TrecSessionLog): LabelGrades {
  const all = new Map<string, number[]>();
  for (const lp of log.labelled) {
    const qn = normalizeQuery(lp.page.query);
    lp.page.results.forEach((d, r) => {
      const k = pairKey(qn, d);
      let g = all.get(k);
      if (!g) all.set(k, (g = []));
      g.push(lp.grades[r]!);
    });
  }
  const grade = new Map<string, number>();
  let multiply = 0, differ = 0, relDiffer = 0;
  for (const [k, g] of all) {
    grade.set(k, Math.max(...g));
    if (g.length > 1) multiply++;
    if (new Set(g).size > 1) differ++;
    if (new Set(g.map((x) => x >= RELEVANT_GRADE)).size > 1) relDiffer++;
  }
  return { grade, multiplyGraded: multiply, gradeDisagreements: differ, relevanceDisagreements: relDiffer };
}

/**
 * Per shown result of the labelled pages, with that page's grade (what a new user computes first):
 * every shown result, the clicked ones, and those skipped above a click on their page.
 */
export function impressionRates(log: TrecSessionLog): { shown: Rate; clicked: Rate; skippedAbove: Rate; notClicked: Rate } {
  let n = 0, k = 0, cn = 0, ck = 0, sn = 0, sk = 0;
  for (const lp of log.labelled) {
    const c = lp.page.clicks;
    let lowest = -1;
    for (let r = 0; r < c.length; r++) if (c[r] === 1) lowest = r;
    for (let r = 0; r < c.length; r++) {
      const rel = lp.grades[r]! >= RELEVANT_GRADE ? 1 : 0;
      n++;
      k += rel;
      if (c[r] === 1) {
        cn++;
        ck += rel;
      } else if (r < lowest) {
        sn++;
        sk += rel;
      }
    }
  }
  return { shown: rateOf(k, n), clicked: rateOf(ck, cn), skippedAbove: rateOf(sk, sn), notClicked: rateOf(k - ck, n - cn) };
}

/**
 * Groups of normalised queries that must stay on one side of a split: connected components of the
 * graph linking each query to its sessions, joined further by `families` (query_norm -> family id,
 * e.g. the families of a clickforge build). Returns query_norm -> group id (the group's smallest query).
 */
export function groupQueries(log: TrecSessionLog, families: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const ids = new Map<string, number>();
  const id = (node: string): number => {
    let i = ids.get(node);
    if (i === undefined) ids.set(node, (i = ids.size));
    return i;
  };
  const links: [number, number][] = [];
  for (const p of log.pages) links.push([id(`q:${normalizeQuery(p.query)}`), id(`s:${p.session_id}`)]);
  for (const [q, f] of families) links.push([id(`q:${q}`), id(`f:${f}`)]);
  const sets = new UnionFind(ids.size);
  for (const [x, y] of links) sets.union(x, y);
  const smallest = new Map<number, string>();
  for (const [node, i] of ids) {
    if (!node.startsWith('q:')) continue;
    const r = sets.find(i), q = node.slice(2);
    const cur = smallest.get(r);
    if (cur === undefined || q < cur) smallest.set(r, q);
  }
  const out = new Map<string, string>();
  for (const [node, i] of ids) if (node.startsWith('q:')) out.set(node.slice(2), smallest.get(sets.find(i))!);
  return out;
}

/**
 * The calibration side: groups taken in the order of a seeded hash until they hold `share` of the
 * labelled pairs (`weight` per group). Deterministic for a seed; the rest is the measurement side.
 */
export function calibrationGroups(weight: ReadonlyMap<string, number>, share: number, seed: number): Set<string> {
  const total = [...weight.values()].reduce((a, b) => a + b, 0);
  const order = [...weight.keys()].map((g) => ({ g, h: hash32(`${seed}:${g}`) })).sort((a, b) => a.h - b.h || (a.g < b.g ? -1 : 1));
  const out = new Set<string>();
  let acc = 0;
  for (const { g } of order) {
    if (acc >= share * total) break;
    out.add(g);
    acc += weight.get(g)!;
  }
  return out;
}
