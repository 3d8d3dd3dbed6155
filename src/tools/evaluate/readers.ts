import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../../errors.js';

/**
 * One training example for the built-in model. `positiveId`/`negativeIds` are kept when the file
 * has document ids (clickforge outputs do), so that datasetQuality can check them against truth.
 */
export interface TrainRecord {
  readonly query: string;
  readonly positive: string;
  readonly negatives?: string[];
  readonly weight?: number;
  readonly positiveId?: string;
  readonly negativeIds?: string[];
}

function readLines(path: string, what: string): string[] {
  try {
    return readFileSync(path, 'utf8').split(/\r?\n/);
  } catch (cause) {
    throw inputError('file_missing', `cannot read ${what} ${path}: ${(cause as Error).message}`, { cause, stage: 'evaluate' });
  }
}

function parseLine(path: string, line: number, text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (cause) {
    throw inputError('bad_jsonl', `${path}:${line}: not valid JSON (${(cause as Error).message}). Each line must be one JSON object.`, { cause, stage: 'evaluate' });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw inputError('bad_jsonl', `${path}:${line}: expected a JSON object per line.`, { stage: 'evaluate' });
  return v as Record<string, unknown>;
}

const isStr = (x: unknown): x is string => typeof x === 'string';

function textOf(x: unknown): { text: string; id?: string } | undefined {
  if (isStr(x)) return { text: x };
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    const text = o.text ?? o.positive ?? o.negative;
    const id = o.doc_id ?? o.id ?? o._id;
    if (isStr(text)) return isStr(id) ? { text, id } : { text };
  }
  return undefined;
}

/**
 * Read training records from JSONL, detecting the format per line:
 * - clickforge positives/triplets: {query, positive, doc_id?, weight?, negative?, negatives?: (string | {doc_id, text})[], negative_ids?}
 * - sentence-transformers: {anchor, positive, negative?} or {anchor, positive, negative_1, ..., negative_n}
 * - FlagEmbedding: {query, pos: string[], neg: string[]} (one record per positive)
 */
export function readTrainingFile(path: string): TrainRecord[] {
  const out: TrainRecord[] = [];
  const lines = readLines(path, 'training file');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    const line = i + 1;
    const o = parseLine(path, line, raw);
    const bad = (why: string) => inputError('bad_training_record', `${path}:${line}: ${why}. Expected {query, positive} (clickforge), {anchor, positive, negative} (sentence-transformers) or {query, pos: [], neg: []} (FlagEmbedding).`, { stage: 'evaluate' });
    const weight = o.weight;
    if (weight !== undefined && typeof weight !== 'number') throw bad('"weight" must be a number');
    const negs: string[] = [];
    const negIds: string[] = [];
    const addNeg = (x: unknown, field: string) => {
      const t = textOf(x);
      if (!t) throw bad(`"${field}" must be a string or {doc_id, text}`);
      negs.push(t.text);
      if (t.id !== undefined) negIds.push(t.id);
    };
    if (Array.isArray(o.pos)) {
      if (!isStr(o.query)) throw bad('"query" must be a string');
      if (o.neg !== undefined && !Array.isArray(o.neg)) throw bad('"neg" must be an array of strings');
      for (const n of (o.neg as unknown[] | undefined) ?? []) addNeg(n, 'neg');
      for (const p of o.pos) {
        if (!isStr(p)) throw bad('"pos" must be an array of strings');
        out.push({ query: o.query, positive: p, ...(negs.length ? { negatives: negs } : {}), ...(weight !== undefined ? { weight } : {}) });
      }
      continue;
    }
    const query = o.query ?? o.anchor;
    if (!isStr(query)) throw bad('no "query" or "anchor" string');
    const pos = textOf(o.positive);
    if (!pos) throw bad('no "positive" string');
    if (o.negative !== undefined) addNeg(o.negative, 'negative');
    for (let n = 1; o[`negative_${n}`] !== undefined; n++) addNeg(o[`negative_${n}`], `negative_${n}`);
    if (o.negatives !== undefined) {
      if (!Array.isArray(o.negatives)) throw bad('"negatives" must be an array');
      for (const n of o.negatives) addNeg(n, 'negatives');
    }
    if (Array.isArray(o.negative_ids) && negIds.length === 0) for (const id of o.negative_ids) if (isStr(id)) negIds.push(id);
    const positiveId = pos.id ?? (isStr(o.doc_id) ? o.doc_id : undefined);
    out.push({
      query,
      positive: pos.text,
      ...(negs.length ? { negatives: negs } : {}),
      ...(weight !== undefined ? { weight } : {}),
      ...(positiveId !== undefined ? { positiveId } : {}),
      ...(negIds.length ? { negativeIds: negIds } : {}),
    });
  }
  return out;
}

export interface BeirDoc {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

export interface BeirData {
  readonly corpus: BeirDoc[];
  /** qid -> text. */
  readonly queries: Map<string, string>;
  /** qid -> (doc id -> grade), for the split. */
  readonly qrels: Map<string, Map<string, number>>;
}

/** Text used for both BM25 and the model: the title and the body. */
export const docText = (d: BeirDoc): string => (d.title ? `${d.title} ${d.text}` : d.text);

/** Read a BEIR folder: corpus.jsonl ({_id, title?, text}), queries.jsonl ({_id, text}), qrels/<split>.tsv (query-id, corpus-id, score; header line optional). */
export function readBeir(dir: string, split = 'test'): BeirData {
  const corpus: BeirDoc[] = [];
  const cp = join(dir, 'corpus.jsonl');
  const lines = readLines(cp, 'BEIR corpus');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    const o = parseLine(cp, i + 1, raw);
    const id = o._id ?? o.id;
    if (!(isStr(id) || typeof id === 'number') || !isStr(o.text)) throw inputError('bad_beir_corpus', `${cp}:${i + 1}: each line needs "_id" and "text" strings.`, { stage: 'evaluate' });
    corpus.push({ id: String(id), title: isStr(o.title) ? o.title : '', text: o.text });
  }
  const queries = new Map<string, string>();
  const qp = join(dir, 'queries.jsonl');
  const ql = readLines(qp, 'BEIR queries');
  for (let i = 0; i < ql.length; i++) {
    const raw = ql[i]!.trim();
    if (!raw) continue;
    const o = parseLine(qp, i + 1, raw);
    const id = o._id ?? o.id;
    if (!(isStr(id) || typeof id === 'number') || !isStr(o.text)) throw inputError('bad_beir_queries', `${qp}:${i + 1}: each line needs "_id" and "text" strings.`, { stage: 'evaluate' });
    queries.set(String(id), o.text);
  }
  const qrels = new Map<string, Map<string, number>>();
  const rp = join(dir, 'qrels', `${split}.tsv`);
  const rl = readLines(rp, `BEIR qrels (split "${split}")`);
  for (let i = 0; i < rl.length; i++) {
    const raw = rl[i]!.trim();
    if (!raw) continue;
    const f = raw.split('\t');
    if (i === 0 && /^(query[-_ ]?id|qid)$/i.test(f[0] ?? '')) continue;
    const g = Number(f[2]);
    if (f.length < 3 || !f[0] || !f[1] || !Number.isFinite(g)) throw inputError('bad_beir_qrels', `${rp}:${i + 1}: expected "query-id<TAB>corpus-id<TAB>score" with a numeric score.`, { stage: 'evaluate' });
    let m = qrels.get(f[0]);
    if (!m) qrels.set(f[0], (m = new Map()));
    m.set(f[1], g);
  }
  for (const q of qrels.keys()) if (!queries.has(q)) throw inputError('bad_beir_qrels', `${rp}: query id "${q}" has judgements but is not in ${qp}.`, { stage: 'evaluate' });
  return { corpus, queries, qrels };
}
