import { columnList, type Dialect } from './dialect.js';

/** Embedded DuckDB, the default engine. */
export const duckdbDialect: Dialect = {
  name: 'duckdb',
  createAs: (name, select, opts) => `CREATE OR REPLACE ${opts?.temp ? 'TEMP ' : ''}TABLE ${name} AS\n${select}`,
  drop: (name) => `DROP TABLE IF EXISTS ${name}`,
  cast: (expr, type) => `${expr}::${type}`,
  rowId: (alias) => (alias ? `${alias}.rowid` : 'rowid'),
  rowIdAndAll: () => 'rowid, *',
  firstPerGroup: (q) => `SELECT ${columnList(q.columns)}
      ${q.from}
      QUALIFY row_number() OVER (PARTITION BY ${q.partitionBy}
                                 ORDER BY ${q.orderBy}) = 1`,
  asofLeftJoin: (q) => `SELECT ${columnList(q.select)}
    FROM ${q.left} ${q.leftAlias}
    ASOF LEFT JOIN ${q.right} ${q.rightAlias}
      ON ${q.leftAlias}.${q.eq} = ${q.rightAlias}.${q.eq} AND ${q.leftAlias}.${q.order} >= ${q.rightAlias}.${q.order}`,
  surrogateKey: () => 'row_number() OVER ()::INTEGER',
  antiJoin: (right, on) => `ANTI JOIN ${right} ON ${on}`,
  listAgg: (expr) => `list(${expr})`,
  listOfNonNull: (items) => `list_filter([\n             ${items.join(',\n             ')}\n           ], x -> x IS NOT NULL)`,
  emptyList: (type) => `[]::${type}[]`,
  orderedListAgg: (expr, orderBy) => `list(${expr} ORDER BY ${orderBy})`,
  listAt: (list, i) => `${list}[${i}]`,
  values: (rows, alias, columns) => `(VALUES ${rows.join(', ')}) ${alias}(${columns.join(', ')})`,
  wordSet: (s) => `list_distinct(list_filter(string_split(${s}, ' '), w -> w <> ''))`,
  trigramSet: (s) => `list_distinct(list_transform(range(1, length(${s}) - 1), i -> substring(${s}, i, 3)))`,
  intersectionSize: (a, b) => `length(list_intersect(${a}, ${b}))`,
  listLength: (list) => `length(${list})`,
  listAppend: (list, item) => `list_append(${list}, ${item})`,
  listSumDecimal: (list, v, body) => `list_sum(list_transform(${list}, ${v} -> ${body}))`,
  sumOfNonNull: (items) => `list_sum(list_filter([${items.join(', ')}], x -> x IS NOT NULL))`,
  divide: (a, b) => `${a} / ${b}`,
  hashBucket: (expr, n) => `hash(${expr}) % ${n}`,
  starExcept: (_columns, exclude, replace) =>
    `* EXCLUDE (${exclude.join(', ')})${replace && replace.length > 0 ? `\n           REPLACE (${replace.map(([e, n]) => `${e} AS ${n}`).join(',\n                    ')})` : ''}`,
};
