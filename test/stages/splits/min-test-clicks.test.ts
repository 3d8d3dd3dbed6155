import { describe, expect, it } from 'vitest';
import { splitFamilies, type SplitFamily } from '../../../src/stages/splits/splits.js';

const DAY = 86_400_000;
/** 300 families first seen over 100 days; every third one past the 30 busiest has a single click. */
function world(): SplitFamily[] {
  return Array.from({ length: 300 }, (_, i) => ({ id: `fam${i}`, count: Math.ceil(3000 / (i + 1)), firstTs: ((i * 37) % 100) * DAY, clicks: i >= 30 && i % 3 === 0 ? 1 : 2 + (i % 5) }));
}
const inSplit = (r: ReturnType<typeof splitFamilies>, s: string) => [...r.splitOf].filter(([, x]) => x === s).map(([id]) => id);

describe('splits.minTestClicks', () => {
  for (const mode of ['chronological', 'hashed'] as const) {
    it(`${mode}: no test family has fewer clicks than asked; they go to dev`, () => {
      const fams = world();
      const clicks = new Map(fams.map((f) => [f.id, f.clicks!]));
      const off = splitFamilies(fams, { mode, minTestClicks: 0 });
      const on = splitFamilies(fams, { mode, minTestClicks: 2 });
      const thinOff = inSplit(off, 'test').filter((id) => clicks.get(id)! < 2);
      expect(thinOff.length).toBeGreaterThan(0); // the rule has something to do
      // a thin family stays only as the last test family of its stratum (minPerStratum 1)
      const left = inSplit(on, 'test').filter((id) => clicks.get(id)! < 2);
      for (const id of left) expect(inSplit(on, 'test').filter((x) => on.bucketOf.get(x) === on.bucketOf.get(id))).toEqual([id]);
      expect(left.length).toBeLessThan(thinOff.length);
      for (const id of thinOff) if (!left.includes(id)) expect(on.splitOf.get(id)).toBe('dev');
      // train is untouched: the rule only moves families from test to dev
      expect(inSplit(on, 'train').sort()).toEqual(inSplit(off, 'train').sort());
      expect(on.stats.dropped.test_family_below_min_clicks_to_dev).toBe(thinOff.length - left.length);
      expect((on.stats.notes ?? []).join('\n')).not.toMatch(/most of test's traffic/); // thin families are a share of test's tail, not most of its traffic
      // the other test families stay
      expect(inSplit(on, 'test').sort()).toEqual(inSplit(off, 'test').filter((id) => clicks.get(id)! >= 2 || left.includes(id)).sort());
    });
  }

  it('never empties a stratum of test, and families without a click count are not checked', () => {
    const fams: SplitFamily[] = Array.from({ length: 40 }, (_, i) => ({ id: `f${i}`, count: 10, clicks: 1 }));
    const r = splitFamilies(fams, { mode: 'hashed', minTestClicks: 2 });
    const off = splitFamilies(fams, { mode: 'hashed', minTestClicks: 0 });
    const buckets = (x: typeof r) => inSplit(x, 'test').map((id) => x.bucketOf.get(id)).sort();
    expect(buckets(off).length).toBeGreaterThan(new Set(buckets(off)).size); // some bucket has 2+ thin test families
    expect(buckets(r)).toEqual([...new Set(buckets(off))]); // minPerStratum 1: exactly one stays per bucket
    expect((r.stats.notes ?? []).join('\n')).toMatch(/most of test's traffic.*minTestClicks=1/);
    const unknown = splitFamilies(fams.map(({ clicks: _c, ...f }) => f), { mode: 'hashed', minTestClicks: 2 });
    expect(inSplit(unknown, 'test').length).toBe(inSplit(splitFamilies(fams, { mode: 'hashed', minTestClicks: 0 }), 'test').length);
  });

  it('0 and 1 turn it off', () => {
    const fams = world();
    const a = splitFamilies(fams, { mode: 'hashed', minTestClicks: 0 });
    const b = splitFamilies(fams, { mode: 'hashed', minTestClicks: 1 });
    expect([...b.splitOf]).toEqual([...a.splitOf]);
  });
});
