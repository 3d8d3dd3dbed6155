import { z } from 'zod';

export const evidenceOptions = z.object({
  satisfiedDwellMs: z.number().int().nonnegative().default(30_000)
    .describe('Dwell at or above this is a satisfied click. 30 s is the common SAT-click threshold (Fox et al. 2005; Yandex relevance prediction challenge). Calibrate it against labels: on TREC Session data dwell alone separated relevance poorly.'),
  shortDwellMs: z.number().int().nonnegative().default(10_000)
    .describe('Dwell below this is a short click (likely not useful). Also the dwell under which a return to the result page counts as pogo-sticking (window: sessions.pogoWindowSec).'),
  unknownDwell: z.enum(['weak', 'drop']).default('weak')
    .describe('What a click with unknown dwell (the last event of the log for that user) counts as: a weak positive (grade 1) or dropped.'),
  mediumDwell: z.enum(['weak', 'drop']).default('weak')
    .describe('What a click with dwell between shortDwellMs and satisfiedDwellMs counts as. Default weak (grade 1): the user stayed long enough to read a snippet-sized answer, which short-answer documents (FAQ, how-to) need; set "drop" for long-form content.'),
  minGrade: z.number().int().min(1).max(3).default(1)
    .describe('Query-document pairs below this grade are not written as positives. (Read by the positives stage; positives.minGrade wins when given.)'),
  minClicks: z.number().int().positive().default(1)
    .describe('Pairs with fewer non-discarded clicks than this are not written as positives. (Read by the positives stage; positives.minClicks wins when given.)'),
});
export type EvidenceOptions = z.infer<typeof evidenceOptions>;
