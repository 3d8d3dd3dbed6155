import { z } from 'zod';

export const splitOptions = z.object({
  mode: z.enum(['auto', 'chronological', 'hashed']).default('auto')
    .describe('chronological: families first seen after the cutoff are held out (dev/test), the rest train. hashed: a seeded hash of the family id decides. auto: chronological when every family has a first-seen time, else hashed.'),
  fractions: z.object({
    train: z.number().min(0).max(1).default(0.8),
    dev: z.number().min(0).max(1).default(0.1),
    test: z.number().min(0).max(1).default(0.1),
  }).prefault({}).describe('Share of families per split (must sum to 1). 80/10/10 is the usual default for a few thousand families or more.'),
  cutoff: z.number().optional()
    .describe('Chronological mode: epoch ms. Families first seen after it are held out and evidence after it is never used for training. Default: the first-seen time below which `fractions.train` of the families fall.'),
  seed: z.number().int().default(42).describe('Seed of the family hash (hashed mode, and dev/test in chronological mode).'),
  headShare: z.number().min(0).max(1).default(0.5)
    .describe('Frequency buckets by traffic: families in descending count order that make up the first headShare of all traffic are head. Half of traffic is the usual head/tail cut in query-log studies (Spink & Jansen; Downey et al. 2007).'),
  torsoShare: z.number().min(0).max(1).default(0.3)
    .describe('The next torsoShare of traffic is torso; the remaining traffic (default 20%) is tail.'),
  sliceField: z.string().optional()
    .describe('A field of each family record (for example `locale` or `category`) to stratify on as well, so each value appears in every split in similar proportions.'),
  minPerStratum: z.number().int().nonnegative().default(1)
    .describe('Hashed assignment gives each split at least this many families of every (bucket, slice) stratum that has enough families, so rare strata (the head, a small locale) still appear in dev and test.'),
  minTestClicks: z.number().int().nonnegative().default(2)
    .describe('A family that would go to test needs at least this many clicks on its graded positives (over all its queries); one with fewer goes to dev, before the weak-link purge (so its links move no training family). A query seen with one click cannot be placed in its need\'s family by any log signal: on eight simulated help-desk worlds (bench/leakage.ts, 20,000 sessions each) the intent of 14.9% of one-click test queries was in training, 4.8% at two clicks, 0% at six or more, while their qrels were as often right (76% vs 69%). Never empties a (bucket, slice) stratum of test below minPerStratum. 0 or 1 turns it off. Families without a click count (library input without `clicks`) are not checked.'),
  purgeLinked: z.enum(['dev', 'off']).default('dev')
    .describe('Training families weakly linked to a test family (families.links: evidence too weak to merge them) move to dev, so test needs do not leak into training through fragments the family rules could not join. Dev may then share needs with test: report the final figure on test.'),
  purgeHops: z.number().int().nonnegative().default(1)
    .describe('How many link hops from a test family are followed through training families (1 = direct neighbours). Each hop moves more training families to dev; see docs/stages/splits.md for the measured trade-off.'),
  purgeKeepsStrata: z.boolean().default(true)
    .describe('purgeLinked never empties a (bucket, slice) stratum of training: when it would, the minPerStratum linked families with the fewest links to test (then the most traffic) stay in train and are counted. Without it the head, whose few large families are all linked to each other, left training entirely on the simulated help-desk world (20,000 sessions, seed 7: 0 head families and 0 head traffic in train). The price is leakage through the kept links (there, test queries whose intent is in training 6.4% -> 14.1%; seed 42: 3.9% either way), which purgeKeepMovesTest mostly removes (9.3% and 1.8%). Set false to favour a clean test over a complete training set.'),
  purgeKeepMovesTest: z.boolean().default(true)
    .describe('When purgeKeepsStrata must keep a linked family in train, prefer the one whose test neighbours can all leave test without emptying a test stratum: moved to dev, or (a family held out only by topUpBuckets) sent back to train and replaced by the first family of its stratum, by hash, that has no link to the kept ones. The kept family then has no link to test. Simulated help-desk world, 20,000 sessions, chronological: share of test queries whose intent is in training 3.9% -> 1.8% (seed 42) and 14.1% -> 9.3% (seed 7), with 8% / 27% more training records (fewer families purged); hashed unchanged. Falls back to the plain rule when no candidate qualifies.'),
  topUpBuckets: z.boolean().default(true)
    .describe('Chronological mode: families new after the cutoff are nearly all tail, so dev and test would hold no head query. When a (bucket, slice) stratum has no held-out family, minPerStratum of its families (chosen by hash) are held out as well (their training records disappear with them; no family is on both sides).'),
  unknownTimestamps: z.enum(['refuse', 'allow']).default('refuse')
    .describe('isTrainEvidenceAllowed on evidence with no timestamp in chronological mode: refuse (cannot be shown to precede the cutoff) or allow.'),
});
export type SplitOptions = z.infer<typeof splitOptions>;
export type SplitOptionsInput = z.input<typeof splitOptions>;

export const auditOptions = z.object({
  similarity: z.number().min(0).max(1).default(0.7)
    .describe('Character-trigram Jaccard at or above which a test query counts as a near-duplicate of a training query (same threshold as the near-duplicate family rule).'),
  numHashes: z.number().int().positive().default(64).describe('MinHash functions per query.'),
  bands: z.number().int().positive().default(32)
    .describe('LSH bands. 32 x 2 rows makes a pair at Jaccard 0.3 a candidate with probability 0.95, so the nearest training query is found even when it is not very near.'),
  maxBucketCompare: z.number().int().positive().default(200).describe('At most this many training queries are compared per LSH bucket.'),
  cutoff: z.number().optional().describe('Chronological cutoff (epoch ms) to check evidence timestamps against.'),
  examples: z.number().int().nonnegative().default(10).describe('Examples kept per finding.'),
  seed: z.number().int().default(42).describe('Seed of the MinHash functions.'),
});
export type AuditOptions = z.infer<typeof auditOptions>;
export type AuditOptionsInput = z.input<typeof auditOptions>;
