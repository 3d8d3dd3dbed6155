import { z } from 'zod';

/**
 * False-negative filters, applied in this order (cheapest first). Each can be switched off.
 * See docs/stages/false-negatives.md for what each removes and why.
 */
export const falseNegativeOptions = z.object({
  clickVeto: z.object({
    enabled: z.boolean().default(true),
    minGrade: z.number().int().min(0).max(3).default(2)
      .describe('A doc with evidence grade >= this for the query or any query of its family is never a negative. 2 = a satisfied click (grade 1, a click of unknown dwell, is too weak to veto on its own).'),
    satisfiedOrConverted: z.boolean().default(true)
      .describe('Also veto any doc with at least one satisfied click or conversion for the family, whatever its grade.'),
    useFamilies: z.boolean().default(true)
      .describe('Veto across the query family (familyOf); off: the same query_norm only.'),
    sessionScope: z.boolean().default(true)
      .describe("Also veto a doc clicked (any click) for another query of a session in which the record's query was issued. On because in-session reformulations often fall outside the family and their clicked docs are relevant more often (docs/design/negative-defaults.md)."),
  }).prefault({}),
  sameField: z.object({
    enabled: z.boolean().default(true),
    fields: z.array(z.enum(['category', 'entity'])).default(['entity'])
      .describe('Drop a negative that shares one of these corpus fields with a positive. Default entity only: a category is usually broad (all hard negatives of a shop query share it), an entity is the same thing described twice.'),
  }).prefault({}),
  nearDuplicate: z.object({
    enabled: z.boolean().default(true),
    threshold: z.number().min(0).max(1).default(0.8)
      .describe('Word-shingle Jaccard at or above which a negative is a near-duplicate of a positive (verified exactly, not estimated). 0.8 is the usual near-duplicate cut (Broder 1997; the dedup settings of The Pile/RefinedWeb use 0.7-0.8).'),
    numPerm: z.number().int().positive().default(128).describe('MinHash permutations (standard error of the estimate <= 0.045).'),
    shingleSize: z.number().int().positive().default(3).describe('Words per shingle.'),
    bands: z.number().int().positive().optional().describe('LSH bands for the corpus-wide clusters (default 16 bands of 8 rows for 128 permutations).'),
    exact: z.boolean().default(true).describe('Also drop exact duplicates: identical normalised text (NFKC, lower case, punctuation removed).'),
    corpusClusters: z.boolean().default(true).describe('Compute near-duplicate clusters across the whole corpus for the report (count, largest).'),
  }).prefault({}),
  positiveAware: z.object({
    enabled: z.boolean().default(true),
    relative: z.number().min(0).max(1).nullable().default(0.95)
      .describe('NV-Retriever TopK-PercPos (Moreira et al. 2024, best of their ablation at 95%): drop a negative scoring above 0.95 x the lowest positive score. Written as min - (1 - 0.95) x |min| so it stays below the positive when scores are negative. null = off.'),
    absoluteMargin: z.number().nonnegative().nullable().default(null)
      .describe('Also drop a negative scoring above (lowest positive score - margin). null = off (NV-Retriever found the relative rule better).'),
    scorer: z.enum(['auto', 'bm25', 'dense']).default('auto')
      .describe('Score used for positives and negatives: "dense" (cosine from the embedder), "bm25", or "auto" (dense when an embedder is given).'),
  }).prefault({}),
  ambiguity: z.object({
    enabled: z.boolean().default(true),
    bm25Min: z.number().min(0).max(1).default(0.8)
      .describe('BM25 score divided by the query\'s best BM25 score over the corpus; a negative at or above this AND above cosineMin is ambiguous.'),
    cosineMin: z.number().min(-1).max(1).default(0.8)
      .describe('Cosine similarity between the query and the negative under the embedder. Calibrate per model: cosine scales differ between models.'),
  }).prefault({}),
  judge: z.object({
    enabled: z.boolean().default(true).describe('Ask the Judge (when one is given) whether each remaining candidate is relevant; relevant ones are dropped.'),
    maxPerRecord: z.number().int().positive().default(16)
      .describe('Candidates judged per record (the first ones in preference order); the others are kept unjudged. Bounds the cost of paid judges.'),
    onUnparsable: z.enum(['keep', 'drop']).default('keep')
      .describe('What to do when the judge answer could not be parsed (null): counted either way, never guessed as relevant or not.'),
  }).prefault({}),
  preferBehavioural: z.object({
    enabled: z.boolean().default(true)
      .describe('When enough other candidates remain for perRecord, drop "unclicked" behavioural candidates (merely shown, never clicked) and pick "skipped above the click" ones first.'),
  }).prefault({}),
});
export type FalseNegativeOptions = z.infer<typeof falseNegativeOptions>;
