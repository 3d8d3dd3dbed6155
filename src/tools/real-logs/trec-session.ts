/**
 * TREC Session Track 2014 (the processed click log with relevance labels) as clickforge inputs.
 *
 * Input: the folder `trec-session-2014-clicks` (see `trecSessionDir`): `{train,valid,test}_per_query_quid.txt`
 * (one result page per line: session, query id, 10 doc uids, 10 vertical types, 10 clicks),
 * `human_label_for_NCM_per_query_quid.txt` (the same plus 10 grades), `query_qid.dict` and
 * `url_uid.dict` (Python dict literals).
 * Output: SERP records (src/formats/serp.ts), labels (src/formats/label.ts) and a corpus
 * (src/formats/corpus.ts), in memory (`readTrecSession`) or as JSONL files (`writeTrecSession`).
 * - The log has no timestamps: page i (over train, valid, test, in file order) is at T0 + 30 s x i;
 *   the k-th click of a page (in rank order) at the page's time + k s (`clickTimes: 'spaced'`, the
 *   convention of test/stages/sessions/trec-session.test.ts), or clicks carry no time
 *   (`clickTimes: 'none'`: dwell unknown). Either way the dwell clickforge derives is invented.
 * - Every labelled page is also a page of train/valid/test (same session, query, results and
 *   clicks): it is matched to the first not yet matched such page of its session and adds no SERP
 *   record; a labelled page without a match would become a page of its own (counted: `labelledUnmatched`).
 * - Doc ids are the ClueWeb12 ids of url_uid.dict; query text comes from query_qid.dict.
 * - Labels: one row per (query text, doc) with the MAX grade over the labelled pages that showed it
 *   (`gradeDisagreements` counts pairs whose pages disagree). Grades are -2 (spam), 0..4; relevant
 *   means grade >= 1.
 * - Corpus: `document <doc_id>` for every shown doc (the log has no text; text-based miners and
 *   filters see nothing meaningful).
 * Drops: none; `TrecStats` holds every count.
 * Related: bench/trec-session.ts, docs/design/real-log-trec-session.md.
 * Example: `const log = readTrecSession(trecSessionDir()); await writeTrecSession(log, 'out/trec-inputs')`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { usageError } from '../../errors.js';

export const TREC_SESSION_FOLDER = 'trec-session-2014-clicks';
export const TREC_PAGE_FILES = ['train_per_query_quid.txt', 'valid_per_query_quid.txt', 'test_per_query_quid.txt'] as const;
export const TREC_LABEL_FILE = 'human_label_for_NCM_per_query_quid.txt';
/** First page time (epoch ms); pages are 30 s apart. */
export const TREC_T0 = 1_400_000_000_000;
export const TREC_PAGE_GAP_MS = 30_000;
export const TREC_CLICK_GAP_MS = 1_000;

/** The data folder: `$CLICKFORGE_DATA/trec-session-2014-clicks`, by default `../shared/data` beside the repository. */
export function trecSessionDir(dataRoot: string | undefined = process.env.CLICKFORGE_DATA): string {
  return resolve(dataRoot ?? resolve(import.meta.dirname, '../../../../shared/data'), TREC_SESSION_FOLDER);
}

export function trecSessionPresent(dir: string = trecSessionDir()): boolean {
  return existsSync(join(dir, TREC_PAGE_FILES[0])) && existsSync(join(dir, TREC_LABEL_FILE));
}

/** One result page of the log. */
export interface TrecPage {
  readonly serp_id: string;
  readonly file: string;
  /** 1-based line in `file`. */
  readonly line: number;
  readonly session_id: string;
  readonly query_id: number;
  readonly query: string;
  /** Shown doc ids (ClueWeb12 ids), rank 1 first. */
  readonly results: readonly string[];
  /** 0/1 per rank. */
  readonly clicks: readonly number[];
  readonly ts: number;
}

/** A labelled page: its grades per rank and the page of train/valid/test it is. */
export interface TrecLabelledPage {
  readonly page: TrecPage;
  readonly line: number;
  readonly grades: readonly number[];
}

export interface TrecLabel {
  readonly query: string;
  readonly doc_id: string;
  readonly grade: number;
}

export interface TrecStats {
  readonly pages: number;
  readonly pagesPerFile: Readonly<Record<string, number>>;
  readonly sessions: number;
  readonly clicks: number;
  readonly labelledPages: number;
  readonly labelledClicks: number;
  /** Labelled pages that match no page of train/valid/test (each became a page of its own). */
  readonly labelledUnmatched: number;
  readonly labelledSessions: number;
  /** Shown (labelled page, rank) items. */
  readonly labelledImpressions: number;
  /** Distinct (query text, doc) pairs in the labels. */
  readonly labelPairs: number;
  /** Pairs graded on more than one labelled page. */
  readonly multiplyGraded: number;
  /** Pairs whose pages gave different grades / disagree on relevant (>= 1) or not. */
  readonly gradeDisagreements: number;
  readonly relevanceDisagreements: number;
  readonly docs: number;
  readonly queries: number;
}

export interface TrecSessionLog {
  readonly pages: readonly TrecPage[];
  readonly labelled: readonly TrecLabelledPage[];
  readonly labels: readonly TrecLabel[];
  readonly stats: TrecStats;
}

export interface ReadTrecOptions {
  /** 'spaced': clicks 1 s apart after their page (rank order); 'none': clicks without a time. */
  readonly clickTimes?: 'spaced' | 'none';
}

/** Parse a Python dict literal of str -> int (as in query_qid.dict / url_uid.dict). */
export function parsePythonStrIntDict(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let i = text.indexOf('{') + 1;
  const n = text.length;
  const ws = () => {
    while (i < n && /[\s,]/.test(text[i]!)) i++;
  };
  for (;;) {
    ws();
    if (i >= n || text[i] === '}') break;
    const q = text[i];
    if (q !== "'" && q !== '"') throw usageError('bad_dict', `expected a string key at offset ${i}, found ${JSON.stringify(text.slice(i, i + 20))}`);
    i++;
    let s = '';
    while (i < n && text[i] !== q) {
      const c = text[i]!;
      if (c !== '\\') {
        s += c;
        i++;
        continue;
      }
      const e = text[i + 1] ?? '';
      i += 2;
      if (e === 'n') s += '\n';
      else if (e === 't') s += '\t';
      else if (e === 'r') s += '\r';
      else if (e === 'x' || e === 'u') {
        const len = e === 'x' ? 2 : 4;
        s += String.fromCharCode(parseInt(text.slice(i, i + len), 16));
        i += len;
      } else s += e;
    }
    i++;
    while (i < n && /[\s:]/.test(text[i]!)) i++;
    const m = /^-?\d+/.exec(text.slice(i, i + 24));
    if (!m) throw usageError('bad_dict', `expected an integer value at offset ${i}`);
    out.set(s, Number(m[0]));
    i += m[0].length;
  }
  return out;
}

interface RawLine {
  readonly session: string;
  readonly qid: number;
  readonly docs: number[];
  readonly clicks: number[];
  readonly grades: number[] | null;
  readonly line: number;
}

function readLines(path: string, withGrades: boolean): RawLine[] {
  const out: RawLine[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((l, idx) => {
    if (l.trim() === '') return;
    const f = l.replace(/\r$/, '').split('\t');
    const arr = (s: string | undefined, what: string) => {
      const a = JSON.parse(s ?? 'null') as unknown;
      if (!Array.isArray(a) || a.length !== 10) throw usageError('bad_trec_line', `${path}:${idx + 1}: ${what} is not a list of 10`);
      return a as number[];
    };
    out.push({
      session: f[0]!,
      qid: Number(f[1]),
      docs: arr(f[2], 'results'),
      clicks: arr(f[4], 'clicks'),
      grades: withGrades ? arr(f[5], 'grades') : null,
      line: idx + 1,
    });
  });
  return out;
}

/** Read the log. Throws a usage error naming CLICKFORGE_DATA when the folder is absent. */
export function readTrecSession(dir: string = trecSessionDir()): TrecSessionLog {
  if (!trecSessionPresent(dir)) throw usageError('no_trec_data', `TREC Session 2014 files not found in ${dir}: set CLICKFORGE_DATA to the folder that holds ${TREC_SESSION_FOLDER}/.`);
  const qtext = new Map<number, string>();
  for (const [t, id] of parsePythonStrIntDict(readFileSync(join(dir, 'query_qid.dict'), 'utf8'))) qtext.set(id, t);
  const url = new Map<number, string>();
  for (const [u, id] of parsePythonStrIntDict(readFileSync(join(dir, 'url_uid.dict'), 'utf8'))) url.set(id, u);
  const docId = (uid: number) => url.get(uid) ?? `uid-${uid}`;
  const queryOf = (qid: number) => qtext.get(qid) ?? `q${qid}`;

  const pages: TrecPage[] = [];
  const pagesPerFile: Record<string, number> = {};
  const bySession = new Map<string, { raw: RawLine; page: TrecPage; taken: boolean }[]>();
  const add = (raw: RawLine, file: string) => {
    const page: TrecPage = {
      serp_id: `${file.replace('_per_query_quid.txt', '')}:${raw.line}`,
      file,
      line: raw.line,
      session_id: raw.session,
      query_id: raw.qid,
      query: queryOf(raw.qid),
      results: raw.docs.map(docId),
      clicks: raw.clicks,
      ts: TREC_T0 + pages.length * TREC_PAGE_GAP_MS,
    };
    pages.push(page);
    pagesPerFile[file] = (pagesPerFile[file] ?? 0) + 1;
    let l = bySession.get(raw.session);
    if (!l) bySession.set(raw.session, (l = []));
    const entry = { raw, page, taken: false };
    l.push(entry);
    return entry;
  };
  for (const file of TREC_PAGE_FILES) for (const raw of readLines(join(dir, file), false)) add(raw, file);

  const same = (a: RawLine, b: RawLine) => a.qid === b.qid && a.docs.every((d, i) => d === b.docs[i]) && a.clicks.every((c, i) => c === b.clicks[i]);
  const labelled: TrecLabelledPage[] = [];
  let unmatched = 0;
  for (const raw of readLines(join(dir, TREC_LABEL_FILE), true)) {
    let hit = bySession.get(raw.session)?.find((e) => !e.taken && same(e.raw, raw));
    if (!hit) {
      unmatched++;
      hit = add(raw, TREC_LABEL_FILE);
    }
    hit.taken = true;
    labelled.push({ page: hit.page, line: raw.line, grades: raw.grades! });
  }

  // (query text, doc) -> grades of every labelled page that showed it
  const graded = new Map<string, { query: string; doc_id: string; grades: number[] }>();
  for (const lp of labelled) {
    lp.page.results.forEach((d, r) => {
      const k = `${lp.page.query}\t${d}`;
      let e = graded.get(k);
      if (!e) graded.set(k, (e = { query: lp.page.query, doc_id: d, grades: [] }));
      e.grades.push(lp.grades[r]!);
    });
  }
  let multiply = 0, disagree = 0, relDisagree = 0;
  const labels: TrecLabel[] = [];
  for (const e of graded.values()) {
    if (e.grades.length > 1) multiply++;
    if (new Set(e.grades).size > 1) disagree++;
    if (new Set(e.grades.map((g) => g >= 1)).size > 1) relDisagree++;
    labels.push({ query: e.query, doc_id: e.doc_id, grade: Math.max(...e.grades) });
  }
  labels.sort((a, b) => (a.query < b.query ? -1 : a.query > b.query ? 1 : a.doc_id < b.doc_id ? -1 : a.doc_id > b.doc_id ? 1 : 0));

  const docs = new Set<string>();
  for (const p of pages) for (const d of p.results) docs.add(d);
  const stats: TrecStats = {
    pages: pages.length,
    pagesPerFile,
    sessions: bySession.size,
    clicks: pages.reduce((s, p) => s + p.clicks.reduce((a, c) => a + c, 0), 0),
    labelledPages: labelled.length,
    labelledClicks: labelled.reduce((s, lp) => s + lp.page.clicks.reduce((a, c) => a + c, 0), 0),
    labelledUnmatched: unmatched,
    labelledSessions: new Set(labelled.map((lp) => lp.page.session_id)).size,
    labelledImpressions: labelled.length * 10,
    labelPairs: labels.length,
    multiplyGraded: multiply,
    gradeDisagreements: disagree,
    relevanceDisagreements: relDisagree,
    docs: docs.size,
    queries: new Set(pages.map((p) => p.query)).size,
  };
  return { pages, labelled, labels, stats };
}

/** One SERP record (src/formats/serp.ts) per page. */
export function trecSerpRecords(log: TrecSessionLog, options: ReadTrecOptions = {}): Record<string, unknown>[] {
  const spaced = (options.clickTimes ?? 'spaced') === 'spaced';
  return log.pages.map((p) => {
    const clicks: { doc_id: string; ts?: number }[] = [];
    p.results.forEach((d, r) => {
      if (p.clicks[r] === 1) clicks.push(spaced ? { doc_id: d, ts: p.ts + TREC_CLICK_GAP_MS * (clicks.length + 1) } : { doc_id: d });
    });
    return { serp_id: p.serp_id, session_id: p.session_id, ts: p.ts, query: p.query, results: p.results, clicks };
  });
}

/** The minimal corpus: every shown doc, text "document <doc_id>". */
export function trecCorpus(log: TrecSessionLog): { doc_id: string; text: string }[] {
  const docs = new Set<string>();
  for (const p of log.pages) for (const d of p.results) docs.add(d);
  return [...docs].sort().map((d) => ({ doc_id: d, text: `document ${d}` }));
}

export interface TrecFiles {
  readonly serps: string;
  readonly corpus: string;
  readonly labels: string;
}

const jsonl = (rows: readonly unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

/** Write serps.jsonl, corpus.jsonl and labels.jsonl into `outDir` (created). */
export async function writeTrecSession(log: TrecSessionLog, outDir: string, options: ReadTrecOptions = {}): Promise<TrecFiles> {
  await mkdir(outDir, { recursive: true });
  const files: TrecFiles = { serps: join(outDir, 'serps.jsonl'), corpus: join(outDir, 'corpus.jsonl'), labels: join(outDir, 'labels.jsonl') };
  await writeFile(files.serps, jsonl(trecSerpRecords(log, options)));
  await writeFile(files.corpus, jsonl(trecCorpus(log)));
  await writeFile(files.labels, jsonl(log.labels.map((l) => ({ ...l, source: 'trec-session-2014' }))));
  return files;
}
