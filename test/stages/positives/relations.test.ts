import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { createNamespace, relation } from '../../../src/db/relation.js';
import type { ClickFacts } from '../../../src/stages/evidence/evidence.js';
import type { Corpus } from '../../../src/stages/ingest/relations.js';
import { positiveOptions } from '../../../src/stages/positives/options.js';
import { buildPositives } from '../../../src/stages/positives/positives.js';
import type { Evidence } from '../../../src/types.js';

const ev = (doc_id: string, grade: number, clicks: number): Evidence => ({
  kind: 'Evidence', query_norm: 'vpn', query: 'vpn', doc_id, impressions: 3, clicks, satisfied: clicks, converted: 0, success_last: 0, short_dwell: 0,
  pogo: 0, unknown_dwell: 0, skip_above: 0, serps: 3, users: 2, first_ts: 1, last_ts: 2, grade, weight: grade / 3, signals: grade > 0 ? ['satisfied'] : [],
});

// The positives stage from a fixture corpus and click facts in a namespace, with inline evidence records.
describe('buildPositives from fixture relations', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  const corpus = relation('corpus', ['doc_id', 'text', 'title'] as const, 'fx') as Corpus;
  const clickFacts = relation('click_facts', ['query_norm', 'doc_id', 'kept'] as const, 'fx') as ClickFacts;
  beforeAll(async () => {
    ({ conn, close } = await openDb({ threads: 1 }));
    await createNamespace(conn, 'fx');
    await conn.run(`
      CREATE TABLE fx.corpus AS SELECT * FROM (VALUES ('A', 'reset the vpn token', 'VPN'), ('B', 'printer drivers', NULL)) t(doc_id, text, title);
      CREATE TABLE fx.click_facts AS SELECT * FROM (VALUES ('vpn', 'A', true), ('vpn', 'A', true), ('vpn', 'B', false), ('vpn', 'X', true)) t(query_norm, doc_id, kept);
    `);
  });
  afterAll(() => close());

  it('joins the text from the corpus relation and counts kept clicks from the click facts', async () => {
    const r = await buildPositives(conn, { corpus, clickFacts }, [ev('A', 2, 2), ev('B', 1, 1), ev('C', 0, 0), ev('X', 3, 1)], positiveOptions.parse({}));
    expect(r.pairs.map((p) => p.doc_id)).toEqual(['A']);
    expect(r.pairs[0]!.positive).toContain('reset the vpn token');
    expect(r.stats.dropped).toMatchObject({ below_min_grade: 1, below_min_clicks: 1, doc_not_in_corpus: 1 });
  });
});
