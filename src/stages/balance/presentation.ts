import { queryNumber, readColumns, type DuckDBConnection } from '../../db/duckdb.js';
import { relationExists } from '../../db/relation.js';
import type { Clicks, ImpressionFeatures, Impressions } from '../ingest/relations.js';
import { usageError } from '../../errors.js';
import { escapeMarkdown } from '../../util/escape.js';

/**
 * Presentation: when results carry presentation features (thumbnail, badge, bold snippet, ...),
 * report click-through with and without each feature, compared at the same rank, so the user sees
 * how much the presentation (not the relevance) drives clicks.
 *
 * ## Input
 * Cells: rank (1-based), impressions, clicks and the boolean features of the result shown, e.g.
 * aggregated per (rank, thumbnail, badge, bold) from the log.
 * ## Output
 * Per feature: impressions and CTR with / without it, and the rank-adjusted lift
 * clicks_with / sum over ranks of impressions_with(r) x CTR_without(r): 1 = no effect, 1.5 = results
 * with the feature get 50% more clicks than results without it at the same ranks. Ranks where no
 * result lacks the feature cannot be compared and are counted in `uncomparedImpressions`.
 * ## Drops
 * None (a report).
 * ## Example
 * ```ts
 * presentationCtr([{ rank: 1, impressions: 100, clicks: 40, features: { thumbnail: true } }, ...]);
 * ```
 */
export interface PresentationCell {
  readonly rank: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly features: Readonly<Record<string, boolean | null | undefined>>;
}

export interface FeatureCtr {
  readonly feature: string;
  readonly impressionsWith: number;
  readonly impressionsWithout: number;
  readonly ctrWith: number;
  readonly ctrWithout: number;
  /** Clicks with the feature over the clicks expected at the same ranks without it (NaN when no rank compares). */
  readonly rankAdjustedLift: number;
  readonly uncomparedImpressions: number;
}

/** Click-through by presentation feature, raw and rank-adjusted. Features are reported in name order. */
export function presentationCtr(cells: readonly PresentationCell[]): FeatureCtr[] {
  const names = new Set<string>();
  for (const c of cells) for (const k of Object.keys(c.features)) names.add(k);
  const out: FeatureCtr[] = [];
  for (const f of [...names].sort()) {
    const on = new Map<number, [number, number]>();
    const off = new Map<number, [number, number]>();
    for (const c of cells) {
      const v = c.features[f];
      if (v === null || v === undefined) continue;
      const m = v ? on : off;
      const a = m.get(c.rank) ?? [0, 0];
      a[0] += c.impressions;
      a[1] += c.clicks;
      m.set(c.rank, a);
    }
    let nOn = 0, cOn = 0, nOff = 0, cOff = 0, expected = 0, clicksCompared = 0, uncompared = 0;
    for (const [, [n, k]] of off) { nOff += n; cOff += k; }
    for (const [r, [n, k]] of on) {
      nOn += n;
      cOn += k;
      const b = off.get(r);
      if (!b || b[0] === 0) { uncompared += n; continue; }
      expected += n * (b[1] / b[0]);
      clicksCompared += k;
    }
    out.push({
      feature: f,
      impressionsWith: nOn,
      impressionsWithout: nOff,
      ctrWith: nOn > 0 ? cOn / nOn : Number.NaN,
      ctrWithout: nOff > 0 ? cOff / nOff : Number.NaN,
      rankAdjustedLift: expected > 0 ? clicksCompared / expected : Number.NaN,
      uncomparedImpressions: uncompared,
    });
  }
  return out;
}

/** Options of `presentationSection`; not part of the config file (the section is a report). */
export interface PresentationSectionOptions {
  /**
   * Most features reported, the most frequent first (a string-valued feature counts once per value:
   * `badge=new`, `badge=sale`). Default 20: enough for the handful of boolean presentation flags a
   * result page has plus the common badge values; a free-text badge would otherwise flood the report.
   */
  readonly maxFeatures?: number;
  /** Ranks above this are left out (default 20: two result pages; deep ranks have too few clicks to compare). */
  readonly maxRank?: number;
}

export interface PresentationSection {
  /** Result pages with presentation data; only their impressions are compared. */
  readonly pages: number;
  readonly impressions: number;
  /** Per feature (name order): raw and rank-adjusted click-through, see `presentationCtr`. */
  readonly features: readonly FeatureCtr[];
  /** Features seen but not reported (past maxFeatures). */
  readonly featuresNotShown: number;
  readonly note: string;
}

/** What the presentation section reads: ingest's presentation features (null or absent: no section), impressions and clicks. */
export interface PresentationInput {
  readonly impressionFeatures: ImpressionFeatures | null;
  readonly impressions: Impressions;
  readonly clicks: Clicks;
}

/**
 * The report section "presentation": click-through by presentation feature, from the
 * `impression_features` relation that ingest fills (SERP field `presentation`, impression events'
 * `presentation`). Boolean features are compared as themselves (missing = false); a string or
 * number value v of feature f becomes the boolean feature `f=v`. Only result pages with some
 * presentation data are counted: there, a result without a feature did not show it. Returns null
 * when the relation is absent or empty.
 */
export async function presentationSection(conn: DuckDBConnection, input: PresentationInput, opts: PresentationSectionOptions = {}): Promise<PresentationSection | null> {
  const maxFeatures = opts.maxFeatures ?? 20;
  const maxRank = opts.maxRank ?? 20;
  if (!Number.isInteger(maxFeatures) || maxFeatures < 1) throw usageError('bad_option', `presentationSection: maxFeatures must be an integer >= 1 (got ${maxFeatures}).`, { stage: 'report' });
  if (!Number.isInteger(maxRank) || maxRank < 1) throw usageError('bad_option', `presentationSection: maxRank must be an integer >= 1 (got ${maxRank}).`, { stage: 'report' });
  const features = input.impressionFeatures;
  if (!features || !(await relationExists(conn, features)) || !(await queryNumber(conn, `SELECT count(*) FROM ${features.name}`))) return null;
  await conn.run(`CREATE OR REPLACE TEMP TABLE _cf_pres AS
WITH pf AS (SELECT serp_id, rank, feature, value, value IN ('true', 'false') AS is_bool FROM ${features.name}),
k AS (SELECT CASE WHEN is_bool THEN feature ELSE feature || '=' || value END AS key, feature, CASE WHEN is_bool THEN NULL ELSE value END AS val,
        count(*) FILTER (WHERE value <> 'false') AS n FROM pf GROUP BY ALL),
keys AS (SELECT *, row_number() OVER (ORDER BY n DESC, key) AS kr FROM k),
pages AS (SELECT DISTINCT serp_id FROM pf),
clicked AS (SELECT DISTINCT serp_id, doc_id FROM ${input.clicks.name}),
imp AS (SELECT i.serp_id, i.rank, c.serp_id IS NOT NULL AS clicked FROM ${input.impressions.name} i SEMI JOIN pages USING (serp_id)
        LEFT JOIN clicked c ON c.serp_id = i.serp_id AND c.doc_id = i.doc_id WHERE i.rank <= ${maxRank}),
tot AS (SELECT rank, count(*) AS n, count(*) FILTER (WHERE clicked) AS c FROM imp GROUP BY rank),
onk AS (SELECT DISTINCT k.key, p.serp_id, p.rank FROM pf p JOIN keys k ON k.feature = p.feature AND k.kr <= ${maxFeatures}
        AND (CASE WHEN k.val IS NULL THEN p.value = 'true' ELSE p.value = k.val END)),
won AS (SELECT o.key, i.rank, count(*) AS n, count(*) FILTER (WHERE i.clicked) AS c FROM onk o JOIN imp i USING (serp_id, rank) GROUP BY ALL)
SELECT k.key, t.rank, coalesce(w.n, 0)::DOUBLE AS n_on, coalesce(w.c, 0)::DOUBLE AS c_on, (t.n - coalesce(w.n, 0))::DOUBLE AS n_off, (t.c - coalesce(w.c, 0))::DOUBLE AS c_off,
  (SELECT count(*) FROM keys)::DOUBLE AS n_keys, (SELECT count(*) FROM pages)::DOUBLE AS pages, (SELECT sum(n) FROM tot)::DOUBLE AS impressions
FROM keys k CROSS JOIN tot t LEFT JOIN won w ON w.key = k.key AND w.rank = t.rank
WHERE k.kr <= ${maxFeatures} ORDER BY k.key, t.rank`);
  const c = await readColumns(conn, 'SELECT * FROM _cf_pres');
  await conn.run('DROP TABLE _cf_pres');
  const key = c.str('key'), rank = c.num('rank'), nOn = c.num('n_on'), cOn = c.num('c_on'), nOff = c.num('n_off'), cOff = c.num('c_off');
  const cells: PresentationCell[] = [];
  for (let i = 0; i < c.rowCount; i++) {
    const f = key[i]!;
    if (nOn[i]! > 0) cells.push({ rank: rank[i]!, impressions: nOn[i]!, clicks: cOn[i]!, features: { [f]: true } });
    if (nOff[i]! > 0) cells.push({ rank: rank[i]!, impressions: nOff[i]!, clicks: cOff[i]!, features: { [f]: false } });
  }
  const nKeys = c.rowCount ? c.num('n_keys')[0]! : 0;
  const pages = c.rowCount ? c.num('pages')[0]! : await queryNumber(conn, `SELECT count(DISTINCT serp_id) FROM ${features.name}`);
  const impressions = c.rowCount ? c.num('impressions')[0]! : 0;
  return {
    pages,
    impressions,
    features: presentationCtr(cells),
    featuresNotShown: Math.max(0, nKeys - maxFeatures),
    note: 'rankAdjustedLift = clicks of results with the feature / clicks expected at the same ranks from results without it (1 = no effect). A lift well above 1 means the presentation, not only relevance, draws clicks: such click evidence overstates relevance.',
  };
}

/** Markdown table of the section, for report.md (SECTION_RENDERERS.presentation). */
export function renderPresentationSection(s: PresentationSection): string {
  const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
  const rows = s.features.map((f) => `| ${escapeMarkdown(f.feature)} | ${f.impressionsWith.toLocaleString('en-US')} | ${f3(f.ctrWith)} | ${f3(f.ctrWithout)} | ${f3(f.rankAdjustedLift)} |`);
  return [
    `${s.pages.toLocaleString('en-US')} result pages with presentation data (${s.impressions.toLocaleString('en-US')} impressions).`,
    '',
    '| feature | impressions with | CTR with | CTR without | lift at equal rank |',
    '|---|---:|---:|---:|---:|',
    ...rows,
    '',
    escapeMarkdown(s.featuresNotShown ? `${s.featuresNotShown} less frequent features not shown. ${s.note}` : s.note),
  ].join('\n');
}
