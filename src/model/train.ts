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
  const table = model.table;
  const nRows = model.options.buckets;
  const fz = model.featurizer;
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

  const acc = new Float32Array(nRows);
  const rowSlot = new Int32Array(nRows).fill(-1);
  let slotRows = new Int32Array(4096);
  let grad = new Float32Array(4096 * dim);
  let nSlots: number;

  // Per batch text buffers: embeddings, norms, and feature spans.
  let emb = new Float32Array(0);
  let gEmb = new Float32Array(0);
  let norms = new Float32Array(0);
  let featStart = new Int32Array(0);
  let featB = new Int32Array(1 << 16);
  let featW = new Float32Array(1 << 16);

  const epochs: EpochInfo[] = [];
  const t0 = performance.now();
  let seen = 0;
  const order = Int32Array.from(usable);

  for (let epoch = 0; epoch < totalEpochs; epoch++) {
    const useHard = epoch >= o.warmupEpochs && o.hardNegativeWeight > 0 && o.maxNegatives > 0;
    const te = performance.now();
    const rng = createRng(o.seed + epoch);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let lossSum = 0;
    let batches = 0;
    for (let b0 = 0; b0 < order.length; b0 += o.batchSize) {
      const b1 = Math.min(order.length, b0 + o.batchSize);
      const B = b1 - b0;
      // Texts: B queries, then distinct documents.
      const texts: string[] = [];
      const docIndex = new Map<string, number>();
      const posOf = new Int32Array(B);
      const weights = new Float64Array(B);
      for (let i = 0; i < B; i++) texts.push(records[order[b0 + i]!]!.query);
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
        const r = records[order[b0 + i]!]!;
        posOf[i] = addDoc(r.positive);
        weights[i] = r.weight ?? 1;
        wSum += weights[i]!;
      }
      const nPos = docIndex.size; // documents [0, nPos) are positives of the batch; later ones are hard negatives only
      const ownNeg: Set<number>[] | null = useHard && !o.shareNegatives ? [] : null;
      if (useHard) {
        for (let i = 0; i < B; i++) {
          const negs = records[order[b0 + i]!]!.negatives;
          const own = new Set<number>();
          if (negs) for (let k = 0; k < negs.length && k < o.maxNegatives; k++) if (negs[k]) own.add(addDoc(negs[k]!));
          ownNeg?.push(own);
        }
      }
      const D = docIndex.size;
      // Other positives of the same query text are masked.
      const sameQuery = new Map<string, number[]>();
      for (let i = 0; i < B; i++) {
        const q = texts[i]!;
        const l = sameQuery.get(q);
        if (l) l.push(posOf[i]!);
        else sameQuery.set(q, [posOf[i]!]);
      }

      const T = B + D;
      if (emb.length < T * dim) {
        emb = new Float32Array(T * dim * 2);
        gEmb = new Float32Array(T * dim * 2);
        norms = new Float32Array(T * 2);
        featStart = new Int32Array(T * 2 + 1);
      }
      let nf = 0;
      for (let t = 0; t < T; t++) {
        const n = fz.featurize(texts[t]!);
        if (nf + n > featB.length) {
          const cap = Math.max(featB.length * 2, nf + n);
          const nb = new Int32Array(cap);
          nb.set(featB.subarray(0, nf));
          featB = nb;
          const nw = new Float32Array(cap);
          nw.set(featW.subarray(0, nf));
          featW = nw;
        }
        featStart[t] = nf;
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
        norms[t] = norm;
        if (norm > 0) for (let k = 0; k < dim; k++) emb[off + k]! /= norm;
        nf += n;
      }
      featStart[T] = nf;

      // Forward + gradient w.r.t. the normalised embeddings.
      gEmb.fill(0, 0, T * dim);
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
          let s = 0;
          for (let k = 0; k < dim; k++) s += emb[qo + k]! * emb[doff + k]!;
          s *= invT;
          if (d >= nPos) s += lnHardW;
          logits[d] = s;
          if (s > max) max = s;
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
      lossSum += batchLoss;
      batches++;

      // Back through the L2 normalisation and the bag, into per-row gradient slots.
      nSlots = 0;
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
          let s = rowSlot[row]!;
          if (s < 0) {
            s = nSlots++;
            rowSlot[row] = s;
            if (s >= slotRows.length) {
              const nr = new Int32Array(slotRows.length * 2);
              nr.set(slotRows);
              slotRows = nr;
              const ng = new Float32Array(nr.length * dim);
              ng.set(grad);
              grad = ng;
            }
            slotRows[s] = row;
            grad.fill(0, s * dim, (s + 1) * dim);
          }
          const w = featW[f]!;
          const go = s * dim;
          for (let k = 0; k < dim; k++) grad[go + k]! += w * gEmb[off + k]!;
        }
      }
      // Row-wise Adagrad.
      for (let s = 0; s < nSlots; s++) {
        const row = slotRows[s]!;
        rowSlot[row] = -1;
        const go = s * dim;
        let g2 = 0;
        for (let k = 0; k < dim; k++) g2 += grad[go + k]! * grad[go + k]!;
        acc[row]! += g2 / dim;
        const step = o.lr / (Math.sqrt(acc[row]!) + 1e-8);
        const ro = row * dim;
        for (let k = 0; k < dim; k++) table[ro + k]! -= step * grad[go + k]!;
      }
      seen += B;
    }
    const info: EpochInfo = { epoch, loss: batches ? lossSum / batches : 0, examples: order.length, seconds: (performance.now() - te) / 1000 };
    epochs.push(info);
    onEpoch?.(info);
  }
  model.trainedExamples += seen;
  const seconds = (performance.now() - t0) / 1000;
  return { examples: order.length, skipped, epochs, seconds, examplesPerSecond: seconds > 0 ? seen / seconds : 0 };
}
