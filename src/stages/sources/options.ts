import { z } from 'zod';

/** Grades, weights and caps of the bootstrap sources (input.synthetic, input.seeds); see docs/bootstrap.md. */
export const sourceOptions = z.object({
  synthetic: z.object({
    grade: z.number().int().min(1).max(3).default(1)
      .describe('Grade of a synthetic query\'s positive (its source document). Default 1, the lowest positive grade: a generated query is weaker evidence than a click or an expert judgement.'),
    weight: z.number().positive().default(1)
      .describe('Factor on the weight synth wrote for each query (its style re-weighting). Default 1 keeps that weight as it is.'),
    maxPerDoc: z.number().int().min(0).default(0)
      .describe('Keep at most this many synthetic queries per document, in file order; 0 = no cap. Default 0: synth already draws a fixed number of styles per passage.'),
    trainOnly: z.boolean().default(true)
      .describe('Put every family whose queries are all synthetic in the train split (unless it is linked to a held-out family). Default true so that dev and test hold real or expert-judged queries only: a generated query measures how well the model matches the generator, not users.'),
  }).prefault({}),
  seeds: z.object({
    grade: z.number().int().min(1).max(3).default(3)
      .describe('Grade of a seed row with grade > 0. Default 3, the highest grade: an expert judged the pair relevant.'),
    weight: z.number().positive().default(1)
      .describe('Weight of a seed positive. Default 1, the weight of one fully trusted pair.'),
    keepInTest: z.boolean().default(true)
      .describe('Put every family holding a seed query in the test split. Default true so that evaluation has clean, expert-judged ground truth.'),
  }).prefault({}),
});
export type SourceOptions = z.infer<typeof sourceOptions>;
