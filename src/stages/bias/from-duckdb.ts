import type { DuckDBConnection } from '../../db/duckdb.js';
import { queryNumber, readColumns, type Columns } from '../../db/duckdb.js';
import { createNamespace, dropRelations, relation, type Namespace, type Relation } from '../../db/relation.js';
import type { Clicks, Impressions, RandomizedPages, Serps } from '../ingest/relations.js';
import { normalizeQuery } from '../../text/normalize.js';
import type { StageStats } from '../../types.js';
import { duckdbDialect, type Dialect } from '../../db/dialect/index.js';
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

/** The columns of the `bias_counts` relation: (raw query, doc, 0-based rank, fold) -> impressions n and clicked impressions k. */
export const BIAS_COUNTS_COLUMNS = ['query', 'doc_id', 'rank0', 'fold', 'n', 'k'] as const;
export type BiasCounts = Relation<(typeof BIAS_COUNTS_COLUMNS)[number]>;

/** Result pages per fold and the impressions below maxRank: the counts beside `bias_counts`. */
export interface BiasPageCounts {
  readonly pages: Readonly<Record<Fold, number>>;
  readonly rankBeyondMax: number;
}

/** The handle of the bias counts in namespace `ns`. */
export function biasCountsRelation(ns?: Namespace): BiasCounts {
  return relation('bias_counts', BIAS_COUNTS_COLUMNS, ns);
}

/**
 * The SQL that aggregates the canonical tables to (query, doc, rank, fold) -> (impressions, clicks).
 * A result counts as clicked once however many clicks it got (PBM is binary). The holdout fold is a
 * seeded hash of serp_id, so a page always lands in the same fold for the same seed. Grouping is on
 * the raw query; normalisation (NFKC etc., which DuckDB lacks) happens after, in TypeScript, on the
 * already small aggregate.
 */
export function clickCountsSql(input: BiasCountsInput, opts: DbCountsOptions, d: Dialect = duckdbDialect): string {
  const rand = opts.randomizedWhere ? `(${opts.randomizedWhere})` : 'false';
  return `
WITH clicked AS (SELECT DISTINCT serp_id, rank FROM ${input.clicks.name})
SELECT s.query AS query, i.doc_id AS doc_id, ${d.cast('(i.rank - 1)', 'INTEGER')} AS rank0,
  ${foldSql(rand, opts, d)} AS fold,
  ${d.cast('count(*)', 'BIGINT')} AS n,
  ${d.cast('count(c.serp_id)', 'BIGINT')} AS k
FROM ${input.impressions.name} i
JOIN ${input.serps.name} s ON s.serp_id = i.serp_id
LEFT JOIN clicked c ON c.serp_id = i.serp_id AND c.rank = i.rank
WHERE i.rank <= ${Math.trunc(opts.maxRank)}
GROUP BY ALL`;
}

/** The fold of the result page `s`: 2 randomized, 1 holdout (a seeded hash of serp_id), 0 train. */
function foldSql(rand: string, opts: DbCountsOptions, d: Dialect): string {
  const cut = Math.round(opts.holdoutShare * 1_000_000);
  return d.cast(`(CASE WHEN ${rand} THEN 2 WHEN ${d.hashBucket(`s.serp_id || '#${Math.trunc(opts.seed)}'`, 1000000)} < ${cut} THEN 1 ELSE 0 END)`, 'INTEGER');
}

/** Result pages per fold (pages with an impression at a modelled rank). */
export function foldPagesSql(input: BiasCountsInput, opts: DbCountsOptions, d: Dialect = duckdbDialect): string {
  const rand = opts.randomizedWhere ? `(${opts.randomizedWhere})` : 'false';
  return `
SELECT ${foldSql(rand, opts, d)} AS fold, ${d.cast('count(*)', 'DOUBLE')} AS pages
FROM ${input.serps.name} s WHERE s.serp_id IN (SELECT serp_id FROM ${input.impressions.name} WHERE rank <= ${Math.trunc(opts.maxRank)})
GROUP BY ALL`;
}

/** Impressions below the modelled ranks (the rank_beyond_max drop). */
export function beyondMaxRankSql(input: BiasCountsInput, opts: DbCountsOptions): string {
  return `SELECT count(*) AS impressions FROM ${input.impressions.name} WHERE rank > ${Math.trunc(opts.maxRank)}`;
}

/**
 * The event level's part of the bias stage: the counts aggregated into `bias_counts` (namespace
 * `ns`), the pages per fold and the impressions below maxRank.
 */
export async function writeBiasCounts(conn: DuckDBConnection, input: BiasCountsInput, options: DbCountsOptions, ns?: Namespace): Promise<{ relation: BiasCounts; counts: BiasPageCounts }> {
  const opts = withRandomized(input, options);
  const out = biasCountsRelation(ns);
  await createNamespace(conn, ns);
  await conn.run(`CREATE OR REPLACE TABLE ${out.name} AS ${clickCountsSql(input, opts)}`);
  const pageRows = await conn.runAndReadAll(foldPagesSql(input, opts));
  const pages: Record<Fold, number> = { train: 0, holdout: 0, randomized: 0 };
  for (const [fold, n] of pageRows.getRowsJS()) pages[FOLDS[fold as number] as Fold] = n as number;
  const rankBeyondMax = await queryNumber(conn, beyondMaxRankSql(input, opts));
  return { relation: out, counts: { pages, rankBeyondMax } };
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

/** The text level's part: `ClickCounts` from the `bias_counts` relation (read in (query, doc, rank, fold) order) and the page counts. */
export async function clickCountsFromTable(conn: DuckDBConnection, table: BiasCounts, pageCounts: BiasPageCounts, maxRank: number): Promise<{ counts: ClickCounts; stats: StageStats }> {
  const t0 = performance.now();
  const b = new ClickCountsBuilder(maxRank);
  const { queries, docs, rows: agg } = await readCodedCounts(conn, `SELECT query, doc_id, rank0, fold, n::DOUBLE AS n, k::DOUBLE AS k FROM ${table.name}`);
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
  for (const fold of FOLDS) if (pageCounts.pages[fold] > 0) b.folds[fold].pages = pageCounts.pages[fold];
  const beyond = pageCounts.rankBeyondMax;
  const counts = b.build();
  const stats: StageStats = {
    stage: 'bias',
    in: { aggregate_rows: rows, raw_queries: rawQueries },
    out: { pairs: counts.pairQuery.length, train_cells: counts.train.length, holdout_cells: counts.holdout.length, randomized_cells: counts.randomized.length, train_pages: counts.train.pages, holdout_pages: counts.holdout.pages, randomized_pages: counts.randomized.pages },
    dropped: beyond > 0 ? { rank_beyond_max: beyond } : {},
    notes: beyond > 0 ? [`${beyond} impressions below rank ${maxRank} are not modelled; raise maxRank to include them.`] : [],
    seconds: (performance.now() - t0) / 1000,
  };
  return { counts, stats };
}

/** Build `ClickCounts` from ingest's `serps`/`impressions`/`clicks` relations, aggregated in DuckDB (a temporary `bias_counts` in namespace `ns`, dropped after). */
export async function clickCountsFromDb(conn: DuckDBConnection, input: BiasCountsInput, options: DbCountsOptions, ns?: Namespace): Promise<{ counts: ClickCounts; stats: StageStats }> {
  const t0 = performance.now();
  const w = await writeBiasCounts(conn, input, options, ns);
  try {
    const r = await clickCountsFromTable(conn, w.relation, w.counts, options.maxRank);
    return { counts: r.counts, stats: { ...r.stats, seconds: (performance.now() - t0) / 1000 } };
  } finally {
    await dropRelations(conn, [w.relation]);
  }
}
