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
};
