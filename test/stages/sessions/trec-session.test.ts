/**
 * Real data: TREC Session Track 2014 (processed click log) from ../shared/data, skipped when absent.
 * The log has sessions, query text and clicks but no timestamps: pages get one every 30 s in file
 * order (lines of a session are consecutive and in order), clicks 1 s apart after their page.
 * Successive queries of a session are reformulations by construction of the track, so the share of
 * them that pass reformulationMinSimilarity measures the recall of our similarity rule.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sqlString, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { buildSessions } from '../../../src/stages/sessions/sessions.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { buildEvidence, CLICK_OUTCOMES } from '../../../src/stages/evidence/evidence.js';
import { evidenceOptions } from '../../../src/stages/evidence/options.js';
import { EVIDENCE_INPUT, LOG, freshDb } from './fixture.js';

const DIR = resolve(process.env.CLICKFORGE_DATA ?? resolve(import.meta.dirname, '../../../../shared/data'), 'trec-session-2014-clicks');
const present = existsSync(join(DIR, 'train_per_query_quid.txt'));
if (!present) console.warn(`[skip] TREC Session data not found at ${DIR}; set CLICKFORGE_DATA to run this test.`);

describe.skipIf(!present)('sessions + evidence on TREC Session 2014 (real log)', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  let pages = 0;
  let clickCount = 0;
  beforeAll(async () => {
    ({ conn, close } = await freshDb());
    const qtext = new Map<number, string>();
    const dict = readFileSync(join(DIR, 'query_qid.dict'), 'utf8');
    for (const m of dict.matchAll(/(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"):\s*(\d+)/g)) qtext.set(Number(m[3]), (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
    const lines = readFileSync(join(DIR, 'train_per_query_quid.txt'), 'utf8').split('\n').filter((l) => l.trim().length > 0);
    const serps: string[] = [];
    const imps: string[] = [];
    const clicks: string[] = [];
    const T0 = 1_400_000_000_000;
    lines.forEach((line, i) => {
      const [sid, qid, docs, , clk] = line.split('\t');
      const ts = T0 + i * 30_000;
      const d = JSON.parse(docs!) as number[];
      const c = JSON.parse(clk!) as number[];
      serps.push(`('p${i}', ${sqlString(sid!)}, NULL, ${ts}, ${sqlString(qtext.get(Number(qid)) ?? `q${qid}`)}, NULL, 'train_per_query_quid.txt', ${i + 1})`);
      let k = 0;
      d.forEach((doc, r) => {
        imps.push(`('p${i}', 'u${doc}', ${r + 1})`);
        if (c[r] === 1) clicks.push(`(${clickCount++}, 'p${i}', 'u${doc}', ${r + 1}, ${ts + 1000 * ++k}, NULL, 'train_per_query_quid.txt', ${i + 1})`);
      });
    });
    pages = lines.length;
    await conn.run(`INSERT INTO serps VALUES ${serps.join(',')}`);
    await conn.run(`INSERT INTO impressions VALUES ${imps.join(',')}`);
    await conn.run(`INSERT INTO clicks VALUES ${clicks.join(',')}`);
  });
  afterAll(() => close?.());

  it('keeps given sessions, finds reformulations, and buckets every click', async () => {
    const ses = await buildSessions(conn, LOG, sessionOptions.parse({}));
    expect(ses.stats.in.serps).toBe(pages);
    expect(ses.stats.out.sessions).toBe(ses.stats.out.sessions_given);
    const [r] = await queryRows<{ successive: number; reformulated: number }>(conn, `
      SELECT count(*) FILTER (WHERE next_query_norm IS NOT NULL AND next_query_norm <> query_norm) AS successive,
             count(*) FILTER (WHERE reformulated) AS reformulated FROM serp_facts`);
    // Track sessions are topical: most successive distinct queries share words or trigrams.
    expect(r!.reformulated / r!.successive).toBeGreaterThan(0.6);
    const ev = await buildEvidence(conn, EVIDENCE_INPUT, evidenceOptions.parse({}));
    const all = { ...ev.stats.out, ...ev.stats.dropped };
    expect(CLICK_OUTCOMES.reduce((a, o) => a + (all[o] ?? 0), 0)).toBe(clickCount);
    expect(ev.evidence.length).toBeGreaterThan(0);
  });
});
