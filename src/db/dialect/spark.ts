import { columnList, type Dialect } from './dialect.js';

/**
 * Spark SQL 3.5+: relations are temporary views (the job writes its outputs as Parquet), no QUALIFY
 * (a filtered row_number), no ASOF join (a range join and the latest match per left row), no rowid
 * (the input's `row_id` column).
 */
export const sparkDialect: Dialect = {
  name: 'spark',
  createAs: (name, select) => `CREATE OR REPLACE TEMPORARY VIEW ${name} AS\n${select}`,
  drop: (name) => `DROP VIEW IF EXISTS ${name}`,
  cast: (expr, type) => `CAST(${expr} AS ${type === 'VARCHAR' ? 'STRING' : type})`,
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
};
