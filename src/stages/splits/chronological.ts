/**
 * The chronological split's view of the build: the click log cut at the cutoff (the input of the
 * pre-cutoff run of the event-level stages), and the records that combine both runs: the training
 * split's from the log before the cutoff, dev/test's (evaluation data) from the full log.
 */
import type { DuckDBConnection } from '../../db/duckdb.js';
import { createNamespace, type Namespace } from '../../db/relation.js';
import type { Family } from '../families/families.js';
import { logRelations, type LogRelations } from '../ingest/relations.js';
import type { PositivePair } from '../../types.js';
import type { SplitFamily, SplitResult } from './splits.js';

/**
 * The click log at or before `cutoff`, as tables in namespace `ns`: result pages up to the cutoff,
 * their impressions, their clicks without a time or up to it, conversions without a time or up to
 * it (and on a kept page, or without one), session ends up to it. Tables, not views: the sessions
 * stage numbers conversions and session ends by rowid.
 */
export async function logBeforeCutoff(conn: DuckDBConnection, log: LogRelations, cutoff: number, ns: Namespace): Promise<LogRelations> {
  const c = Math.floor(cutoff);
  await createNamespace(conn, ns);
  const out = logRelations(ns);
  await conn.run(`CREATE OR REPLACE TABLE ${out.serps.name} AS SELECT * FROM ${log.serps.name} WHERE ts <= ${c}`);
  await conn.run(`CREATE OR REPLACE TABLE ${out.impressions.name} AS SELECT i.* FROM ${log.impressions.name} i SEMI JOIN ${out.serps.name} s USING (serp_id)`);
  await conn.run(`CREATE OR REPLACE TABLE ${out.clicks.name} AS SELECT k.* FROM ${log.clicks.name} k SEMI JOIN ${out.serps.name} s USING (serp_id) WHERE k.ts IS NULL OR k.ts <= ${c}`);
  await conn.run(`CREATE OR REPLACE TABLE ${out.conversions.name} AS SELECT * FROM ${log.conversions.name} WHERE (ts IS NULL OR ts <= ${c}) AND (serp_id IS NULL OR serp_id IN (SELECT serp_id FROM ${out.serps.name}))`);
  await conn.run(`CREATE OR REPLACE TABLE ${out.sessionEnds.name} AS SELECT * FROM ${log.sessionEnds.name} WHERE ts <= ${c}`);
  return out;
}

/** Whether a (normalised) query is in the training split: its family's split, train when unknown. */
export function trainQueries(splits: Pick<SplitResult, 'splitOf'>, familyOf: ReadonlyMap<string, string>): (query: string) => boolean {
  return (q) => (splits.splitOf.get(familyOf.get(q) ?? q) ?? 'train') === 'train';
}

/** The training queries' records from the pre-cutoff run, the others' from the full log, in that order. */
export function trainFromPreCutoff<T extends { readonly query_norm: string }>(isTrain: (query: string) => boolean, preCutoff: readonly T[], full: readonly T[]): T[] {
  return [...preCutoff.filter((r) => isTrain(r.query_norm)), ...full.filter((r) => !isTrain(r.query_norm))];
}

/** `trainFromPreCutoff`, sorted by query (the order the miners take positives in). */
export function trainFromPreCutoffByQuery<T extends { readonly query_norm: string }>(isTrain: (query: string) => boolean, preCutoff: readonly T[], full: readonly T[]): T[] {
  return trainFromPreCutoff(isTrain, preCutoff, full).sort((a, b) => (a.query_norm < b.query_norm ? -1 : a.query_norm > b.query_norm ? 1 : 0));
}

/** The split input of each family: its size, first time, and the clicks on its members' positives. */
export function splitFamiliesOf(families: readonly Family[], positives: readonly PositivePair[]): SplitFamily[] {
  const clicksOf = new Map<string, number>();
  for (const p of positives) clicksOf.set(p.query_norm, (clicksOf.get(p.query_norm) ?? 0) + p.evidence.clicks);
  return families.map((f) => ({ id: f.id, count: f.count, firstTs: f.firstTs, clicks: f.members.reduce((s, q) => s + (clicksOf.get(q) ?? 0), 0) }));
}
