import { createMinHasher, duplicateClusters } from '../../text/minhash.js';
import { createRng } from '../../util/rng.js';

/** One training row as the batch composer sees it. */
export interface BatchItem {
  readonly family: string;
  readonly positiveId: string;
  readonly positiveText: string;
}

export interface BatchPlan {
  readonly batchSize: number;
  /** Row indices in training order: complete batches only, batch b is order[b*size .. (b+1)*size). */
  readonly order: readonly number[];
  readonly batches: number;
  /** Rows that could not be placed in a complete conflict-free batch, by reason. */
  readonly unplaced: Readonly<Record<string, number>>;
  readonly unplacedRows: readonly number[];
  /** Near-duplicate clusters found among the positives (two or more positives). */
  readonly positiveDuplicateClusters: number;
}

export interface BatchOptions {
  readonly batchSize: number;
  readonly seed: number;
  /** Jaccard (word 3-gram shingles) at or above which two positives are near-duplicates. */
  readonly nearDuplicateJaccard: number;
}

type Conflict = 'same_family' | 'same_positive' | 'near_duplicate_positive';

/**
 * Order training rows so that in-batch negatives are not false negatives: no batch holds two rows
 * of the same query family, the same positive document, or near-duplicate positives.
 *
 * Greedy and deterministic: rows are taken round-robin across families (largest first, rows in a
 * seeded order inside each family), and each goes to the oldest open batch without a conflict
 * (a new batch when none fits). Complete batches are emitted in the order they filled up. Rows
 * left in incomplete batches at the end are reported with the conflict that kept them out of the
 * last open batches, or `tail` (not enough rows left to fill a batch).
 */
export function composeBatches(items: readonly BatchItem[], opts: BatchOptions): BatchPlan {
  const n = items.length;
  const size = opts.batchSize;
  // near-duplicate clusters among distinct positive texts
  const hasher = createMinHasher({ numPerm: 64 });
  const distinct = [...new Set(items.map((it) => it.positiveId))].sort();
  const textOf = new Map(items.map((it) => [it.positiveId, it.positiveText]));
  const sh = distinct.map((id) => hasher.shingles(textOf.get(id)!));
  const sigs = new Uint32Array(distinct.length * hasher.numPerm);
  sh.forEach((s, i) => sigs.set(hasher.signature(s), i * hasher.numPerm));
  const dc = duplicateClusters(sigs, sh, { numPerm: hasher.numPerm, threshold: opts.nearDuplicateJaccard });
  const clusterOfDoc = new Map(distinct.map((id, i) => [id, dc.clusterOf[i]!]));

  // round-robin over families, largest first; seeded order inside a family
  const rng = createRng(opts.seed);
  const byFamily = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const f = items[i]!.family;
    let l = byFamily.get(f);
    if (!l) byFamily.set(f, (l = []));
    l.push(i);
  }
  const families = [...byFamily.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  for (const [, rows] of families) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
  }
  const sequence: number[] = [];
  for (let round = 0; sequence.length < n; round++) for (const [, rows] of families) if (round < rows.length) sequence.push(rows[round]!);

  interface Open { rows: number[]; families: Set<string>; docs: Set<string>; clusters: Set<number> }
  const open: Open[] = [];
  const order: number[] = [];
  const lastConflict = new Map<number, Conflict>();
  const conflictOf = (b: Open, it: BatchItem): Conflict | null => {
    if (b.families.has(it.family)) return 'same_family';
    if (b.docs.has(it.positiveId)) return 'same_positive';
    if (b.clusters.has(clusterOfDoc.get(it.positiveId)!)) return 'near_duplicate_positive';
    return null;
  };
  // Bound the scan: a row that conflicts with the 64 oldest open batches starts a new one.
  const MAX_SCAN = 64;
  for (const i of sequence) {
    const it = items[i]!;
    let placed: Open | undefined;
    for (let k = 0; k < open.length && k < MAX_SCAN; k++) {
      const c = conflictOf(open[k]!, it);
      if (c === null) {
        placed = open[k];
        break;
      }
      lastConflict.set(i, c);
    }
    if (!placed) open.push((placed = { rows: [], families: new Set(), docs: new Set(), clusters: new Set() }));
    placed.rows.push(i);
    placed.families.add(it.family);
    placed.docs.add(it.positiveId);
    placed.clusters.add(clusterOfDoc.get(it.positiveId)!);
    if (placed.rows.length === size) {
      order.push(...placed.rows);
      open.splice(open.indexOf(placed), 1);
    }
  }
  const unplaced: Record<string, number> = {};
  const unplacedRows: number[] = [];
  for (const b of open) {
    for (const i of b.rows) {
      const reason = lastConflict.get(i) ?? 'tail';
      unplaced[reason] = (unplaced[reason] ?? 0) + 1;
      unplacedRows.push(i);
    }
  }
  unplacedRows.sort((a, b) => a - b);
  return { batchSize: size, order, batches: order.length / size, unplaced, unplacedRows, positiveDuplicateClusters: dc.clusters };
}
