/**
 * Streaming parser for the Yandex Relevance Prediction Challenge sample format.
 *
 * ## Input
 * Result pages separated by `;` (many per line):
 * `<query_id>_<region>\t<d1>,<d2>,...,<d10> : <clicked>,<clicked>`. The query key is the whole
 * `<query_id>_<region>` string (as in the reference run: 20 keys in trainSample).
 *
 * ## Output
 * Compact typed arrays (`ResultPages`): per page the query index, the doc indices in rank order and
 * a click bitmask; plus the 1-based source line of every page.
 *
 * ## Drops
 * - `click_not_shown`: a clicked id that is not in the shown list. The page is kept with its other
 *   clicks; each such click is a quarantine row (line, reason, the page text).
 * - `duplicate_click`: the same result clicked again on one page (PBM is binary: counted once).
 * - `malformed_page`: no tab or no `:` or an empty id; `wrong_result_count`: not `ranks` results.
 *   The whole page goes to quarantine.
 *
 * ## Example
 * ```ts
 * const dict = createRelPredDictionary();
 * const train = await readYandexRelPred('trainSample', { dictionary: dict });
 * const test = await readYandexRelPred('testSample', { dictionary: dict });
 * const counts = clickCountsFromPages({ train: train.pages, holdout: test.pages });
 * ```
 */
import { createReadStream } from 'node:fs';
import type { QuarantineRow, StageStats } from '../../types.js';
import { inputError, usageError } from '../../errors.js';
import type { ResultPages } from '../../ports/index.js';
import { intern } from '../../util/intern.js';

const STAGE = 'bias';

/** Query and document dictionaries; share one between the train and test files so indices agree. */
export interface RelPredDictionary {
  readonly queries: string[];
  readonly docIds: string[];
  readonly queryIndex: Map<string, number>;
  readonly docIndex: Map<string, number>;
}

export function createRelPredDictionary(): RelPredDictionary {
  return { queries: [], docIds: [], queryIndex: new Map(), docIndex: new Map() };
}

export interface RelPredOptions {
  readonly dictionary?: RelPredDictionary;
  /** Results per page (default 10, at most 32: clicks are a 32-bit mask). */
  readonly ranks?: number;
  readonly signal?: AbortSignal;
}

export interface RelPredResult {
  readonly pages: ResultPages;
  /** 1-based source line of each page. */
  readonly line: Int32Array;
  readonly quarantine: readonly QuarantineRow[];
  readonly stats: StageStats;
}


const numericCache = new WeakMap<RelPredDictionary, Map<number, number>>();

/** A cache over `docIndex` keyed by the value of decimal ids, shared by every parser of a dictionary. */
function numericIds(dict: RelPredDictionary): Map<number, number> {
  let m = numericCache.get(dict);
  if (m === undefined) numericCache.set(dict, (m = new Map()));
  return m;
}

/** Incremental parser: push text chunks in order, then `finish()`. */
export class RelPredParser {
  private readonly dict: RelPredDictionary;
  private readonly ranks: number;
  private partial = '';
  private lineNo = 1;
  private segLine = 1;
  private nPages = 0;
  private query = new Int32Array(4096);
  private docs: Int32Array;
  private clicks = new Uint32Array(4096);
  private lines = new Int32Array(4096);
  private readonly quarantine: QuarantineRow[] = [];
  private readonly dropped: Record<string, number> = {};
  private segments = 0;
  private clickIds = 0;
  private clicksKept = 0;
  private readonly shown: number[] = [];

  constructor(private readonly file: string, opts: RelPredOptions = {}) {
    this.dict = opts.dictionary ?? createRelPredDictionary();
    this.ranks = opts.ranks ?? 10;
    if (!Number.isInteger(this.ranks) || this.ranks < 1 || this.ranks > 32) {
      throw usageError('bad_option', `ranks must be an integer in 1..32 (got ${this.ranks}): clicks are stored as a 32-bit mask`, { stage: STAGE });
    }
    this.docs = new Int32Array(4096 * this.ranks);
  }

  push(chunk: string): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      if (ch === 59 /* ; */ || ch === 10 /* \n */) {
        if (this.partial.length > 0) {
          const seg = this.partial + chunk.slice(start, i);
          this.partial = '';
          this.segmentAt(seg, 0, seg.length);
        } else {
          this.segmentAt(chunk, start, i);
        }
        start = i + 1;
        if (ch === 10) this.lineNo++;
        this.segLine = this.lineNo;
      }
    }
    this.partial += chunk.slice(start);
  }

  finish(): RelPredResult {
    if (this.partial.length > 0) this.segment(this.partial);
    this.partial = '';
    const n = this.nPages;
    const pages: ResultPages = {
      nPages: n,
      nRanks: this.ranks,
      query: this.query.slice(0, n),
      docs: this.docs.slice(0, n * this.ranks),
      clicks: this.clicks.slice(0, n),
      queries: this.dict.queries,
      docIds: this.dict.docIds,
    };
    const stats: StageStats = {
      stage: STAGE,
      in: { segments: this.segments, click_ids: this.clickIds },
      out: { pages: n, clicks: this.clicksKept, queries: new Set(pages.query).size },
      dropped: { ...this.dropped },
      notes: this.dropped.click_not_shown
        ? [`${this.file}: ${this.dropped.click_not_shown} clicks name a document that is not in the shown list; they are in quarantine (reason click_not_shown) and not counted.`]
        : [],
    };
    return { pages, line: this.lines.slice(0, n), quarantine: this.quarantine, stats };
  }

  private drop(reason: string, detail: string, raw: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
    this.quarantine.push({ kind: 'Quarantine', stage: STAGE, input: 'serps', file: this.file, line: this.segLine, reason, detail, raw: raw.slice(0, 2000) });
  }

  private count(reason: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  /**
   * The common page (digit ids, no stray whitespace) parsed in place, without slicing or splitting;
   * anything else, and every page that drops something, goes through `segment`, which decides.
   */
  private segmentAt(text: string, from: number, to: number): void {
    if (!this.fastPage(text, from, to)) this.segment(text.slice(from, to));
  }

  private fastPage(text: string, from: number, to: number): boolean {
    let i = from;
    while (i < to && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 13)) i++;
    if (i === to) return false;
    const qStart = i;
    while (i < to && text.charCodeAt(i) > 32) i++;
    if (i === qStart || i === to || text.charCodeAt(i) !== 9 /* \t */) return false;
    const qEnd = i++;
    const shown = this.shown;
    shown.length = 0;
    for (;;) {
      const d = this.digitId(text, i, to);
      if (d < 0) return false;
      shown.push(d);
      i = this.idEnd;
      const ch = i < to ? text.charCodeAt(i) : -1;
      if (ch === 44 /* , */) { i++; continue; }
      while (i < to && text.charCodeAt(i) === 32) i++;
      if (i < to && text.charCodeAt(i) === 58 /* : */) { i++; break; }
      return false;
    }
    if (shown.length !== this.ranks) return false;
    let mask = 0;
    let nClicks = 0;
    for (;;) {
      while (i < to && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 13)) i++;
      if (i === to) break;
      const d = this.digitId(text, i, to, false);
      if (d < 0) return false;
      const r = shown.indexOf(d);
      if (r < 0 || mask & (1 << r)) return false;
      mask |= 1 << r;
      nClicks++;
      i = this.idEnd;
      while (i < to && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 13)) i++;
      if (i === to) break;
      if (text.charCodeAt(i) !== 44) return false;
      i++;
    }
    this.segments++;
    this.clickIds += nClicks;
    this.clicksKept += nClicks;
    const p = this.nPages++;
    if (p >= this.query.length) this.grow();
    this.query[p] = intern(this.dict.queryIndex, this.dict.queries, text.slice(qStart, qEnd));
    this.docs.set(shown, p * this.ranks);
    this.clicks[p] = mask >>> 0;
    this.lines[p] = this.segLine;
    return true;
  }

  /** End of the id last read by `digitId`. */
  private idEnd = 0;

  /**
   * The dictionary index of the decimal id at `i` (no sign, no leading zero, at most 15 digits, so
   * that the number names the string exactly), interning it when `add`; -1 when it is not such an
   * id or, without `add`, not in the dictionary.
   */
  private digitId(text: string, i: number, to: number, add = true): number {
    let v = 0;
    const start = i;
    while (i < to) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      i++;
    }
    const n = i - start;
    if (n === 0 || n > 15 || (n > 1 && text.charCodeAt(start) === 48)) return -1;
    this.idEnd = i;
    const cache = numericIds(this.dict);
    let d = cache.get(v);
    if (d === undefined) {
      const id = text.slice(start, i);
      d = add ? intern(this.dict.docIndex, this.dict.docIds, id) : this.dict.docIndex.get(id);
      if (d === undefined) return -1;
      cache.set(v, d);
    }
    return d;
  }

  private segment(raw: string): void {
    const seg = raw.trim();
    if (seg.length === 0) return;
    this.segments++;
    const tab = seg.indexOf('\t');
    const colon = seg.indexOf(':', tab + 1);
    if (tab <= 0 || colon < 0) {
      this.drop('malformed_page', 'expected "<query_id>_<region>\\t<d1>,...,<dN> : <clicked>,..."', seg);
      return;
    }
    const q = seg.slice(0, tab).trim();
    const ids = seg.slice(tab + 1, colon).split(',');
    if (ids.length !== this.ranks) {
      this.drop('wrong_result_count', `expected ${this.ranks} results, found ${ids.length}; set ranks to the page length of your file`, seg);
      return;
    }
    const shown = this.shown;
    shown.length = 0;
    for (const id of ids) {
      const t = id.trim();
      if (t.length === 0) {
        this.drop('malformed_page', 'empty document id in the shown list', seg);
        return;
      }
      shown.push(intern(this.dict.docIndex, this.dict.docIds, t));
    }
    let mask = 0;
    const clickPart = seg.slice(colon + 1);
    if (clickPart.trim().length > 0) {
      for (const c of clickPart.split(',')) {
        const t = c.trim();
        if (t.length === 0) continue;
        this.clickIds++;
        const d = this.dict.docIndex.get(t);
        const r = d === undefined ? -1 : shown.indexOf(d);
        if (r < 0) {
          this.drop('click_not_shown', `clicked document ${t} is not among the ${this.ranks} shown results of query ${q}`, seg);
          continue;
        }
        const bit = 1 << r;
        if (mask & bit) this.count('duplicate_click');
        else this.clicksKept++;
        mask |= bit;
      }
    }
    const i = this.nPages++;
    if (i >= this.query.length) this.grow();
    this.query[i] = intern(this.dict.queryIndex, this.dict.queries, q);
    this.docs.set(shown, i * this.ranks);
    this.clicks[i] = mask >>> 0;
    this.lines[i] = this.segLine;
  }

  private grow(): void {
    const cap = this.query.length * 2;
    const q = new Int32Array(cap); q.set(this.query); this.query = q;
    const d = new Int32Array(cap * this.ranks); d.set(this.docs); this.docs = d;
    const c = new Uint32Array(cap); c.set(this.clicks); this.clicks = c;
    const l = new Int32Array(cap); l.set(this.lines); this.lines = l;
  }
}

/** Parse text already in memory (tests, small inputs). */
export function parseYandexRelPred(text: string, file = '<inline>', opts: RelPredOptions = {}): RelPredResult {
  const p = new RelPredParser(file, opts);
  p.push(text);
  return p.finish();
}

/** Stream a file through the parser; memory is the typed arrays plus one chunk. */
export async function readYandexRelPred(path: string, opts: RelPredOptions = {}): Promise<RelPredResult> {
  const p = new RelPredParser(path, opts);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      if (opts.signal?.aborted) throw usageError('aborted', `reading ${path} was aborted`, { stage: STAGE });
      p.push(chunk as string);
    }
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ENOENT' || (cause as { code?: string }).code === 'EACCES') {
      throw inputError('unreadable_input', `cannot read ${path}: ${(cause as Error).message}. Check the path to the Yandex relevance-prediction file.`, { stage: STAGE, cause });
    }
    throw cause;
  } finally {
    stream.destroy();
  }
  return p.finish();
}
