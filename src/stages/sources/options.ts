import { z } from 'zod';

/** What a weak-supervision source's options say about it: its default grade and cap, and why each default. */
interface WeakDefaults {
  readonly what: string;
  readonly grade: number;
  readonly gradeWhy: string;
  readonly maxDocs: number;
  readonly maxDocsWhy: string;
  /** The default weight and why, when it is not 1. */
  readonly weight?: { readonly value: number; readonly why: string };
}

const WEIGHT_WHY = 'Default 1: the grade already says how strong the evidence is; change the weight once `calibrate` on labels says this source over- or under-shoots.';

/** The options every weak-supervision source has (grade, weight, maxDocs, maxPerDoc), with its own defaults and reasons. */
function weakSourceOptions(d: WeakDefaults) {
  return z.object({
    grade: z.number().int().min(1).max(3).default(d.grade)
      .describe(`Grade of a positive from ${d.what}. ${d.gradeWhy}`),
    weight: z.number().positive().default(d.weight?.value ?? 1)
      .describe(`Weight of a positive from ${d.what}. ${d.weight?.why ?? WEIGHT_WHY}`),
    maxDocs: z.number().int().min(0).default(d.maxDocs)
      .describe(`Keep at most this many documents of one row, in the row's order; 0 = no cap. ${d.maxDocsWhy}`),
    maxPerDoc: z.number().int().min(0).default(0)
      .describe(`Keep at most this many of ${d.what}'s queries per document, in file order; 0 = no cap. Default 0: a curated file lists what its editors meant, and a cap would drop pairs for no measured gain.`),
  }).prefault({});
}

/** Grades, weights and caps of the bootstrap sources (input.synthetic, input.seeds, input.faq, input.macros, input.pinned, input.collections); see docs/bootstrap.md. */
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
  faq: weakSourceOptions({
    what: 'an FAQ mapping (question -> article)',
    grade: 2, gradeWhy: 'Default 2: an editor wrote the question as users ask it and chose its answer, but did not judge the other articles.',
    maxDocs: 0, maxDocsWhy: 'Default 0: an FAQ question maps to one or a few articles.',
  }),
  macros: weakSourceOptions({
    what: 'a support macro linked to articles (macro title -> articles)',
    grade: 1, gradeWhy: 'Default 1, the lowest positive grade: agents title macros for agents ("Password reset - Okta"), and a macro links every article its answer quotes.',
    maxDocs: 0, maxDocsWhy: 'Default 0: a macro links the few articles its answer quotes.',
  }),
  pinned: weakSourceOptions({
    what: 'a pinned (merchandised) result (query -> ranked articles)',
    grade: 2, gradeWhy: 'Default 2: someone chose these results for this very query; their rank sets the weight (1/log2(rank + 1), as in DCG), not the grade.',
    maxDocs: 10, maxDocsWhy: 'Default 10, one result page: pins further down are filler more often than choices.',
  }),
  collections: weakSourceOptions({
    what: 'a curated collection page (collection title -> articles)',
    grade: 1, gradeWhy: 'Default 1, the lowest positive grade: a collection groups articles on a topic; each is related to the title, few are its answer.',
    maxDocs: 20, maxDocsWhy: 'Default 20: a longer collection is a topic index whose title says little about any one of its articles.',
    weight: { value: 0.2, why: 'Default 0.2: on the simulated help desk, weight 1 lowered the trained model\'s nDCG@10 and 0.2 did not (docs/design/weak-supervision.md).' },
  }),
});
export type SourceOptions = z.infer<typeof sourceOptions>;
