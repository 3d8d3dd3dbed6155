import type { GeneratorFactory } from './context.js';
import { createLlmGenerator } from './llm.js';
import { createOfflineGenerator } from './offline.js';

/** The query generators: a new one is one entry here (the `generator` option's values are these keys). */
export const generators = {
  offline: createOfflineGenerator,
  llm: createLlmGenerator,
} satisfies Record<string, GeneratorFactory>;

export type GeneratorName = keyof typeof generators;
export const GENERATOR_NAMES = Object.keys(generators) as [GeneratorName, ...GeneratorName[]];
