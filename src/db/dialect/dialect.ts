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
  /**
   * A join key standing for `naturalKey` within one statement run: DuckDB numbers the rows
   * (`row_number() OVER ()`, a narrow INTEGER key); Spark keeps the natural key (a row number
   * without ORDER BY is not allowed there, and a recomputed view would renumber it).
   */
  surrogateKey(naturalKey: string): string;
  /** `left` rows with no `right` row matching `on` (`ANTI JOIN` / `LEFT ANTI JOIN`), after FROM's first relation. */
  antiJoin(right: string, on: string): string;
  /** The aggregate list of `expr` over a group (nulls kept out by the caller's FILTER). */
  listAgg(expr: string): string;
  /** The non-null values of `items`, in order, as a list. */
  listOfNonNull(items: readonly string[]): string;
  /** An empty list of `type`. */
  emptyList(type: SqlType): string;
  /** `list` with `item` appended. */
  listAppend(list: string, item: string): string;
  /** The aggregate list of `expr` ordered by `orderBy` (one column). */
  orderedListAgg(expr: string, orderBy: string): string;
  /** The `i`-th element (1-based) of `list`. */
  listAt(list: string, i: string): string;
  /** An inline table `rows` (SQL tuples), with its alias and column names. */
  values(rows: readonly string[], alias: string, columns: readonly string[]): string;
  /** The distinct non-empty words of `s` split on single spaces, as a list. */
  wordSet(s: string): string;
  /** The distinct character trigrams (code points) of `s`, as a list (empty when `s` has fewer than 3 characters). */
  trigramSet(s: string): string;
  /** The number of distinct elements two lists of distinct elements share. */
  intersectionSize(a: string, b: string): string;
  /** The number of elements of a list. */
  listLength(list: string): string;
  /** The sum of `body` over the elements `v` of `list` (0 for an empty list), exact as DECIMAL(38, scale). */
  listSumDecimal(list: string, v: string, body: string, scale: number): string;
  /** The sum of a list of DOUBLE items, left to right (NULL items left out). */
  sumOfNonNull(items: readonly string[]): string;
  /** `a / b` as a DOUBLE division (DuckDB divides DECIMALs as DOUBLE; Spark would keep a DECIMAL). */
  divide(a: string, b: string): string;
  /** A bucket in [0, n) from the hash of the string `expr` (DuckDB `hash`, Spark `xxhash64`: different buckets). */
  hashBucket(expr: string, n: number): string;
  /**
   * The select list `*` of `from` without `exclude` and with `replace`'d expressions, given the
   * columns the relation has (Spark has no `* EXCLUDE ... REPLACE`: the columns are listed).
   */
  starExcept(columns: readonly string[], exclude: readonly string[], replace?: readonly (readonly [string, string])[]): string;
}

export type SqlType = 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN';

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
