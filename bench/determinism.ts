import { openDb, queryRows } from '../src/db/duckdb.js';
import { parseConfig } from '../src/config.js';
import { ingest } from '../src/stages/ingest/ingest.js';
import { buildSessions } from '../src/stages/sessions/sessions.js';
import { buildEvidence } from '../src/stages/evidence/evidence.js';
import { gradeEvidence } from '../src/stages/evidence/grading.js';
/**
 * Determinism at scale: runs ingest -> sessions -> evidence -> grading twice on the same log and
 * prints a hash of every graded evidence column (they must match).
 *   npx tsx bench/determinism.ts [serps.parquet|serps.jsonl]   (default: the bench/pipeline.ts 10M-event cache)
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const file = process.argv[2] ?? join(tmpdir(), 'cf-bench-log-10000000', 'serps.parquet');
const cfg = parseConfig({ input: { serps: [file] } });
const exam = Array.from({ length: 10 }, (_, i) => 1 / Math.pow(i + 1, 0.8));
for (let run = 0; run < 2; run++) {
  const { conn, close } = await openDb({ threads: 2 });
  const t = performance.now();
  const { relations: log } = await ingest(conn, cfg.input);
  const ses = await buildSessions(conn, log, cfg.sessions);
  const ev = await buildEvidence(conn, { ...ses.relations, impressions: log.impressions, clicks: log.clicks }, cfg.evidence);
  const gr = await gradeEvidence(conn, { evidence: ev.relations.evidence, clickFacts: ev.relations.clickFacts, impressions: log.impressions, serpFacts: ses.relations.serpFacts, keys: ev.keys }, ev.evidence, exam, cfg.grading);
  const h = await queryRows(conn, `SELECT sum(hash(query_norm, doc_id, expected_examinations, ips_clicks, relevance, grade, weight)::HUGEINT)::VARCHAR AS h, count(*) AS n FROM ${gr.relations.evidence.name}`);
  console.log(`run ${run}: ${((performance.now() - t) / 1000).toFixed(1)} s`, h[0]);
  close();
}
