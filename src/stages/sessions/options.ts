import { z } from 'zod';

export const sessionOptions = z.object({
  gapMinutes: z.number().positive().default(30)
    .describe('Inactivity gap that ends a session when the log has no session_id. 30 minutes is the web-analytics convention (Catledge & Pitkow 1995; Google Analytics). The gap is measured from the user\'s last activity (search or click), not only from the last search.'),
  dwellCapMs: z.number().int().positive().default(30 * 60 * 1000)
    .describe('Dwell derived from the time to the user\'s next event is capped here (the user may have left). A click with no later event has unknown dwell, never long dwell.'),
  reformulationWindowSec: z.number().positive().default(300)
    .describe('The next query of the same session within this window is a reformulation candidate.'),
  reformulationMinSimilarity: z.number().min(0).max(1).default(0.2)
    .describe('Minimum similarity (word or character-trigram Jaccard, the higher) for the next query to count as a reformulation of the same need. 0.2 passes nearly every successive query of real sessions and few random pairs (docs/design/sessions-reformulation-similarity.md).'),
  pogoWindowSec: z.number().positive().default(20)
    .describe('A click followed within this many seconds by a return to the same result page (another click on it) or by a reformulation is pogo-sticking (when its dwell is also short: evidence.shortDwellMs).'),
  conversionWindowMinutes: z.number().positive().default(24 * 60)
    .describe('A conversion without serp_id is linked only to a result page shown at most this long before it. 24 h is the usual default attribution window; beyond it the search rarely caused the conversion.'),
});
export type SessionOptions = z.infer<typeof sessionOptions>;
