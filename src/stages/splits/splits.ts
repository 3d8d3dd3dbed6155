import type { StageStats } from '../../types.js';
import { usageError, inputError } from '../../errors.js';
import { hash32 } from '../../util/rng.js';
import { purgeLinkedFamilies } from './purge.js';
import { splitOptions, type SplitOptions, type SplitOptionsInput } from './options.js';

/**
 * Train/dev/test by query family, so that one need never sits on both sides
 * (see docs/stages/splits.md).
 *
 * Input: families ({ id, count, firstTs?, clicks?, and the slice field if any }).
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
  /** Clicks on the family's graded positives (all its queries); unknown = not checked by minTestClicks. */
  readonly clicks?: number;
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
  /** The (bucket, slice) stratum of a family. */
  const stratumOf = (f: SplitFamily): string => `${bucketOf.get(f.id)!}\u0000${sliceOf(f)}`;
  const strataOf = (list: readonly SplitFamily[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const f of list) {
      const k = stratumOf(f);
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

  // test families with too little click evidence to be placed in their need's family go to dev
  if (o.minTestClicks > 1) {
    const inTest = new Map<string, number>();
    let testTraffic = 0;
    for (const f of families) {
      if (splitOf.get(f.id) !== 'test') continue;
      inTest.set(stratumOf(f), (inTest.get(stratumOf(f)) ?? 0) + 1);
      testTraffic += f.count;
    }
    const thin = families
      .filter((f) => splitOf.get(f.id) === 'test' && f.clicks !== undefined && f.clicks < o.minTestClicks)
      .sort((a, b) => a.clicks! - b.clicks! || familyHash(a.id, o.seed) - familyHash(b.id, o.seed) || (a.id < b.id ? -1 : 1));
    let moved = 0, kept = 0;
    for (const f of thin) {
      const k = stratumOf(f);
      if (inTest.get(k)! - 1 < o.minPerStratum) { kept++; continue; }
      inTest.set(k, inTest.get(k)! - 1);
      splitOf.set(f.id, 'dev');
      moved++;
    }
    if (moved > 0) {
      dropped.test_family_below_min_clicks_to_dev = moved;
      const before = [...inTest.values()].reduce((a, b) => a + b, 0) + moved;
      // warn when the thin families carried most of test's traffic (a sparse log), not merely most families
      const most = thin.reduce((a, f) => a + f.count, 0) > testTraffic / 2;
      notes.push(`${moved} of ${before} test families had fewer than ${o.minTestClicks} clicks on their positives and went to dev (minTestClicks)${kept > 0 ? `; ${kept} stayed so that their (bucket, slice) stratum keeps ${o.minPerStratum} test famil${o.minPerStratum === 1 ? 'y' : 'ies'}` : ''}${most ? `. Those carried most of test's traffic: on a log this sparse set splits.minTestClicks=1 to keep them (at the price of more leakage) or hold out more (splits.fractions)` : ''}`);
    }
  }

  // training families linked to a test family move to dev
  if (o.purgeLinked !== 'off' && extra.links && extra.links.length > 0 && o.purgeHops > 0) {
    purgeLinkedFamilies({ families, links: extra.links, splitOf, stratumOf, toppedUp, hashOf: (id) => familyHash(id, o.seed), o, dropped, notes });
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
