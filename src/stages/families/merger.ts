import { internalError } from '../../errors.js';
import { UnionFind } from '../../util/union-find.js';
import type { FamilyOptions } from './options.js';
import type { FamilyMergeRule } from './rules/index.js';
import type { FamilyLinkReason, FamilyRule, FamilyRuleContext, FamilyRuleInput } from './types.js';

export interface WeakLink {
  readonly a: number;
  readonly b: number;
  readonly reason: FamilyLinkReason;
}

/**
 * The one union-find the rules merge through: the size cap (maxFamilySize) refuses a merge and
 * keeps it as a weak link; merges and refusals are counted per rule; weak links kept in the order
 * the rules gave them.
 */
export class FamilyMerger {
  readonly uf: UnionFind;
  readonly merges: Record<FamilyMergeRule, number>;
  readonly refused: Record<FamilyMergeRule, number>;
  readonly weak: WeakLink[] = [];

  constructor(n: number, private readonly maxFamilySize: number, mergeRules: readonly FamilyMergeRule[]) {
    this.uf = new UnionFind(n);
    this.merges = Object.fromEntries(mergeRules.map((r) => [r, 0])) as Record<FamilyMergeRule, number>;
    this.refused = Object.fromEntries(mergeRules.map((r) => [r, 0])) as Record<FamilyMergeRule, number>;
  }

  /** What rule `name` sees and writes through while it runs. */
  contextFor(
    name: string,
    rule: FamilyRule,
    input: FamilyRuleInput,
    options: FamilyOptions,
    log: { drop(reason: string, n?: number): void; note(text: string): void },
  ): FamilyRuleContext {
    const cap = rule.uncapped ? Number.MAX_SAFE_INTEGER : this.maxFamilySize;
    const merge = rule.kind === 'merge'
      ? (a: number, b: number): boolean => {
        const r = this.uf.union(a, b, cap);
        if (r === 1) this.merges[name as FamilyMergeRule]++;
        else if (r === -1) { this.refused[name as FamilyMergeRule]++; this.weak.push({ a, b, reason: 'refused' }); }
        return r === 1;
      }
      : (): boolean => { throw internalError('link_rule_merged', `family rule ${name} only links; it cannot merge`, { stage: 'families' }); };
    return {
      input,
      options,
      familyOf: (q) => this.uf.find(q),
      merge,
      link: (a, b, reason) => { this.weak.push({ a, b, reason }); },
      drop: (reason, n) => log.drop(reason, n),
      note: (text) => log.note(text),
    };
  }
}
