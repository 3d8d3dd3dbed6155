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

/** The run's working state: the assignment so far and what the steps drop and note. */
interface SplitRun {
  readonly o: SplitOptions;
  readonly families: readonly SplitFamily[];
  readonly splitOf: Map<string, Split>;
  readonly dropped: Record<string, number>;
  readonly notes: string[];
  readonly strata: Strata;
}

/** Stratification by (frequency bucket, slice), with families in seeded hash order within a stratum. */
interface Strata {
  readonly bucketOf: Map<string, Bucket>;
  sliceOf(f: SplitFamily): string;
  /** The (bucket, slice) stratum of a family. */
  stratumOf(f: SplitFamily): string;
  /** Family ids per stratum (strata in key order, ids by hash). */
  strataOf(list: readonly SplitFamily[]): Map<string, string[]>;
}

const hasTime = (f: SplitFamily) => typeof f.firstTs === 'number' && Number.isFinite(f.firstTs);

function validateSplitInput(families: readonly SplitFamily[], o: SplitOptions): void {
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
}

function splitMode(families: readonly SplitFamily[], timed: number, o: SplitOptions): 'chronological' | 'hashed' {
  const mode = o.mode === 'auto' ? (families.length > 0 && timed === families.length ? 'chronological' : 'hashed') : o.mode;
  if (mode === 'chronological' && timed === 0 && families.length > 0) {
    throw usageError('no_timestamps', 'splits: chronological mode needs firstTs on the families; none has one. Use mode "hashed" or pass first-seen times', { stage: STAGE });
  }
  return mode;
}

/** Frequency buckets by cumulative traffic share (ties broken by id: order-independent). */
function frequencyBuckets(families: readonly SplitFamily[], o: SplitOptions): Map<string, Bucket> {
  const byCount = [...families].sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const total = byCount.reduce((s, f) => s + f.count, 0);
  const bucketOf = new Map<string, Bucket>();
  let cum = 0;
  for (const f of byCount) {
    const share = total > 0 ? cum / total : 1;
    bucketOf.set(f.id, share < o.headShare ? 'head' : share < o.headShare + o.torsoShare ? 'torso' : 'tail');
    cum += f.count;
  }
  return bucketOf;
}

function stratify(families: readonly SplitFamily[], o: SplitOptions): Strata {
  const bucketOf = frequencyBuckets(families, o);
  const sliceOf = (f: SplitFamily): string => {
    if (!o.sliceField) return '*';
    const v = (f as unknown as Record<string, unknown>)[o.sliceField];
    return v === undefined || v === null || v === '' ? '(none)' : String(v);
  };
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
  return { bucketOf, sliceOf, stratumOf, strataOf };
}

function chronologicalCutoff(families: readonly SplitFamily[], o: SplitOptions): number | null {
  if (o.cutoff !== undefined) return o.cutoff;
  const times = families.filter(hasTime).map((f) => f.firstTs as number).sort((a, b) => a - b);
  return times.length > 0 ? times[Math.max(0, Math.ceil(times.length * o.fractions.train) - 1)]! : null;
}

/** Every stratum allocated by hash with exact counts per split. */
function splitHashed(run: SplitRun): { cutoff: null; toppedUp: Set<string> } {
  for (const ids of run.strata.strataOf(run.families).values()) allocate(ids, run.o.fractions, run.o.minPerStratum, run.splitOf);
  return { cutoff: null, toppedUp: new Set() };
}

/** topUpBuckets: strata with too few held-out families borrow some (by hash) from the training side. Returns the ids moved. */
function topUpHeldOut(run: SplitRun, held: SplitFamily[], heldFr: Readonly<Record<Split, number>>): Set<string> {
  const { o, families, splitOf } = run;
  const toppedUp = new Set<string>();
  const heldStrata = run.strata.strataOf(held);
  const trainFams = families.filter((f) => splitOf.get(f.id) === 'train');
  const byId = new Map(families.map((f) => [f.id, f]));
  for (const [k, ids] of run.strata.strataOf(trainFams)) {
    const have = heldStrata.get(k)?.length ?? 0;
    const need = SPLITS.filter((s) => s !== 'train' && heldFr[s] > 0).length * o.minPerStratum - have;
    if (need <= 0 || ids.length < need + o.minPerStratum) continue;
    for (const id of ids.slice(0, need)) {
      toppedUp.add(id);
      splitOf.delete(id);
      held.push(byId.get(id)!);
    }
  }
  if (toppedUp.size > 0) {
    run.dropped.train_family_held_out_for_bucket = toppedUp.size;
    run.notes.push(`${toppedUp.size} families first seen before the cutoff were held out so that every frequency bucket appears in dev and test (topUpBuckets)`);
  }
  return toppedUp;
}

/**
 * Families first seen at or before the cutoff train, later ones are held out (dev/test by hash),
 * as are families without a first-seen time. Returns the cutoff and the families first seen before
 * it that topUpBuckets held out.
 */
function splitChronologically(run: SplitRun): { cutoff: number | null; toppedUp: Set<string> } {
  const { o, families, splitOf } = run;
  const fr = o.fractions;
  const cutoff = chronologicalCutoff(families, o);
  const held: SplitFamily[] = [];
  const untimed: SplitFamily[] = [];
  for (const f of families) {
    if (!hasTime(f)) untimed.push(f);
    else if ((f.firstTs as number) <= (cutoff as number)) splitOf.set(f.id, 'train');
    else held.push(f);
  }
  const heldFr = fr.dev + fr.test > 0 ? { train: 0, dev: fr.dev / (fr.dev + fr.test), test: fr.test / (fr.dev + fr.test) } : { train: 0, dev: 0.5, test: 0.5 };
  const toppedUp = o.topUpBuckets && o.minPerStratum > 0 ? topUpHeldOut(run, held, heldFr) : new Set<string>();
  for (const ids of run.strata.strataOf(held).values()) allocate(ids, heldFr, o.minPerStratum, splitOf);
  if (untimed.length > 0) {
    // no first-seen time: cannot be placed in time; held out, never trained on
    for (const ids of run.strata.strataOf(untimed).values()) allocate(ids, heldFr, o.minPerStratum, splitOf);
    run.dropped.untimed_family_held_out = untimed.length;
    run.notes.push(`${untimed.length} families have no firstTs: they were held out (dev/test) so they cannot leak into training`);
  }
  return { cutoff, toppedUp };
}

/** minTestClicks: test families with too little click evidence to be placed in their need's family go to dev. */
function moveThinTestFamilies(run: SplitRun): void {
  const { o, families, splitOf } = run;
  const { stratumOf } = run.strata;
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
  if (moved === 0) return;
  run.dropped.test_family_below_min_clicks_to_dev = moved;
  const before = [...inTest.values()].reduce((a, b) => a + b, 0) + moved;
  // warn when the thin families carried most of test's traffic (a sparse log), not merely most families
  const most = thin.reduce((a, f) => a + f.count, 0) > testTraffic / 2;
  run.notes.push(`${moved} of ${before} test families had fewer than ${o.minTestClicks} clicks on their positives and went to dev (minTestClicks)${kept > 0 ? `; ${kept} stayed so that their (bucket, slice) stratum keeps ${o.minPerStratum} test famil${o.minPerStratum === 1 ? 'y' : 'ies'}` : ''}${most ? `. Those carried most of test's traffic: on a log this sparse set splits.minTestClicks=1 to keep them (at the price of more leakage) or hold out more (splits.fractions)` : ''}`);
}

/** Families and traffic per split for each bucket (and slice), with a note for each row missing a split. */
function balanceTable(run: SplitRun, mode: 'chronological' | 'hashed'): { balance: BalanceRow[]; counts: Record<Split, number> } {
  const { o, families, splitOf } = run;
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
    add('bucket', run.strata.bucketOf.get(f.id)!, s, f.count);
    if (o.sliceField) add('slice', run.strata.sliceOf(f), s, f.count);
  }
  const order = { head: 0, torso: 1, tail: 2 } as Record<string, number>;
  const balance = [...rows.values()].sort((a, b) => (a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : (order[a.value] ?? 3) - (order[b.value] ?? 3) || (a.value < b.value ? -1 : 1)));
  for (const r of balance) {
    const missing = SPLITS.filter((s) => o.fractions[s] > 0 && r.families[s] === 0);
    if (missing.length > 0) run.notes.push(`${r.dimension} ${r.value} has no family in ${missing.join(', ')}${mode === 'chronological' ? ' (chronological: new families after the cutoff decide the held-out mix)' : ' (too few families in that stratum)'}`);
  }
  return { balance, counts };
}

export function splitFamilies(
  families: readonly SplitFamily[],
  opts: SplitOptionsInput | SplitOptions = {},
  extra: { readonly links?: readonly { readonly a: string; readonly b: string }[] } = {},
): SplitResult {
  const o = splitOptions.parse(opts);
  validateSplitInput(families, o);
  const timed = families.filter(hasTime).length;
  const mode = splitMode(families, timed, o);
  const run: SplitRun = { o, families, splitOf: new Map(), dropped: {}, notes: [], strata: stratify(families, o) };

  const { cutoff, toppedUp } = mode === 'hashed' ? splitHashed(run) : splitChronologically(run);
  if (o.minTestClicks > 1) moveThinTestFamilies(run);
  // training families linked to a test family move to dev
  if (o.purgeLinked !== 'off' && extra.links && extra.links.length > 0 && o.purgeHops > 0) {
    const { splitOf, dropped, notes } = run;
    purgeLinkedFamilies({ families, links: extra.links, splitOf, stratumOf: run.strata.stratumOf, toppedUp, hashOf: (id) => familyHash(id, o.seed), o, dropped, notes });
  }
  const { balance, counts } = balanceTable(run, mode);
  run.notes.unshift(mode === 'chronological' ? `chronological split at cutoff ${cutoff === null ? 'n/a' : new Date(cutoff).toISOString()}` : `hashed split (seed ${o.seed})`);

  const stats: StageStats = {
    stage: STAGE,
    in: { families: families.length, families_with_time: timed },
    out: { train: counts.train, dev: counts.dev, test: counts.test },
    dropped: run.dropped,
    notes: run.notes,
  };
  return { splitOf: run.splitOf, bucketOf: run.strata.bucketOf, mode, cutoff, stats, balance };
}
