/**
 * Freshness: evidence gathered just after a document was published (novelty clicks, a ranker's
 * freshness boost) says little about relevance. Report positives by document age, and optionally
 * exclude or down-weight pairs whose evidence starts inside the window after publication.
 *
 * ## Input
 * Records with `query_norm`, `doc_id`, `weight` and `first_ts` (Evidence; epoch ms, null = unknown),
 * and each document's `published_at` (epoch ms; Doc.published_at).
 * ## Output
 * `applyFreshness`: records (kept, input order; down-weighted copies in 'downweight' mode), the
 * age report, StageStats. `positivesByAge`: counts per age bucket.
 * ## Drops
 * `fresh_window` ('exclude' mode): the pair's first evidence is within `windowDays` of publication.
 * ## Example
 * ```ts
 * const r = applyFreshness(evidence, new Map(docs.map((d) => [d.doc_id, d.published_at])), { mode: 'downweight', windowDays: 7, weight: 0.5 });
 * ```
 */
import type { StageStats } from '../../types.js';
import type { BalanceOptions, Weighted } from './options.js';

const DAY = 86_400_000;

/** Age buckets of the report, in days: [0, 7), [7, 30), [30, 90), [90, 365), [365, inf). */
export const AGE_BUCKETS = [
  { label: '<7d', from: 0, to: 7 },
  { label: '7-30d', from: 7, to: 30 },
  { label: '30-90d', from: 30, to: 90 },
  { label: '90-365d', from: 90, to: 365 },
  { label: '>=365d', from: 365, to: Number.POSITIVE_INFINITY },
] as const;

export interface AgeReport {
  /** bucket label -> records whose first evidence came at that document age. */
  readonly byAge: Readonly<Record<string, number>>;
  /** No published_at for the document, or no first_ts on the record. */
  readonly unknown: number;
  /** first_ts before published_at (clock skew or a wrong date in the corpus). */
  readonly beforePublication: number;
}

type Timed = Weighted & { readonly first_ts: number | null };

function ageDays(r: Timed, published: ReadonlyMap<string, number | undefined>): number | null {
  const p = published.get(r.doc_id);
  if (p === undefined || p === null || r.first_ts === null || !Number.isFinite(p)) return null;
  return (r.first_ts - p) / DAY;
}

/** Records per document age at their first evidence. */
export function positivesByAge(records: readonly Timed[], published: ReadonlyMap<string, number | undefined>): AgeReport {
  const byAge: Record<string, number> = Object.fromEntries(AGE_BUCKETS.map((b) => [b.label, 0]));
  let unknown = 0;
  let before = 0;
  for (const r of records) {
    const a = ageDays(r, published);
    if (a === null) { unknown++; continue; }
    if (a < 0) { before++; continue; }
    const b = AGE_BUCKETS.find((x) => a >= x.from && a < x.to)!;
    byAge[b.label] = (byAge[b.label] ?? 0) + 1;
  }
  return { byAge, unknown, beforePublication: before };
}

export interface FreshnessResult<T> {
  readonly records: T[];
  readonly age: AgeReport;
  readonly stats: StageStats;
}

/** Apply the freshness window (see module doc). A record without a known age is kept unchanged. */
export function applyFreshness<T extends Timed>(records: readonly T[], published: ReadonlyMap<string, number | undefined>, o: BalanceOptions['freshness']): FreshnessResult<T> {
  const t0 = performance.now();
  const age = positivesByAge(records, published);
  const out: T[] = [];
  let inWindow = 0;
  for (const r of records) {
    const a = ageDays(r, published);
    const fresh = a !== null && a >= 0 && a < o.windowDays;
    if (fresh) inWindow++;
    if (!fresh || o.mode === 'off') out.push(r);
    else if (o.mode === 'downweight') out.push({ ...r, weight: r.weight * o.weight });
  }
  const notes = [`${inWindow} of ${records.length} records have their first evidence within ${o.windowDays} days of publication (mode ${o.mode}); ${age.unknown} without a known age${age.beforePublication > 0 ? `, ${age.beforePublication} with evidence before publication (check published_at in the corpus)` : ''}.`];
  return {
    records: out,
    age,
    stats: {
      stage: 'balance/freshness',
      in: { records: records.length },
      out: { records: out.length, in_window: inWindow, downweighted: o.mode === 'downweight' ? inWindow : 0, unknown_age: age.unknown },
      dropped: o.mode === 'exclude' && inWindow > 0 ? { fresh_window: inWindow } : {},
      notes,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
