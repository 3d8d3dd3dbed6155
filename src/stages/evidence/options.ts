import { z } from 'zod';

export const evidenceOptions = z.object({
  satisfiedDwellMs: z.number().int().nonnegative().default(30_000)
    .describe('Dwell at or above this is a satisfied click. 30 s is the common SAT-click threshold (Fox et al. 2005; Yandex relevance prediction challenge). Calibrate it against labels: on TREC Session data dwell alone separated relevance poorly.'),
  shortDwellMs: z.number().int().nonnegative().default(10_000)
    .describe('Dwell below this is a short click (likely not useful). Also the dwell under which a return to the result page counts as pogo-sticking (window: sessions.pogoWindowSec).'),
  unknownDwell: z.enum(['weak', 'drop']).default('weak')
    .describe('What a click with unknown dwell (no dwell given and no later event in its session) counts as: a weak positive (grade 1) or dropped. Weak by default: the last click of a session is often the one that satisfied the user.'),
  mediumDwell: z.enum(['weak', 'drop']).default('weak')
    .describe('What a click with dwell between shortDwellMs and satisfiedDwellMs counts as. Default weak (grade 1): the user stayed long enough to read a snippet-sized answer, which short-answer documents (FAQ, how-to) need; set "drop" for long-form content.'),
  minExposureForNegative: z.number().nonnegative().default(3)
    .describe('Evidence pairs read into memory: clicked, skipped above a click, and unclicked pairs shown at least this many times (the evidence table keeps every pair; 0 reads all). 3 = negatives.behavioural.minExposure, below which an unclicked pair can never be a behavioural negative; keep it at most that.'),
});
export type EvidenceOptions = z.infer<typeof evidenceOptions>;
