import { queryRows, type DuckDBConnection } from '../../db/duckdb.js';
import type { PositivePair } from '../../types.js';
import { queryBuckets, type QueryBucket } from '../balance/head-tail.js';
import type { TrainingRecord } from '../negatives/types.js';
import type { Split } from '../splits/splits.js';
import type { ReportOptions } from './options.js';

/** Dwell histogram bins, in seconds (the last bin is open). */
export const DWELL_BINS_S = [0, 5, 10, 20, 30, 60, 120, 300, 600] as const;
/** Hardness histogram: bins of width 0.1 from 0 to 2, the last one holds everything >= 2. */
export const HARDNESS_BINS = 21;
export const WEEK_MS = 7 * 86_400_000;
/** Signals that say more than "clicked" (see stages/evidence). */
export const STRONG_SIGNALS = ['converted', 'satisfied', 'success_last'] as const;
const SPLITS: readonly Split[] = ['train', 'dev', 'test'];

export interface RankRate {
  readonly rank: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly ctr: number;
  /** 95% Wilson interval of the click-through rate. */
  readonly lower: number;
  readonly upper: number;
}

/**
 * What the checklist and the charts read beyond the stages' own sections; computed once at build
 * time and kept in report.json (`sections.reportData`) so that `clickforge report OUT` rebuilds
 * every page from report.json alone.
 */
export interface ReportData {
  readonly positives: {
    readonly pairs: number;
    readonly byGrade: Readonly<Record<string, number>>;
    readonly bySignal: Readonly<Record<string, number>>;
    /** Positives with at least one of STRONG_SIGNALS. */
    readonly strong: number;
    readonly singleClick: number;
    /** Clicks by dwell bin (DWELL_BINS_S), kept as evidence vs discarded; clicks of unknown dwell apart. */
    readonly dwell: { readonly kept: readonly number[]; readonly discarded: readonly number[]; readonly unknownKept: number; readonly unknownDiscarded: number };
  };
  readonly negatives: {
    readonly records: number;
    /** Records whose weakest positive scores above 0 under the record scorer: the others' hardness is not defined. */
    readonly measured: number;
    /** Measured records with no negative at or above report.negatives.hardAt. */
    readonly withoutHard: number;
    readonly hardAt: number;
    /** Per source ('fill' = random documents that topped up a short record): hardness histogram (HARDNESS_BINS) and summary. */
    readonly bySource: Readonly<Record<string, { readonly n: number; readonly mean: number; readonly median: number; readonly hard: number; readonly histogram: readonly number[] }>>;
  };
  readonly balance: {
    readonly records: Readonly<Record<Split, Readonly<Record<QueryBucket, number>>>>;
    /** Training positives (pairs) of the top 1% of queries by traffic, and all training positives. */
    readonly topQueries: { readonly queries: number; readonly pairs: number; readonly of: number };
    /** Lorenz curve of positives per document among the training positives: [share of documents, share of positives]. */
    readonly lorenz: readonly (readonly [number, number])[];
    readonly gini: number;
    readonly docs: number;
  };
  readonly time: {
    readonly first: number | null;
    readonly last: number | null;
    /** Kept clicks per week of age (index 0 = the week ending at `last`), and result pages per week. */
    readonly evidenceByWeek: readonly number[];
    readonly pagesByWeek: readonly number[];
    readonly drift: {
      /** Jensen-Shannon divergence (bits) of the query distributions of the oldest and newest third of the pages. */
      readonly oldestVsNewest: number;
      /** The same between two random thirds (pages by hash): what sampling alone gives. */
      readonly baseline: number;
      readonly excess: number;
      readonly rising: readonly { readonly query: string; readonly oldest: number; readonly newest: number }[];
      readonly falling: readonly { readonly query: string; readonly oldest: number; readonly newest: number }[];
    } | null;
  };
  readonly ctrByRank: readonly RankRate[];
  /**
   * In-session reformulations (query -> next query, as the sessions stage found them) that touch a
   * held-out split, and those whose two queries are on different sides: a family split keeps them
   * together, a split by row or by query cuts them.
   */
  readonly sessionLinks: { readonly heldOut: number; readonly crossing: number };
}

/** The relations the report reads (handles of the stages that wrote them; any object with a SQL-ready `name`). */
export interface ReportRelations {
  readonly serpFacts: { readonly name: string };
  readonly clickFacts: { readonly name: string };
  readonly impressions: { readonly name: string };
  readonly clicks: { readonly name: string };
  readonly reformulations: { readonly name: string };
}

export interface ReportDataInput {
  readonly pairs: readonly PositivePair[];
  readonly records: readonly TrainingRecord[];
  /** family id -> split */
  readonly splitOf: ReadonlyMap<string, Split>;
  /** query_norm -> family id */
  readonly familyOf: ReadonlyMap<string, string>;
  readonly headTail: { readonly headShare: number; readonly tailShare: number };
  readonly options: ReportOptions;
  readonly seed: number;
}

/** 95% Wilson score interval. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

function median(sorted: Float64Array): number {
  if (sorted.length === 0) return 0;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** Jensen-Shannon divergence in bits of two count maps. */
export function jsDivergence(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let na = 0, nb = 0;
  for (const v of a.values()) na += v;
  for (const v of b.values()) nb += v;
  if (na === 0 || nb === 0) return 0;
  let js = 0;
  const term = (p: number, m: number) => (p > 0 ? p * Math.log2(p / m) : 0);
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const p = (a.get(k) ?? 0) / na, q = (b.get(k) ?? 0) / nb, m = (p + q) / 2;
    js += 0.5 * term(p, m) + 0.5 * term(q, m);
  }
  return js;
}

/** Lorenz curve of counts (ascending) at most `points` + 1 points, and the Gini coefficient. */
export function lorenz(counts: readonly number[], points = 50): { curve: [number, number][]; gini: number } {
  const s = Float64Array.from(counts).sort();
  const n = s.length;
  const total = s.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return { curve: [[0, 0], [1, 1]], gini: 0 };
  const curve: [number, number][] = [[0, 0]];
  let cum = 0, area = 0, prevY = 0, next = 1;
  for (let i = 0; i < n; i++) {
    cum += s[i]!;
    const y = cum / total;
    area += (prevY + y) / (2 * n);
    prevY = y;
    if ((i + 1) / n >= next / points || i === n - 1) {
      curve.push([r4((i + 1) / n), r4(y)]);
      while (next / points <= (i + 1) / n) next++;
    }
  }
  return { curve, gini: r4(1 - 2 * area) };
}

function positivesData(pairs: readonly PositivePair[], dwell: ReportData['positives']['dwell']): ReportData['positives'] {
  const byGrade: Record<string, number> = {};
  const bySignal: Record<string, number> = {};
  let strong = 0, single = 0;
  for (const p of pairs) {
    byGrade[`grade_${p.grade}`] = (byGrade[`grade_${p.grade}`] ?? 0) + 1;
    for (const s of p.evidence.signals) bySignal[s] = (bySignal[s] ?? 0) + 1;
    if (p.evidence.signals.some((s) => (STRONG_SIGNALS as readonly string[]).includes(s))) strong++;
    if (p.evidence.clicks <= 1) single++;
  }
  const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return { pairs: pairs.length, byGrade: sorted(byGrade), bySignal: sorted(bySignal), strong, singleClick: single, dwell };
}

function negativesData(records: readonly TrainingRecord[], hardAt: number): ReportData['negatives'] {
  const vals = new Map<string, number[]>();
  let without = 0, measured = 0;
  for (const r of records) {
    let minPos = Infinity;
    for (const p of r.positives) if (p.score !== undefined && p.score < minPos) minPos = p.score;
    let hard = 0;
    for (const n of r.negatives) {
      if (n.score === undefined || !(minPos > 0) || !Number.isFinite(minPos)) continue;
      const h = n.score / minPos;
      const src = n.filled ? 'fill' : n.source;
      let l = vals.get(src);
      if (!l) vals.set(src, (l = []));
      l.push(h);
      if (h >= hardAt) hard++;
    }
    if (!(minPos > 0) || !Number.isFinite(minPos)) continue;
    measured++;
    if (hard === 0) without++;
  }
  const bySource: Record<string, ReportData['negatives']['bySource'][string]> = {};
  for (const [src, l] of [...vals].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const s = Float64Array.from(l).sort();
    const histogram = new Array<number>(HARDNESS_BINS).fill(0);
    let sum = 0, hard = 0;
    for (const h of s) {
      sum += h;
      if (h >= hardAt) hard++;
      histogram[Math.min(HARDNESS_BINS - 1, Math.max(0, Math.floor(h * 10)))]!++;
    }
    bySource[src] = { n: s.length, mean: r4(sum / Math.max(1, s.length)), median: r4(median(s)), hard, histogram };
  }
  return { records: records.length, measured, withoutHard: without, hardAt, bySource };
}

function balanceData(records: readonly TrainingRecord[], splitOf: ReadonlyMap<string, Split>, traffic: ReadonlyMap<string, number>, headTail: ReportDataInput['headTail']): ReportData['balance'] {
  const buckets = queryBuckets(traffic, headTail);
  const per = Object.fromEntries(SPLITS.map((s) => [s, { head: 0, torso: 0, tail: 0 }])) as Record<Split, Record<QueryBucket, number>>;
  const ranked = [...traffic].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const topN = Math.max(1, Math.ceil(ranked.length / 100));
  const top = new Set(ranked.slice(0, topN).map(([q]) => q));
  let topPairs = 0, trainPairs = 0;
  const perDoc = new Map<string, number>();
  for (const r of records) {
    const split = splitOf.get(r.family) ?? 'train';
    per[split][buckets.bucketOf.get(r.query_norm) ?? 'tail']++;
    if (split !== 'train') continue;
    trainPairs += r.positives.length;
    if (top.has(r.query_norm)) topPairs += r.positives.length;
    for (const p of r.positives) perDoc.set(p.doc_id, (perDoc.get(p.doc_id) ?? 0) + 1);
  }
  const l = lorenz([...perDoc.values()]);
  return { records: per, topQueries: { queries: top.size, pairs: topPairs, of: trainPairs }, lorenz: l.curve, gini: l.gini, docs: perDoc.size };
}

async function dwellData(conn: DuckDBConnection, rel: ReportRelations): Promise<ReportData['positives']['dwell']> {
  const edges = DWELL_BINS_S.slice(1).map((s) => s * 1000);
  const bin = `CASE ${edges.map((e, i) => `WHEN dwell_ms < ${e} THEN ${i}`).join(' ')} ELSE ${edges.length} END`;
  const rows = await queryRows<{ kept: boolean; bin: number | null; n: number }>(conn,
    `SELECT kept, CASE WHEN dwell_ms IS NULL THEN NULL ELSE ${bin} END AS bin, count(*)::BIGINT AS n FROM ${rel.clickFacts.name} GROUP BY ALL ORDER BY ALL`);
  const kept = new Array<number>(DWELL_BINS_S.length).fill(0);
  const discarded = new Array<number>(DWELL_BINS_S.length).fill(0);
  let unknownKept = 0, unknownDiscarded = 0;
  for (const r of rows) {
    const n = Number(r.n);
    if (r.bin === null) {
      if (r.kept) unknownKept += n;
      else unknownDiscarded += n;
    } else (r.kept ? kept : discarded)[Number(r.bin)]! += n;
  }
  return { kept, discarded, unknownKept, unknownDiscarded };
}

async function ctrData(conn: DuckDBConnection, rel: ReportRelations, maxRank = 20): Promise<RankRate[]> {
  const rows = await queryRows<{ rank: number; n: number; c: number }>(conn, `
    SELECT i.rank, count(*)::BIGINT AS n, count(k.doc_id)::BIGINT AS c
    FROM ${rel.impressions.name} i LEFT JOIN (SELECT DISTINCT serp_id, doc_id FROM ${rel.clicks.name}) k USING (serp_id, doc_id)
    WHERE i.rank <= ${maxRank} GROUP BY i.rank ORDER BY i.rank`);
  return rows.map((r) => {
    const n = Number(r.n), c = Number(r.c);
    const [lo, hi] = wilson(c, n);
    return { rank: Number(r.rank), impressions: n, clicks: c, ctr: r4(n ? c / n : 0), lower: r4(lo), upper: r4(hi) };
  });
}

async function timeData(conn: DuckDBConnection, rel: ReportRelations, seed: number): Promise<ReportData['time']> {
  const [span] = await queryRows<{ first: number | null; last: number | null }>(conn, `SELECT min(ts) AS first, max(ts) AS last FROM ${rel.serpFacts.name}`);
  const first = span?.first ?? null, last = span?.last ?? null;
  if (first === null || last === null) return { first: null, last: null, evidenceByWeek: [], pagesByWeek: [], drift: null };
  const L = Number(last);
  const weeks = Math.floor((L - Number(first)) / WEEK_MS) + 1;
  const ev = await queryRows<{ w: number; n: number }>(conn, `
    SELECT ((${L} - coalesce(k.ts, s.ts)) // ${WEEK_MS})::BIGINT AS w, count(*)::BIGINT AS n
    FROM ${rel.clickFacts.name} k JOIN ${rel.serpFacts.name} s USING (serp_id) WHERE k.kept GROUP BY 1 ORDER BY 1`);
  const pg = await queryRows<{ w: number; n: number }>(conn, `SELECT ((${L} - ts) // ${WEEK_MS})::BIGINT AS w, count(*)::BIGINT AS n FROM ${rel.serpFacts.name} GROUP BY 1 ORDER BY 1`);
  const fill = (rows: { w: number; n: number }[]) => {
    const a = new Array<number>(weeks).fill(0);
    for (const r of rows) {
      const w = Math.min(weeks - 1, Math.max(0, Number(r.w)));
      a[w]! += Number(r.n);
    }
    return a;
  };
  const thirds = await queryRows<{ part: number; rnd: number; q: string; n: number }>(conn, `
    WITH t AS (SELECT query_norm, ntile(3) OVER (ORDER BY ts, serp_id) AS part, hash(serp_id || '${seed}') % 3 AS rnd FROM ${rel.serpFacts.name})
    SELECT part, rnd, query_norm AS q, count(*)::BIGINT AS n FROM t GROUP BY ALL ORDER BY ALL`);
  const maps = { old: new Map<string, number>(), new: new Map<string, number>(), r0: new Map<string, number>(), r2: new Map<string, number>() };
  const add = (m: Map<string, number>, q: string, n: number) => m.set(q, (m.get(q) ?? 0) + n);
  for (const r of thirds) {
    const n = Number(r.n);
    if (Number(r.part) === 1) add(maps.old, r.q, n);
    if (Number(r.part) === 3) add(maps.new, r.q, n);
    if (Number(r.rnd) === 0) add(maps.r0, r.q, n);
    if (Number(r.rnd) === 2) add(maps.r2, r.q, n);
  }
  let drift: ReportData['time']['drift'] = null;
  if (maps.old.size > 0 && maps.new.size > 0) {
    const a = jsDivergence(maps.old, maps.new), b = jsDivergence(maps.r0, maps.r2);
    const total = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
    const no = total(maps.old), nn = total(maps.new);
    const moves = [...new Set([...maps.old.keys(), ...maps.new.keys()])].map((q) => ({ query: q, oldest: r4((maps.old.get(q) ?? 0) / no), newest: r4((maps.new.get(q) ?? 0) / nn) }));
    const by = (f: (m: (typeof moves)[number]) => number) => [...moves].sort((x, y) => f(y) - f(x) || (x.query < y.query ? -1 : 1)).slice(0, 5).filter((m) => f(m) > 0);
    drift = { oldestVsNewest: r4(a), baseline: r4(b), excess: r4(Math.max(0, a - b)), rising: by((m) => m.newest - m.oldest), falling: by((m) => m.oldest - m.newest) };
  }
  return { first: Number(first), last: L, evidenceByWeek: fill(ev), pagesByWeek: fill(pg), drift };
}

async function sessionLinks(conn: DuckDBConnection, rel: ReportRelations, splitOf: (q: string) => Split | null): Promise<ReportData['sessionLinks']> {
  const rows = await queryRows<{ a: string; b: string; n: number }>(conn, `SELECT query_norm_from AS a, query_norm_to AS b, count AS n FROM ${rel.reformulations.name} ORDER BY 1, 2`);
  let heldOut = 0, crossing = 0;
  for (const r of rows) {
    const sa = splitOf(r.a), sb = splitOf(r.b);
    // only queries that made it into the dataset; a pair inside train says nothing about the boundary
    if (sa === null || sb === null || (sa === 'train' && sb === 'train')) continue;
    heldOut += Number(r.n);
    if (sa !== sb) crossing += Number(r.n);
  }
  return { heldOut, crossing };
}

/** Everything the checklist and the charts need beyond the other sections (see ReportData). */
export async function reportData(conn: DuckDBConnection, rel: ReportRelations, input: ReportDataInput): Promise<ReportData> {
  const inDataset = new Set(input.records.map((r) => r.query_norm));
  const traffic = new Map<string, number>();
  for (const r of await queryRows<{ q: string; n: number }>(conn, `SELECT query_norm AS q, count(*)::BIGINT AS n FROM ${rel.serpFacts.name} GROUP BY 1 ORDER BY 1`)) traffic.set(r.q, Number(r.n));
  return {
    positives: positivesData(input.pairs, await dwellData(conn, rel)),
    negatives: negativesData(input.records, input.options.negatives.hardAt),
    balance: balanceData(input.records, input.splitOf, traffic, input.headTail),
    time: await timeData(conn, rel, input.seed),
    ctrByRank: await ctrData(conn, rel),
    sessionLinks: await sessionLinks(conn, rel, (q) => (inDataset.has(q) ? (input.splitOf.get(input.familyOf.get(q) ?? q) ?? null) : null)),
  };
}
