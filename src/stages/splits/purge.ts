import type { Split, SplitFamily } from './splits.js';
import type { SplitOptions } from './options.js';

/**
 * The weak-link purge of the splits stage (`purgeLinked`, `purgeKeepsStrata`,
 * `purgeKeepMovesTest`; see docs/stages/splits.md): training families linked to a test family
 * move to dev, within `purgeHops` hops; a (bucket, slice) stratum is never emptied of training,
 * and a family kept for that reason loses its test links where a test neighbour can leave test.
 *
 * Mutates `splitOf`; adds its counts to `dropped` and its notes to `notes`.
 */
export function purgeLinkedFamilies(args: {
  readonly families: readonly SplitFamily[];
  readonly links: readonly { readonly a: string; readonly b: string }[];
  readonly splitOf: Map<string, Split>;
  readonly stratumOf: (f: SplitFamily) => string;
  /** Families first seen before the cutoff that topUpBuckets held out. */
  readonly toppedUp: ReadonlySet<string>;
  /** The seeded order within a stratum (familyHash). */
  readonly hashOf: (id: string) => number;
  readonly o: SplitOptions;
  readonly dropped: Record<string, number>;
  readonly notes: string[];
}): void {
  const { families, links, splitOf, toppedUp, hashOf, o, dropped, notes } = args;
  const adj = new Map<string, string[]>();
  for (const l of links) {
    if (!splitOf.has(l.a) || !splitOf.has(l.b)) { dropped.link_unknown_family = (dropped.link_unknown_family ?? 0) + 1; continue; }
    (adj.get(l.a) ?? adj.set(l.a, []).get(l.a)!).push(l.b);
    (adj.get(l.b) ?? adj.set(l.b, []).get(l.b)!).push(l.a);
  }
  const byId = new Map(families.map((f) => [f.id, f]));
  const stratum = (id: string) => args.stratumOf(byId.get(id)!);
  const base = new Map(splitOf);
  const tally = (s: Split): Map<string, number> => {
    const m = new Map<string, number>();
    for (const f of families) if (splitOf.get(f.id) === s) m.set(stratum(f.id), (m.get(stratum(f.id)) ?? 0) + 1);
    return m;
  };
  const baseTest = tally('test');
  /** Families kept in train by purgeKeepsStrata, and test families moved to dev so that a kept one has no test link. */
  const forced = new Set<string>();
  const leakyKept = new Set<string>();
  const testToDev = new Set<string>();
  /** Topped-up test families returned to train, and the families of their stratum held out instead. */
  const swapOut = new Set<string>();
  const swapIn = new Set<string>();
  let moved: Set<string>;
  const testLinks = (id: string) => (adj.get(id) ?? []).filter((nb) => splitOf.get(nb) === 'test');
  for (let round = 0; ; round++) {
    // (re)run the purge from the initial assignment with the decisions taken so far
    for (const [id, s] of base) splitOf.set(id, s);
    for (const id of swapOut) splitOf.set(id, 'train');
    for (const id of swapIn) splitOf.set(id, 'test');
    for (const id of testToDev) splitOf.set(id, 'dev');
    moved = new Set<string>();
    let frontier = families.filter((f) => splitOf.get(f.id) === 'test').map((f) => f.id);
    for (let hop = 0; hop < o.purgeHops && frontier.length > 0; hop++) {
      const next: string[] = [];
      for (const id of frontier) for (const nb of adj.get(id) ?? []) {
        if (splitOf.get(nb) !== 'train' || forced.has(nb)) continue;
        splitOf.set(nb, 'dev');
        moved.add(nb);
        next.push(nb);
      }
      frontier = next.sort();
    }
    if (!o.purgeKeepsStrata || moved.size === 0 || round > families.length) break;
    // a stratum (the head, a small locale) must not vanish from training: keep minPerStratum of
    // its purged families in train
    const left = tally('train');
    const short = [...new Set([...moved].map(stratum))].filter((k) => (left.get(k) ?? 0) < o.minPerStratum).sort();
    if (short.length === 0) break;
    const k = short[0]!;
    const cands = [...moved].filter((id) => stratum(id) === k);
    const order = (a: string, b: string) => testLinks(a).length - testLinks(b).length || byId.get(b)!.count - byId.get(a)!.count || (a < b ? -1 : 1);
    let pick: string | undefined;
    if (o.purgeKeepMovesTest) {
      // prefer the candidate whose test neighbours can all leave test without emptying a test
      // stratum (moved to dev, or, for a family held out only by topUpBuckets, swapped with an
      // unlinked family of its stratum), at the least test traffic moved: it is then kept with
      // no link to test at all
      const inTest = tally('test');
      const touches = (r: string, id: string) => (adj.get(r) ?? []).some((nb) => nb === id || forced.has(nb));
      let best: { id: string; cost: number; toDev: string[]; swaps: [string, string][] } | undefined;
      for (const id of cands) {
        const toDev: string[] = [];
        const swaps: [string, string][] = [];
        const leaving = new Map<string, number>();
        const used = new Set<string>();
        let ok = true;
        for (const t of testLinks(id).sort()) {
          const st = stratum(t);
          if ((inTest.get(st) ?? 0) - (leaving.get(st) ?? 0) - 1 >= Math.min(o.minPerStratum, baseTest.get(st) ?? 0)) {
            toDev.push(t);
            leaving.set(st, (leaving.get(st) ?? 0) + 1);
            continue;
          }
          const r = toppedUp.has(t)
            ? families.map((f) => f.id)
              .filter((r) => base.get(r) === 'train' && stratum(r) === st && r !== id && !forced.has(r) && !used.has(r) && !swapOut.has(r) && !touches(r, id))
              .sort((a, b) => Number(touches(a, t)) - Number(touches(b, t)) || hashOf(a) - hashOf(b) || (a < b ? -1 : 1))[0]
            : undefined;
          if (r === undefined) { ok = false; break; }
          swaps.push([t, r]);
          used.add(r);
        }
        if (!ok) continue;
        const cost = toDev.reduce((sum, t) => sum + byId.get(t)!.count, 0);
        if (!best || cost < best.cost || (cost === best.cost && order(id, best.id) < 0)) best = { id, cost, toDev, swaps };
      }
      if (best) {
        pick = best.id;
        for (const t of best.toDev) testToDev.add(t);
        for (const [t, r] of best.swaps) { swapOut.add(t); swapIn.add(r); swapIn.delete(t); }
      }
    }
    if (pick === undefined) {
      pick = cands.sort(order)[0]!;
      if (testLinks(pick).length > 0) leakyKept.add(pick);
    }
    forced.add(pick);
  }
  if (swapOut.size > 0) {
    dropped.topped_up_test_family_swapped = swapOut.size;
    notes.push(`${swapOut.size} families held out by topUpBuckets were linked to a family kept in train by purgeKeepsStrata: they went back to train and an unlinked family of their stratum was held out instead (purgeKeepMovesTest)`);
  }
  if (forced.size > 0) {
    dropped.purge_refused_to_keep_stratum_in_train = forced.size;
    notes.push(`${forced.size} training families linked to a test family stayed in train so that their (bucket, slice) stratum is not empty in training (purgeKeepsStrata)${leakyKept.size > 0 ? `: ${leakyKept.size} of them still have a link to test (possible leakage)` : ''}`);
  }
  if (testToDev.size > 0) {
    dropped.test_family_linked_to_kept_moved_to_dev = testToDev.size;
    notes.push(`${testToDev.size} test families linked to a family kept in train by purgeKeepsStrata were moved to dev (purgeKeepMovesTest)`);
  }
  if (moved.size > 0) {
    dropped.train_family_linked_to_test_moved_to_dev = moved.size;
    notes.push(`${moved.size} training families weakly linked to a test family (within ${o.purgeHops} hop(s)) were moved to dev (purgeLinked)`);
  }
}
