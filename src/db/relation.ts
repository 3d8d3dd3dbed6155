/**
 * Named relations: how stages hand DuckDB tables to each other. A stage takes the relations it
 * reads and returns the ones it writes; it writes only under its own names in the namespace it is
 * given, and never rewrites a relation it was handed. See docs/design/relations.md.
 */
import { internalError } from '../errors.js';
import type { DuckDBConnection } from './duckdb.js';

declare const columnsOf_: unique symbol;

/**
 * A table or view and the columns a reader may rely on. `name` is ready for SQL (`serp_facts`,
 * `pre_cutoff.serp_facts`). `C` is the column set: a relation with more columns can be passed
 * where one with fewer is read (graded evidence where evidence is read), not the other way round;
 * `Relation` alone is any relation.
 */
export interface Relation<C extends string = never> {
  readonly name: string;
  readonly columns: readonly string[];
  /** Type only (never set): makes Relation<C> contravariant in C, i.e. "has at least the columns C". */
  readonly [columnsOf_]?: (column: C) => void;
}

/** Where a stage writes: a DuckDB schema of the connection's database, or the current schema when undefined. */
export type Namespace = string | undefined;

/** The handle of `table` in namespace `ns` with `columns`. */
export function relation<C extends string>(table: string, columns: readonly C[], ns?: Namespace): Relation<C> {
  return { name: ns ? `${ns}.${table}` : table, columns };
}

/** Create the namespace's schema when there is one (idempotent). */
export async function createNamespace(conn: DuckDBConnection, ns: Namespace): Promise<void> {
  if (ns) await conn.run(`CREATE SCHEMA IF NOT EXISTS ${ns}`);
}

/** Drop a namespace and every relation in it. */
export async function dropNamespace(conn: DuckDBConnection, ns: Namespace): Promise<void> {
  if (ns) await conn.run(`DROP SCHEMA IF EXISTS ${ns} CASCADE`);
}

/** The columns of the relation named `name`, or null when there is none. */
export async function columnsOf(conn: DuckDBConnection, name: string): Promise<string[] | null> {
  try {
    return (await conn.run(`SELECT * FROM ${name} LIMIT 0`)).columnNames();
  } catch {
    return null;
  }
}

/** True when the relation exists. */
export async function relationExists(conn: DuckDBConnection, r: Relation): Promise<boolean> {
  return (await columnsOf(conn, r.name)) !== null;
}

/**
 * Fail fast, naming what is missing and who makes it: every relation of `rels` must exist. The
 * columns are the producer's declaration; a stage that needs a column a fixture may lack checks it
 * with `requireColumns`.
 */
export async function requireRelations(conn: DuckDBConnection, stage: string, rels: readonly Relation[], producedBy: string): Promise<void> {
  const missing: string[] = [];
  for (const r of rels) if ((await columnsOf(conn, r.name)) === null) missing.push(r.name);
  if (missing.length > 0) {
    throw internalError('missing_tables', `tables ${missing.join(', ')} do not exist: run ${producedBy} on this connection first.`, { stage });
  }
}

/** Fail fast when relation `r` lacks one of `columns`. */
export async function requireColumns(conn: DuckDBConnection, stage: string, r: Relation, columns: readonly string[], producedBy: string): Promise<void> {
  const have = (await columnsOf(conn, r.name)) ?? [];
  const lacking = columns.filter((c) => !have.includes(c));
  if (lacking.length > 0) throw internalError('missing_columns', `relation ${r.name} lacks the columns ${lacking.join(', ')}: build it with ${producedBy}.`, { stage });
}

/** Drop relations no later stage reads (the pipeline, which knows the order, decides when). */
export async function dropRelations(conn: DuckDBConnection, rels: readonly Relation[]): Promise<void> {
  if (rels.length > 0) await conn.run(rels.map((r) => `DROP TABLE IF EXISTS ${r.name};`).join(' '));
}
