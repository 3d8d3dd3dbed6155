import type { FamilyRule } from '../types.js';

/** Rule (a): queries with equal family keys are one family, whatever the size cap. */
export const sameKey = {
  kind: 'merge',
  lap: 'rule_sameKey',
  uncapped: true,
  enabled: (o) => o.sameKey.enabled,
  run({ input, merge }) {
    const { keyRep, keyIdOf } = input;
    for (let i = 0; i < input.queries.length; i++) {
      const rep = keyRep[keyIdOf[i]!]!;
      if (rep !== i) merge(rep, i);
    }
  },
} satisfies FamilyRule;
