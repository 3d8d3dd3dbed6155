import { usageError } from '../errors.js';
import { createRng } from '../util/rng.js';
import type { BiEncoder } from './bi-encoder.js';
import { trainOptions, type ResolvedTrainOptions, type TrainOptions } from './options.js';

/** One training example: a query, its positive text, optional hard negatives, optional weight. */
export interface TrainExample {
  readonly query: string;
  readonly positive: string;
  readonly negatives?: readonly string[];
  readonly weight?: number;
}

export interface EpochInfo {
  readonly epoch: number;
  /** Mean weighted InfoNCE loss over the epoch's batches. */
  readonly loss: number;
  readonly examples: number;
  readonly seconds: number;
}

export interface TrainStats {
  readonly examples: number;
  readonly skipped: Readonly<Record<string, number>>;
  readonly epochs: readonly EpochInfo[];
  readonly seconds: number;
  readonly examplesPerSecond: number;
}

function resolveTrain(opts: TrainOptions): ResolvedTrainOptions {
  const r = trainOptions.safeParse(opts ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - train.${i.path.join('.')}: ${i.message}`);
    throw usageError('bad_train_options', `invalid training options:\n${lines.join('\n')}\nSee docs/model.md.`);
  }
  return r.data;
}

/** Growable scratch buffers shared by every batch of a training run (reused to avoid allocation). */
interface Scratch {
  emb: Float32Array;
  gEmb: Float32Array;
  norms: Float32Array;
  featStart: Int32Array;
  featB: Int32Array;
  featW: Float32Array;
  /** Row-wise Adagrad state: one accumulator per table row, and the gradient slot of each touched row. */
  readonly acc: Float32Array;
  readonly rowSlot: Int32Array;
  slotRows: Int32Array;
  grad: Float32Array;
}

/** One batch's texts: B queries, then its distinct documents (positives first, hard negatives after). */
interface Batch {
  readonly B: number;
  readonly texts: string[];
  readonly posOf: Int32Array;
  readonly weights: Float64Array;
  readonly wSum: number;
  /** Documents [0, nPos) are positives of the batch; later ones are hard negatives only. */
  readonly nPos: number;
  readonly D: number;
  /** Per query, the hard negatives it may see (null when hard negatives are shared or unused). */
  readonly ownNeg: Set<number>[] | null;
  /** Per query text, the positives of every batch query with that text (masked for each other). */
  readonly sameQuery: Map<string, number[]>;
}

function newScratch(nRows: number, dim: number): Scratch {
  return {
    emb: new Float32Array(0),
    gEmb: new Float32Array(0),
    norms: new Float32Array(0),
    featStart: new Int32Array(0),
    featB: new Int32Array(1 << 16),
    featW: new Float32Array(1 << 16),
    acc: new Float32Array(nRows),
    rowSlot: new Int32Array(nRows).fill(-1),
    slotRows: new Int32Array(4096),
    grad: new Float32Array(4096 * dim),
  };
}

function shuffleInPlace(order: Int32Array, seed: number): void {
  const rng = createRng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

function assembleBatch(records: readonly TrainExample[], ids: Int32Array, useHard: boolean, o: ResolvedTrainOptions): Batch {
  const B = ids.length;
  const texts: string[] = [];
  const docIndex = new Map<string, number>();
  const posOf = new Int32Array(B);
  const weights = new Float64Array(B);
  for (let i = 0; i < B; i++) texts.push(records[ids[i]!]!.query);
  const addDoc = (t: string): number => {
    let d = docIndex.get(t);
    if (d === undefined) {
      d = docIndex.size;
      docIndex.set(t, d);
      texts.push(t);
    }
    return d;
  };
  let wSum = 0;
  for (let i = 0; i < B; i++) {
    const r = records[ids[i]!]!;
    posOf[i] = addDoc(r.positive);
    weights[i] = r.weight ?? 1;
    wSum += weights[i]!;
  }
  const nPos = docIndex.size;
  const ownNeg: Set<number>[] | null = useHard && !o.shareNegatives ? [] : null;
  if (useHard) {
    for (let i = 0; i < B; i++) {
      const negs = records[ids[i]!]!.negatives;
      const own = new Set<number>();
      if (negs) for (let k = 0; k < negs.length && k < o.maxNegatives; k++) if (negs[k]) own.add(addDoc(negs[k]!));
      ownNeg?.push(own);
    }
  }
  const sameQuery = new Map<string, number[]>();
  for (let i = 0; i < B; i++) {
    const q = texts[i]!;
    const l = sameQuery.get(q);
    if (l) l.push(posOf[i]!);
    else sameQuery.set(q, [posOf[i]!]);
  }
  return { B, texts, posOf, weights, wSum, nPos, D: docIndex.size, ownNeg, sameQuery };
}

/** Bag-of-features embeddings of every text of the batch, L2-normalised, with their norms and feature spans. */
function embedTexts(s: Scratch, model: BiEncoder, texts: readonly string[]): void {
  const dim = model.dim;
  const table = model.table;
  const fz = model.featurizer;
  const T = texts.length;
  if (s.emb.length < T * dim) {
    s.emb = new Float32Array(T * dim * 2);
    s.gEmb = new Float32Array(T * dim * 2);
    s.norms = new Float32Array(T * 2);
    s.featStart = new Int32Array(T * 2 + 1);
  }
  const emb = s.emb;
  let nf = 0;
  for (let t = 0; t < T; t++) {
    const n = fz.featurize(texts[t]!);
    if (nf + n > s.featB.length) {
      const cap = Math.max(s.featB.length * 2, nf + n);
      const nb = new Int32Array(cap);
      nb.set(s.featB.subarray(0, nf));
      s.featB = nb;
      const nw = new Float32Array(cap);
      nw.set(s.featW.subarray(0, nf));
      s.featW = nw;
    }
    const featB = s.featB;
    const featW = s.featW;
    s.featStart[t] = nf;
    featB.set(fz.buckets.subarray(0, n), nf);
    featW.set(fz.weights.subarray(0, n), nf);
    const off = t * dim;
    emb.fill(0, off, off + dim);
    for (let f = nf; f < nf + n; f++) {
      const ro = featB[f]! * dim;
      const w = featW[f]!;
      for (let k = 0; k < dim; k++) emb[off + k]! += w * table[ro + k]!;
    }
    let ss = 0;
    for (let k = 0; k < dim; k++) ss += emb[off + k]! * emb[off + k]!;
    const norm = Math.sqrt(ss);
    s.norms[t] = norm;
    if (norm > 0) for (let k = 0; k < dim; k++) emb[off + k]! /= norm;
    nf += n;
  }
  s.featStart[T] = nf;
}

/** The weighted InfoNCE loss of the batch; leaves its gradient w.r.t. the normalised embeddings in `s.gEmb`. */
function lossAndGradient(s: Scratch, batch: Batch, dim: number, invT: number, lnHardW: number): number {
  const { B, D, nPos, texts, posOf, weights, wSum, ownNeg, sameQuery } = batch;
  const emb = s.emb;
  const gEmb = s.gEmb;
  gEmb.fill(0, 0, (B + D) * dim);
  const logits = new Float64Array(D);
  let batchLoss = 0;
  for (let i = 0; i < B; i++) {
    const qo = i * dim;
    const masked = sameQuery.get(texts[i]!)!;
    let max = -Infinity;
    for (let d = 0; d < D; d++) {
      if ((d !== posOf[i] && masked.length > 1 && masked.includes(d)) || (d >= nPos && ownNeg !== null && !ownNeg[i]!.has(d))) {
        logits[d] = -Infinity;
        continue;
      }
      const doff = (B + d) * dim;
      let sc = 0;
      for (let k = 0; k < dim; k++) sc += emb[qo + k]! * emb[doff + k]!;
      sc *= invT;
      if (d >= nPos) sc += lnHardW;
      logits[d] = sc;
      if (sc > max) max = sc;
    }
    let z = 0;
    for (let d = 0; d < D; d++) z += logits[d] === -Infinity ? 0 : Math.exp(logits[d]! - max);
    const wi = weights[i]! / wSum;
    batchLoss += wi * (Math.log(z) + max - logits[posOf[i]!]!);
    for (let d = 0; d < D; d++) {
      if (logits[d] === -Infinity) continue;
      const p = Math.exp(logits[d]! - max) / z;
      const g = wi * (p - (d === posOf[i] ? 1 : 0)) * invT;
      if (g === 0) continue;
      const doff = (B + d) * dim;
      for (let k = 0; k < dim; k++) {
        gEmb[qo + k]! += g * emb[doff + k]!;
        gEmb[doff + k]! += g * emb[qo + k]!;
      }
    }
  }
  return batchLoss;
}

/** Back through the L2 normalisation and the bag into one gradient slot per touched row; returns the slot count. */
function accumulateRowGradients(s: Scratch, T: number, dim: number): number {
  const { emb, gEmb, norms, featStart, featB, featW, rowSlot } = s;
  let nSlots = 0;
  for (let t = 0; t < T; t++) {
    const n = norms[t]!;
    if (n === 0) continue;
    const off = t * dim;
    let eg = 0;
    for (let k = 0; k < dim; k++) eg += emb[off + k]! * gEmb[off + k]!;
    const inv = 1 / n;
    for (let k = 0; k < dim; k++) gEmb[off + k] = (gEmb[off + k]! - emb[off + k]! * eg) * inv;
    for (let f = featStart[t]!; f < featStart[t + 1]!; f++) {
      const row = featB[f]!;
      let slot = rowSlot[row]!;
      if (slot < 0) {
        slot = nSlots++;
        rowSlot[row] = slot;
        if (slot >= s.slotRows.length) {
          const nr = new Int32Array(s.slotRows.length * 2);
          nr.set(s.slotRows);
          s.slotRows = nr;
          const ng = new Float32Array(nr.length * dim);
          ng.set(s.grad);
          s.grad = ng;
        }
        s.slotRows[slot] = row;
        s.grad.fill(0, slot * dim, (slot + 1) * dim);
      }
      const w = featW[f]!;
      const go = slot * dim;
      const grad = s.grad;
      for (let k = 0; k < dim; k++) grad[go + k]! += w * gEmb[off + k]!;
    }
  }
  return nSlots;
}

/** Row-wise Adagrad over the touched rows; clears their slots for the next batch. */
function adagradStep(s: Scratch, nSlots: number, table: Float32Array, dim: number, lr: number): void {
  const { slotRows, grad, rowSlot, acc } = s;
  for (let slot = 0; slot < nSlots; slot++) {
    const row = slotRows[slot]!;
    rowSlot[row] = -1;
    const go = slot * dim;
    let g2 = 0;
    for (let k = 0; k < dim; k++) g2 += grad[go + k]! * grad[go + k]!;
    acc[row]! += g2 / dim;
    const step = lr / (Math.sqrt(acc[row]!) + 1e-8);
    const ro = row * dim;
    for (let k = 0; k < dim; k++) table[ro + k]! -= step * grad[go + k]!;
  }
}

/**
 * Train the model in place with the multiple-negatives ranking (InfoNCE) loss: for each query the
 * softmax over [its positive, every other distinct document of the batch, all hard negatives of
 * the batch] at the given temperature. Identical document texts in a batch are merged, and the
 * other positives of the same query text are masked out (they are not negatives). Updates are
 * row-wise Adagrad on the touched rows only (one accumulator per row, as in DLRM's embedding
 * tables), so a batch costs what its features cost, not the table size. Single-threaded and
 * deterministic: same model seed + same records + same options = identical table.
 *
 * Drops (counted in `skipped`): records with an empty query or positive, or weight <= 0.
 */
export function train(model: BiEncoder, records: readonly TrainExample[], opts: TrainOptions = {}, onEpoch?: (info: EpochInfo) => void): TrainStats {
  const o = resolveTrain(opts);
  const dim = model.dim;
  const invT = 1 / o.temperature;
  const lnHardW = Math.log(o.hardNegativeWeight);
  const totalEpochs = o.warmupEpochs + o.epochs;

  const skipped: Record<string, number> = {};
  const usable: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const w = r.weight ?? 1;
    if (!r.query || !r.positive) skipped.empty_text = (skipped.empty_text ?? 0) + 1;
    else if (!(w > 0)) skipped.non_positive_weight = (skipped.non_positive_weight ?? 0) + 1;
    else usable.push(i);
  }

  const scratch = newScratch(model.options.buckets, dim);
  const epochs: EpochInfo[] = [];
  const t0 = performance.now();
  let seen = 0;
  const order = Int32Array.from(usable);

  for (let epoch = 0; epoch < totalEpochs; epoch++) {
    const useHard = epoch >= o.warmupEpochs && o.hardNegativeWeight > 0 && o.maxNegatives > 0;
    const te = performance.now();
    shuffleInPlace(order, o.seed + epoch);
    let lossSum = 0;
    let batches = 0;
    for (let b0 = 0; b0 < order.length; b0 += o.batchSize) {
      const batch = assembleBatch(records, order.subarray(b0, Math.min(order.length, b0 + o.batchSize)), useHard, o);
      embedTexts(scratch, model, batch.texts);
      lossSum += lossAndGradient(scratch, batch, dim, invT, lnHardW);
      batches++;
      const nSlots = accumulateRowGradients(scratch, batch.texts.length, dim);
      adagradStep(scratch, nSlots, model.table, dim, o.lr);
      seen += batch.B;
    }
    const info: EpochInfo = { epoch, loss: batches ? lossSum / batches : 0, examples: order.length, seconds: (performance.now() - te) / 1000 };
    epochs.push(info);
    onEpoch?.(info);
  }
  model.trainedExamples += seen;
  const seconds = (performance.now() - t0) / 1000;
  return { examples: order.length, skipped, epochs, seconds, examplesPerSecond: seconds > 0 ? seen / seconds : 0 };
}
