import type { FamilyRule } from '../types.js';
import { abbreviation } from './abbreviation.js';
import { coClickLinks } from './co-click-links.js';
import { coClick } from './co-click.js';
import { coSession } from './co-session.js';
import { nearDuplicate } from './near-duplicate.js';
import { positiveOverlap } from './positive-overlap.js';
import { reformulation } from './reformulation.js';
import { sameKey } from './same-key.js';
import { topPositive } from './top-positive.js';

/**
 * The family rules in the order they run: each sees the merges of the ones before it (merges
 * from the surest evidence first, links once the families they join are known). A new rule is
 * one file and one entry here.
 */
export const familyRules = {
  sameKey,
  reformulation,
  nearDuplicate,
  abbreviation,
  positiveOverlap,
  coSession,
  topPositive,
  coClick,
  coClickLinks,
} satisfies Record<string, FamilyRule>;

export type FamilyRuleName = keyof typeof familyRules;

/** The rules that merge families: the keys of FamilyResult.merges and .refused. */
export type FamilyMergeRule = { [K in FamilyRuleName]: (typeof familyRules)[K]['kind'] extends 'merge' ? K : never }[FamilyRuleName];

export const familyRuleNames = Object.keys(familyRules) as FamilyRuleName[];

export const familyMergeRules = familyRuleNames.filter((r): r is FamilyMergeRule => familyRules[r].kind === 'merge');
