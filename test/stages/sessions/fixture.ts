import { openDb, sqlString, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { CANONICAL_DDL } from '../../../src/types.js';
import { ingestRelations } from '../../../src/stages/ingest/relations.js';
import { sessionRelations } from '../../../src/stages/sessions/sessions.js';
import { evidenceRelations, type EvidenceInput } from '../../../src/stages/evidence/evidence.js';
import type { GradingInput } from '../../../src/stages/evidence/grading.js';

/** The relations of the fixture tables (ingest's names, the default namespace) and of the stages that run on them. */
export const LOG = ingestRelations();
export const SES = sessionRelations();
export const EV = evidenceRelations();
export const EVIDENCE_INPUT: EvidenceInput = { ...SES, impressions: LOG.impressions, clicks: LOG.clicks };
export const GRADING_INPUT: GradingInput = { evidence: EV.evidence, clickFacts: EV.clickFacts, impressions: LOG.impressions, serpFacts: SES.serpFacts };

export const EXTRA_DDL = `
CREATE TABLE corpus(doc_id VARCHAR PRIMARY KEY, text VARCHAR NOT NULL, title VARCHAR, category VARCHAR, entity VARCHAR, published_at BIGINT, extra JSON, src_file VARCHAR, src_line BIGINT);
CREATE TABLE labels(query VARCHAR, doc_id VARCHAR, grade DOUBLE, source VARCHAR, src_file VARCHAR, src_line BIGINT);
CREATE TABLE quarantine(stage VARCHAR, input VARCHAR, file VARCHAR, line BIGINT, reason VARCHAR, detail VARCHAR, raw VARCHAR);
`;

const WITH_SRC = new Set(['serps', 'clicks', 'conversions', 'session_ends', 'corpus', 'labels']);

export async function freshDb(): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const db = await openDb({ threads: 1 });
  await db.conn.run(CANONICAL_DDL + EXTRA_DDL);
  return db;
}

const lit = (v: unknown): string =>
  v === null || v === undefined ? 'NULL' : typeof v === 'string' ? sqlString(v) : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);

/** Insert tiny inline rows; src_file/src_line are filled in when the table has them. */
export async function insert(conn: DuckDBConnection, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const full = rows.map((r, i) => (WITH_SRC.has(table) ? { src_file: `${table}.jsonl`, src_line: i + 1, ...r } : r));
  const cols = [...new Set(full.flatMap((r) => Object.keys(r)))];
  const values = full.map((r) => `(${cols.map((c) => lit((r as Record<string, unknown>)[c])).join(', ')})`).join(',\n');
  await conn.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values}`);
}

/** A serp with its impressions (docs in rank order). */
export async function serp(
  conn: DuckDBConnection,
  s: { serp_id: string; ts: number; query: string; user_id?: string | null; session_id?: string | null; session_success?: boolean | null; docs: readonly string[] },
): Promise<void> {
  await insert(conn, 'serps', [{ serp_id: s.serp_id, session_id: s.session_id ?? null, user_id: s.user_id ?? null, ts: s.ts, query: s.query, session_success: s.session_success ?? null }]);
  await insert(conn, 'impressions', s.docs.map((d, i) => ({ serp_id: s.serp_id, doc_id: d, rank: i + 1 })));
}

let nextClick = 1;
export async function click(conn: DuckDBConnection, c: { serp_id: string; doc_id: string; rank: number; ts: number | null; dwell_ms?: number | null; click_id?: number }): Promise<void> {
  await insert(conn, 'clicks', [{ click_id: c.click_id ?? nextClick++, serp_id: c.serp_id, doc_id: c.doc_id, rank: c.rank, ts: c.ts, dwell_ms: c.dwell_ms ?? null }]);
}

export const MIN = 60_000;
export const SEC = 1000;

/**
 * A synthetic log in SQL, for tests that need a few hundred clicks: `pages` pages (user u(i % 17),
 * 400 s apart from t0, every third one a successful session), each showing `results` docs, the
 * one at rank r of page i being d((5i + 7r) % docs), and a click (1 s after the page per rank)
 * wherever hash(i, r, 'c') % clickEvery = 0. `query` and `dwell` are SQL expressions of i (and r).
 */
export async function syntheticLog(
  conn: DuckDBConnection,
  o: { readonly t0: number; readonly results: number; readonly docs: number; readonly clickEvery: number; readonly pages?: number; readonly query?: string; readonly dwell?: string },
): Promise<void> {
  const pages = o.pages ?? 120;
  const doc = `'d' || ((i * 5 + r * 7) % ${o.docs})`;
  const grid = `range(${pages}) t(i), range(1, ${o.results + 1}) u(r)`;
  await conn.run(`
    INSERT INTO serps (serp_id, session_id, user_id, ts, query, session_success, src_file, src_line)
      SELECT 's' || i, NULL, 'u' || (i % 17), ${o.t0} + i * 400000, ${o.query ?? "'q ' || (i % 6)"}, (i % 3 = 0), 'f', i + 1 FROM range(${pages}) t(i);
    INSERT INTO impressions (serp_id, doc_id, rank)
      SELECT 's' || i, ${doc}, r::INTEGER FROM ${grid};
    INSERT INTO clicks (click_id, serp_id, doc_id, rank, ts, dwell_ms, src_file, src_line)
      SELECT row_number() OVER (ORDER BY i, r), 's' || i, ${doc}, r::INTEGER, ${o.t0} + i * 400000 + r * 1000, ${o.dwell ?? '40000'}, 'f', i + 1
      FROM ${grid} WHERE hash(i, r, 'c') % ${o.clickEvery} = 0;
  `);
}
