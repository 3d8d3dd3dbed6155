import { describe, expect, it } from 'vitest';
import { buildFamilies, familyMergeRules, familyRules, type FamilyInput, type FamilyRule } from '../../../src/stages/families/families.js';
import { createRuleInput, poolQueries } from '../../../src/stages/families/input.js';
import { FamilyMerger } from '../../../src/stages/families/merger.js';
import { familyOptions, type FamilyOptionsInput } from '../../../src/stages/families/options.js';
import type { FamilyMergeRule, FamilyRuleName } from '../../../src/stages/families/rules/index.js';
import type { FamilyLinkReason } from '../../../src/stages/families/types.js';

export interface RuleRun {
  /** The canonical (sorted, distinct) queries. */
  readonly queries: readonly string[];
  /** Merge proposals in the order the rule made them, as query indices. */
  readonly merged: readonly (readonly [number, number])[];
  /** Weak links in order, as query indices: the rule's own and its merges refused by the size cap. */
  readonly linked: readonly (readonly [number, number, FamilyLinkReason])[];
  readonly dropped: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
  /** Whether two queries ended in one family. */
  together(a: string, b: string): boolean;
  /** Merges and links as query pairs, for readable assertions. */
  readonly mergedQueries: readonly (readonly [string, string])[];
  readonly linkedQueries: readonly (readonly [string, string, FamilyLinkReason])[];
}

/** Runs one rule alone (as the core would, on a fresh union-find), recording what it proposes. */
export function runFamilyRule(name: FamilyRuleName, input: FamilyInput, options: FamilyOptionsInput = {}): RuleRun {
  const rule: FamilyRule = familyRules[name];
  const o = familyOptions.parse(options);
  const dropped: Record<string, number> = {};
  const notes: string[] = [];
  const log = { drop: (reason: string, n = 1) => { if (n > 0) dropped[reason] = (dropped[reason] ?? 0) + n; }, note: (t: string) => { notes.push(t); } };
  const queries = [...poolQueries(input, log.drop).keys()].sort();
  const ruleInput = createRuleInput(input, queries, o, log.drop);
  const merger = new FamilyMerger(queries.length, o.maxFamilySize, familyMergeRules);
  const ctx = merger.contextFor(name, rule, ruleInput, o, log);
  const merged: [number, number][] = [];
  if (rule.needs?.includes('clickVectors')) ruleInput.clickVectors();
  rule.run({
    ...ctx,
    merge: (a, b) => { merged.push([a, b]); return ctx.merge(a, b); },
  });
  const linked = merger.weak.map((w) => [w.a, w.b, w.reason] as const);
  const index = new Map(queries.map((q, i) => [q, i]));
  return {
    queries, merged, linked, dropped, notes,
    together: (a, b) => merger.uf.find(index.get(a)!) === merger.uf.find(index.get(b)!),
    mergedQueries: merged.map(([a, b]) => [queries[a]!, queries[b]!] as const),
    linkedQueries: linked.map(([a, b, r]) => [queries[a]!, queries[b]!, r] as const),
  };
}

const snapshot = (input: FamilyInput) => JSON.stringify({ ...input, positives: input.positives ? [...input.positives] : undefined });

/** The same input in another order: queries shuffled, edge lists and positives reversed (click rows keep their order: click weights are summed in it). */
function reordered(input: FamilyInput): FamilyInput {
  const queries = [...input.queries];
  for (let i = queries.length - 1; i > 0; i--) { const j = (i * 7919 + 13) % (i + 1); [queries[i], queries[j]] = [queries[j]!, queries[i]!]; }
  return {
    ...input,
    queries,
    ...(input.reformulations ? { reformulations: [...input.reformulations].reverse() } : {}),
    ...(input.coSessions ? { coSessions: [...input.coSessions].reverse() } : {}),
    ...(input.positives ? { positives: new Map([...input.positives].reverse()) } : {}),
  };
}

/**
 * What every FamilyRule guarantees, on a fixture that makes it propose something: the core may
 * run it in any world, in registry order, and rely on its merges and links.
 */
export function familyRuleContract(name: FamilyRuleName, fixture: { input: FamilyInput; options?: FamilyOptionsInput; off: FamilyOptionsInput }): void {
  const rule: FamilyRule = familyRules[name];
  const options = fixture.options ?? {};
  describe(`FamilyRule contract: ${name}`, () => {
    const run = runFamilyRule(name, fixture.input, options);

    it('is a merge or link rule with a lap name', () => {
      expect(['merge', 'link']).toContain(rule.kind);
      expect(rule.lap).toMatch(/^(rule|links)_\w+$/);
      if (rule.kind === 'merge') expect(familyMergeRules).toContain(name);
      else expect(familyMergeRules).not.toContain(name as FamilyMergeRule);
    });

    it('proposes something on its fixture (so the checks below are not vacuous)', () => {
      expect(run.merged.length + run.linked.length).toBeGreaterThan(0);
    });

    it('links and merges only two different known queries', () => {
      for (const [a, b] of [...run.merged, ...run.linked]) {
        expect(Number.isInteger(a) && Number.isInteger(b)).toBe(true);
        expect(a).not.toBe(b);
        expect(a >= 0 && a < run.queries.length && b >= 0 && b < run.queries.length).toBe(true);
      }
    });

    it(rule.kind === 'link' ? 'a link rule never merges' : 'a merge rule merges on its fixture', () => {
      if (rule.kind === 'link') expect(run.merged).toEqual([]);
      else expect(run.merged.length).toBeGreaterThan(0);
    });

    it('is deterministic', () => {
      const again = runFamilyRule(name, fixture.input, options);
      expect([again.merged, again.linked, again.dropped, again.notes]).toEqual([run.merged, run.linked, run.dropped, run.notes]);
    });

    it('does not depend on the order of the input', () => {
      const other = runFamilyRule(name, reordered(fixture.input), options);
      expect([other.mergedQueries, other.linkedQueries, other.dropped, other.notes]).toEqual([run.mergedQueries, run.linkedQueries, run.dropped, run.notes]);
    });

    it('does not modify its input', () => {
      const before = snapshot(fixture.input);
      runFamilyRule(name, fixture.input, options);
      expect(snapshot(fixture.input)).toBe(before);
    });

    it('proposes and drops nothing on empty input', () => {
      const empty = runFamilyRule(name, { queries: [], reformulations: [], positives: new Map(), coSessions: [], clicks: [] }, options);
      expect([empty.merged, empty.linked, empty.dropped]).toEqual([[], [], {}]);
    });

    it('respects its enabled flag', () => {
      expect(rule.enabled(familyOptions.parse(options))).toBe(true);
      expect(rule.enabled(familyOptions.parse(fixture.off))).toBe(false);
      if (rule.kind === 'merge') {
        expect(buildFamilies(fixture.input, options).merges[name as FamilyMergeRule]).toBeGreaterThan(0);
        expect(buildFamilies(fixture.input, fixture.off).merges[name as FamilyMergeRule]).toBe(0);
      }
    });
  });
}
