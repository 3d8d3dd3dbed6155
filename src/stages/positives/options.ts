import { z } from 'zod';

export const positiveOptions = z.object({
  minGrade: z.number().int().min(1).max(3).default(1)
    .describe('Evidence pairs below this grade are not written as positives. 1 keeps weak evidence (its weight is lower); raise to 2 for precision over recall.'),
  minClicks: z.number().int().positive().default(1)
    .describe('Pairs with fewer kept (non-discarded) clicks than this are not written. 1 because the grade already requires support; raise it on noisy logs (bots, shared terminals).'),
  includeTitle: z.boolean().default(true)
    .describe('Prepend the document title to its text as "title\\n\\ntext" when the corpus has one. Titles carry much of the match signal and are what embedding benchmarks (BEIR) index with the body.'),
  maxPositivesPerQuery: z.number().int().nonnegative().default(0)
    .describe('Keep at most this many positives per normalised query (best grade, then weight, then doc_id); 0 = no cap. A cap stops head queries with dozens of clicked docs from dominating training.'),
});
export type PositiveOptions = z.infer<typeof positiveOptions>;
