import type { Dialect } from '../../db/dialect/index.js';
import { logRelations } from '../ingest/relations.js';
import { sessionRelations } from './sessions.js';
import { sessionOptions, type SessionOptions } from './options.js';
import { conversionLinksSql, endsLinkedSql, reformulationCandidatesSql, reformulationsSql, serpBaseSql, serpFactsSql, serpSeqSql, sessionClicksSql, sessionSuccessSql, windowsOf } from './statements.js';

/**
 * The sessions stage's statements in the order `buildSessions` runs them, named for a job folder.
 * `query_norms` and `reformulation_pairs` are computed in TypeScript between them (normalizeQuery,
 * querySimilarity): a job reads them as inputs.
 */
export function sessionStatements(d: Dialect, opts: SessionOptions = sessionOptions.parse({})): readonly (readonly [string, string])[] {
  const input = logRelations();
  const out = sessionRelations();
  const w = windowsOf(opts);
  return [
    ['sessions-01-serp-base', serpBaseSql(d, input, out, w)],
    ['sessions-02-serp-seq', serpSeqSql(d)],
    ['sessions-03-reformulation-candidates', reformulationCandidatesSql(d, w)],
    ['sessions-04-ends-linked', endsLinkedSql(d, input)],
    ['sessions-05-session-success', sessionSuccessSql(d)],
    ['sessions-06-serp-facts', serpFactsSql(d, out, w)],
    ['sessions-07-reformulations', reformulationsSql(d, out)],
    ['sessions-08-conversion-links', conversionLinksSql(d, input, out, w)],
    ['sessions-09-session-clicks', sessionClicksSql(d, input, out, w)],
  ];
}
