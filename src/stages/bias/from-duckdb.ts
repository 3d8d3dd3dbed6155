import type { DuckDBConnection } from '../../db/duckdb.js';
import { queryNumber, readColumns, type Columns } from '../../db/duckdb.js';
import type { Clicks, Impressions, RandomizedPages, Serps } from '../ingest/relations.js';
import { normalizeQuery } from '../../text/normalize.js';
import type { StageStats } from '../../types.js';
import { ClickCountsBuilder, type ClickCounts, type Fold } from './counts.js';

export interface DbCountsOptions {
  /** Ranks above this are not modelled; their impressions are counted as rank_beyond_max. */
  readonly maxRank: number;
  readonly holdoutShare: number;
  readonly seed: number;
  /**
   * SQL boolean expression over the `serps` row aliased `s` that marks pages whose order was
   * randomised, e.g. `s.serp_id LIKE 'rand-%'`. Those pages go to the randomized fold only.
   */
  readonly randomizedWhere?: string;
}

const FOLDS: readonly Fold[] = ['train', 'holdout', 'randomized'];

/** What the bias counts read: ingest's click log, and the pages it marked randomised (SERP records). */
export interface BiasCountsInput {
  readonly serps: Serps;
  readonly impressions: Impressions;
  readonly clicks: Clicks;
  /** Pages whose order was randomised: the randomized fold (unless `randomizedWhere` says otherwise). */
  readonly randomized?: RandomizedPages | null;
}

/** The `randomizedWhere` of pages listed in `randomized`. */
export const randomizedWhereOf = (randomized: RandomizedPages): string => `s.serp_id IN (SELECT serp_id FROM ${randomized.name})`;

function withRandomized(input: BiasCountsInput, opts: DbCountsOptions): DbCountsOptions {
  if (opts.randomizedWhere !== undefined || !input.randomized) return opts;
  return { ...opts, randomizedWhere: randomizedWhereOf(input.randomized) };
}

/**
 * The SQL that aggregates the canonical tables to (query, doc, rank, fold) -> (impressions, clicks).
 * A result counts as clicked once however many clicks it got (PBM is binary). The holdout fold is a
 * seeded hash of serp_id, so a page always lands in the same fold for the same seed. Grouping is on
 * the raw query; normalisation (NFKC etc., which DuckDB lacks) happens after, in TypeScript, on the
 * already small aggregate.
 */
export function clickCountsSql(input: BiasCountsInput, opts: DbCountsOptions): string {
  const cut = Math.round(opts.holdoutShare * 1_000_000);
  const rand = opts.randomizedWhere ? `(${opts.randomizedWhere})` : 'false';
  return `
WITH clicked AS (SELECT DISTINCT serp_id, rank FROM ${input.clicks.name})
SELECT s.query AS query, i.doc_id AS doc_id, (i.rank - 1)::INTEGER AS rank0,
  (CASE WHEN ${rand} THEN 2
        WHEN hash(s.serp_id || '#${Math.trunc(opts.seed)}') % 1000000 < ${cut} THEN 1
        ELSE 0 END)::INTEGER AS fold,
  count(*)::DOUBLE AS n,
  count(c.serp_id)::DOUBLE AS k
FROM ${input.impressions.name} i
JOIN ${input.serps.name} s ON s.serp_id = i.serp_id
LEFT JOIN clicked c ON c.serp_id = i.serp_id AND c.rank = i.rank
WHERE i.rank <= ${Math.trunc(opts.maxRank)}
GROUP BY ALL
ORDER BY query, doc_id, rank0, fold`;
}

let tempSeq = 0;

/**
 * The aggregate of `clickCountsSql` with its query and document columns as dense codes (rank in
 * sort order) plus the two dictionaries, in the aggregate's order: strings cross into JavaScript once
 * per distinct value instead of once per row.
 */
async function readCodedCounts(conn: DuckDBConnection, sql: string): Promise<{ queries: readonly (string | null)[]; docs: readonly (string | null)[]; rows: Columns }> {
  const t = `bias_counts_${process.pid}_${tempSeq++}`;
  await conn.run(`
CREATE TEMP TABLE ${t} AS ${sql};
CREATE TEMP TABLE ${t}_q AS SELECT k, (row_number() OVER (ORDER BY k) - 1)::INTEGER AS i FROM (SELECT DISTINCT query AS k FROM ${t});
CREATE TEMP TABLE ${t}_d AS SELECT k, (row_number() OVER (ORDER BY k) - 1)::INTEGER AS i FROM (SELECT DISTINCT doc_id AS k FROM ${t});`);
  try {
    const queries = (await readColumns(conn, `SELECT k FROM ${t}_q ORDER BY i`)).str('k');
    const docs = (await readColumns(conn, `SELECT k FROM ${t}_d ORDER BY i`)).str('k');
    const rows = await readColumns(conn, `
SELECT q.i AS qi, d.i AS di, c.rank0, c.fold, c.n, c.k
FROM ${t} c JOIN ${t}_q q ON q.k IS NOT DISTINCT FROM c.query JOIN ${t}_d d ON d.k IS NOT DISTINCT FROM c.doc_id
ORDER BY qi, di, c.rank0, c.fold`);
    return { queries, docs, rows };
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${t}; DROP TABLE IF EXISTS ${t}_q; DROP TABLE IF EXISTS ${t}_d;`);
  }
}

/** Build `ClickCounts` from ingest's `serps`/`impressions`/`clicks` relations, aggregated in DuckDB. */
export async function clickCountsFromDb(conn: DuckDBConnection, input: BiasCountsInput, options: DbCountsOptions): Promise<{ counts: ClickCounts; stats: StageStats }> {
  const t0 = performance.now();
  const opts = withRandomized(input, options);
  const b = new ClickCountsBuilder(opts.maxRank);
  const { queries, docs, rows: agg } = await readCodedCounts(conn, clickCountsSql(input, opts));
  // normalised query per raw query, and the builder's indices, taken in the order rows first show them (as a row-by-row read would)
  const queryIndex = new Int32Array(queries.length).fill(-1);
  const docIndex = new Int32Array(docs.length).fill(-1);
  let rawQueries = 0;
  const [qi, di, rank0, foldOf, n, k] = (['qi', 'di', 'rank0', 'fold', 'n', 'k'] as const).map((c) => agg.num(c)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const rows = agg.rowCount;
  for (let i = 0; i < rows; i++) {
    const rq = qi[i] as number;
    let q = queryIndex[rq] as number;
    if (q < 0) {
      q = b.queryOf(normalizeQuery(queries[rq] as string));
      queryIndex[rq] = q;
      rawQueries++;
    }
    const rd = di[i] as number;
    let d = docIndex[rd] as number;
    if (d < 0) {
      d = b.docOf(docs[rd] as string);
      docIndex[rd] = d;
    }
    const fold = FOLDS[foldOf[i] as number] as Fold;
    b.folds[fold].add(b.pairOfIndices(q, d), rank0[i] as number, n[i] as number, k[i] as number);
  }
  const cut = Math.round(opts.holdoutShare * 1_000_000);
  const rand = opts.randomizedWhere ? `(${opts.randomizedWhere})` : 'false';
  const pageRows = await conn.runAndReadAll(`
SELECT (CASE WHEN ${rand} THEN 2 WHEN hash(s.serp_id || '#${Math.trunc(opts.seed)}') % 1000000 < ${cut} THEN 1 ELSE 0 END)::INTEGER AS fold,
  count(*)::DOUBLE AS pages
FROM ${input.serps.name} s WHERE s.serp_id IN (SELECT serp_id FROM ${input.impressions.name} WHERE rank <= ${Math.trunc(opts.maxRank)})
GROUP BY ALL`);
  for (const [fold, pages] of pageRows.getRowsJS()) b.folds[FOLDS[fold as number] as Fold].pages = pages as number;
  const beyond = await queryNumber(conn, `SELECT count(*) FROM ${input.impressions.name} WHERE rank > ${Math.trunc(opts.maxRank)}`);
  const counts = b.build();
  const stats: StageStats = {
    stage: 'bias',
    in: { aggregate_rows: rows, raw_queries: rawQueries },
    out: { pairs: counts.pairQuery.length, train_cells: counts.train.length, holdout_cells: counts.holdout.length, randomized_cells: counts.randomized.length, train_pages: counts.train.pages, holdout_pages: counts.holdout.pages, randomized_pages: counts.randomized.pages },
    dropped: beyond > 0 ? { rank_beyond_max: beyond } : {},
    notes: beyond > 0 ? [`${beyond} impressions below rank ${opts.maxRank} are not modelled; raise maxRank to include them.`] : [],
    seconds: (performance.now() - t0) / 1000,
  };
  return { counts, stats };
}
