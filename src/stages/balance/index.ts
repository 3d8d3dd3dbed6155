export { balanceOptions, type BalanceOptions, type BalanceOptionsInput, type Weighted } from './options.js';
export { concentration, capPopularity, type Concentration, type PopularityCapResult } from './popularity.js';
export { applyFreshness, positivesByAge, AGE_BUCKETS, type AgeReport, type FreshnessResult } from './freshness.js';
export { queryBuckets, capHeadQueries, type QueryBucket, type QueryBuckets, type HeadCapResult } from './head-tail.js';
export { presentationCtr, presentationSection, renderPresentationSection, type PresentationCell, type FeatureCtr, type PresentationSection, type PresentationSectionOptions } from './presentation.js';
