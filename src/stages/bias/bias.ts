/**
 * The bias stage over DuckDB: click counts from ingest's relations, then the examination curve
 * (estimator per bias.estimator, 'auto' by default).
 */
import type { DuckDBConnection } from '../../db/duckdb.js';
import type { StageStats } from '../../types.js';
import { estimatePropensities, type PropensityResult } from './estimate.js';
import { clickCountsFromDb, type BiasCountsInput } from './from-duckdb.js';
import type { BiasOptions } from './options.js';

/** Position bias of the log in `input`; randomised pages (SERP records marked `randomized`) feed the 'randomized' estimator. */
export async function estimateBias(conn: DuckDBConnection, input: BiasCountsInput, options: BiasOptions, seed: number): Promise<{ result: PropensityResult; countStats: StageStats }> {
  const o = { ...options, seed };
  const { counts, stats } = await clickCountsFromDb(conn, input, { maxRank: o.maxRank, holdoutShare: o.holdoutShare, seed: o.seed });
  return { result: estimatePropensities(counts, o), countStats: { ...stats, stage: 'bias/counts' } };
}

/** The examination probability by rank as the miners take it: 1-based (index 0 unused), clamped to (0, 1] (non-finite or non-positive values: 1e-3). */
export function examinationByRank(result: Pick<PropensityResult, 'relative'>): number[] {
  return [0, ...result.relative.map((v) => (Number.isFinite(v) && v > 0 ? Math.min(1, v) : 1e-3))];
}
