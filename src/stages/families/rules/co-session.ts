import { inputError } from '../../../errors.js';
import { cosineOf } from '../click-vectors.js';
import { sumEdges } from '../edges.js';
import type { FamilyRule } from '../types.js';

/**
 * Rule (e): queries issued one after the other after an unsatisfied page, in at least minSessions
 * sessions, or in fewer when their click vectors confirm it (confirmCosine); the rest are weak links.
 */
export const coSession = {
  kind: 'merge',
  lap: 'rule_coSession',
  needs: ['clickVectors'],
  enabled: (o) => o.coSession.enabled,
  run({ input, options, merge, link, drop }) {
    if (!input.coSessions) return;
    const cs = options.coSession;
    const pairs = input.coSessions.map((e, i) => {
      if (!e || typeof e.sessions !== 'number' || !Number.isFinite(e.sessions)) throw inputError('bad_input', `buildFamilies: coSessions[${i}] must be { a, b, sessions } (got ${JSON.stringify(e)})`, { stage: 'families' });
      return [e.a, e.b, e.sessions] as const;
    });
    const edges = sumEdges(pairs, 'co_session', input.lookup, drop).sort((x, y) => y.count - x.count || x.a - y.a || x.b - y.b);
    const { vecs } = input.clickVectors();
    for (const e of edges) {
      if (e.count >= cs.minSessions) { merge(e.a, e.b); continue; }
      if (e.count < 1) { drop('co_session_below_min'); continue; }
      const va = vecs[e.a], vb = vecs[e.b];
      if (va && vb && cosineOf(va, vb) >= cs.confirmCosine) merge(e.a, e.b);
      else { drop('co_session_unconfirmed'); link(e.a, e.b, 'coSession'); }
    }
  },
} satisfies FamilyRule;
