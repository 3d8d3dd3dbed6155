import type { Dialect } from './dialect.js';
import { duckdbDialect } from './duckdb.js';
import { sparkDialect } from './spark.js';

export type { Dialect } from './dialect.js';
export { duckdbDialect } from './duckdb.js';
export { sparkDialect } from './spark.js';

/** The engines the event-level SQL is generated for. */
export const dialects = { duckdb: duckdbDialect, spark: sparkDialect } satisfies Record<string, Dialect>;
export type Engine = keyof typeof dialects;
export const ENGINES = Object.keys(dialects) as Engine[];
