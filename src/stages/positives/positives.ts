/**
 * Positives stage: graded (query, document) pairs with the document text joined in.
 *
 * Input: evidence records (sorted by query_norm, doc_id), the corpus relation, and (when given)
 * the evidence stage's click facts for the number of kept clicks per pair.
 * Output: `pairs` (PositivePair, in evidence order) and `multi` (one MultiPositive per query, its
 * positives by grade, then weight, then doc_id).
 * Drops (each pair in exactly one, in this order): below_min_grade, below_min_clicks,
 * doc_not_in_corpus, empty_text, over_max_per_query.
 * See docs/stages/positives.md.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Evidence, MultiPositive, PositivePair, StageStats } from '../../types.js';
import { queryRows } from '../../db/duckdb.js';
import { relationExists } from '../../db/relation.js';
import type { ClickFacts } from '../evidence/evidence.js';
import type { Corpus } from '../ingest/relations.js';
import { usageError } from '../../errors.js';
import { appendStringRows } from '../sessions/db-helpers.js';
import type { PositiveOptions } from './options.js';
import { renderDocument } from '../../text/render.js';

const STAGE = 'positives';

/** What the positives stage reads besides the evidence records. */
export interface PositivesInput {
  readonly corpus: Corpus;
  /** Without it (or when it does not exist) minClicks is checked against all clicks of the pair. */
  readonly clickFacts?: ClickFacts;
}

export async function buildPositives(
  conn: DuckDBConnection,
  input: PositivesInput,
  evidence: readonly Evidence[],
  opts: PositiveOptions,
): Promise<{ pairs: PositivePair[]; multi: MultiPositive[]; stats: StageStats }> {
  const t0 = performance.now();
  if (!(await relationExists(conn, input.corpus))) {
    throw usageError('no_corpus', 'no corpus loaded: positives need document text. Set input.corpus (doc_id, text, optional title) in the config or pass --corpus.', { stage: STAGE });
  }
  const dropped = { below_min_grade: 0, below_min_clicks: 0, doc_not_in_corpus: 0, empty_text: 0, over_max_per_query: 0 };
  const notes: string[] = [];

  const candidates: number[] = [];
  for (let i = 0; i < evidence.length; i++) {
    if (evidence[i]!.grade < opts.minGrade) dropped.below_min_grade++;
    else candidates.push(i);
  }

  await conn.run('CREATE OR REPLACE TEMP TABLE _pos_in (idx DOUBLE, query_norm VARCHAR, doc_id VARCHAR)');
  await appendStringRows(conn, '_pos_in', (function* () {
    for (const i of candidates) yield [i, evidence[i]!.query_norm, evidence[i]!.doc_id] as const;
  })());
  const clickFacts = input.clickFacts && (await relationExists(conn, input.clickFacts)) ? input.clickFacts : null;
  const keptSql = clickFacts
    ? `(SELECT cf.query_norm, cf.doc_id, count(*) FILTER (WHERE cf.kept) AS kept
        FROM ${clickFacts.name} cf SEMI JOIN _pos_in p USING (query_norm, doc_id) GROUP BY 1, 2)`
    : '(SELECT NULL::VARCHAR AS query_norm, NULL::VARCHAR AS doc_id, NULL::BIGINT AS kept WHERE false)';
  if (!clickFacts) notes.push('no click_facts table: minClicks was checked against all clicks of the pair.');
  const joined = await queryRows<{ idx: number; kept: number | null; text: string | null; title: string | null; in_corpus: boolean }>(conn, `
    SELECT p.idx, k.kept, c.text, c.title, c.doc_id IS NOT NULL AS in_corpus
    FROM _pos_in p
    LEFT JOIN ${keptSql} k ON k.query_norm = p.query_norm AND k.doc_id = p.doc_id
    LEFT JOIN ${input.corpus.name} c ON c.doc_id = p.doc_id
    ORDER BY p.idx
  `);
  await conn.run('DROP TABLE IF EXISTS _pos_in');

  const pairs: PositivePair[] = [];
  for (const r of joined) {
    const e = evidence[r.idx]!;
    const kept = r.kept ?? (clickFacts ? 0 : e.clicks);
    if (kept < opts.minClicks && !e.sources) { dropped.below_min_clicks++; continue; }
    if (!r.in_corpus) { dropped.doc_not_in_corpus++; continue; }
    const text = renderDocument({ text: r.text ?? '', title: r.title }, opts.includeTitle);
    if (text.trim().length === 0) { dropped.empty_text++; continue; }
    pairs.push({
      kind: 'PositivePair',
      query: e.query,
      query_norm: e.query_norm,
      doc_id: e.doc_id,
      positive: text,
      grade: e.grade,
      weight: e.weight,
      evidence: { signals: e.signals, clicks: e.clicks, satisfied: e.satisfied, converted: e.converted, serps: e.serps, users: e.users, impressions: e.impressions, ...(e.sources ? { sources: e.sources } : {}) },
    });
  }

  // Group by query (pairs are in evidence order, so each query's pairs are contiguous), rank, cap.
  const byQuery = new Map<string, PositivePair[]>();
  for (const p of pairs) {
    const g = byQuery.get(p.query_norm);
    if (g) g.push(p);
    else byQuery.set(p.query_norm, [p]);
  }
  const rank = (a: PositivePair, b: PositivePair): number => b.grade - a.grade || b.weight - a.weight || (a.doc_id < b.doc_id ? -1 : a.doc_id > b.doc_id ? 1 : 0);
  const multi: MultiPositive[] = [];
  const keep = new Set<PositivePair>();
  for (const [qn, group] of byQuery) {
    const ranked = [...group].sort(rank);
    const capped = opts.maxPositivesPerQuery > 0 ? ranked.slice(0, opts.maxPositivesPerQuery) : ranked;
    dropped.over_max_per_query += ranked.length - capped.length;
    for (const p of capped) keep.add(p);
    multi.push({
      kind: 'MultiPositive',
      query: capped[0]!.query,
      query_norm: qn,
      positives: capped.map((p) => ({ doc_id: p.doc_id, text: p.positive, grade: p.grade, weight: p.weight })),
    });
  }
  const finalPairs = dropped.over_max_per_query > 0 ? pairs.filter((p) => keep.has(p)) : pairs;

  const byGrade: Record<string, number> = { grade_1: 0, grade_2: 0, grade_3: 0 };
  for (const p of finalPairs) byGrade[`grade_${p.grade}`] = (byGrade[`grade_${p.grade}`] ?? 0) + 1;
  if (dropped.doc_not_in_corpus > 0) notes.push(`${dropped.doc_not_in_corpus} pairs point to documents missing from the corpus: check that the corpus file covers every doc_id of the click log.`);
  return {
    pairs: finalPairs,
    multi,
    stats: {
      stage: STAGE,
      in: { evidence_rows: evidence.length },
      out: { pairs: finalPairs.length, queries: multi.length, ...byGrade },
      dropped,
      notes,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
