import { z } from 'zod';

/** Options of the balance step (popularity, freshness, head/tail). See docs/stages/balance.md. */
export const balanceOptions = z.object({
  popularity: z.object({
    maxDocShare: z.number().gt(0).max(1).default(0.01)
      .describe('Largest share of the positives one document may take; its extra positives are dropped, lowest weight first (1 = no cap). 1% only bites when a few documents answer everything, which would teach the model to always return them (docs/design/balance-popularity-cap.md).'),
  }).prefault({}),
  freshness: z.object({
    mode: z.enum(['off', 'exclude', 'downweight']).default('off')
      .describe("Evidence gathered in the window after a document's publication (novelty clicks): 'off' keeps it and only reports it by age, 'exclude' drops the pair, 'downweight' multiplies its weight by `weight`. Off by default: it needs published_at in the corpus and loses the newest documents."),
    windowDays: z.number().nonnegative().default(7)
      .describe('Length of the novelty window after publication, in days. 7: a week covers the launch spike of announcements and release notes.'),
    weight: z.number().min(0).max(1).default(0.5).describe("Weight multiplier of in-window pairs in 'downweight' mode."),
  }).prefault({}),
  headTail: z.object({
    headShare: z.number().gt(0).lt(1).default(0.5)
      .describe('Head queries: the most frequent queries that together make this share of the traffic (impressions). 0.5 is the usual head/torso cut of query-log studies.'),
    tailShare: z.number().gt(0).lt(1).default(0.9)
      .describe('Queries past this cumulative traffic share are tail; between headShare and tailShare is the torso.'),
    maxHeadShare: z.number().gt(0).max(1).default(0.5)
      .describe('Largest share of the records that head queries may keep after sampling. 0.5: head queries keep at most as many records as torso and tail together, instead of e.g. 90%. 1 = no cap.'),
  }).prefault({}),
  seed: z.number().int().default(42).describe('Seed of the tie-breaking among equal-weight records.'),
});

export type BalanceOptions = z.infer<typeof balanceOptions>;
export type BalanceOptionsInput = z.input<typeof balanceOptions>;

/** The fields the balance functions read: Evidence, PositivePair and training records all have them. */
export interface Weighted {
  readonly query_norm: string;
  readonly doc_id: string;
  readonly weight: number;
}
