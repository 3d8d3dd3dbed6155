import { columnList, type Dialect } from './dialect.js';

/**
 * Spark SQL 3.5+: relations are temporary views (the job writes its outputs as Parquet), no QUALIFY
 * (a filtered row_number), no ASOF join (a range join and the latest match per left row), no rowid
 * (the input's `row_id` column), arrays through higher-order functions (filter, aggregate), ANSI
 * casts spelled out.
 */
export const sparkDialect: Dialect = {
  name: 'spark',
  createAs: (name, select) => `CREATE OR REPLACE TEMPORARY VIEW ${name} AS\n${select}`,
  drop: (name) => `DROP VIEW IF EXISTS ${name}`,
  cast: (expr, type) => `CAST(${expr} AS ${sparkType(type)})`,
  rowId: (alias) => (alias ? `${alias}.row_id` : 'row_id'),
  rowIdAndAll: () => '*',
  firstPerGroup: (q) => `SELECT ${q.columns.map(([, n]) => n).join(', ')} FROM (
      SELECT ${columnList(q.columns)},
             row_number() OVER (PARTITION BY ${q.partitionBy}
                                ORDER BY ${q.orderBy}) AS _first
      ${q.from}
    ) WHERE _first = 1`,
  asofLeftJoin: (q) => `SELECT ${q.select.map(([, n]) => n).join(', ')} FROM (
      SELECT ${columnList(q.select)},
             row_number() OVER (PARTITION BY ${q.leftAlias}.${q.leftKey} ORDER BY ${q.rightAlias}.${q.order} DESC NULLS LAST) AS _asof
      FROM ${q.left} ${q.leftAlias}
      LEFT JOIN ${q.right} ${q.rightAlias}
        ON ${q.leftAlias}.${q.eq} = ${q.rightAlias}.${q.eq} AND ${q.leftAlias}.${q.order} >= ${q.rightAlias}.${q.order}
    ) WHERE _asof = 1`,
  surrogateKey: (naturalKey) => naturalKey,
  antiJoin: (right, on) => `LEFT ANTI JOIN ${right} ON ${on}`,
  listAgg: (expr) => `collect_list(${expr})`,
  listOfNonNull: (items) => `filter(array(\n             ${items.join(',\n             ')}\n           ), x -> x IS NOT NULL)`,
  emptyList: (type) => `CAST(array() AS ARRAY<${sparkType(type)}>)`,
  orderedListAgg: (expr, orderBy) => `transform(array_sort(collect_list(struct(${orderBy} AS k, ${expr} AS v))), x -> x.v)`,
  listAt: (list, i) => `element_at(${list}, ${i})`,
  values: (rows, alias, columns) => `VALUES ${rows.join(', ')} AS ${alias}(${columns.join(', ')})`,
  wordSet: (s) => `array_distinct(filter(split(${s}, ' '), w -> w <> ''))`,
  trigramSet: (s) => `CASE WHEN length(${s}) >= 3 THEN array_distinct(transform(sequence(1, length(${s}) - 2), i -> substring(${s}, i, 3))) ELSE CAST(array() AS ARRAY<STRING>) END`,
  intersectionSize: (a, b) => `size(array_intersect(${a}, ${b}))`,
  listLength: (list) => `size(${list})`,
  listAppend: (list, item) => `concat(${list}, array(${item}))`,
  listSumDecimal: (list, v, body, scale) =>
    `aggregate(${list}, CAST(0 AS DECIMAL(38, ${scale})), (acc, ${v}) -> CAST(acc + ${body} AS DECIMAL(38, ${scale})))`,
  sumOfNonNull: (items) => `aggregate(filter(array(${items.join(', ')}), x -> x IS NOT NULL), CAST(0 AS DOUBLE), (acc, x) -> acc + x)`,
  divide: (a, b) => `CAST(${a} AS DOUBLE) / CAST(${b} AS DOUBLE)`,
  hashBucket: (expr, n) => `pmod(xxhash64(${expr}), ${n})`,
  starExcept: (columns, exclude, replace) => {
    const byName = new Map((replace ?? []).map(([e, n]) => [n, e]));
    return columns.filter((c) => !exclude.includes(c)).map((c) => (byName.has(c) ? `${byName.get(c)} AS ${c}` : c)).join(', ');
  },
};

function sparkType(type: string): string {
  return type === 'VARCHAR' ? 'STRING' : type;
}
