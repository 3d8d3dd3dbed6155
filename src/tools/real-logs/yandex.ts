/**
 * The Yandex relevance-prediction sample (a real click log without labels) as clickforge inputs.
 *
 * Input: the folder `yandex-relpred-sample` (see `yandexSampleDir`): `trainSample` and
 * `testSample`, result pages `<query_id>_<region>\t<d1>,...,<d10> : <clicked>, ...` separated by `;`
 * (src/adapters/sources/yandex-relpred.ts parses them).
 * Output: SERP records (src/formats/serp.ts) and a corpus (src/formats/corpus.ts), in memory
 * (`readYandexSample`) or as JSONL files (`writeYandexSample`).
 * - The log has no sessions, times or dwell: each page is a session of its own, page i (over
 *   trainSample then testSample, in file order) is at T0 + 30 s x i, and clicks carry no time
 *   (dwell unknown).
 * - The query text is the query key `<query_id>_<region>` (20 keys in trainSample, as in the
 *   PyClick reference); doc ids are the sample's ids.
 * - Corpus: `document <doc_id>` for every shown doc (the log has no text).
 * Drops: what the parser drops (malformed pages, wrong result counts, clicks on documents not
 * shown, repeated clicks), counted in `YandexStats.dropped` per file.
 * Related: src/adapters/sources/yandex-relpred.ts, bench/pbm-yandex.ts.
 * Example: `await writeYandexSample(await readYandexSample(), 'out/yandex-inputs')`.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRelPredDictionary, readYandexRelPred } from '../../adapters/sources/yandex-relpred.js';
import { usageError } from '../../errors.js';

export const YANDEX_SAMPLE_FOLDER = 'yandex-relpred-sample';
export const YANDEX_FILES = ['trainSample', 'testSample'] as const;
/** First page time (epoch ms); pages are 30 s apart. */
export const YANDEX_T0 = 1_300_000_000_000;
export const YANDEX_PAGE_GAP_MS = 30_000;

/** The data folder: `$CLICKFORGE_DATA/yandex-relpred-sample`, by default `../shared/data` beside the repository. */
export function yandexSampleDir(dataRoot: string | undefined = process.env.CLICKFORGE_DATA): string {
  return resolve(dataRoot ?? resolve(import.meta.dirname, '../../../../shared/data'), YANDEX_SAMPLE_FOLDER);
}

export function yandexSamplePresent(dir: string = yandexSampleDir()): boolean {
  return YANDEX_FILES.every((f) => existsSync(join(dir, f)));
}

export interface YandexPage {
  readonly serp_id: string;
  readonly query: string;
  readonly results: readonly string[];
  readonly clicks: readonly string[];
  readonly ts: number;
}

export interface YandexStats {
  readonly pages: number;
  readonly pagesPerFile: Readonly<Record<string, number>>;
  readonly clicks: number;
  readonly queries: number;
  readonly docs: number;
  /** What the parser dropped, per file (reason -> count). */
  readonly dropped: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface YandexSample {
  readonly pages: readonly YandexPage[];
  readonly stats: YandexStats;
}

export interface ReadYandexOptions {
  readonly files?: readonly string[];
  /** Results per page (default 10, as in the sample). */
  readonly ranks?: number;
}

/** Read the files (both by default) with one dictionary. Throws a usage error naming CLICKFORGE_DATA when the folder is absent. */
export async function readYandexSample(dir: string = yandexSampleDir(), options: ReadYandexOptions = {}): Promise<YandexSample> {
  const files = options.files ?? YANDEX_FILES;
  if (!files.every((f) => existsSync(join(dir, f)))) throw usageError('no_yandex_data', `Yandex relevance-prediction sample not found in ${dir}: set CLICKFORGE_DATA to the folder that holds ${YANDEX_SAMPLE_FOLDER}/.`);
  const dictionary = createRelPredDictionary();
  const pages: YandexPage[] = [];
  const pagesPerFile: Record<string, number> = {};
  const dropped: Record<string, Record<string, number>> = {};
  for (const file of files) {
    const r = await readYandexRelPred(join(dir, file), { dictionary, ...(options.ranks ? { ranks: options.ranks } : {}) });
    const p = r.pages;
    for (let i = 0; i < p.nPages; i++) {
      const results: string[] = [];
      const clicks: string[] = [];
      for (let k = 0; k < p.nRanks; k++) {
        const d = p.docs[i * p.nRanks + k] as number;
        if (d < 0) continue;
        const id = p.docIds[d] as string;
        results.push(id);
        if (((p.clicks[i] as number) >>> k) & 1) clicks.push(id);
      }
      pages.push({ serp_id: `${file}:${i + 1}`, query: p.queries[p.query[i] as number] as string, results, clicks, ts: YANDEX_T0 + pages.length * YANDEX_PAGE_GAP_MS });
    }
    pagesPerFile[file] = p.nPages;
    dropped[file] = { ...r.stats.dropped };
  }
  const docs = new Set<string>();
  for (const pg of pages) for (const d of pg.results) docs.add(d);
  return {
    pages,
    stats: { pages: pages.length, pagesPerFile, clicks: pages.reduce((s, pg) => s + pg.clicks.length, 0), queries: new Set(pages.map((pg) => pg.query)).size, docs: docs.size, dropped },
  };
}

/** One SERP record per page; each page is its own session. */
export function yandexSerpRecords(log: YandexSample): Record<string, unknown>[] {
  return log.pages.map((p) => ({ serp_id: p.serp_id, session_id: p.serp_id, ts: p.ts, query: p.query, results: p.results, clicks: p.clicks.map((d) => ({ doc_id: d })) }));
}

/** The minimal corpus: every shown doc, text "document <doc_id>". */
export function yandexCorpus(log: YandexSample): { doc_id: string; text: string }[] {
  const docs = new Set<string>();
  for (const p of log.pages) for (const d of p.results) docs.add(d);
  return [...docs].sort().map((d) => ({ doc_id: d, text: `document ${d}` }));
}

const jsonl = (rows: readonly unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

/** Write serps.jsonl and corpus.jsonl into `outDir` (created). */
export async function writeYandexSample(log: YandexSample, outDir: string): Promise<{ readonly serps: string; readonly corpus: string }> {
  await mkdir(outDir, { recursive: true });
  const files = { serps: join(outDir, 'serps.jsonl'), corpus: join(outDir, 'corpus.jsonl') };
  await writeFile(files.serps, jsonl(yandexSerpRecords(log)));
  await writeFile(files.corpus, jsonl(yandexCorpus(log)));
  return files;
}
