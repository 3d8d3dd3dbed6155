/**
 * A SQL dialect: the functions and syntax the event-level statements use that DuckDB and Spark SQL
 * spell differently. A statement is written once against this interface and generated for each
 * engine (see docs/design/sql-dialects.md).
 */
export interface Dialect {
  readonly name: string;
  /** `CREATE ... AS select`: a stored table, or a scratch relation dropped within the stage when `temp`. */
  createAs(name: string, select: string, opts?: { readonly temp?: boolean }): string;
  /** Drop a relation written by `createAs`. */
  drop(name: string, opts?: { readonly temp?: boolean }): string;
  /** `expr` cast to the SQL type `type` (BIGINT, DOUBLE, VARCHAR). */
  cast(expr: string, type: SqlType): string;
  /** The stable row number of an input table's row (DuckDB's rowid; the `row_id` column of the job's input in Spark). */
  rowId(alias?: string): string;
  /** The select list of a subquery that keeps the row number visible to its readers: `rowid, *` in DuckDB. */
  rowIdAndAll(): string;
  /**
   * The rows of `select` (a SELECT without ORDER BY) whose `row_number() OVER (PARTITION BY
   * partitionBy ORDER BY orderBy)` is 1, with the columns `columns` (output names, unqualified).
   */
  firstPerGroup(q: FirstPerGroup): string;
  /**
   * For each row of `left`, the row of `right` with the same `eq` key and the largest `order`
   * at or before the left row's `order`, or nulls (an as-of left join), as the columns `select`.
   */
  asofLeftJoin(q: AsofJoin): string;
}

export type SqlType = 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN';

export interface FirstPerGroup {
  /** Output expressions with their names: [expression, name]. */
  readonly columns: readonly (readonly [string, string])[];
  /** FROM (with joins) and WHERE, as SQL text after SELECT's column list. */
  readonly from: string;
  readonly partitionBy: string;
  readonly orderBy: string;
}

export interface AsofJoin {
  /** The left input: a relation or parenthesised query, and its alias. */
  readonly left: string;
  readonly leftAlias: string;
  readonly right: string;
  readonly rightAlias: string;
  /** The equality column, the same name on both sides. */
  readonly eq: string;
  /** The ordering column, the same name on both sides. */
  readonly order: string;
  /** A column of `left` unique per row (the tie-breaker of the Spark form). */
  readonly leftKey: string;
  /** Output expressions with their names. */
  readonly select: readonly (readonly [string, string])[];
}

export const columnList = (cols: readonly (readonly [string, string])[]): string =>
  cols.map(([e, n]) => (e === n || e.endsWith(`.${n}`) ? e : `${e} AS ${n}`)).join(', ');
