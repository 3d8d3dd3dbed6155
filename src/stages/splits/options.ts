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
    .describe('Chronological mode: epoch ms after which families are held out and evidence is never used for training. Default: the first-seen time below which `fractions.train` of the families fall.'),
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
    .describe('A family that would go to test needs at least this many clicks on its graded positives, else it goes to dev before the purge (0 or 1 = off; never empties a test stratum). 2 because one-click test queries leak far more often than those with two clicks (docs/design/splits-min-test-clicks.md).'),
  purgeLinked: z.enum(['dev', 'off']).default('dev')
    .describe('Training families weakly linked to a test family (families.links: evidence too weak to merge them) move to dev, so test needs do not leak into training through fragments the family rules could not join. Dev may then share needs with test: report the final figure on test.'),
  purgeHops: z.number().int().nonnegative().default(1)
    .describe('How many link hops from a test family are followed through training families (1 = direct neighbours). Each hop moves more training families to dev (docs/design/families-session-and-click-rules.md).'),
  purgeKeepsStrata: z.boolean().default(true)
    .describe('purgeLinked never empties a (bucket, slice) stratum of training: the minPerStratum linked families with the fewest test links stay in train. On because without it the head left training entirely on a simulated world; false favours a clean test (docs/design/splits-purge-keeps-strata.md).'),
  purgeKeepMovesTest: z.boolean().default(true)
    .describe('When purgeKeepsStrata keeps a linked family in train, its test neighbours leave test (to dev, or back to train with an unlinked stand-in held out). On because it cut chronological leakage and kept more training records (docs/design/splits-purge-keeps-strata.md).'),
  topUpBuckets: z.boolean().default(true)
    .describe('Chronological mode: a (bucket, slice) stratum with no held-out family gets minPerStratum of its families (by hash) held out too. On because families new after the cutoff are nearly all tail, so dev and test would otherwise hold no head query.'),
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
