import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../../errors.js';
import { normalizeQuery } from '../../text/normalize.js';
import { createRng } from '../../util/rng.js';

/**
 * Intent leakage of an exported dataset, measured against a simulated world's truth: the share of
 * test queries whose true intent (the simulator's `family` of each query) also occurs among the
 * training queries. Issue 7's check; also what the same queries give when split at random by row.
 *
 * Reads `<dataset>/clickforge/train.jsonl` (query_norm), `<dataset>/clickforge/dev.jsonl`,
 * `<dataset>/beir/queries.jsonl` and `<dataset>/beir/qrels/test.tsv`, and the simulator's
 * `truth/queries.jsonl` ({ query, family }).
 */
export interface IntentLeakage {
  readonly testQueries: number;
  /** Test queries whose intent occurs in training. */
  readonly leaked: number;
  readonly share: number;
  readonly trainQueries: number;
  readonly trainRecords: number;
  readonly devQueries: number;
  readonly devRecords: number;
  /** Test queries with no intent in the truth file (should be 0). */
  readonly unknownTest: number;
  /** The train and test queries again, split at random by row (80/20, seeded). */
  readonly randomRowSplit: { readonly testQueries: number; readonly leaked: number; readonly share: number };
  /** Up to 10 leaked test queries with one training query of the same intent. */
  readonly examples: readonly { readonly test: string; readonly train: string; readonly intent: string }[];
}

const lines = async (path: string): Promise<string[]> => {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  } catch (e) {
    throw inputError('missing_file', `intent leakage: cannot read ${path} (${(e as Error).message}); pass a dataset folder written by \`clickforge build\` and the simulator's truth/queries.jsonl`);
  }
};
const jsonl = async <T>(path: string): Promise<T[]> => (await lines(path)).map((l, i) => {
  try {
    return JSON.parse(l) as T;
  } catch {
    throw inputError('bad_json', `${path}:${i + 1}: not valid JSON`);
  }
});

export async function measureIntentLeakage(datasetDir: string, truthQueriesPath: string, opts: { readonly seed?: number; readonly trainShare?: number } = {}): Promise<IntentLeakage> {
  const intentOf = new Map((await jsonl<{ query: string; family: string }>(truthQueriesPath)).map((q) => [normalizeQuery(q.query), q.family]));
  const train = await jsonl<{ query_norm: string }>(join(datasetDir, 'clickforge', 'train.jsonl'));
  const dev = await jsonl<{ query_norm: string }>(join(datasetDir, 'clickforge', 'dev.jsonl'));
  const trainQ = [...new Set(train.map((r) => r.query_norm))].sort();
  const qText = new Map((await jsonl<{ _id: string; text: string }>(join(datasetDir, 'beir', 'queries.jsonl'))).map((q) => [q._id, normalizeQuery(q.text)]));
  const testIds = [...new Set((await lines(join(datasetDir, 'beir', 'qrels', 'test.tsv'))).slice(1).map((l) => l.split('\t')[0]!))].sort();
  const testQ = testIds.map((id) => {
    const q = qText.get(id);
    if (q === undefined) throw inputError('bad_dataset', `${join(datasetDir, 'beir', 'qrels', 'test.tsv')}: query id ${id} is not in beir/queries.jsonl`);
    return q;
  });
  const byIntent = new Map<string, string>();
  for (const q of trainQ) { const i = intentOf.get(q); if (i !== undefined && !byIntent.has(i)) byIntent.set(i, q); }
  let leaked = 0, unknownTest = 0;
  const examples: { test: string; train: string; intent: string }[] = [];
  for (const q of testQ) {
    const i = intentOf.get(q);
    if (i === undefined) { unknownTest++; continue; }
    const t = byIntent.get(i);
    if (t === undefined) continue;
    leaked++;
    if (examples.length < 10) examples.push({ test: q, train: t, intent: i });
  }
  // the same queries split at random by row (what a split that ignores families gives)
  const rng = createRng(opts.seed ?? 1);
  const share = opts.trainShare ?? 0.8;
  const rTrain = new Set<string>();
  const rTest: string[] = [];
  for (const q of [...new Set([...trainQ, ...testQ])].sort()) {
    if (rng.next() < share) rTrain.add(q);
    else rTest.push(q);
  }
  const rIntents = new Set([...rTrain].map((q) => intentOf.get(q)).filter((x) => x !== undefined));
  const rLeaked = rTest.filter((q) => rIntents.has(intentOf.get(q)!)).length;
  return {
    testQueries: testQ.length,
    leaked,
    share: testQ.length ? leaked / testQ.length : 0,
    trainQueries: trainQ.length,
    trainRecords: train.length,
    devQueries: new Set(dev.map((r) => r.query_norm)).size,
    devRecords: dev.length,
    unknownTest,
    randomRowSplit: { testQueries: rTest.length, leaked: rLeaked, share: rTest.length ? rLeaked / rTest.length : 0 },
    examples,
  };
}
