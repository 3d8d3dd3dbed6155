import type { StageStats } from '../../types.js';
import { familyOptions, type FamilyOptions, type FamilyOptionsInput } from './options.js';
import { collectFamilies, collectLinks, largestFamilies } from './collect.js';
import { createRuleInput, poolQueries } from './input.js';
import { FamilyMerger } from './merger.js';
import { familyMergeRules, familyRuleNames, familyRules, type FamilyMergeRule } from './rules/index.js';
import type { Family, FamilyInput, FamilyLink, FamilyRule } from './types.js';

export type { Family, FamilyInput, FamilyLink, FamilyQuery, FamilyRule, FamilyRuleContext, FamilyRuleInput } from './types.js';
export { familyRules, familyMergeRules, type FamilyMergeRule, type FamilyRuleName } from './rules/index.js';
export { familyIdOf } from './collect.js';

export interface FamilyResult {
  readonly familyOf: Map<string, string>;
  readonly families: Family[];
  readonly stats: StageStats;
  /** Merges each rule made (unions of two different families). */
  readonly merges: Readonly<Record<FamilyMergeRule, number>>;
  /** Merges refused because the family would exceed maxFamilySize. */
  readonly refused: Readonly<Record<FamilyMergeRule, number>>;
  readonly largest: readonly { id: string; size: number; count: number; examples: readonly string[] }[];
  readonly seconds: Readonly<Record<string, number>>;
  /** Weak links between different families (sorted, a < b), for splits.purgeLinked. */
  readonly links: readonly FamilyLink[];
}

const STAGE = 'families';

/** Seconds per named phase; a name given twice adds up. */
function lapClock(): { seconds: Record<string, number>; lap(name: string): void } {
  const seconds: Record<string, number> = {};
  let t0 = performance.now();
  return {
    seconds,
    lap(name) {
      const t = performance.now();
      seconds[name] = (seconds[name] ?? 0) + (t - t0) / 1000;
      t0 = t;
    },
  };
}

/**
 * Query families: groups of queries that express the same need, so that splits never put one
 * need on both sides (see docs/stages/families.md).
 *
 * Input: distinct queries with counts (and first-seen time), optional in-session reformulation
 * edges, positive doc ids per query, co-session pairs and clicks.
 * Output: familyOf (query -> family id), the families, weak links between families, and stats
 * with the merges each rule made, the merges refused by the size cap, and the largest families
 * with examples.
 * Drops: no query is dropped (repeated rows are pooled, counted); each rule counts the edges,
 * pairs and signals it could not use, and maxFamilySize its refusals, in stats.dropped.
 * Related: the rules are `familyRules` (one file each in src/stages/families/rules/); they run in
 * registry order over the sorted queries and merge through one union-find (merger.ts).
 */
export function buildFamilies(input: FamilyInput, opts: FamilyOptionsInput | FamilyOptions = {}): FamilyResult {
  const o = familyOptions.parse(opts);
  const clock = lapClock();
  const dropped: Record<string, number> = {};
  const notes: string[] = [];
  const log = {
    drop: (reason: string, n = 1) => { if (n > 0) dropped[reason] = (dropped[reason] ?? 0) + n; },
    note: (text: string) => { notes.push(text); },
  };

  // canonical order: sorted distinct queries (so every result is independent of input order)
  const totals = poolQueries(input, log.drop);
  const queries = [...totals.keys()].sort();
  clock.lap('load');
  const ruleInput = createRuleInput(input, queries, o, log.drop);
  clock.lap('normalise');

  const merger = new FamilyMerger(queries.length, o.maxFamilySize, familyMergeRules);
  for (const name of familyRuleNames) {
    const rule: FamilyRule = familyRules[name];
    if (rule.needs?.includes('clickVectors')) ruleInput.clickVectors();
    if (rule.enabled(o)) rule.run(merger.contextFor(name, rule, ruleInput, o, log));
    clock.lap(rule.lap);
  }

  const { families, familyOf } = collectFamilies(queries, totals, merger.uf);
  const largest = largestFamilies(families, o.reportLargest);
  const links = o.links.enabled ? collectLinks(merger.weak, queries, familyOf) : [];
  clock.lap('collect');

  const seconds = Object.values(clock.seconds).reduce((a, b) => a + b, 0);
  const stats = familyStats(input, { queries, families, largest, links, keys: ruleInput.keys.length, merger, dropped, notes, seconds, o });
  return { familyOf, families, stats, merges: merger.merges, refused: merger.refused, largest, seconds: clock.seconds, links };
}

function familyStats(
  input: FamilyInput,
  r: { queries: readonly string[]; families: readonly Family[]; largest: FamilyResult['largest']; links: readonly FamilyLink[]; keys: number; merger: FamilyMerger; dropped: Record<string, number>; notes: string[]; seconds: number; o: FamilyOptions },
): StageStats {
  const { merges, refused } = r.merger;
  const n = r.queries.length;
  const totalRefused = familyMergeRules.reduce((s, rule) => s + refused[rule], 0);
  if (totalRefused > 0) r.notes.push(`${totalRefused} merges refused by maxFamilySize=${r.o.maxFamilySize}; raise it if the largest families below look like one intent, or tighten the rule that refused most`);
  const top = r.largest[0];
  if (top && n > 0 && top.size > 0.01 * n && top.size > 50) r.notes.push(`largest family holds ${top.size} queries (${((100 * top.size) / n).toFixed(1)}%), e.g. ${top.examples.slice(0, 3).map((e) => JSON.stringify(e)).join(', ')}: check the rule thresholds`);
  return {
    stage: STAGE,
    in: { query_rows: input.queries.length, queries: n, reformulation_edges: input.reformulations?.length ?? 0, queries_with_positives: input.positives?.size ?? 0, co_session_pairs: input.coSessions?.length ?? 0, click_rows: input.clicks?.length ?? 0 },
    out: {
      families: r.families.length,
      keys: r.keys,
      ...Object.fromEntries(familyMergeRules.map((rule) => [`merges_${rule}`, merges[rule]])),
      largest_family: top?.size ?? 0,
      weak_links: r.links.length,
    },
    dropped: {
      ...r.dropped,
      ...Object.fromEntries(familyMergeRules.filter((rule) => refused[rule] > 0).map((rule) => [`merge_refused_cap_${rule}`, refused[rule]])),
    },
    notes: r.notes,
    seconds: r.seconds,
  };
}
