import { z } from 'zod';

export const calibrationOptions = z.object({
  fit: z.boolean().default(false)
    .describe('Fit a calibration from input.labels and write calibration.json with its held-out table (`clickforge calibrate` sets it). Off by default because it needs labels.'),
  file: z.string().nullable().default(null)
    .describe('A calibration.json from an earlier fit: positives are graded by its estimated probability of relevance, negatives above its veto are removed and miners it measured as harmful are dropped. null = the heuristic grading.'),
  folds: z.number().int().min(2).default(5)
    .describe('Cross-validation folds, grouped by query family, for the held-out estimates. 5 keeps a fifth of a few hundred labels per fold.'),
  maxSignals: z.number().int().positive().default(5)
    .describe('Most signals a model keeps (forward selection by cross-validation grouped by family, inside the training folds). Five: a few hundred labels support a handful of weights, not seventeen.'),
  l2: z.number().nonnegative().default(1)
    .describe('Ridge penalty of the logistic regression on standardised signals. 1 only keeps the fit finite when a signal separates the labels perfectly; the selection does the shrinking.'),
  gradeThresholds: z.tuple([z.number(), z.number(), z.number()]).default([0.5, 0.7, 0.85])
    .describe('Estimated probability of relevance at or above which a clicked pair gets grade 1, 2, 3. 0.5 makes a positive more likely relevant than not; 0.7 and 0.85 mark the clearly and very likely relevant.'),
  negativeVeto: z.union([z.literal('base-rate'), z.number().min(0).max(1)]).default('base-rate')
    .describe('A negative candidate whose estimated probability of relevance is at or above this is removed: a number, or "base-rate", the share of labelled shown results that are relevant. The base rate by default: a negative more likely relevant than a random shown result does more harm than good.'),
  minLabels: z.number().int().positive().default(100)
    .describe('Fewest labelled pairs found in the evidence for a fit; fewer is an error. Below about 100 the intervals span most of [0, 1].'),
  minJudged: z.number().int().positive().default(20)
    .describe('Fewest judged items behind a do-no-harm comparison or a miner decision. 20 keeps a Wilson interval narrower than about +-0.2.'),
  bootstrap: z.number().int().nonnegative().default(1000)
    .describe('Resamples of query families for the intervals of the calibration gains. 1000 gives stable 95% percentile intervals.'),
});
export type CalibrationOptions = z.infer<typeof calibrationOptions>;

const model = z.object({
  intercept: z.number(),
  l2: z.number(),
  pairs: z.number(),
  informative: z.boolean(),
  features: z.array(z.object({ name: z.string(), description: z.string(), mean: z.number(), sd: z.number().positive(), weight: z.number() })).min(1),
}).loose();
const rate = z.object({ n: z.number(), relevant: z.number(), rate: z.number().nullable(), lo: z.number().nullable(), hi: z.number().nullable() });

/** calibration.json: what `build --calibration FILE` reads. */
export const calibrationFileSchema = z.object({
  kind: z.literal('clickforge.calibration'),
  version: z.literal(1),
  relevant: z.string(),
  models: z.object({ clicked: model, unclicked: model }),
  labels: z.object({ pairs: z.number(), relevant: z.number(), clicked: z.number(), families: z.number(), folds: z.number(), unshown: z.number() }),
  grades: z.object({ thresholds: z.tuple([z.number(), z.number(), z.number()]), heldOutPrecision: z.array(rate).length(3), note: z.string().optional() }),
  negatives: z.object({
    vetoAbove: z.number().nullable(),
    note: z.string().optional(),
    baseRate: rate,
    miners: z.record(z.string(), rate.extend({ drop: z.boolean() })),
    drop: z.array(z.string()),
  }),
  heldOut: z.record(z.string(), z.unknown()),
}).loose();
export type CalibrationFile = z.infer<typeof calibrationFileSchema>;
