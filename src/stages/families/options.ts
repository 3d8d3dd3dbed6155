import { z } from 'zod';
import { familyKeyOptions } from '../../text/family-normalize.js';

export const familyOptions = z.object({
  key: familyKeyOptions.prefault({}).describe('How queries are reduced to a family key (see src/text/family-normalize.ts).'),
  sameKey: z.object({
    enabled: z.boolean().default(true).describe('Rule (a): queries with equal family keys are one family. Never refused by maxFamilySize: they are the same intent by construction.'),
  }).prefault({}),
  reformulation: z.object({
    enabled: z.boolean().default(true).describe('Rule (b): a query and its in-session reformulation are one family.'),
    minCount: z.number().int().positive().default(2)
      .describe('Edges seen fewer times than this (both directions summed) are ignored. 2 keeps a link seen in two sessions: one session alone is often a topic switch.'),
  }).prefault({}),
  nearDuplicate: z.object({
    enabled: z.boolean().default(true).describe('Rule (c): near-duplicate family keys (typos, plurals the stemmer missed, extra words).'),
    jaccard: z.number().min(0).max(1).default(0.7)
      .describe('Exact character-trigram Jaccard at or above which two keys merge. 0.7 catches one typo in a ~12-character query; lower values start joining different products of one brand.'),
    numHashes: z.number().int().positive().default(100).describe('MinHash functions per key.'),
    bands: z.number().int().positive().default(20)
      .describe('LSH bands (numHashes/bands rows each). 20 x 5 makes a pair at Jaccard 0.7 a candidate almost surely and one at 0.3 rarely, so queries sharing one common word do not flood the buckets (docs/design/families-lsh-bands.md).'),
    minChars: z.number().int().positive().default(10)
      .describe('Keys shorter than this are compared by edit distance instead: trigram Jaccard is unstable on short strings (one typo in "vpn" leaves no shared trigram).'),
    shortMaxEdits: z.number().int().min(0).max(1).default(1)
      .describe('Keys of shortMinChars..minChars-1 characters merge at this edit distance (0 turns it off; 1 is the only other supported value).'),
    shortMinChars: z.number().int().positive().default(5)
      .describe('Keys shorter than this never merge by edit distance: "cat"/"car" are one edit apart and different intents.'),
    refuseTokenSwap: z.boolean().default(false)
      .describe('Refuse a near-duplicate merge when both keys keep a word the other cannot account for as a typo or abbreviation ("aws console install web" vs "... win"); the pair stays a weak link. Off because the purer families it makes raised intent leakage (docs/design/families-refuse-token-swap.md).'),
    digitsMustMatch: z.boolean().default(true)
      .describe('Refuse a near-duplicate merge when the numbers differ ("iphone 12" vs "iphone 13"): model numbers and years are intent.'),
    maxBucketCompare: z.number().int().positive().default(20)
      .describe('At most this many earlier keys are compared per LSH bucket (guards against huge buckets; truncations are counted).'),
    seed: z.number().int().default(42).describe('Seed of the MinHash functions.'),
  }).prefault({}),
  positiveOverlap: z.object({
    enabled: z.boolean().default(true).describe('Rule (d): queries whose positive documents overlap strongly are one family.'),
    jaccard: z.number().min(0).max(1).default(0.6)
      .describe('Jaccard over positive doc ids at or above which two queries merge. 0.6 with at least 2 positives each means most of what satisfies one satisfies the other.'),
    minPositives: z.number().int().positive().default(2)
      .describe('Both queries need at least this many positives: one shared click on a popular page is not the same intent.'),
    maxDocQueries: z.number().int().positive().default(1000)
      .describe('Documents positive for more queries than this are not used to find candidates (home pages, FAQs); counted in stats.'),
  }).prefault({}),
  coSession: z.object({
    enabled: z.boolean().default(true)
      .describe('Rule (e): queries issued one after the other in a session, after a result page with no satisfied click, are one family. Catches rephrasings that share no word (keyword vs novice vs error message), which rules (a)-(c) cannot link and the sessions stage drops as dissimilar.'),
    minSessions: z.number().int().positive().default(2)
      .describe('A pair seen in at least this many sessions merges on that alone. 2 because pairs seen in two or more sessions after an unsatisfied page were the same intent on the simulated world (docs/design/families-session-and-click-rules.md).'),
    confirmCosine: z.number().min(0).default(0.2)
      .describe('A pair seen in fewer than minSessions sessions (but at least one) merges when the click vectors of the two queries have at least this cosine (above 1 = off). 0.2 because such pairs were the same intent on the simulated world (docs/design/families-session-and-click-rules.md).'),
    windowSec: z.number().positive().default(300)
      .describe('The next query must come within this many seconds of the page (same as sessions.reformulationWindowSec).'),
    satisfiedDwellMs: z.number().int().nonnegative().default(30_000)
      .describe('A page with a click of at least this dwell satisfied the user: the next query is then often a new need (same default as evidence.satisfiedDwellMs).'),
  }).prefault({}),
  coClick: z.object({
    enabled: z.boolean().default(true)
      .describe('Rule (f): agglomerative click-graph clustering (Beeferman & Berger 2000; Wen et al. 2001): families whose click distributions over documents are similar merge, round after round, on the summed click vectors of their members.'),
    cosine: z.number().min(0).max(1).default(0.3)
      .describe('Cosine between family click vectors (each query L1-normalised, then summed) at or above which two families merge. 0.3 gave fewer intent leaks than 0.5 with more training records kept (docs/design/families-session-and-click-rules.md).'),
    minClicks: z.number().nonnegative().default(1)
      .describe('Queries with fewer (weighted) clicks than this contribute no click vector: one click is noisy, but the rule only merges through shared documents and the cosine threshold.'),
    maxRounds: z.number().int().positive().default(10)
      .describe('Rounds of merging (each family merges at most once per round, best pair first). 10 leaves room: the simulated world converges in fewer (docs/design/families-session-and-click-rules.md).'),
    minShortDwellMs: z.number().int().nonnegative().default(10_000)
      .describe('Only clicks with at least this dwell (or unknown dwell) count (same default as evidence.shortDwellMs): short clicks on lookalike pages say nothing about the need.'),
    maxDocFamilies: z.number().int().positive().default(200)
      .describe('Documents clicked by more families than this are left out of candidate generation (home pages, overviews); counted in stats.'),
  }).prefault({}),
  links: z.object({
    enabled: z.boolean().default(true)
      .describe('Also return weak links between families whose evidence is too weak to merge them (one-session co-session pairs, rare reformulations, refused merges, similar click vectors, a shared best positive). The splits stage moves linked training families to dev when one is held out (splits.purgeLinked).'),
    cosine: z.number().min(0).max(1).default(0.2)
      .describe('Family click-vector cosine at or above which two families are linked (not merged). 0.2: same-intent single-session pairs were all above it, other-intent pairs below (docs/design/families-session-and-click-rules.md).'),
    topPositive: z.boolean().default(true)
      .describe('Link families whose queries have the same best positive document (highest grade, then weight). On because it cut chronological intent leakage at the cost of some training records (docs/design/families-top-positive-links.md).'),
    abbreviation: z.object({
      enabled: z.boolean().default(true)
        .describe('Link families whose keys align token by token, allowing abbreviations and typos ("dkr lic andr" ~ "docker license android"), which share too few trigrams for rule (c). On because most such links join one intent (docs/design/families-abbreviation-links.md).'),
      minChars: z.number().int().positive().default(2)
        .describe('An abbreviation (a token that is a subsequence of the other, same first letter) needs at least this many characters: one letter matches too much.'),
      typoMinChars: z.number().int().nonnegative().default(4)
        .describe('Tokens of at least this many characters with the same first letter and one edit (OSA) apart also align ("ecxel" ~ "excel"). Shorter ones do not: "mac"/"max" are different words. 0 turns typos off.'),
      maxExtraTokens: z.number().int().min(0).max(1).default(1)
        .describe('The longer key may keep this many tokens that no token of the shorter key matches ("denied" in "nginx permission denied ios" vs "ngx perm ios"). 0 or 1.'),
      minTokens: z.number().int().positive().default(2)
        .describe('Keys with fewer tokens take no part: one abbreviated word ("dkr") says nothing about the rest of the need.'),
      maxTokens: z.number().int().positive().default(8).describe('Keys with more tokens take no part (long queries align by rule (c) already).'),
      synonymMinSupport: z.number().int().nonnegative().default(3)
        .describe('Two tokens that are each other\'s most frequent substitute in at least this many consecutive-query pairs count as equal before the alignment ("wlan" ~ "wifi"; 0 = off). 3 because it lowered leakage and a higher support gave the same (docs/design/families-abbreviation-links.md).'),
      maxBucketCompare: z.number().int().positive().default(10)
        .describe('At most this many keys are kept per initials signature (sorted first letters); extra ones are counted as abbreviation_bucket_truncated and not compared. 10 bounds the stage\'s time on large logs and gave the same links as larger caps (docs/design/families-abbreviation-links.md).'),
    }).prefault({}).describe('Abbreviation-aware token alignment as a weak link (never a merge); see src/stages/families/abbrev.ts.'),
    maxTopPositiveFamilies: z.number().int().positive().default(100)
      .describe('A document that is the best positive of more families than this links none of them (a home page or a catch-all FAQ); counted in stats.'),
  }).prefault({}),
  maxFamilySize: z.number().int().positive().default(500)
    .describe('A merge by rules (b)-(f) that would make a family larger than this many queries is refused and counted: chains of reformulations or near-duplicates otherwise grow giant components that swallow a split.'),
  reportLargest: z.number().int().nonnegative().default(10).describe('How many of the largest families the stats list, with examples.'),
});
export type FamilyOptions = z.infer<typeof familyOptions>;
export type FamilyOptionsInput = z.input<typeof familyOptions>;
