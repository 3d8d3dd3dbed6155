import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../../errors.js';
import { normalizeQuery } from '../../text/normalize.js';
import { createRng, hash32 } from '../../util/rng.js';
import { examinationCurve } from './helpdesk-world.js';
import type { SimulateOptionsInput } from './options.js';
import { parseSimulateOptions } from './parse.js';
import { contentTokens, shuffleInPlace, splitOf } from './text.js';
import type { Collection, QueryStyle, SimDoc, SimQrel, SimQuery, SimulatedWorld } from './types.js';

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw inputError('collection_missing', `cannot read ${path}: ${(cause as Error).message}`, { stage: 'simulate', cause });
  }
}

/** Parse SMART-format records (`.I id` then `.X` fields) into id -> field -> text. */
function smartRecords(path: string): { id: string; line: number; fields: Record<string, string> }[] {
  const out: { id: string; line: number; fields: Record<string, string> }[] = [];
  let cur: { id: string; line: number; fields: Record<string, string> } | undefined;
  let field = '';
  readText(path).split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const m = /^\.([A-Z])(?:\s+(.*))?$/.exec(line);
    if (m && m[1] === 'I') {
      cur = { id: (m[2] ?? '').trim(), line: i + 1, fields: {} };
      out.push(cur);
      field = '';
    } else if (m) {
      field = m[1] as string;
      if (!cur) throw inputError('collection_syntax', `${path}:${i + 1}: field .${field} before the first .I record; is this a SMART-format file?`, { stage: 'simulate' });
      cur.fields[field] = (m[2] ?? '').trim();
    } else if (cur && field) {
      cur.fields[field] = `${cur.fields[field] ?? ''} ${line.trim()}`.trim();
    }
  });
  return out;
}

const clean = (s: string) => s.replace(/\s+/g, ' ').replace(/\s+([.,;:])/g, '$1').trim();

/**
 * Cranfield 1400. Queries are numbered 1..225 in file order, as `cranqrel` numbers them (the `.I`
 * ids of cran.qry skip numbers and are kept as `source_id`). Cleverdon grades (1 = complete answer
 * .. 4 = minimum interest; -1 = not relevant) become 1 -> 3, 2 -> 2, 3 -> 2, 4 -> 1; -1 rows are skipped.
 */
export function readCranfield(dir: string): Collection {
  const docs = smartRecords(join(dir, 'cran.all.1400')).map((r) => ({ doc_id: r.id, title: clean(r.fields.T ?? ''), text: clean(r.fields.W ?? '') }));
  const queries = smartRecords(join(dir, 'cran.qry')).map((r, i) => ({ query_id: String(i + 1), text: clean(r.fields.W ?? ''), source_id: r.id }));
  const qrelPath = join(dir, 'cranqrel');
  const map: Record<string, number> = { '1': 3, '2': 2, '3': 2, '4': 1 };
  const qrels: { query_id: string; doc_id: string; grade: number }[] = [];
  readText(qrelPath).split('\n').forEach((line, i) => {
    const f = line.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') return;
    if (f.length < 3) throw inputError('collection_syntax', `${qrelPath}:${i + 1}: expected "query_no doc_id grade", got "${line.trim()}"`, { stage: 'simulate' });
    const g = map[f[2] as string];
    if (g === undefined) return; // -1: judged not relevant
    qrels.push({ query_id: f[0] as string, doc_id: f[1] as string, grade: g });
  });
  return { name: 'cranfield', docs, queries, qrels };
}

function readJsonl(path: string): { line: number; row: Record<string, unknown> }[] {
  const out: { line: number; row: Record<string, unknown> }[] = [];
  readText(path).split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (cause) {
      throw inputError('collection_syntax', `${path}:${i + 1}: not valid JSON (${(cause as Error).message}); each line must be one JSON object`, { stage: 'simulate', cause });
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw inputError('collection_syntax', `${path}:${i + 1}: expected a JSON object`, { stage: 'simulate' });
    out.push({ line: i + 1, row: row as Record<string, unknown> });
  });
  return out;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/**
 * A BEIR folder: corpus.jsonl ({_id, title, text}), queries.jsonl ({_id, text}) and qrels/test.tsv
 * (or, without it, every qrels/*.tsv) with `query-id corpus-id score`. Scores <= 0 are skipped,
 * scores above 3 count as 3.
 */
export function readBeirFolder(dir: string): Collection {
  const corpus = join(dir, 'corpus.jsonl');
  const docs = readJsonl(corpus).map(({ line, row }) => {
    if (row._id === undefined) throw inputError('collection_syntax', `${corpus}:${line}: missing "_id"`, { stage: 'simulate' });
    return { doc_id: str(row._id), title: str(row.title), text: str(row.text) };
  });
  const qpath = join(dir, 'queries.jsonl');
  const queries = readJsonl(qpath).map(({ line, row }) => {
    if (row._id === undefined || row.text === undefined) throw inputError('collection_syntax', `${qpath}:${line}: a query needs "_id" and "text"`, { stage: 'simulate' });
    return { query_id: str(row._id), text: str(row.text) };
  });
  const qdir = join(dir, 'qrels');
  if (!existsSync(qdir)) throw inputError('collection_missing', `${dir}: no qrels/ folder; a BEIR folder needs qrels/test.tsv (query-id, corpus-id, score)`, { stage: 'simulate' });
  const files = existsSync(join(qdir, 'test.tsv')) ? ['test.tsv'] : readdirSync(qdir).filter((f) => f.endsWith('.tsv')).sort();
  if (files.length === 0) throw inputError('collection_missing', `${qdir}: no .tsv file with judgements`, { stage: 'simulate' });
  const qrels: { query_id: string; doc_id: string; grade: number }[] = [];
  for (const f of files) {
    const path = join(qdir, f);
    readText(path).split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const c = line.replace(/\r$/, '').split('\t');
      if (i === 0 && c[0] === 'query-id') return;
      const score = Number(c[2]);
      if (c.length < 3 || !Number.isFinite(score)) throw inputError('collection_syntax', `${path}:${i + 1}: expected "query-id<TAB>corpus-id<TAB>score", got "${line}"`, { stage: 'simulate' });
      if (score > 0) qrels.push({ query_id: c[0] as string, doc_id: c[1] as string, grade: Math.min(3, Math.round(score)) });
    });
  }
  return { name: 'beir', docs, queries, qrels };
}

const QUESTION = /^(what|how|why|when|where|which|who|can|is|are|does|do|has|have|should|could|would)\b/i;

/**
 * A world from a real collection: documents, queries and judgements as given. Each query is its
 * own family; queries without a positive judgement are left out (counted in `notes`). Queries
 * have no frequencies in a test collection, so a seeded Zipf over a random order is used.
 */
export function buildCollectionWorld(coll: Collection, input: SimulateOptionsInput = {}): SimulatedWorld {
  const opts = parseSimulateOptions(input);
  const rng = createRng(opts.seed).fork(`collection:${coll.name}`);
  const endMs = Date.parse(opts.end);
  const pubStart = endMs - opts.world.publishYears * 365.25 * 86400_000;
  const docIds = new Set<string>();
  const docs: SimDoc[] = coll.docs.map((d) => {
    docIds.add(d.doc_id);
    const attractive = rng.next() < opts.world.attractiveShare;
    return {
      doc_id: d.doc_id, title: d.title, text: d.text, category: '', entity: '',
      published_at: Math.round(pubStart + rng.next() * (endMs - pubStart)),
      intents: [] as string[], attractive, popularity: Math.max(0.01, Math.pow(rng.next(), 3)),
    };
  });
  const byQuery = new Map<string, Map<string, number>>();
  let unknownDocs = 0;
  for (const r of coll.qrels) {
    if (!docIds.has(r.doc_id)) { unknownDocs++; continue; }
    let m = byQuery.get(r.query_id);
    if (!m) byQuery.set(r.query_id, (m = new Map()));
    m.set(r.doc_id, Math.max(m.get(r.doc_id) ?? 0, r.grade));
  }
  const notes: string[] = [];
  if (unknownDocs) notes.push(`${unknownDocs} judgements name documents that are not in the corpus: skipped`);
  const judged = coll.queries.filter((q) => byQuery.has(q.query_id));
  if (judged.length < coll.queries.length) notes.push(`${coll.queries.length - judged.length} queries without a positive judgement: left out`);

  const order = shuffleInPlace(judged.map((_, i) => i), rng);
  const zipf = order.map((_, r) => 1 / Math.pow(r + 1, opts.behaviour.intentZipf));
  const zsum = zipf.reduce((a, b) => a + b, 0);
  const queries: SimQuery[] = [];
  const qrels: SimQrel[] = [];
  const seen = new Map<string, SimQuery>();
  const docIntents = new Map<string, string[]>();
  let dupes = 0;
  order.forEach((qi, r) => {
    const q = judged[qi] as (typeof judged)[number];
    const grades = byQuery.get(q.query_id) as Map<string, number>;
    const texts: { text: string; id: string; style: QueryStyle }[] = [{ text: q.text, id: q.query_id, style: QUESTION.test(q.text) || q.text.endsWith('?') ? 'question' : 'keyword' }];
    const words = q.text.split(/\s+/);
    const content = words.map((w, i) => (contentTokens(w).length > 0 ? i : -1)).filter((i) => i >= 0);
    for (let v = 1; v <= opts.world.collectionVariants && content.length > 1; v++) {
      const drop = content[rng.int(content.length)] as number;
      texts.push({ text: words.filter((_, i) => i !== drop).join(' '), id: `${q.query_id}-v${v}`, style: 'keyword' });
    }
    const split = splitOf(q.query_id, opts.testShare, hash32);
    texts.forEach((t, k) => {
      const key = normalizeQuery(t.text);
      if (seen.has(key)) { dupes++; return; }
      const share = texts.length === 1 ? 1 : k === 0 ? 0.6 : 0.4 / (texts.length - 1);
      const sq: SimQuery = { query_id: t.id, query: t.text, family: q.query_id, style: t.style, weight: ((zipf[r] as number) / zsum) * share, split };
      seen.set(key, sq);
      queries.push(sq);
      const sorted = [...grades].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [doc_id, grade] of sorted) {
        qrels.push({ query: t.text, doc_id, grade });
        if (grade >= 2 && k === 0) { const a = docIntents.get(doc_id); if (a) a.push(q.query_id); else docIntents.set(doc_id, [q.query_id]); }
      }
    });
  });
  if (dupes) notes.push(`${dupes} query texts occur more than once: the first family keeps them`);
  const withIntents = docs.map((d) => (docIntents.has(d.doc_id) ? { ...d, intents: docIntents.get(d.doc_id) as string[] } : d));
  const total = queries.reduce((a, q) => a + q.weight, 0);
  return {
    name: coll.name, docs: withIntents, queries: queries.map((q) => ({ ...q, weight: q.weight / total })), qrels, lookalikes: new Map(), conversionKind: 'save', notes,
    examination: examinationCurve(opts.ranker.topK, opts.clicks.examinationExponent),
  };
}
