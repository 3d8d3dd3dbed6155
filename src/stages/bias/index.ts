export { biasOptions, type BiasOptions, type BiasOptionsInput } from './options.js';
export { clickCountsFromPages, isHoldout, ClickCountsBuilder, type ClickCounts, type CellCounts } from './counts.js';
export { BIAS_COUNTS_COLUMNS, biasCountsRelation, clickCountsFromDb, clickCountsFromTable, clickCountsSql, writeBiasCounts, type BiasCounts, type BiasPageCounts, type DbCountsOptions } from './from-duckdb.js';
export { fitPbm, PbmModel, type PbmFitOptions, type HeldOutMetrics } from './pbm.js';
export { interventionHarvest, type RelativeCurveResult } from './intervention.js';
export { randomizedCtr, type RandomizedCurveResult } from './randomized.js';
export { estimatePropensities, type PropensityResult, type EstimatorName, type CurveInterval, type ReplicateFits } from './estimate.js';
