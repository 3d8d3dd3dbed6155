/**
 * The hidden truth of a simulated world, read back for measuring: which family (intent) each
 * query belongs to, which families the simulator holds out (split "test"), graded relevance per
 * query, and the intents of each document.
 *
 * Input: a simulator output folder (truth/queries.jsonl, truth/qrels.jsonl, truth/docs.jsonl).
 * Output: WorldTruth. Queries written by other sources (synthetic queries made from a document)
 * get a truth of their own with `withSourceDocQueries`: the family and relevance of the intent of
 * the document they were made from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../../errors.js';
import { normalizeQuery } from '../../text/normalize.js';

export interface WorldTruth {
  /** Raw query text -> family (intent). */
  readonly queryFamily: ReadonlyMap<string, string>;
  /** Raw query text -> (doc id -> grade > 0). */
  readonly qrels: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Families the simulator holds out (split "test"). */
  readonly testFamilies: ReadonlySet<string>;
  /** Raw texts of the queries of the held-out families. */
  readonly testQueries: readonly string[];
  /** Doc id -> intents it answers (empty for distractors). */
  readonly docIntents: ReadonlyMap<string, readonly string[]>;
}

function readJsonl<T>(path: string): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw inputError('file_missing', `cannot read ${path}: ${(cause as Error).message}. Pass the output folder of \`clickforge simulate\`.`, { cause, stage: 'simulate' });
  }
  return text.split('\n').flatMap((l, i) => {
    if (!l.trim()) return [];
    try {
      return [JSON.parse(l) as T];
    } catch (cause) {
      throw inputError('bad_json', `${path}:${i + 1}: not valid JSON`, { cause, stage: 'simulate' });
    }
  });
}

function addGrade(m: Map<string, Map<string, number>>, query: string, doc: string, grade: number): void {
  let g = m.get(query);
  if (!g) m.set(query, (g = new Map()));
  g.set(doc, Math.max(grade, g.get(doc) ?? 0));
}

export function readWorldTruth(simDir: string): WorldTruth {
  const dir = join(simDir, 'truth');
  const queryFamily = new Map<string, string>();
  const testFamilies = new Set<string>();
  const testQueries: string[] = [];
  for (const q of readJsonl<{ query: string; family: string; split: string }>(join(dir, 'queries.jsonl'))) {
    queryFamily.set(q.query, q.family);
    if (q.split === 'test') {
      testFamilies.add(q.family);
      testQueries.push(q.query);
    }
  }
  const qrels = new Map<string, Map<string, number>>();
  for (const r of readJsonl<{ query: string; doc_id: string; grade: number }>(join(dir, 'qrels.jsonl'))) if (r.grade > 0) addGrade(qrels, r.query, r.doc_id, r.grade);
  const docIntents = new Map(readJsonl<{ doc_id: string; intents: string[] }>(join(dir, 'docs.jsonl')).map((d) => [d.doc_id, d.intents]));
  return { queryFamily, qrels, testFamilies, testQueries, docIntents };
}

/** The family of a query by its normalised text, or undefined for a query the truth does not know. */
export function familyLookup(truth: Pick<WorldTruth, 'queryFamily'>): (query: string) => string | undefined {
  const byNorm = new Map<string, string>();
  for (const [q, f] of truth.queryFamily) byNorm.set(normalizeQuery(q), f);
  return (query) => byNorm.get(normalizeQuery(query));
}

/**
 * The truth extended to queries made from documents (synthetic queries): a query the truth does
 * not know gets the family of its source document's first intent and the relevance of that
 * document's intents (the highest grade when it has several). Queries from a document without an
 * intent stay unknown. Queries the truth knows keep their own truth.
 */
export function withSourceDocQueries(truth: WorldTruth, rows: readonly { readonly query: string; readonly doc_id: string }[]): WorldTruth {
  const known = familyLookup(truth);
  const familyQrels = new Map<string, ReadonlyMap<string, number>>();
  for (const [q, f] of truth.queryFamily) {
    const rel = truth.qrels.get(q);
    if (rel && !familyQrels.has(f)) familyQrels.set(f, rel);
  }
  const queryFamily = new Map(truth.queryFamily);
  const qrels = new Map<string, Map<string, number>>();
  for (const [q, m] of truth.qrels) qrels.set(q, new Map(m));
  for (const r of rows) {
    const intents = truth.docIntents.get(r.doc_id) ?? [];
    if (known(r.query) !== undefined || intents.length === 0 || queryFamily.has(r.query)) continue;
    queryFamily.set(r.query, intents[0]!);
    for (const i of intents) for (const [d, g] of familyQrels.get(i) ?? []) addGrade(qrels, r.query, d, g);
  }
  return { ...truth, queryFamily, qrels };
}
