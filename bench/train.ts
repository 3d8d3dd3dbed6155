/**
 * Training throughput of the built-in bi-encoder on synthetic triplets (query 2-4 words, positive
 * 30-70 words, one hard negative), and embed() throughput.
 *   npx tsx bench/train.ts [--n 100000] [--epochs 1] [--dim 64] [--batch 64]
 */
import { createModel } from '../src/model/bi-encoder.js';
import { train, type TrainExample } from '../src/model/train.js';
import { createRng } from '../src/util/rng.js';
import { numArg } from './args.js';

const n = numArg('n', 100_000);
const epochs = numArg('epochs', 1);
const dim = numArg('dim', 64);
const batchSize = numArg('batch', 64);
const rng = createRng(2);
const V = 20_000;
const word = (): string => `w${Math.floor(Math.pow(V, rng.next())).toString(36)}`;
const text = (len: number): string => Array.from({ length: len }, word).join(' ');
const records: TrainExample[] = [];
for (let i = 0; i < n; i++) {
  const pos = text(30 + rng.int(41));
  const words = pos.split(' ');
  records.push({ query: words.slice(0, 2 + rng.int(3)).join(' '), positive: pos, negatives: [text(30 + rng.int(41))] });
}
const model = createModel({ dim });
// warmupEpochs 0: every timed epoch uses the hard negative (the default adds an in-batch-only epoch first).
const stats = train(model, records, { epochs, batchSize, warmupEpochs: 0 }, (e) => console.error(`epoch ${e.epoch}: loss ${e.loss.toFixed(3)} in ${e.seconds.toFixed(1)} s`));

const texts = records.slice(0, 20_000).map((r) => r.positive);
const te = performance.now();
model.embed(texts);
const embedSeconds = (performance.now() - te) / 1000;
// Baseline in the same process: featurisation alone (the floor of embed()).
const tf = performance.now();
for (const t of texts) model.featurizer.featurize(t);
const featSeconds = (performance.now() - tf) / 1000;
console.log(JSON.stringify({
  triplets: n, epochs, dim, batchSize, trainSeconds: +stats.seconds.toFixed(1), examplesPerSecond: +stats.examplesPerSecond.toFixed(0),
  lossFirst: +stats.epochs[0]!.loss.toFixed(3), lossLast: +stats.epochs.at(-1)!.loss.toFixed(3),
  embedDocsPerSecond: +(texts.length / embedSeconds).toFixed(0), featurizeOnlyDocsPerSecond: +(texts.length / featSeconds).toFixed(0),
  embedOverFeaturize: +(embedSeconds / featSeconds).toFixed(2), rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(0),
}, null, 2));
