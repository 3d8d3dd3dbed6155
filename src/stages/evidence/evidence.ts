/**
 * Evidence stage: per-click flags and one outcome bucket per click (the click funnel), then one
 * row of signal counts, a grade (0..3) and a weight per (normalised query, document).
 *
 * Input: the tables of the sessions stage (serp_facts, session_clicks, conversion_links) and
 * ingest (impressions, clicks).
 * Output: `evidence` records (sorted by query_norm, doc_id; with `minExposureForNegative` only the pairs
 * later stages use, see docs/stages/evidence-scale.md) and the DuckDB tables
 *   click_facts(click_id, serp_id, session_key, user_id, query, query_norm, doc_id, rank, ts, dwell_ms,
 *               dwell_source, satisfied, converted, success_last, short_dwell, medium_dwell, pogo,
 *               unknown_dwell, outcome, kept)
 *   evidence(<the Evidence record's columns without `kind`>, signals VARCHAR[])
 * Drops: clicks whose outcome is discarded (pogo, short_dwell, and medium_dwell_dropped /
 * unknown_dwell when the options say "drop"); they still count in the evidence row (grade 0 when
 * nothing else supports the pair). Every click lands in exactly one bucket; the stage checks it.
 * See docs/stages/evidence.md for the grade and weight rules.
 */
import type { DuckDBConnection, DuckDBVector } from '@duckdb/node-api';
import type { Evidence, StageStats } from '../../types.js';
import { queryRows, readColumns } from '../../db/duckdb.js';
import { createNamespace, relation, requireRelations, type Namespace, type Relation } from '../../db/relation.js';
import { internalError, usageError } from '../../errors.js';
import type { Clicks, Impressions } from '../ingest/relations.js';
import type { ConversionLinks, SerpFacts, SessionClicks } from '../sessions/sessions.js';
import type { EvidenceOptions } from './options.js';
import { duckdbDialect } from '../../db/dialect/index.js';
import { clickFactsSql, docIdsSql, EVIDENCE_SCRATCH, evidenceSerpsSql, evidenceSql, KEPT_OUTCOMES, pairImpressionsSql, queryIdsSql, type EvidenceSqlRelations } from './statements.js';

const D = duckdbDialect;

const STAGE = 'evidence';

/** Outcome buckets in precedence order (a click takes the first that applies). */
export const CLICK_OUTCOMES = [
  'converted',
  'satisfied',
  'success_last',
  'pogo',
  'short_dwell',
  'medium_dwell',
  'medium_dwell_dropped',
  'weak_unknown_dwell',
  'unknown_dwell',
] as const;
export type ClickOutcomeName = (typeof CLICK_OUTCOMES)[number];

export { KEPT_OUTCOMES } from './statements.js';

const WHY: Record<ClickOutcomeName, string> = {
  converted: 'a conversion on the doc from that page, or later in the session',
  satisfied: 'dwell >= evidence.satisfiedDwellMs',
  success_last: 'last click of a session that ended successfully',
  pogo: 'short dwell, then back to the same page or a reformulation within sessions.pogoWindowSec',
  short_dwell: 'dwell < evidence.shortDwellMs',
  medium_dwell: 'dwell between shortDwellMs and satisfiedDwellMs, kept as weak (evidence.mediumDwell=weak)',
  medium_dwell_dropped: 'dwell between shortDwellMs and satisfiedDwellMs, dropped (evidence.mediumDwell=drop)',
  weak_unknown_dwell: 'no later event in the session, kept as weak (evidence.unknownDwell=weak)',
  unknown_dwell: 'no later event in the session, dropped (evidence.unknownDwell=drop)',
};

/**
 * Default of `minExposureForNegative`: 3 impressions, the default of negatives.behavioural.minExposure
 * (an unclicked doc needs that much exposure to be a behavioural negative; the propensity-weighted
 * exposure that miner uses is never above the impression count, so nothing it could use is left out).
 */
export const DEFAULT_MIN_EXPOSURE_FOR_NEGATIVE = 3;

export interface BuildEvidenceOptions extends Omit<EvidenceOptions, 'minExposureForNegative'> {
  /**
   * Which pairs are read back into JS: every pair with a click or a skip above a click, plus
   * unclicked pairs with at least this many impressions (negative evidence). The `evidence` table
   * keeps every pair either way. Unset: every pair is read. evidenceOptions defaults it to
   * DEFAULT_MIN_EXPOSURE_FOR_NEGATIVE; keep it at most negatives.behavioural.minExposure. gradeEvidence
   * accepts either set of records.
   * Bench logs: 79% of the pairs stay in the table only at 1M events, 32% at 10M (more impressions per pair).
   */
  readonly minExposureForNegative?: number;
}

/** SQL predicate on the `evidence` table: the rows `buildEvidence` returns for this threshold. */
export function evidenceInMemoryPredicate(minExposureForNegative: number | undefined): string {
  if (minExposureForNegative === undefined) return 'true';
  if (!Number.isFinite(minExposureForNegative) || minExposureForNegative < 0) {
    throw usageError('bad_min_exposure', `evidence.minExposureForNegative must be a number >= 0, got ${minExposureForNegative}: set e.g. ${DEFAULT_MIN_EXPOSURE_FOR_NEGATIVE}.`, { stage: STAGE });
  }
  return `(clicks > 0 OR skip_above > 0 OR impressions >= ${minExposureForNegative})`;
}

export const CLICK_FACTS_COLUMNS = ['click_id', 'serp_id', 'session_key', 'user_id', 'query', 'query_norm', 'doc_id', 'rank', 'ts', 'dwell_ms',
  'dwell_source', 'satisfied', 'converted', 'success_last', 'short_dwell', 'medium_dwell', 'pogo', 'unknown_dwell', 'outcome', 'kept'] as const;
/** The columns of the `evidence` relation, in the order evidence.parquet has them (the Evidence record's, without `kind`). */
export const EVIDENCE_COLUMNS = ['query_norm', 'query', 'doc_id', 'impressions', 'clicks', 'satisfied', 'converted', 'success_last', 'short_dwell',
  'pogo', 'unknown_dwell', 'skip_above', 'serps', 'users', 'first_ts', 'last_ts', 'grade', 'weight', 'signals'] as const;

export type ClickFacts = Relation<(typeof CLICK_FACTS_COLUMNS)[number]>;
/** Evidence rows: the evidence stage's, or a grading of them (graded and calibrated evidence have these columns and more). */
export type EvidenceTable = Relation<(typeof EVIDENCE_COLUMNS)[number]>;

/** What the evidence stage reads: the sessions stage's relations and ingest's impressions and clicks. */
export interface EvidenceInput {
  readonly serpFacts: SerpFacts;
  readonly sessionClicks: SessionClicks;
  readonly conversionLinks: ConversionLinks;
  readonly impressions: Impressions;
  readonly clicks: Clicks;
}

/** What the evidence stage writes for later stages. */
export interface EvidenceRelations {
  readonly clickFacts: ClickFacts;
  readonly evidence: EvidenceTable;
}

/**
 * The integer keys of the evidence aggregation and each pair's impression ranks, handed to
 * gradeEvidence: it sums the ranks under the examination curve instead of joining the impressions
 * again, and drops these relations once read (they have no other reader).
 */
export interface EvidenceKeys {
  readonly queryIds: Relation<'query_norm' | 'query' | 'qid'>;
  readonly docIds: Relation<'doc_id' | 'did'>;
  readonly pairRanks: Relation<'qid' | 'did' | 'imp_ranks'>;
}

/** The handles of the evidence stage's relations in namespace `ns`. */
export function evidenceRelations(ns?: Namespace): EvidenceRelations {
  return { clickFacts: relation('click_facts', CLICK_FACTS_COLUMNS, ns), evidence: relation('evidence', EVIDENCE_COLUMNS, ns) };
}

export function evidenceKeys(ns?: Namespace): EvidenceKeys {
  return {
    queryIds: relation('evidence_query_ids', ['query_norm', 'query', 'qid'] as const, ns),
    docIds: relation('evidence_doc_ids', ['doc_id', 'did'] as const, ns),
    pairRanks: relation('evidence_pair_ranks', ['qid', 'did', 'imp_ranks'] as const, ns),
  };
}

/** Count the clicks of `input` into per-pair evidence, written to `evidenceRelations(ns)` (see the module doc). */
export async function buildEvidence(conn: DuckDBConnection, input: EvidenceInput, opts: BuildEvidenceOptions, ns?: Namespace): Promise<{ evidence: Evidence[]; relations: EvidenceRelations; keys: EvidenceKeys; stats: StageStats }> {
  const t0 = performance.now();
  if (opts.shortDwellMs > opts.satisfiedDwellMs) {
    throw usageError('bad_dwell_thresholds', `evidence.shortDwellMs (${opts.shortDwellMs}) is above evidence.satisfiedDwellMs (${opts.satisfiedDwellMs}): set shortDwellMs <= satisfiedDwellMs.`, { stage: STAGE });
  }
  await requireRelations(conn, STAGE, [input.serpFacts, input.sessionClicks, input.conversionLinks], 'buildSessions (the sessions stage)');
  evidenceInMemoryPredicate(opts.minExposureForNegative); // checks the option before any work
  await createNamespace(conn, ns);
  const out = evidenceRelations(ns);
  const keys = evidenceKeys(ns);
  const r = sqlRelations(input, out, keys);
  await writeClickFacts(conn, r, opts);
  await writeKeys(conn, r);
  await writePairImpressions(conn, r);
  await writeEvidence(conn, r);
  await conn.run(EVIDENCE_SCRATCH.map((t) => `${D.drop(t)};`).join(' '));
  // only the keys and ranks stay for grading (dropping columns frees them without copying the rest)
  await conn.run(['impressions', 'serps', 'users', 'first_ts', 'last_ts', 'skip_above'].map((c) => `ALTER TABLE ${keys.pairRanks.name} DROP COLUMN ${c};`).join(' '));
  const { evidence, stats } = await evidenceStats(conn, input, out, opts);
  return { evidence, relations: out, keys, stats: { ...stats, seconds: (performance.now() - t0) / 1000 } };
}

/** The relations the statements read and write. */
function sqlRelations(input: EvidenceInput, out: EvidenceRelations, keys: EvidenceKeys): EvidenceSqlRelations {
  return { ...input, ...out, ...keys };
}

/** Per-click flags and the outcome bucket of each click (the click funnel). */
async function writeClickFacts(conn: DuckDBConnection, r: EvidenceSqlRelations, opts: BuildEvidenceOptions): Promise<void> {
  await conn.run(clickFactsSql(D, r, opts));
}

/** Integer keys for the impression-level work: query ids (with the most frequent raw form), doc ids, and one row per result page with its query id, user id and the rank of its lowest click. The aggregations group by the integer pair (qid, did); strings are joined back only on the pair-level result. Ids come from row_number() OVER () and may differ between runs; nothing is ordered by them. */
async function writeKeys(conn: DuckDBConnection, r: EvidenceSqlRelations): Promise<void> {
  await conn.run(queryIdsSql(D, r));
  await conn.run(docIdsSql(D, r));
  await conn.run(evidenceSerpsSql(D, r));
}

/** Impression-level aggregation on integer keys into pairRanks (one row per pair). Besides the evidence counts it keeps the ranks of the pair's impressions (table impressions only, unordered), from which gradeEvidence computes expected examinations without joining the impressions again. */
async function writePairImpressions(conn: DuckDBConnection, r: EvidenceSqlRelations): Promise<void> {
  await conn.run(pairImpressionsSql(D, r));
}

/** One row of signal counts, the funnel grade and weight per pair. */
async function writeEvidence(conn: DuckDBConnection, r: EvidenceSqlRelations): Promise<void> {
  await conn.run(evidenceSql(D, r));
}

/**
 * The stage's counts (checking that every click is in one bucket) and the records read back: what
 * buildEvidence returns besides its relations, from the relations alone (an event-level folder's).
 */
export async function evidenceStats(conn: DuckDBConnection, input: EvidenceInput, rel: EvidenceRelations, opts: BuildEvidenceOptions): Promise<{ evidence: Evidence[]; stats: StageStats }> {
  const bucketRows = await queryRows<{ outcome: string; n: number }>(conn, `SELECT outcome, count(*) AS n FROM ${rel.clickFacts.name} GROUP BY outcome`);
  const buckets = new Map(bucketRows.map((r) => [r.outcome, r.n]));
  const totals = (await queryRows<Record<string, number>>(conn, `
    SELECT (SELECT count(*) FROM ${input.clicks.name}) AS clicks,
           (SELECT count(*) FROM ${rel.clickFacts.name}) AS click_facts,
           (SELECT count(*) FROM ${input.impressions.name}) AS impressions,
           (SELECT count(*) FROM ${rel.evidence.name}) AS evidence_rows,
           (SELECT count(*) FROM ${rel.evidence.name} WHERE clicks > 0) AS clicked_pairs,
           (SELECT count(*) FROM ${rel.evidence.name} WHERE grade = 0) AS grade_0,
           (SELECT count(*) FROM ${rel.evidence.name} WHERE grade = 1) AS grade_1,
           (SELECT count(*) FROM ${rel.evidence.name} WHERE grade = 2) AS grade_2,
           (SELECT count(*) FROM ${rel.evidence.name} WHERE grade = 3) AS grade_3
  `))[0] ?? {};
  const t = (k: string): number => Number(totals[k] ?? 0);
  const bucketSum = [...buckets.values()].reduce((a, b) => a + b, 0);
  if (bucketSum !== t('click_facts')) {
    throw internalError('funnel_mismatch', `click outcome buckets sum to ${bucketSum} but click_facts has ${t('click_facts')} rows`, { stage: STAGE });
  }

  const out: Record<string, number> = {
    evidence_rows: t('evidence_rows'),
    clicked_pairs: t('clicked_pairs'),
    grade_0: t('grade_0'), grade_1: t('grade_1'), grade_2: t('grade_2'), grade_3: t('grade_3'),
  };
  const dropped: Record<string, number> = {};
  const notes: string[] = [];
  let keptClicks = 0;
  const clicks = t('click_facts');
  for (const o of CLICK_OUTCOMES) {
    const n = buckets.get(o) ?? 0;
    if (KEPT_OUTCOMES.has(o)) {
      out[o] = n;
      keptClicks += n;
    } else if (n > 0 || o === 'pogo' || o === 'short_dwell') {
      dropped[o] = n;
    }
    if (n > 0) notes.push(`${o}: ${n} clicks (${pct(n, clicks)}) - ${WHY[o]}${KEPT_OUTCOMES.has(o) ? '' : ' [discarded]'}`);
  }
  out.clicks_kept = keptClicks;
  notes.unshift(`click funnel: ${clicks} clicks, ${keptClicks} kept (${pct(keptClicks, clicks)}), ${clicks - keptClicks} discarded (${pct(clicks - keptClicks, clicks)}).`);
  if (t('clicks') !== clicks) notes.push(`${t('clicks') - clicks} clicks reference no result page and were not bucketed (ingest should have quarantined them).`);

  const evidence = await readEvidence(conn, rel.evidence, evidenceInMemoryPredicate(opts.minExposureForNegative));
  out.evidence_rows_in_memory = evidence.length;
  out.evidence_rows_table_only = t('evidence_rows') - evidence.length;
  if (opts.minExposureForNegative !== undefined) {
    notes.push(`${out.evidence_rows_table_only} of ${t('evidence_rows')} pairs (never clicked, never skipped above a click, fewer than evidence.minExposureForNegative=${opts.minExposureForNegative} impressions) stay in the evidence table only (evidence.parquet), not in memory.`);
  }

  return { evidence, stats: { stage: STAGE, in: { clicks, impressions: t('impressions') }, out, dropped, notes } };
}



const NUM_COLS = ['impressions', 'clicks', 'satisfied', 'converted', 'success_last', 'short_dwell', 'pogo', 'unknown_dwell', 'skip_above', 'serps', 'users'] as const;

/**
 * Read the `evidence` table (or the rows matching `where`) into records, in (query_norm, doc_id) order.
 * The rows are not sorted in SQL (a sort of ~2M wide rows was most of the read): the strings come as
 * dictionary ids (query_norm and doc_id ranked in DuckDB's ORDER BY order, so sorting the ids sorts
 * the strings; query and the signal lists by id), the records are ordered in JS by a counting sort on
 * the query rank and a sort by doc rank within each query. Each distinct string or signal list is one
 * JS value shared by all its records. Chunk vectors are read directly: the row-object helpers of
 * @duckdb/node-api cost ~20 us a row.
 */
export async function readEvidence(conn: DuckDBConnection, evidence: EvidenceTable, where = 'true'): Promise<Evidence[]> {
  const src = `(SELECT rowid AS rid, * FROM ${evidence.name} WHERE ${where})`;
  // dictionaries: (k, r) with r = 0.. ; NULL keys rank last, like ORDER BY's default
  const dicts = { qn: '_re_qn', q: '_re_q', doc: '_re_doc', sig: '_re_sig' } as const;
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE ${dicts.qn} AS SELECT k, (row_number() OVER (ORDER BY k) - 1)::INTEGER AS r FROM (SELECT DISTINCT query_norm AS k FROM ${src});
    CREATE OR REPLACE TEMP TABLE ${dicts.doc} AS SELECT k, (row_number() OVER (ORDER BY k) - 1)::INTEGER AS r FROM (SELECT DISTINCT doc_id AS k FROM ${src});
    CREATE OR REPLACE TEMP TABLE ${dicts.q} AS SELECT k, (row_number() OVER () - 1)::INTEGER AS r FROM (SELECT DISTINCT query AS k FROM ${src});
    CREATE OR REPLACE TEMP TABLE ${dicts.sig} AS SELECT k, (row_number() OVER () - 1)::INTEGER AS r FROM (SELECT DISTINCT coalesce(array_to_string(signals, ','), '') AS k FROM ${src});`);
  try {
    const dict = async (t: string): Promise<(string | null)[]> => {
      const c = await readColumns(conn, `SELECT k, r FROM ${t}`);
      const out = new Array<string | null>(c.rowCount);
      const k = c.str('k');
      const r = c.num('r');
      for (let i = 0; i < c.rowCount; i++) out[r[i]!] = k[i]!;
      return out;
    };
    const qnD = await dict(dicts.qn);
    const qD = await dict(dicts.q);
    const docD = await dict(dicts.doc);
    const sigD = (await dict(dicts.sig)).map((s): readonly string[] => (s ? s.split(',') : []));
    // 1. the order: each row's rowid, query rank and doc rank
    const keys = await readColumns(conn, `
      SELECT e.rid::DOUBLE AS rid, qn.r AS qr, d.r AS dr FROM ${src} e
      JOIN ${dicts.qn} qn ON e.query_norm IS NOT DISTINCT FROM qn.k
      JOIN ${dicts.doc} d ON e.doc_id IS NOT DISTINCT FROM d.k`);
    const n = keys.rowCount;
    const rid = keys.num('rid');
    const qr = keys.num('qr');
    const dr = keys.num('dr');
    // counting sort by query rank, then doc rank within each query
    const nq = qnD.length;
    const start = new Uint32Array(nq + 1);
    for (let i = 0; i < n; i++) start[qr[i]! + 1]!++;
    for (let b = 0; b < nq; b++) start[b + 1]! += start[b]!;
    const order = new Uint32Array(n);
    const fill = start.slice(0, nq);
    for (let i = 0; i < n; i++) order[fill[qr[i]!]!++] = i;
    for (let b = 0; b < nq; b++) {
      const lo = start[b]!;
      const hi = start[b + 1]!;
      if (hi - lo > 1) order.subarray(lo, hi).sort((x, y) => dr[x]! - dr[y]!);
    }
    let maxRid = -1;
    for (let i = 0; i < n; i++) if (rid[i]! > maxRid) maxRid = rid[i]!;
    const posOf = new Int32Array(maxRid + 1).fill(-1);
    for (let o = 0; o < n; o++) posOf[rid[order[o]!]!] = o;
    // 2. the records, read chunk by chunk in table order and stored at their sorted place
    const res = await conn.run(`
      SELECT e.rid::DOUBLE, qn.r AS qr, q.r AS qi, d.r AS dr, sg.r AS si, ${NUM_COLS.map((c) => `e.${c}::DOUBLE`).join(', ')},
             e.first_ts::DOUBLE, e.last_ts::DOUBLE, e.grade::DOUBLE, e.weight::DOUBLE
      FROM ${src} e
      JOIN ${dicts.qn} qn ON e.query_norm IS NOT DISTINCT FROM qn.k
      JOIN ${dicts.q} q ON e.query IS NOT DISTINCT FROM q.k
      JOIN ${dicts.doc} d ON e.doc_id IS NOT DISTINCT FROM d.k
      JOIN ${dicts.sig} sg ON coalesce(array_to_string(e.signals, ','), '') = sg.k`);
    const out = new Array<Evidence>(n);
    let seen = 0;
    for (;;) {
      const chunk = await res.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const [ridv, qrv, qi, drv, si, imp, cl, sat, conv, succ, short, pogo, unk, skip, serps, users, first, last, grade, weight] = Array.from({ length: 20 }, (_, j) => chunk.getColumnVector(j)) as [
        DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector,
        DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector,
      ];
      const m = chunk.rowCount;
      seen += m;
      for (let k = 0; k < m; k++) {
        out[posOf[ridv.getItem(k) as number]!] = {
          kind: 'Evidence',
          query_norm: qnD[qrv.getItem(k) as number] as string,
          query: qD[qi.getItem(k) as number] as string,
          doc_id: docD[drv.getItem(k) as number] as string,
          impressions: imp.getItem(k) as number,
          clicks: cl.getItem(k) as number,
          satisfied: sat.getItem(k) as number,
          converted: conv.getItem(k) as number,
          success_last: succ.getItem(k) as number,
          short_dwell: short.getItem(k) as number,
          pogo: pogo.getItem(k) as number,
          unknown_dwell: unk.getItem(k) as number,
          skip_above: skip.getItem(k) as number,
          serps: serps.getItem(k) as number,
          users: users.getItem(k) as number,
          first_ts: first.getItem(k) as number | null,
          last_ts: last.getItem(k) as number | null,
          grade: grade.getItem(k) as number,
          weight: weight.getItem(k) as number,
          signals: sigD[si.getItem(k) as number]!,
        };
      }
    }
    if (seen !== n) throw internalError('evidence_read', `readEvidence: the ordering pass saw ${n} rows but the record pass ${seen}`, { stage: STAGE });
    return out;
  } finally {
    await conn.run(Object.values(dicts).map((t) => `DROP TABLE IF EXISTS ${t};`).join(' '));
  }
}

function pct(n: number, d: number): string {
  return d > 0 ? `${((100 * n) / d).toFixed(1)}%` : '0%';
}
