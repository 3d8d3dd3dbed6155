export type { TrainingRecord, NegativeSource, NegativeCandidate, NegativeMiner, MineQuery, MiningContext, Behaviour } from './types.js';
export { embedNormalized } from './embedder.js';
export { negativeOptions, type NegativeOptions, type NegativeOptionsInput } from './options.js';
export { createRandomMiner } from './random-miner.js';
export { createBm25Miner } from './bm25-miner.js';
export { createBehaviouralMiner, loadExpectedExaminations } from './behavioural-miner.js';
export { createDenseMiner } from './dense-miner.js';
export { mineNegatives, selectNegatives, createMiningContext, type MineNegativesInput, type MineNegativesResult } from './mine.js';
