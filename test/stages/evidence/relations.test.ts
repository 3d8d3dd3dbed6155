import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { createNamespace, relation, relationExists } from '../../../src/db/relation.js';
import { buildEvidence, evidenceRelations, type EvidenceInput } from '../../../src/stages/evidence/evidence.js';
import { evidenceOptions } from '../../../src/stages/evidence/options.js';
import { gradeEvidence, gradingOptions } from '../../../src/stages/evidence/grading.js';

// The evidence and grading stages run on hand-made session relations: no ingest, no sessions stage.
describe('evidence and grading from fixture relations', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  const input: EvidenceInput = {
    serpFacts: relation('serp_facts', ['serp_id', 'session_key', 'user_id', 'ts', 'query', 'query_norm'] as const, 'fx'),
    sessionClicks: relation('session_clicks', ['click_id', 'serp_id', 'session_key', 'user_id', 'doc_id', 'rank', 'ts', 'dwell_ms', 'dwell_source', 'pogo_return', 'is_last_click', 'session_success'] as const, 'fx'),
    conversionLinks: relation('conversion_links', ['doc_id', 'ts', 'serp_id', 'session_key'] as const, 'fx'),
    impressions: relation('impressions', ['serp_id', 'doc_id', 'rank'] as const, 'fx'),
    clicks: relation('clicks', ['serp_id', 'doc_id', 'rank'] as const, 'fx'),
  } as EvidenceInput;
  beforeAll(async () => {
    ({ conn, close } = await openDb({ threads: 1 }));
    await createNamespace(conn, 'fx');
    // two pages of query "vpn" (users u1, u2): A at rank 1 clicked with a long dwell on both, B at
    // rank 2 clicked once with a short dwell and a return (pogo), C at rank 3 never clicked
    await conn.run(`
      CREATE TABLE fx.serp_facts AS SELECT * FROM (VALUES ('p1', 'k1', 'u1', 1000::BIGINT, 'VPN', 'vpn'), ('p2', 'k2', 'u2', 2000::BIGINT, 'vpn', 'vpn'))
        t(serp_id, session_key, user_id, ts, query, query_norm);
      CREATE TABLE fx.impressions AS SELECT s AS serp_id, d AS doc_id, r AS rank FROM (VALUES ('p1'), ('p2')) a(s), (VALUES ('A', 1), ('B', 2), ('C', 3)) b(d, r);
      CREATE TABLE fx.clicks AS SELECT * FROM (VALUES ('p1', 'A', 1), ('p2', 'A', 1), ('p1', 'B', 2)) t(serp_id, doc_id, rank);
      CREATE TABLE fx.session_clicks AS SELECT * FROM (VALUES
          (1::BIGINT, 'p1', 'k1', 'u1', 'A', 1, 1100::BIGINT, 60000::BIGINT, 'given', false, false, NULL::BOOLEAN),
          (2::BIGINT, 'p2', 'k2', 'u2', 'A', 1, 2100::BIGINT, 60000::BIGINT, 'given', false, true, NULL::BOOLEAN),
          (3::BIGINT, 'p1', 'k1', 'u1', 'B', 2, 1200::BIGINT, 2000::BIGINT, 'given', true, true, NULL::BOOLEAN))
        t(click_id, serp_id, session_key, user_id, doc_id, rank, ts, dwell_ms, dwell_source, pogo_return, is_last_click, session_success);
      CREATE TABLE fx.conversion_links (doc_id VARCHAR, ts BIGINT, serp_id VARCHAR, session_key VARCHAR);
    `);
  });
  afterAll(() => close());

  it('counts the fixture clicks into evidence rows in the namespace, and grading writes its own relation from them', async () => {
    const ev = await buildEvidence(conn, input, evidenceOptions.parse({}), 'fx');
    expect(ev.relations).toEqual(evidenceRelations('fx'));
    const byDoc = Object.fromEntries(ev.evidence.map((e) => [e.doc_id, e]));
    // C (shown twice below every click) stays in the table only: evidence.minExposureForNegative is 3
    expect(Object.keys(byDoc)).toEqual(['A', 'B']);
    expect(ev.stats.out).toMatchObject({ evidence_rows: 3, evidence_rows_in_memory: 2, clicked_pairs: 2 });
    expect(byDoc.A).toMatchObject({ query: 'VPN', impressions: 2, clicks: 2, satisfied: 2, users: 2, grade: 2 });
    expect(byDoc.B).toMatchObject({ clicks: 1, pogo: 1, grade: 0 });
    const before = await queryRows(conn, 'SELECT * FROM fx.evidence ORDER BY doc_id');

    const g = await gradeEvidence(conn, { evidence: ev.relations.evidence, clickFacts: ev.relations.clickFacts, impressions: input.impressions, serpFacts: input.serpFacts, keys: ev.keys }, ev.evidence, [1, 0.5, 0.25], gradingOptions.parse({}), null, 'fx');
    expect(g.relations.evidence.name).toBe('fx.evidence_graded');
    expect(await queryRows(conn, 'SELECT * FROM fx.evidence ORDER BY doc_id')).toEqual(before);
    for (const k of Object.values(ev.keys)) expect(await relationExists(conn, k)).toBe(false);
    const graded = await queryRows<{ doc_id: string; expected_examinations: number; funnel_grade: number }>(conn, 'SELECT doc_id, expected_examinations, funnel_grade FROM fx.evidence_graded ORDER BY doc_id');
    expect(graded.map((r) => [r.doc_id, r.expected_examinations, r.funnel_grade])).toEqual([['A', 2, 2], ['B', 1, 0], ['C', 0.5, 0]]);
    expect(g.evidence.find((e) => e.doc_id === 'A')!.grade).toBeGreaterThan(0);
  });
});
