import { createModel, type BiEncoder } from '../../model/bi-encoder.js';
import { train } from '../../model/train.js';
import type { Embedder } from '../../ports/index.js';
import type { Doc, StageStats } from '../../types.js';
import { renderDocument } from '../../text/render.js';
import { createRng } from '../../util/rng.js';
import { mineNegatives, type MineNegativesInput } from '../negatives/mine.js';
import type { NegativeOptionsInput } from '../negatives/options.js';
import type { TrainingRecord } from '../negatives/types.js';
import type { Split } from '../splits/splits.js';

export interface CurriculumStage {
  readonly name: 'stage-1-in-batch' | 'stage-2-lexical' | 'stage-3-dense';
  readonly records: readonly TrainingRecord[];
}

export interface Hardness {
  /** Mean over negatives of cos(query, negative) / min over positives of cos(query, positive). */
  readonly meanRelative: number | null;
  /** Mean cosine of query and negative. */
  readonly meanCosine: number | null;
  /** Mean over negatives of cos(query, negative) - min over positives of cos(query, positive): 0 = as close as the weakest positive. Stable when that cosine is near 0, unlike the ratio. */
  readonly meanGap: number | null;
}

export interface StageHardness {
  readonly stage: string;
  readonly negatives: number;
  /** Under the untrained built-in model: hashed character n-grams, i.e. surface similarity, independent of the training data. */
  readonly surface: Hardness;
  /** Under the model trained on stages 1+2 (the stage-3 miner): what that model still confuses. */
  readonly trained: Hardness;
}

export interface CurriculumResult {
  readonly stages: readonly CurriculumStage[];
  readonly hardness: readonly StageHardness[];
  readonly stats: readonly StageStats[];
}

/**
 * The negatives curriculum: (1) positives only — negatives come from the other records of the
 * batch; (2) plus BM25 and behavioural negatives (the main run's records); (3) plus dense
 * negatives mined by the built-in model after training it on (1)+(2) of the train split.
 *
 * Hardness is measured for every stage with the same rulers (the untrained model: surface
 * similarity; the stage-3 model: what it still confuses), so the stages compare: stage 1's
 * "negatives" are the other positives a batch would hold (a seeded sample), and a reference row
 * gives random corpus documents (as many per record as stage 2 has negatives).
 *
 * `embedderOf` wraps the trained model as an Embedder (the pipeline passes the built-in
 * adapter); the curriculum closes it when done.
 */
export async function runCurriculum(
  stage2: readonly TrainingRecord[],
  mineInput: Omit<MineNegativesInput, 'embedder'>,
  splitOf: ReadonlyMap<string, Split>,
  opts: { readonly epochs: number; readonly seed: number; readonly negatives: NegativeOptionsInput; readonly embedderOf: (model: BiEncoder) => Promise<Embedder> },
): Promise<CurriculumResult> {
  const stage1 = stage2.map((r) => ({ ...r, negatives: [] }));
  const trainRecs = stage2.filter((r) => (splitOf.get(r.family) ?? 'train') === 'train');
  const model = createModel({ seed: opts.seed });
  const examples = [
    ...trainRecs.flatMap((r) => r.positives.map((p) => ({ query: r.query, positive: p.text, weight: p.weight }))),
    ...trainRecs.flatMap((r) => r.positives.map((p) => ({ query: r.query, positive: p.text, negatives: r.negatives.map((n) => n.text), weight: p.weight }))),
  ];
  const t = train(model, examples, { epochs: opts.epochs, seed: opts.seed });
  const embedder = await opts.embedderOf(model);
  try {
    const miners = [...new Set([...(opts.negatives.miners ?? ['behavioural', 'bm25']), 'dense' as const])].filter((m) => m !== 'random');
    const s3 = await mineNegatives({ ...mineInput, embedder }, { ...opts.negatives, miners, seed: opts.seed });

    const stages: CurriculumStage[] = [
      { name: 'stage-1-in-batch', records: stage1 },
      { name: 'stage-2-lexical', records: stage2 },
      { name: 'stage-3-dense', records: s3.records },
    ];
    const untrained = createModel({ seed: opts.seed });
    const surfaceEmbed = async (texts: readonly string[]) => untrained.embed(texts);
    // reference row: random corpus documents, as many per record as stage 2 has negatives (seeded)
    const rng = createRng(`${opts.seed}:curriculum-random`);
    const render = mineInput.renderText ?? ((d: Doc) => renderDocument(d, true));
    const randomRef = {
      name: 'random (reference, not exported)',
      records: stage2.map((r) => {
        const pos = new Set(r.positives.map((p) => p.doc_id));
        const negatives: TrainingRecord['negatives'][number][] = [];
        for (let tries = 0; negatives.length < r.negatives.length && tries < 20 * r.negatives.length && mineInput.docs.length > 0; tries++) {
          const d = mineInput.docs[rng.int(mineInput.docs.length)]!;
          if (!pos.has(d.doc_id) && !negatives.some((n) => n.doc_id === d.doc_id)) negatives.push({ ...r.negatives[negatives.length]!, doc_id: d.doc_id, text: render(d) });
        }
        return { ...r, negatives };
      }),
    };
    const hardness: StageHardness[] = [];
    for (const st of [randomRef, ...stages]) {
      const surface = await measure(st, surfaceEmbed, opts.seed);
      const trained = await measure(st, embedder.embed, opts.seed);
      hardness.push({ stage: st.name, negatives: surface.negatives, surface: surface.h, trained: trained.h });
    }
    const trainStats: StageStats = {
      stage: 'curriculum/train',
      in: { examples: examples.length },
      out: { trained: t.examples },
      dropped: { ...t.skipped },
      notes: [`built-in model trained ${opts.epochs} epochs on stages 1+2 (train split) before mining stage 3.`],
    };
    return { stages, hardness, stats: [trainStats, ...s3.stats.map((s) => ({ ...s, stage: `curriculum/${s.stage}` }))] };
  } finally {
    await embedder.close();
  }
}

async function measure(st: { readonly name: string; readonly records: readonly TrainingRecord[] }, embed: (t: readonly string[]) => Promise<Float32Array>, seed: number): Promise<{ negatives: number; h: Hardness }> {
  const recs = st.records.filter((r) => r.positives.length > 0);
  if (recs.length === 0) return { negatives: 0, h: { meanRelative: null, meanCosine: null, meanGap: null } };
  // stage 1: the in-batch negatives are other records' positives; take the next record's (a fixed, seeded-order sample)
  const negTexts = (r: TrainingRecord, i: number): string[] =>
    st.name === 'stage-1-in-batch' ? [recs[(i + 1 + (seed % Math.max(1, recs.length - 1))) % recs.length]!.positives[0]!.text] : r.negatives.map((n) => n.text);
  const dimOf = async (texts: string[]) => embed(texts);
  const qv = await dimOf(recs.map((r) => r.query));
  const dim = qv.length / recs.length;
  let sumRel = 0, nRel = 0, sumCos = 0, sumGap = 0, n = 0;
  const dot = (a: Float32Array, ai: number, b: Float32Array, bi: number) => {
    let s = 0;
    for (let k = 0; k < dim; k++) s += a[ai * dim + k]! * b[bi * dim + k]!;
    return s;
  };
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    const negs = negTexts(r, i);
    if (negs.length === 0) continue;
    const pv = await dimOf(r.positives.map((p) => p.text));
    const nv = await dimOf(negs);
    let minPos = Infinity;
    for (let p = 0; p < r.positives.length; p++) minPos = Math.min(minPos, dot(qv, i, pv, p));
    for (let k = 0; k < negs.length; k++) {
      const c = dot(qv, i, nv, k);
      sumCos += c;
      sumGap += c - minPos;
      n++;
      if (minPos > 0) {
        sumRel += c / minPos;
        nRel++;
      }
    }
  }
  return { negatives: n, h: { meanRelative: nRel ? sumRel / nRel : null, meanCosine: n ? sumCos / n : null, meanGap: n ? sumGap / n : null } };
}
