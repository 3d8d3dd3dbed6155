import { queryRows, readColumns, type DuckDBConnection } from '../../db/duckdb.js';
import { columnsOf, type Relation } from '../../db/relation.js';
import type { Clicks, Impressions } from '../ingest/relations.js';
import type { SerpFacts } from '../sessions/sessions.js';
import { usageError } from '../../errors.js';
import type { NegativeOptions } from './options.js';
import type { Behaviour, MiningContext, NegativeCandidate, NegativeMiner } from './types.js';

/**
 * Negatives from behaviour, for the same query_norm:
 * - "skip_above": shown above a clicked result and not clicked at least minSkipAbove times
 *   (the strongest click-based negative, Joachims et al. 2005), ordered by skip count, or, when
 *   `weightedSkips` is given, by the examination-weighted skip count (see `loadWeightedSkips`): a
 *   skip at rank 1, which the user almost surely read, outweighs one at rank 9, which they may not
 *   have looked at (the threshold minSkipAbove still applies to the raw count);
 * - "unclicked": exposure >= minExposure and no click, ordered by exposure. Exposure is the
 *   pair's expected examinations when `ctx.expectedExaminations` has it (the grading stage's
 *   `expected_examinations`: sum over its impressions of the examination propensity of their rank,
 *   see `loadExpectedExaminations`), else its impression count.
 * Docs with more than maxClicks clicks are never proposed; docs missing from the corpus are
 * counted by the caller (they have no text).
 */
export function createBehaviouralMiner(
  opts: NegativeOptions['behavioural'],
  inputs: { readonly weightedSkips?: ReadonlyMap<string, number> } = {},
): NegativeMiner & { readonly missingDocs: () => number } {
  const weighted = inputs.weightedSkips;
  let missing = 0;
  const exposure = (ctx: MiningContext, qn: string, doc: string, impressions: number): number =>
    ctx.expectedExaminations?.get(`${qn}\t${doc}`) ?? impressions;
  return {
    source: 'behavioural',
    missingDocs: () => missing,
    dropped: (): Record<string, number> => (missing > 0 ? { 'candidates.behavioural_doc_not_in_corpus': missing } : {}),
    mine(queries, ctx) {
      return Promise.resolve(
        queries.map((q) => {
          const rows: { doc: number; behaviour: Behaviour; s: number; id: string }[] = [];
          for (const e of ctx.evidenceByQuery.get(q.query_norm) ?? []) {
            if (e.clicks > opts.maxClicks) continue;
            const d = ctx.docIndex.get(e.doc_id);
            if (d === undefined) {
              missing++;
              continue;
            }
            if (q.exclude.has(d)) continue;
            if (e.skip_above >= opts.minSkipAbove) {
              const s = weighted ? (weighted.get(`${q.query_norm}\t${e.doc_id}`) ?? e.skip_above) : e.skip_above;
              rows.push({ doc: d, behaviour: 'skip_above', s, id: e.doc_id });
            }
            else if (e.clicks === 0) {
              const x = exposure(ctx, q.query_norm, e.doc_id, e.impressions);
              if (x >= opts.minExposure) rows.push({ doc: d, behaviour: 'unclicked', s: x, id: e.doc_id });
            }
          }
          rows.sort((a, b) => (a.behaviour === b.behaviour ? b.s - a.s || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.behaviour === 'skip_above' ? -1 : 1));
          return rows.slice(0, opts.count).map(
            (r, i): NegativeCandidate => ({ doc: r.doc, source: 'behavioural', rank: i + 1, minerScore: r.s, behaviour: r.behaviour }),
          );
        }),
      );
    },
  };
}

/** The type of one skip's weight in the sum: 18 decimals (the weights are printed with 17 significant digits, all <= 1), room for 10^20 skips. */
const SKIP_TERM = 'DECIMAL(38, 18)';

/**
 * Examination-weighted skip-above counts per `${query_norm}\t${doc_id}`: the sum, over the pages
 * where the doc was shown above the lowest click of the page and not clicked, of the examination
 * propensity of its rank. Same skip definition as evidence's `skip_above`, read from
 * `impressions`, `clicks` and `serp_facts` (read only). `propensity` is 1-based (index 0 unused, as
 * in MineNegativesInput); ranks past its end take its last value; non-finite or non-positive
 * values count 1 (unweighted). `beforeTs` keeps only pages at or before it and clicks at or
 * before it or without a time (the chronological split's pre-cutoff view).
 */
export async function loadWeightedSkips(
  conn: DuckDBConnection,
  input: { readonly serpFacts: SerpFacts; readonly clicks: Clicks; readonly impressions: Impressions },
  propensity: readonly number[],
  opts: { readonly beforeTs?: number | null } = {},
): Promise<Map<string, number>> {
  const p = propensity.slice(1).map((v) => (Number.isFinite(v) && v > 0 ? v : 1));
  // exact sums: the terms are DECIMALs, so equal sums are equal whatever order the engine adds the
  // impressions in (table order differs between engines and threads), and a tie falls to the doc id
  const list = p.length ? `[${p.map((v) => v.toPrecision(17)).join(', ')}]::${SKIP_TERM}[]` : `[1.0]::${SKIP_TERM}[]`;
  const cut = opts.beforeTs === undefined || opts.beforeTs === null ? null : Math.floor(opts.beforeTs);
  const serpWhere = cut === null ? '' : `WHERE ts <= ${cut}`;
  const clickWhere = cut === null ? '' : `WHERE k.ts IS NULL OR k.ts <= ${cut}`;
  const rows = await queryRows<{ k: string; w: number }>(conn, `
    WITH s AS (SELECT serp_id, query_norm FROM ${input.serpFacts.name} ${serpWhere}),
    k AS (SELECT k.serp_id, k.doc_id, k.rank FROM ${input.clicks.name} k SEMI JOIN s USING (serp_id) ${clickWhere}),
    m AS (SELECT serp_id, max(rank) AS max_rank FROM k GROUP BY serp_id),
    clicked AS (SELECT DISTINCT serp_id, doc_id FROM k)
    SELECT s.query_norm || chr(9) || i.doc_id AS k,
           sum(coalesce(list_extract(${list}, i.rank), ${p.length ? p[p.length - 1]!.toPrecision(17) : '1.0'}::${SKIP_TERM}))::DOUBLE AS w
    FROM ${input.impressions.name} i JOIN m USING (serp_id) JOIN s USING (serp_id)
    ANTI JOIN clicked c ON c.serp_id = i.serp_id AND c.doc_id = i.doc_id
    WHERE i.rank < m.max_rank AND s.query_norm IS NOT NULL
    GROUP BY 1 ORDER BY 1`);
  return new Map(rows.map((r) => [r.k, r.w]));
}

/**
 * Expected examinations per `${query_norm}\t${doc_id}` of the unclicked pairs, read from graded
 * evidence (gradeEvidence's relation, or a calibration of it: column
 * `expected_examinations`: the sum over the pair's impressions of exam(least(rank, R)), the bias
 * stage's curve with values clamped to at most 1 and non-finite or non-positive values set to
 * 1e-3). Only pairs without a click are read (the behavioural miner weighs no other), and only
 * those with at least `minImpressions` impressions: expected examinations never exceed the
 * impression count (every exam value is <= 1), so a pair below negatives.behavioural.minExposure
 * impressions can never pass that threshold, and the miner falls back to its impression count.
 * Read only; a relation without the column (evidence not graded) is a usage error.
 */
export async function loadExpectedExaminations(
  conn: DuckDBConnection,
  evidence: Relation<'query_norm' | 'doc_id' | 'clicks' | 'impressions' | 'expected_examinations'>,
  opts: { readonly minImpressions?: number } = {},
): Promise<Map<string, number>> {
  if (!(await columnsOf(conn, evidence.name))?.includes('expected_examinations')) {
    throw usageError('no_expected_examinations', 'loadExpectedExaminations reads evidence.expected_examinations, which gradeEvidence (src/stages/evidence/grading.ts) adds: grade the evidence table first.', { stage: 'negatives' });
  }
  const m = opts.minImpressions ?? 0;
  if (!Number.isFinite(m)) throw usageError('bad_min_impressions', `loadExpectedExaminations: minImpressions must be a finite number, got ${m}.`, { stage: 'negatives' });
  const cols = await readColumns(conn, `
    SELECT query_norm || chr(9) || doc_id AS k, expected_examinations::DOUBLE AS x
    FROM ${evidence.name} WHERE clicks = 0 AND impressions >= ${m} AND query_norm IS NOT NULL AND doc_id IS NOT NULL`);
  const k = cols.str('k');
  const x = cols.num('x');
  const out = new Map<string, number>();
  for (let i = 0; i < cols.rowCount; i++) out.set(k[i]!, x[i]!);
  return out;
}
