import type { StageStats } from '../../types.js';
import { usageError, inputError } from '../../errors.js';
import { hash32 } from '../../util/rng.js';
import { splitOptions, type SplitOptions, type SplitOptionsInput } from './options.js';

/**
 * Train/dev/test by query family, so that one need never sits on both sides
 * (see docs/stages/splits.md).
 *
 * Input: families ({ id, count, firstTs?, and the slice field if any }).
 * Output: splitOf (family id -> split), the cutoff used, each family's frequency bucket, stats,
 * and a balance table (bucket x split and slice x split).
 */

export type Split = 'train' | 'dev' | 'test';
export type Bucket = 'head' | 'torso' | 'tail';
export const SPLITS: readonly Split[] = ['train', 'dev', 'test'];

export interface SplitFamily {
  readonly id: string;
  readonly count: number;
  readonly firstTs?: number | null;
}

export interface BalanceRow {
  readonly dimension: 'bucket' | 'slice';
  readonly value: string;
  readonly families: Readonly<Record<Split, number>>;
  readonly traffic: Readonly<Record<Split, number>>;
}

export interface SplitResult {
  readonly splitOf: Map<string, Split>;
  readonly bucketOf: Map<string, Bucket>;
  readonly mode: 'chronological' | 'hashed';
  readonly cutoff: number | null;
  readonly stats: StageStats;
  readonly balance: readonly BalanceRow[];
}

const STAGE = 'splits';

/** Uniform [0,1) from the seed and the family id: the same family gets the same value in every run. */
export function familyHash(id: string, seed: number): number {
  return hash32(id, (hash32(String(seed)) ^ 0x9e3779b9) >>> 0) / 4294967296;
}

/**
 * Whether a training record may use evidence with these timestamps: every one must be at or
 * before the cutoff. With no cutoff (hashed mode) everything is allowed.
 */
export function isTrainEvidenceAllowed(
  timestamps: Iterable<number | null | undefined>,
  cutoff: number | null | undefined,
  opts: { unknownTimestamps?: 'refuse' | 'allow' } = {},
): boolean {
  if (cutoff === null || cutoff === undefined) return true;
  const refuseUnknown = (opts.unknownTimestamps ?? 'refuse') === 'refuse';
  for (const t of timestamps) {
    if (t === null || t === undefined || !Number.isFinite(t)) {
      if (refuseUnknown) return false;
    } else if (t > cutoff) return false;
  }
  return true;
}

/** Assign a stratum's families (sorted by hash) to splits with exact counts per split. */
function allocate(ids: string[], fr: Readonly<Record<Split, number>>, minPer: number, out: Map<string, Split>): void {
  const n = ids.length;
  const active = SPLITS.filter((s) => fr[s] > 0);
  const want: Record<Split, number> = { train: 0, dev: 0, test: 0 };
  for (const s of active) want[s] = Math.round(n * fr[s]);
  if (n >= active.length * Math.max(1, minPer)) for (const s of active) if (s !== 'train' && want[s] < minPer) want[s] = minPer;
  // train takes the remainder (never negative): held-out splits shrink first if rounding overshot
  const held = (['test', 'dev'] as const).filter((s) => active.includes(s));
  while (want.dev + want.test > n) {
    const s = held.sort((a, b) => want[b] - want[a])[0]!;
    want[s]--;
  }
  if (active.includes('train')) want.train = n - want.dev - want.test;
  else if (want.dev + want.test < n) want[held[0]!] += n - want.dev - want.test;
  let i = 0;
  for (const s of ['test', 'dev', 'train'] as const) for (let k = 0; k < want[s]; k++) out.set(ids[i++]!, s);
}

export function splitFamilies(
  families: readonly SplitFamily[],
  opts: SplitOptionsInput | SplitOptions = {},
  extra: { readonly links?: readonly { readonly a: string; readonly b: string }[] } = {},
): SplitResult {
  const o = splitOptions.parse(opts);
  const fr = o.fractions;
  if (Math.abs(fr.train + fr.dev + fr.test - 1) > 1e-9) {
    throw usageError('bad_split_fractions', `splits: fractions train ${fr.train} + dev ${fr.dev} + test ${fr.test} must sum to 1`, { stage: STAGE });
  }
  if (o.headShare + o.torsoShare > 1) throw usageError('bad_buckets', `splits: headShare ${o.headShare} + torsoShare ${o.torsoShare} must be at most 1`, { stage: STAGE });
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (typeof f?.id !== 'string') throw inputError('bad_input', `splits: families[${i}].id must be a string`, { stage: STAGE });
    if (seen.has(f.id)) throw inputError('bad_input', `splits: families[${i}] repeats id ${f.id}; each family must appear once`, { stage: STAGE });
    seen.add(f.id);
    if (typeof f.count !== 'number' || !Number.isFinite(f.count) || f.count < 0) throw inputError('bad_input', `splits: families[${i}] (${f.id}) has count ${String(f.count)}; use a finite number >= 0`, { stage: STAGE });
  });

  const hasTime = (f: SplitFamily) => typeof f.firstTs === 'number' && Number.isFinite(f.firstTs);
  const timed = families.filter(hasTime).length;
  const mode: 'chronological' | 'hashed' = o.mode === 'auto' ? (families.length > 0 && timed === families.length ? 'chronological' : 'hashed') : o.mode;
  if (mode === 'chronological' && timed === 0 && families.length > 0) {
    throw usageError('no_timestamps', 'splits: chronological mode needs firstTs on the families; none has one. Use mode "hashed" or pass first-seen times', { stage: STAGE });
  }

  // frequency buckets by cumulative traffic share (ties broken by id: order-independent)
  const byCount = [...families].sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const total = byCount.reduce((s, f) => s + f.count, 0);
  const bucketOf = new Map<string, Bucket>();
  let cum = 0;
  for (const f of byCount) {
    const share = total > 0 ? cum / total : 1;
    bucketOf.set(f.id, share < o.headShare ? 'head' : share < o.headShare + o.torsoShare ? 'torso' : 'tail');
    cum += f.count;
  }
  const sliceOf = (f: SplitFamily): string => {
    if (!o.sliceField) return '*';
    const v = (f as unknown as Record<string, unknown>)[o.sliceField];
    return v === undefined || v === null || v === '' ? '(none)' : String(v);
  };
  const strataOf = (list: readonly SplitFamily[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const f of list) {
      const k = `${bucketOf.get(f.id)!}\u0000${sliceOf(f)}`;
      const a = m.get(k);
      if (a) a.push(f.id); else m.set(k, [f.id]);
    }
    const h = new Map<string, number>();
    for (const f of list) h.set(f.id, familyHash(f.id, o.seed));
    for (const ids of m.values()) ids.sort((a, b) => h.get(a)! - h.get(b)! || (a < b ? -1 : 1));
    return new Map([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  };

  const splitOf = new Map<string, Split>();
  const notes: string[] = [];
  const dropped: Record<string, number> = {};
  let cutoff: number | null = null;
  /** Families first seen before the cutoff that topUpBuckets held out. */
  const toppedUp = new Set<string>();
  if (mode === 'hashed') {
    for (const ids of strataOf(families).values()) allocate(ids, fr, o.minPerStratum, splitOf);
  } else {
    const times = families.filter(hasTime).map((f) => f.firstTs as number).sort((a, b) => a - b);
    if (o.cutoff !== undefined) cutoff = o.cutoff;
    else if (times.length > 0) cutoff = times[Math.max(0, Math.ceil(times.length * fr.train) - 1)]!;
    const held: SplitFamily[] = [];
    const untimed: SplitFamily[] = [];
    for (const f of families) {
      if (!hasTime(f)) untimed.push(f);
      else if ((f.firstTs as number) <= (cutoff as number)) splitOf.set(f.id, 'train');
      else held.push(f);
    }
    const heldFr = fr.dev + fr.test > 0 ? { train: 0, dev: fr.dev / (fr.dev + fr.test), test: fr.test / (fr.dev + fr.test) } : { train: 0, dev: 0.5, test: 0.5 };
    if (o.topUpBuckets && o.minPerStratum > 0) {
      // strata with too few held-out families borrow some (by hash) from the training side
      const heldStrata = strataOf(held);
      const trainFams = families.filter((f) => splitOf.get(f.id) === 'train');
      const byId = new Map(families.map((f) => [f.id, f]));
      let moved = 0;
      for (const [k, ids] of strataOf(trainFams)) {
        const have = heldStrata.get(k)?.length ?? 0;
        const need = SPLITS.filter((s) => s !== 'train' && heldFr[s] > 0).length * o.minPerStratum - have;
        if (need <= 0 || ids.length < need + o.minPerStratum) continue;
        for (const id of ids.slice(0, need)) {
          toppedUp.add(id);
          splitOf.delete(id);
          held.push(byId.get(id)!);
          moved++;
        }
      }
      if (moved > 0) {
        dropped.train_family_held_out_for_bucket = moved;
        notes.push(`${moved} families first seen before the cutoff were held out so that every frequency bucket appears in dev and test (topUpBuckets)`);
      }
    }
    for (const ids of strataOf(held).values()) allocate(ids, heldFr, o.minPerStratum, splitOf);
    if (untimed.length > 0) {
      // no first-seen time: cannot be placed in time; held out, never trained on
      for (const ids of strataOf(untimed).values()) allocate(ids, heldFr, o.minPerStratum, splitOf);
      dropped.untimed_family_held_out = untimed.length;
      notes.push(`${untimed.length} families have no firstTs: they were held out (dev/test) so they cannot leak into training`);
    }
  }

  // training families linked to a test family move to dev
  if (o.purgeLinked !== 'off' && extra.links && extra.links.length > 0 && o.purgeHops > 0) {
    const adj = new Map<string, string[]>();
    for (const l of extra.links) {
      if (!splitOf.has(l.a) || !splitOf.has(l.b)) { dropped.link_unknown_family = (dropped.link_unknown_family ?? 0) + 1; continue; }
      (adj.get(l.a) ?? adj.set(l.a, []).get(l.a)!).push(l.b);
      (adj.get(l.b) ?? adj.set(l.b, []).get(l.b)!).push(l.a);
    }
    const byId = new Map(families.map((f) => [f.id, f]));
    const stratum = (id: string) => `${bucketOf.get(id)!}\u0000${sliceOf(byId.get(id)!)}`;
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
    const hashOf = (id: string) => familyHash(id, o.seed);
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

  // balance
  const rows = new Map<string, { dimension: 'bucket' | 'slice'; value: string; families: Record<Split, number>; traffic: Record<Split, number> }>();
  const add = (dimension: 'bucket' | 'slice', value: string, s: Split, c: number) => {
    const k = `${dimension}\u0000${value}`;
    let r = rows.get(k);
    if (!r) rows.set(k, (r = { dimension, value, families: { train: 0, dev: 0, test: 0 }, traffic: { train: 0, dev: 0, test: 0 } }));
    r.families[s]++;
    r.traffic[s] += c;
  };
  const counts: Record<Split, number> = { train: 0, dev: 0, test: 0 };
  for (const f of families) {
    const s = splitOf.get(f.id)!;
    counts[s]++;
    add('bucket', bucketOf.get(f.id)!, s, f.count);
    if (o.sliceField) add('slice', sliceOf(f), s, f.count);
  }
  const order = { head: 0, torso: 1, tail: 2 } as Record<string, number>;
  const balance = [...rows.values()].sort((a, b) => (a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : (order[a.value] ?? 3) - (order[b.value] ?? 3) || (a.value < b.value ? -1 : 1)));
  for (const r of balance) {
    const missing = SPLITS.filter((s) => fr[s] > 0 && r.families[s] === 0);
    if (missing.length > 0) notes.push(`${r.dimension} ${r.value} has no family in ${missing.join(', ')}${mode === 'chronological' ? ' (chronological: new families after the cutoff decide the held-out mix)' : ' (too few families in that stratum)'}`);
  }
  notes.unshift(mode === 'chronological' ? `chronological split at cutoff ${cutoff === null ? 'n/a' : new Date(cutoff).toISOString()}` : `hashed split (seed ${o.seed})`);

  const stats: StageStats = {
    stage: STAGE,
    in: { families: families.length, families_with_time: timed },
    out: { train: counts.train, dev: counts.dev, test: counts.test },
    dropped,
    notes,
  };
  return { splitOf, bucketOf, mode, cutoff, stats, balance };
}
