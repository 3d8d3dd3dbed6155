import type { ResolvedSynthOptions } from '../options.js';
import type { Passage, QueryGenerator } from '../types.js';

/** What a generator factory is given: every passage of the run (corpus statistics) and the options. */
export interface GeneratorContext {
  readonly passages: readonly Passage[];
  readonly options: ResolvedSynthOptions;
  readonly seed: number;
  readonly signal?: AbortSignal;
}

export type GeneratorFactory = (ctx: GeneratorContext) => Promise<QueryGenerator>;
