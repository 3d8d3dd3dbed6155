import { describe, expect, it } from 'vitest';
import { splitFamilies, type SplitFamily } from '../../../src/stages/splits/splits.js';

const DAY = 86_400_000;
/** 100 families; the 5 head families are the oldest, so chronology alone never holds them out. */
const world = (): SplitFamily[] => Array.from({ length: 100 }, (_, i) => ({ id: `f${String(i).padStart(3, '0')}`, count: i < 5 ? 1000 : 10, firstTs: i * DAY }));

describe('splitFamilies: chronological top-up of buckets', () => {
  it('without top-up the head is all train; with it every bucket is in dev and test, and no family is on two sides', () => {
    const off = splitFamilies(world(), { mode: 'chronological', topUpBuckets: false });
    const head = (r: ReturnType<typeof splitFamilies>) => r.balance.find((b) => b.value === 'head')!.families;
    expect(head(off).test).toBe(0);
    const on = splitFamilies(world(), { mode: 'chronological' });
    expect(head(on).test).toBeGreaterThan(0);
    expect(head(on).dev).toBeGreaterThan(0);
    expect(head(on).train).toBeGreaterThan(0);
    expect(on.stats.dropped.train_family_held_out_for_bucket).toBe(2);
    expect(on.splitOf.size).toBe(100);
    // families after the cutoff are still never trained on
    for (const f of world()) if ((f.firstTs as number) > on.cutoff!) expect(on.splitOf.get(f.id)).not.toBe('train');
  });
});

describe('splitFamilies: purgeLinked', () => {
  const fams = world().map(({ firstTs: _t, ...f }) => f);
  const base = splitFamilies(fams, { seed: 3 });
  const test = [...base.splitOf].filter(([, s]) => s === 'test').map(([id]) => id);
  const train = [...base.splitOf].filter(([, s]) => s === 'train').map(([id]) => id);
  it('moves training families linked to a test family to dev, one hop by default, and counts them', () => {
    const links = [{ a: test[0]!, b: train[0]! }, { a: train[0]!, b: train[1]! }, { a: train[2]!, b: train[3]! }];
    // purgeKeepsStrata off: train[0] may be the only training family of its stratum (tested below)
    const r = splitFamilies(fams, { seed: 3, purgeKeepsStrata: false }, { links });
    expect(r.splitOf.get(train[0]!)).toBe('dev');
    expect(r.splitOf.get(train[1]!)).toBe('train');
    expect(r.splitOf.get(train[2]!)).toBe('train');
    expect(r.stats.dropped.train_family_linked_to_test_moved_to_dev).toBe(1);
    const two = splitFamilies(fams, { seed: 3, purgeHops: 2, purgeKeepsStrata: false }, { links });
    expect(two.splitOf.get(train[1]!)).toBe('dev');
    const off = splitFamilies(fams, { seed: 3, purgeLinked: 'off' }, { links });
    expect(off.splitOf.get(train[0]!)).toBe('train');
  });
  it('counts links to unknown families', () => {
    const r = splitFamilies(fams, { seed: 3 }, { links: [{ a: 'nope', b: train[0]! }] });
    expect(r.stats.dropped.link_unknown_family).toBe(1);
  });
});

describe('splitFamilies: purgeKeepsStrata', () => {
  // 3 head families (huge counts), 97 tail; the head families are all linked to each other
  const fams: SplitFamily[] = Array.from({ length: 100 }, (_, i) => ({ id: `f${String(i).padStart(3, '0')}`, count: i < 3 ? 10_000 : 10 }));
  const opts = { seed: 1, headShare: 0.9, torsoShare: 0.05 };
  const head = (r: ReturnType<typeof splitFamilies>) => r.balance.find((b) => b.value === 'head')!.families;
  const base = splitFamilies(fams, opts);
  const heads = fams.slice(0, 3).map((f) => f.id);
  const testHead = heads.find((id) => base.splitOf.get(id) === 'test')!;
  const trainHeads = heads.filter((id) => base.splitOf.get(id) === 'train');
  const links = [{ a: heads[0]!, b: heads[1]! }, { a: heads[0]!, b: heads[2]! }, { a: heads[1]!, b: heads[2]! }];
  it('the purge alone empties the head of training; with the guard one head family stays, the one with the most traffic among the fewest links', () => {
    expect(testHead).toBeDefined();
    expect(trainHeads.length).toBeGreaterThan(0);
    const bare = splitFamilies(fams, { ...opts, purgeKeepsStrata: false }, { links });
    expect(head(bare).train).toBe(0);
    const kept = splitFamilies(fams, opts, { links });
    expect(head(kept).train).toBe(1);
    expect(head(kept).test).toBe(1);
    expect(kept.stats.dropped.purge_refused_to_keep_stratum_in_train).toBe(1);
    expect(kept.stats.dropped.train_family_linked_to_test_moved_to_dev ?? 0).toBe(trainHeads.length - 1);
  });
});

describe('splitFamilies: purgeKeepMovesTest', () => {
  const trainLinkedToTest = (r: ReturnType<typeof splitFamilies>, links: readonly { a: string; b: string }[]) =>
    links.filter((l) => [r.splitOf.get(l.a), r.splitOf.get(l.b)].sort().join() === 'test,train').length;
  it('hashed: the kept head family loses its test link by moving the (tail) test family to dev', () => {
    const fams: SplitFamily[] = Array.from({ length: 100 }, (_, i) => ({ id: `f${String(i).padStart(3, '0')}`, count: i < 3 ? 10_000 : 10 }));
    const opts = { seed: 1, headShare: 0.9, torsoShare: 0.05 };
    const base = splitFamilies(fams, opts);
    const trainHead = fams.slice(0, 3).map((f) => f.id).find((id) => base.splitOf.get(id) === 'train')!;
    const tailTests = fams.slice(3).map((f) => f.id).filter((id) => base.splitOf.get(id) === 'test');
    expect(trainHead).toBeDefined();
    expect(tailTests.length).toBeGreaterThan(1);
    const links = [{ a: trainHead, b: tailTests[0]! }];
    const plain = splitFamilies(fams, { ...opts, purgeKeepMovesTest: false }, { links });
    expect(plain.splitOf.get(trainHead)).toBe('train');
    expect(plain.splitOf.get(tailTests[0]!)).toBe('test');
    expect(trainLinkedToTest(plain, links)).toBe(1);
    const r = splitFamilies(fams, opts, { links });
    expect(r.splitOf.get(trainHead)).toBe('train');
    expect(r.splitOf.get(tailTests[0]!)).toBe('dev');
    expect(trainLinkedToTest(r, links)).toBe(0);
    expect(r.stats.dropped.test_family_linked_to_kept_moved_to_dev).toBe(1);
    expect(r.stats.dropped.purge_refused_to_keep_stratum_in_train).toBe(1);
  });
  it('chronological: a head family held out only by topUpBuckets goes back to train and an unlinked head family replaces it', () => {
    // 6 oldest families are the head; topUpBuckets holds out 2 of them (1 dev, 1 test)
    const w: SplitFamily[] = Array.from({ length: 100 }, (_, i) => ({ id: `f${String(i).padStart(3, '0')}`, count: i < 6 ? 1000 : 10, firstTs: i * DAY }));
    const opts = { mode: 'chronological' as const, headShare: 0.8, torsoShare: 0.1 };
    const on = splitFamilies(w, opts);
    const heads = w.slice(0, 6).map((f) => f.id);
    const testHead = heads.find((id) => on.splitOf.get(id) === 'test')!;
    const trainHeads = heads.filter((id) => on.splitOf.get(id) === 'train');
    expect(trainHeads).toHaveLength(4);
    // the test head is linked to every training head: the purge alone empties the head of training
    const links = trainHeads.map((id) => ({ a: testHead, b: id }));
    const head = (r: ReturnType<typeof splitFamilies>) => r.balance.find((b) => b.value === 'head')!.families;
    const plain = splitFamilies(w, { ...opts, purgeKeepMovesTest: false }, { links });
    expect(head(plain).train).toBe(1);
    expect(trainLinkedToTest(plain, links)).toBe(1);
    const r = splitFamilies(w, opts, { links });
    // the old test head is linked to its replacement, so the purge sends it to dev (never test)
    expect(r.splitOf.get(testHead)).toBe('dev');
    expect(head(r).test).toBe(1);
    expect(head(r).train).toBe(3);
    expect(trainLinkedToTest(r, links)).toBe(0);
    expect(r.stats.dropped.topped_up_test_family_swapped).toBe(1);
    // families after the cutoff are still never trained on
    for (const f of w) if ((f.firstTs as number) > r.cutoff!) expect(r.splitOf.get(f.id)).not.toBe('train');
  });
});
