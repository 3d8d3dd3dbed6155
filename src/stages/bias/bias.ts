/**
 * The bias stage over DuckDB: click counts from ingest's relations, then the examination curve
 * (estimator per bias.estimator, 'auto' by default). The counts are the event level's part
 * (`writeBiasCounts`, the `bias_counts` relation), the fit the text level's (`estimateBiasFromCounts`).
 */
import type { DuckDBConnection } from '../../db/duckdb.js';
import type { StageStats } from '../../types.js';
import { estimatePropensities, type PropensityResult } from './estimate.js';
import { clickCountsFromDb, clickCountsFromTable, type BiasCounts, type BiasCountsInput, type BiasPageCounts } from './from-duckdb.js';
import type { BiasOptions } from './options.js';

export interface BiasResult {
  readonly result: PropensityResult;
  readonly countStats: StageStats;
}

/** Position bias of the log in `input`; randomised pages (SERP records marked `randomized`) feed the 'randomized' estimator. */
export async function estimateBias(conn: DuckDBConnection, input: BiasCountsInput, options: BiasOptions, seed: number): Promise<BiasResult> {
  const o = { ...options, seed };
  const { counts, stats } = await clickCountsFromDb(conn, input, { maxRank: o.maxRank, holdoutShare: o.holdoutShare, seed: o.seed });
  return { result: estimatePropensities(counts, o), countStats: { ...stats, stage: 'bias/counts' } };
}

/** Position bias from the event level's counts (`writeBiasCounts`, or a bias_counts.parquet loaded by `build --evidence`). */
export async function estimateBiasFromCounts(conn: DuckDBConnection, table: BiasCounts, pages: BiasPageCounts, options: BiasOptions, seed: number): Promise<BiasResult> {
  const o = { ...options, seed };
  const { counts, stats } = await clickCountsFromTable(conn, table, pages, o.maxRank);
  return { result: estimatePropensities(counts, o), countStats: { ...stats, stage: 'bias/counts' } };
}

/** The examination probability by rank as the miners take it: 1-based (index 0 unused), clamped to (0, 1] (non-finite or non-positive values: 1e-3). */
export function examinationByRank(result: Pick<PropensityResult, 'relative'>): number[] {
  return [0, ...result.relative.map((v) => (Number.isFinite(v) && v > 0 ? Math.min(1, v) : 1e-3))];
}
