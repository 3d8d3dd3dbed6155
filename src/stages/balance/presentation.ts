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
