import { createBehaviouralMiner } from './behavioural-miner.js';
import { createBm25Miner } from './bm25-miner.js';
import { createDenseMiner } from './dense-miner.js';
import { createRandomMiner } from './random-miner.js';
import type { MinerFactory } from './types.js';

/**
 * Every negative miner, by the name `negatives.miners` uses. The option enum, `NegativeSource`
 * and the `source` of exported negatives derive from these keys; their order is the order the
 * enum lists them in. A new miner is one file (a `NegativeMiner`) and one entry here (plus its
 * options under `negatives.<name>` when it has any).
 */
// Each factory is declared with its type, so that the registry's keys (MinerName, which the
// miners' own types use as NegativeSource) do not depend on the factories' inferred types.
const random: MinerFactory = (s) => createRandomMiner(s.options.random, s.options.seed);
const bm25: MinerFactory = (s) => createBm25Miner(s.options.bm25, s.options.seed);
const behavioural: MinerFactory = (s) => (s.clickLog === false ? { skipped: 'behavioural miner skipped: not applicable: no click log (it mines what users skipped).' } : createBehaviouralMiner(s.options.behavioural, s.weightedSkips ? { weightedSkips: s.weightedSkips } : {}));
const dense: MinerFactory = (s) => (s.embedder ? createDenseMiner(s.options.dense, s.options.seed) : { skipped: 'dense miner skipped: no embedder given.' });

export const miners = { random, bm25, behavioural, dense } satisfies Record<string, MinerFactory>;

export type MinerName = keyof typeof miners;

/** The registry's keys, in order (the `negatives.miners` enum). */
export const minerNames = Object.keys(miners) as [MinerName, ...MinerName[]];
