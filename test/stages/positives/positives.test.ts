import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '../../../src/db/duckdb.js';
import { buildSessions } from '../../../src/stages/sessions/sessions.js';
import { sessionOptions } from '../../../src/stages/sessions/options.js';
import { buildEvidence } from '../../../src/stages/evidence/evidence.js';
import { evidenceOptions } from '../../../src/stages/evidence/options.js';
import { buildPositives } from '../../../src/stages/positives/positives.js';
import { renderDocument } from '../../../src/text/render.js';
import { positiveOptions } from '../../../src/stages/positives/options.js';
import { EV, EVIDENCE_INPUT, LOG, MIN, SEC, click, freshDb, insert, serp } from '../sessions/fixture.js';

const pOpts = positiveOptions.parse({});
const T0 = 1_700_000_000_000;

let conn: DuckDBConnection;
let close: () => void;
beforeEach(async () => ({ conn, close } = await freshDb()));
afterEach(() => close());

/** Query "vpn setup": d1 satisfied twice (grade 2), d2 converted (grade 3), d3 short only (grade 0),
 *  d9 satisfied but missing from the corpus, d4 medium dwell (grade 1), d5 empty text. */
async function world(): Promise<void> {
  await insert(conn, 'corpus', [
    { doc_id: 'd1', text: 'Install the client.', title: 'VPN setup' },
    { doc_id: 'd2', text: 'Buy a licence.', title: null },
    { doc_id: 'd3', text: 'Unrelated.' },
    { doc_id: 'd4', text: 'FAQ.', title: '  ' },
    { doc_id: 'd5', text: '' },
  ]);
  const docs = ['d1', 'd2', 'd3', 'd9', 'd4', 'd5'];
  await serp(conn, { serp_id: 'a', ts: T0, query: 'VPN setup', user_id: 'u1', docs });
  await click(conn, { serp_id: 'a', doc_id: 'd3', rank: 3, ts: T0 + SEC, dwell_ms: 1000 });
  await click(conn, { serp_id: 'a', doc_id: 'd1', rank: 1, ts: T0 + 5 * SEC, dwell_ms: 40_000 });
  await click(conn, { serp_id: 'a', doc_id: 'd9', rank: 4, ts: T0 + 60 * SEC, dwell_ms: 40_000 });
  await click(conn, { serp_id: 'a', doc_id: 'd4', rank: 5, ts: T0 + 120 * SEC, dwell_ms: 15_000 });
  await click(conn, { serp_id: 'a', doc_id: 'd5', rank: 6, ts: T0 + 150 * SEC, dwell_ms: 40_000 });
  await serp(conn, { serp_id: 'b', ts: T0 + 100 * MIN, query: 'vpn setup', user_id: 'u2', docs });
  await click(conn, { serp_id: 'b', doc_id: 'd1', rank: 1, ts: T0 + 100 * MIN + SEC, dwell_ms: 40_000 });
  await click(conn, { serp_id: 'b', doc_id: 'd2', rank: 2, ts: T0 + 101 * MIN, dwell_ms: 5000 });
  await insert(conn, 'conversions', [{ serp_id: 'b', doc_id: 'd2', ts: T0 + 102 * MIN, kind: 'buy' }]);
}

async function evidence() {
  await buildSessions(conn, LOG, sessionOptions.parse({}));
  return (await buildEvidence(conn, EVIDENCE_INPUT, evidenceOptions.parse({}))).evidence;
}

describe('buildPositives', () => {
  it('joins text, drops low grades and unknown docs, and counts every pair once', async () => {
    await world();
    const ev = await evidence();
    const { pairs, multi, stats } = await buildPositives(conn, { corpus: LOG.corpus, clickFacts: EV.clickFacts }, ev, pOpts);
    expect(pairs.map((p) => [p.doc_id, p.grade])).toEqual([['d1', 2], ['d2', 3], ['d4', 1]]);
    expect(pairs[0]).toMatchObject({ query: 'VPN setup', query_norm: 'vpn setup', positive: 'VPN setup\n\nInstall the client.' });
    expect(pairs[0]!.evidence).toMatchObject({ clicks: 2, satisfied: 2, serps: 2, users: 2, signals: ['satisfied'] });
    expect(pairs[1]!.positive).toBe('Buy a licence.');
    expect(pairs[2]!.positive).toBe('FAQ.');
    expect(stats.dropped).toEqual({ below_min_grade: 1, below_min_clicks: 0, doc_not_in_corpus: 1, empty_text: 1, over_max_per_query: 0 });
    expect(stats.in.evidence_rows).toBe(ev.length);
    const droppedSum = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
    expect(stats.out.pairs! + droppedSum).toBe(ev.length);
    expect(multi).toHaveLength(1);
    expect(multi[0]!.positives.map((p) => p.doc_id)).toEqual(['d2', 'd1', 'd4']);
  });

  it('applies minGrade, minClicks, includeTitle and maxPositivesPerQuery', async () => {
    await world();
    const ev = await evidence();
    const g2 = await buildPositives(conn, { corpus: LOG.corpus, clickFacts: EV.clickFacts }, ev, { ...pOpts, minGrade: 2 });
    expect(g2.pairs.map((p) => p.doc_id)).toEqual(['d1', 'd2']);
    expect(g2.stats.dropped.below_min_grade).toBe(2);
    const c2 = await buildPositives(conn, { corpus: LOG.corpus, clickFacts: EV.clickFacts }, ev, { ...pOpts, minClicks: 2 });
    expect(c2.pairs.map((p) => p.doc_id)).toEqual(['d1']);
    expect(c2.stats.dropped.below_min_clicks).toBe(4); // d2, d4, d5, d9: one kept click each
    const noTitle = await buildPositives(conn, { corpus: LOG.corpus, clickFacts: EV.clickFacts }, ev, { ...pOpts, includeTitle: false });
    expect(noTitle.pairs[0]!.positive).toBe('Install the client.');
    const cap = await buildPositives(conn, { corpus: LOG.corpus, clickFacts: EV.clickFacts }, ev, { ...pOpts, maxPositivesPerQuery: 1 });
    expect(cap.pairs.map((p) => p.doc_id)).toEqual(['d2']);
    expect(cap.stats.dropped.over_max_per_query).toBe(2);
  });

  it('names the missing corpus', async () => {
    await conn.run('DROP TABLE corpus');
    await expect(buildPositives(conn, { corpus: LOG.corpus, clickFacts: EV.clickFacts }, [], pOpts)).rejects.toThrow(/set input.corpus/i);
  });

  it('renderDocument', () => {
    expect(renderDocument({ text: 'body', title: 'Title' }, true)).toBe('Title\n\nbody');
    expect(renderDocument({ text: 'body', title: 'Title' }, false)).toBe('body');
    expect(renderDocument({ text: 'body', title: null }, true)).toBe('body');
  });
});
