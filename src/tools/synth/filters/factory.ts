import type { ResolvedSynthOptions } from '../options.js';
import type { QueryFilter } from '../types.js';

export type FilterFactory = (opts: ResolvedSynthOptions['filters']) => QueryFilter;
