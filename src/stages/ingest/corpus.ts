import { queryNumber, queryRows, type DuckDBConnection } from '../../db/duckdb.js';
import type { Doc, StageStats } from '../../types.js';
import type { Corpus } from './relations.js';
import { type Ctx, reasonCounts, rq, toQuarantine } from './common.js';
import { Fields } from './sql.js';

export const CORPUS_FIELDS = ['doc_id', 'text', 'title', 'category', 'entity', 'published_at'] as const;

/** Corpus rows (staged in `stg`) -> corpus. Other fields of a row are kept in `extra` (JSON). */
export async function loadCorpus(ctx: Ctx, stg: string, mapping: Readonly<Record<string, string>>, rowsRead: number): Promise<{ stats: StageStats; fixed: Record<string, number> }> {
  const { conn, tsFmt } = ctx;
  const F = new Fields('corpus', CORPUS_FIELDS, mapping);
  const v = (n: (typeof CORPUS_FIELDS)[number]) => F.v(n);
  const L = (n: (typeof CORPUS_FIELDS)[number]) => F.label(n);
  const known = [...CORPUS_FIELDS.map((n) => F.col(n)), '__cf_rn'].map((c) => `'${c.replace(/'/g, "''")}'`).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_d0 AS
WITH a AS (
  SELECT fidx, file, line, raw, pre_reason, pre_detail, x,
    cf_str(${v('doc_id')}) AS doc_id, cf_str(${v('text')}) AS text, cf_str(${v('title')}) AS title, cf_str(${v('category')}) AS category,
    cf_str(${v('entity')}) AS entity, cf_str(${v('published_at')}) AS pub_s, cf_ts(cf_str(${v('published_at')}), ${tsFmt}) AS published_at,
    CASE WHEN pre_reason IS NULL THEN list_filter(json_keys(raw), k -> k NOT IN (${known})) END AS extra_keys
  FROM (SELECT *, CASE WHEN pre_reason IS NULL THEN ${F.extract('raw')} END AS x FROM ${stg}))
SELECT * EXCLUDE (x, extra_keys), md5(x::VARCHAR) AS h,
  CASE WHEN len(extra_keys) > 0 THEN to_json(map_from_entries(list_transform(extra_keys, k -> {'k': k, 'v': json_extract(raw, '$."' || k || '"')}))) END AS extra,
  CASE
  WHEN pre_reason IS NOT NULL THEN {'r': pre_reason, 'd': pre_detail}
  WHEN cf_isnull(${v('doc_id')}) OR doc_id = '' THEN ${rq('missing_field', `'${L('doc_id')} is missing'`)}
  WHEN NOT cf_idok(${v('doc_id')}) THEN ${rq('bad_type', `'${L('doc_id')} must be a string or an integer'`)}
  WHEN regexp_matches(doc_id, '[[:cntrl:]\\x{80}-\\x{9f}]') OR starts_with(doc_id, '"') THEN ${rq('bad_doc_id', `'${L('doc_id')} holds a tab, line break or control character, or starts with a double quote: document ids go into tab-separated qrels (BEIR) that such an id would break; remove the character'`)}
  WHEN cf_isnull(${v('text')}) THEN ${rq('missing_field', `'${L('text')} is missing: the document text to train on'`)}
  WHEN json_type(${v('text')}) <> 'VARCHAR' THEN ${rq('bad_type', `'${L('text')} must be a string'`)}
  WHEN trim(text) = '' THEN ${rq('empty_text', `'${L('text')} is empty: a document needs text to be trained on'`)}
END AS q0
FROM a`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_d1 AS
SELECT * EXCLUDE (q0, rn, h1, l1), CASE WHEN q0 IS NOT NULL THEN q0
  WHEN rn > 1 AND h = h1 THEN ${rq('duplicate_event', `'identical to the document at line ' || l1 || ' (kept once)'`)}
  WHEN rn > 1 THEN ${rq('duplicate_doc_id', `'doc_id "' || doc_id || '" is already used at line ' || l1 || ' with different content: the first one is kept'`)}
END AS q
FROM (SELECT *, row_number() OVER w AS rn, first_value(h) OVER w AS h1, first_value(line) OVER w AS l1
      FROM _cf_d0 WINDOW w AS (PARTITION BY (q0 IS NULL), doc_id ORDER BY fidx, line))`);
  await conn.run(`DROP TABLE _cf_d0`);
  await conn.run(`INSERT INTO corpus SELECT doc_id, text, title, category, entity, published_at, extra, file, line FROM _cf_d1 WHERE q IS NULL ORDER BY fidx, line`);
  await toQuarantine(conn, '_cf_d1', 'corpus');
  const dropped = await reasonCounts(conn, '_cf_d1');
  const docs = await queryNumber(conn, `SELECT count(*) FROM _cf_d1 WHERE q IS NULL`);
  const badPub = await queryNumber(conn, `SELECT count(*) FROM _cf_d1 WHERE q IS NULL AND pub_s IS NOT NULL AND published_at IS NULL`);
  const fixed: Record<string, number> = {};
  const notes: string[] = [];
  if (badPub) { fixed.published_at_unparsed = badPub; notes.push(`${badPub} documents have a published_at that is not a time: kept with published_at NULL`); }
  return { stats: { stage: 'ingest:corpus', in: { rows: rowsRead }, out: { rows: docs }, dropped, notes }, fixed };
}

/** The documents of the corpus relation as records, in doc_id order. */
export async function loadDocs(conn: DuckDBConnection, corpus: Corpus): Promise<Doc[]> {
  const rows = await queryRows<{ doc_id: string; text: string; title: string | null; category: string | null; entity: string | null; published_at: number | null }>(
    conn,
    `SELECT doc_id, text, title, category, entity, published_at FROM ${corpus.name} ORDER BY doc_id`,
  );
  return rows.map((r) => ({
    kind: 'Doc',
    doc_id: r.doc_id,
    text: r.text,
    ...(r.title !== null ? { title: r.title } : {}),
    ...(r.category !== null ? { category: r.category } : {}),
    ...(r.entity !== null ? { entity: r.entity } : {}),
    ...(r.published_at !== null ? { published_at: r.published_at } : {}),
  }));
}
