export type { Judge, FalseNegativeFilter, FilterCandidate, FilterRecord, Removal, RemovedExample } from './types.js';
export { falseNegativeOptions, type FalseNegativeOptions } from './options.js';
export { createClickVetoFilter } from './click-veto.js';
export { createSameFieldFilter } from './same-field.js';
export { createNearDuplicateFilter, type NearDuplicateFilter } from './near-duplicate.js';
export { createPositiveAwareFilter, positiveAwareCeiling } from './positive-aware.js';
export { createAmbiguityFilter } from './ambiguity.js';
export { createJudgeFilter, type JudgeFilter } from './judge.js';
export { createPreferBehaviouralFilter } from './prefer-behavioural.js';
