import { describe, expect, it } from 'vitest';
import { applyFreshness, balanceOptions, capHeadQueries, capPopularity, concentration, positivesByAge, presentationCtr, queryBuckets } from '../../../src/stages/balance/index.js';

const rec = (q: string, d: string, weight = 1, first_ts: number | null = null) => ({ query_norm: q, doc_id: d, weight, first_ts });
const DAY = 86_400_000;

describe('popularity', () => {
  it('measures concentration: equal counts give Gini 0, one dominant document a high Gini and top-1% share', () => {
    const even = concentration([rec('a', 'd1'), rec('b', 'd2'), rec('c', 'd3'), rec('d', 'd4')]);
    expect(even.gini).toBeCloseTo(0, 10);
    expect(even.maxDocShare).toBe(0.25);
    const skew = [...Array.from({ length: 97 }, (_, i) => rec(`q${i}`, 'home')), rec('x', 'd1'), rec('y', 'd2'), rec('z', 'd3')];
    const c = concentration(skew);
    expect(c.maxDoc).toBe('home');
    expect(c.top1PctShare).toBeCloseTo(0.97, 10); // 4 docs -> top 1% is 1 doc
    // Gini of [1,1,1,97]: sum (2i-n-1)x / (n sum) = (-3-1+1+3*97)/(4*100) = 0.72
    expect(c.gini).toBeCloseTo(0.72, 10);
  });

  it('caps a dominant document at maxDocShare, keeping its highest-weight records in input order', () => {
    const recs = [...Array.from({ length: 30 }, (_, i) => rec(`q${i}`, 'home', i / 30)), ...Array.from({ length: 70 }, (_, i) => rec(`r${i}`, `d${i}`))];
    const r = capPopularity(recs, { maxDocShare: 0.05 }, 1);
    const home = r.kept.filter((x) => x.doc_id === 'home');
    expect(home).toHaveLength(5);
    expect(home.map((x) => x.query_norm)).toEqual(['q25', 'q26', 'q27', 'q28', 'q29']);
    expect(r.stats.dropped).toEqual({ popularity_cap: 25 });
    expect(r.stats.in.records).toBe(r.stats.out.records! + r.stats.dropped.popularity_cap!);
    expect(r.after.gini).toBeLessThan(r.before.gini);
    expect(capPopularity(recs, { maxDocShare: 1 }, 1).kept).toHaveLength(100);
  });
});

describe('freshness', () => {
  const published = new Map<string, number | undefined>([['new', 100 * DAY], ['old', 0], ['nodate', undefined]]);
  const recs = [rec('a', 'new', 1, 102 * DAY), rec('b', 'new', 1, 120 * DAY), rec('c', 'old', 1, 500 * DAY), rec('d', 'nodate', 1, 5), rec('e', 'old', 1, null), rec('f', 'new', 1, 99 * DAY)];

  it('reports records by document age at first evidence', () => {
    const a = positivesByAge(recs, published);
    expect(a.byAge).toEqual({ '<7d': 1, '7-30d': 1, '30-90d': 0, '90-365d': 0, '>=365d': 1 });
    expect(a.unknown).toBe(2);
    expect(a.beforePublication).toBe(1);
  });

  it('excludes or down-weights pairs inside the window, and counts them', () => {
    const ex = applyFreshness(recs, published, { mode: 'exclude', windowDays: 7, weight: 0.5 });
    expect(ex.records.map((r) => r.query_norm)).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(ex.stats.dropped).toEqual({ fresh_window: 1 });
    const dw = applyFreshness(recs, published, { mode: 'downweight', windowDays: 30, weight: 0.25 });
    expect(dw.records.map((r) => r.weight)).toEqual([0.25, 0.25, 1, 1, 1, 1]);
    expect(applyFreshness(recs, published, balanceOptions.parse({}).freshness).records).toHaveLength(recs.length);
  });
});

describe('head/tail', () => {
  // traffic 50, 20, 10, 10, 5, 5 -> head: q1 (cum 0 < .5); q2 at cum .5 is torso; tail from cum >= .9
  const traffic = new Map([['q1', 50], ['q2', 20], ['q3', 10], ['q4', 10], ['q5', 5], ['q6', 5]]);
  it('buckets queries by cumulative traffic', () => {
    const b = queryBuckets(traffic, { headShare: 0.5, tailShare: 0.9 });
    expect(Object.fromEntries(b.bucketOf)).toEqual({ q1: 'head', q2: 'torso', q3: 'torso', q4: 'torso', q5: 'tail', q6: 'tail' });
    expect(b.traffic).toEqual({ head: 50, torso: 40, tail: 10 });
  });

  it('caps head records to maxHeadShare of the output with the largest per-query cap', () => {
    const b = queryBuckets(traffic, { headShare: 0.5, tailShare: 0.9 });
    const recs = [...Array.from({ length: 90 }, (_, i) => rec('q1', `d${i}`, i)), ...['q2', 'q3', 'q4', 'q5', 'q6'].flatMap((q) => [rec(q, 'x'), rec(q, 'y')])];
    const r = capHeadQueries(recs, b, { maxHeadShare: 0.5 }, 7);
    expect(r.perQueryCap).toBe(10);
    const head = r.kept.filter((x) => x.query_norm === 'q1');
    expect(head).toHaveLength(10);
    expect(head.every((x) => x.weight >= 80)).toBe(true);
    expect(r.kept).toHaveLength(20);
    expect(r.stats.dropped).toEqual({ head_cap: 80 });
    expect(capHeadQueries(recs, b, { maxHeadShare: 1 }, 7).kept).toHaveLength(100);
  });
});

describe('presentation', () => {
  it('reports raw CTR and the lift at equal ranks, which removes the rank confound', () => {
    // thumbnails are mostly shown at rank 1 (high CTR anyway): raw CTR overstates their effect
    const cells = [
      { rank: 1, impressions: 900, clicks: 450, features: { thumbnail: true, badge: false } },
      { rank: 1, impressions: 100, clicks: 40, features: { thumbnail: false, badge: false } },
      { rank: 5, impressions: 100, clicks: 12, features: { thumbnail: true, badge: true } },
      { rank: 5, impressions: 900, clicks: 90, features: { thumbnail: false } },
    ];
    const [badge, thumb] = presentationCtr(cells);
    expect(thumb!.feature).toBe('thumbnail');
    expect(thumb!.ctrWith).toBeCloseTo(462 / 1000, 10);
    expect(thumb!.ctrWithout).toBeCloseTo(130 / 1000, 10);
    // expected = 900 * 0.4 + 100 * 0.1 = 370; clicks 462 -> lift 1.2486
    expect(thumb!.rankAdjustedLift).toBeCloseTo(462 / 370, 10);
    expect(badge!.feature).toBe('badge');
    expect(badge!.impressionsWith).toBe(100);
    expect(badge!.uncomparedImpressions).toBe(100); // no badge-less result at rank 5 says badge: false
    expect(Number.isNaN(badge!.rankAdjustedLift)).toBe(true);
  });
});
