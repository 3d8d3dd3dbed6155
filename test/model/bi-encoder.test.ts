import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createModel, loadModel } from '../../src/model/bi-encoder.js';
import { train, type TrainExample } from '../../src/model/train.js';

const SMALL = { dim: 32, buckets: 2 ** 14, seed: 3 };
const ABBR: Record<string, string> = { pw: 'password', acct: 'account', cfg: 'configuration', msg: 'message', pic: 'picture', addr: 'address', doc: 'document', tx: 'transaction' };
const CTX = ['reset', 'delete', 'export', 'share', 'recover', 'update', 'archive', 'verify', 'rename', 'lock'];
const TRAIN_CTX = CTX.slice(0, 7);
const TEST_CTX = CTX.slice(7);
const docText = (w: string, c: string) => `${c} ${w} settings page`;
const corpus = Object.values(ABBR).flatMap((w) => CTX.map((c) => docText(w, c)));

function mrr(model: ReturnType<typeof createModel>): number {
  const D = model.embed(corpus);
  let sum = 0, n = 0;
  for (const [a, w] of Object.entries(ABBR)) {
    for (const c of TEST_CTX) {
      const q = model.embed([`${a} ${c}`]);
      const target = corpus.indexOf(docText(w, c));
      const score = (i: number) => { let s = 0; for (let k = 0; k < model.dim; k++) s += q[k]! * D[i * model.dim + k]!; return s; };
      const t = score(target);
      let rank = 1;
      for (let i = 0; i < corpus.length; i++) if (i !== target && score(i) >= t) rank++;
      sum += 1 / rank;
      n++;
    }
  }
  return sum / n;
}

function trainingSet(): TrainExample[] {
  const out: TrainExample[] = [];
  for (const [a, w] of Object.entries(ABBR)) for (const c of TRAIN_CTX) out.push({ query: `${a} ${c}`, positive: docText(w, c) });
  return out;
}

describe('built-in bi-encoder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('embeds to unit vectors, n x dim', () => {
    const m = createModel(SMALL);
    const e = m.embed(['reset password', '', 'vpn']);
    expect(e.length).toBe(3 * 32);
    let n0 = 0;
    for (let k = 0; k < 32; k++) n0 += e[k]! ** 2;
    expect(n0).toBeCloseTo(1, 5);
    expect(e.subarray(32, 64).every((x) => x === 0)).toBe(true);
  });

  it('learns abbreviations that lexical matching cannot (pw -> password) on held-out contexts', () => {
    const untrained = createModel(SMALL);
    const before = mrr(untrained);
    const m = createModel(SMALL);
    const stats = train(m, trainingSet(), { epochs: 30, batchSize: 16, lr: 0.1, seed: 1 });
    const after = mrr(m);
    expect(stats.epochs.at(-1)!.loss).toBeLessThan(stats.epochs[0]!.loss);
    expect(after).toBeGreaterThan(before + 0.25);
    expect(after).toBeGreaterThan(0.7);
  });

  it('is deterministic: same seeds give identical embeddings; another seed does not', () => {
    const run = (seed: number) => {
      const m = createModel(SMALL);
      train(m, trainingSet(), { epochs: 2, batchSize: 8, seed });
      return m.embed(['pw reset', 'password lock settings page']);
    };
    expect(Array.from(run(5))).toEqual(Array.from(run(5)));
    expect(Array.from(run(5))).not.toEqual(Array.from(run(6)));
  });

  it('uses hard negatives and weights, and counts skipped records', () => {
    const m = createModel(SMALL);
    const recs: TrainExample[] = [
      { query: 'pw reset', positive: docText('password', 'reset'), negatives: [docText('account', 'reset')] },
      { query: '', positive: 'x' },
      { query: 'acct lock', positive: docText('account', 'lock'), weight: 0 },
    ];
    const s = train(m, recs, { epochs: 1 });
    expect(s.examples).toBe(1);
    expect(s.skipped).toEqual({ empty_text: 1, non_positive_weight: 1 });
    expect(() => train(m, recs, { temperature: -1 })).toThrow(/temperature/);
  });

  it('hard negatives: weight 0 and warm-up epochs ignore them; own vs shared negatives differ', () => {
    const withNegs: TrainExample[] = trainingSet().map((r, i, all) => ({ ...r, negatives: [all[(i + 3) % all.length]!.positive.replace('settings', 'help')] }));
    const plain: TrainExample[] = trainingSet();
    const table = (recs: TrainExample[], o: Parameters<typeof train>[2]) => {
      const m = createModel(SMALL);
      const s = train(m, recs, { batchSize: 8, seed: 2, ...o });
      return { emb: Array.from(m.embed(['pw reset', 'account lock help page'])), epochs: s.epochs.length };
    };
    // weight 0 = no hard negatives at all
    expect(table(withNegs, { epochs: 2, hardNegativeWeight: 0 }).emb).toEqual(table(plain, { epochs: 2 }).emb);
    // warm-up: the first epochs are in-batch only; with every epoch warm-up it equals no negatives
    const w = table(withNegs, { warmupEpochs: 1, epochs: 1 });
    expect(w.epochs).toBe(2);
    expect(w.emb).not.toEqual(table(withNegs, { epochs: 2 }).emb);
    expect(w.emb).not.toEqual(table(plain, { epochs: 2 }).emb);
    // the default contrasts each query with its own hard negatives only
    const own = table(withNegs, { epochs: 2 });
    expect(own.emb).toEqual(table(withNegs, { epochs: 2, shareNegatives: false }).emb);
    expect(own.emb).not.toEqual(table(withNegs, { epochs: 2, shareNegatives: true }).emb);
    expect(own.emb).not.toEqual(table(plain, { epochs: 2 }).emb);
  });

  it('own hard negatives teach a distinction that in-batch negatives alone do not', () => {
    // Every query's only lookalike (same context, wrong object) is its hard negative.
    const recs: TrainExample[] = trainingSet().map((r) => {
      const [a, c] = r.query.split(' ');
      const other = Object.keys(ABBR)[(Object.keys(ABBR).indexOf(a!) + 1) % Object.keys(ABBR).length]!;
      return { ...r, negatives: [docText(ABBR[other]!, c!)] };
    });
    const margin = (m: ReturnType<typeof createModel>) => {
      let s = 0;
      for (const r of recs) {
        const e = m.embed([r.query, r.positive, r.negatives![0]!]);
        let p = 0, n = 0;
        for (let k = 0; k < m.dim; k++) { p += e[k]! * e[m.dim + k]!; n += e[k]! * e[2 * m.dim + k]!; }
        s += p - n;
      }
      return s / recs.length;
    };
    const a = createModel(SMALL);
    train(a, recs.map(({ query, positive }) => ({ query, positive })), { epochs: 3, batchSize: 8, seed: 1 });
    const b = createModel(SMALL);
    train(b, recs, { epochs: 3, batchSize: 8, seed: 1 });
    expect(margin(b)).toBeGreaterThan(margin(a));
  });

  it('saves and loads the same model', async () => {
    const m = createModel(SMALL);
    train(m, trainingSet(), { epochs: 1 });
    const p = join(dir, 'm.cfbe');
    await m.save(p);
    const l = await loadModel(p);
    expect(l.options).toEqual(m.options);
    expect(l.trainedExamples).toBe(m.trainedExamples);
    expect(Array.from(l.embed(['pw reset']))).toEqual(Array.from(m.embed(['pw reset'])));
    writeFileSync(join(dir, 'bad'), 'nope nope');
    await expect(loadModel(join(dir, 'bad'))).rejects.toThrow(/not a clickforge bi-encoder/);
    expect(() => createModel({ buckets: 1000 })).toThrow(/power of two/);
  });
});
