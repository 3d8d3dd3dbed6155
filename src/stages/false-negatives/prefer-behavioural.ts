import type { FalseNegativeFilter, FilterEntry, Removal } from './types.js';

/**
 * (7) Prefer behavioural evidence: when the candidates other than "unclicked" behavioural ones
 * already fill perRecord, the unclicked ones (shown, never clicked: weaker than skipped above a
 * click) are dropped. The final pick then takes "skipped above the click" candidates first.
 */
export function createPreferBehaviouralFilter(): FalseNegativeFilter {
  return {
    name: 'prefer-behavioural',
    apply(rec, cands) {
      let others = 0;
      for (const c of cands) if (c.behaviour !== 'unclicked') others++;
      const enough = others >= rec.perRecord;
      return cands.map((c): Removal | null =>
        enough && c.behaviour === 'unclicked' ? { code: 'unclicked_not_needed', detail: `only unclicked; ${others} stronger candidates remain` } : null,
      );
    },
  };
}

export const preferBehavioural: FilterEntry = {
  name: 'prefer-behavioural',
  option: 'preferBehavioural',
  setup: ({ options: { preferBehavioural: o } }) => (o.enabled ? { filter: createPreferBehaviouralFilter() } : {}),
};
