/**
 * The TREC Session 2014 converter and measures against the raw files (../shared/data or
 * $CLICKFORGE_DATA; the data tests skip with a message when the folder is absent).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusRow, labelRow, serpRecord } from '../../../src/formats/index.js';
import { calibrationGroups, groupQueries, impressionRates, labelGrades, rateOver, wilson } from '../../../src/tools/real-logs/measure.js';
import {
  parsePythonStrIntDict, readTrecSession, trecCorpus, trecSerpRecords, trecSessionDir, trecSessionPresent,
  TREC_LABEL_FILE, TREC_PAGE_FILES, type TrecSessionLog,
} from '../../../src/tools/real-logs/trec-session.js';
import { normalizeQuery } from '../../../src/text/normalize.js';

describe('parsing and intervals', () => {
  it('reads Python dict literals with both quotes and escapes', () => {
    const m = parsePythonStrIntDict(`{'': 0, 'a b': 1, "it's": 2, 'say \\'hi\\'': 3, 'back\\\\': 4, 'x\\x41': 5, 'chase "data center"': 6}`);
    expect([...m]).toEqual([['', 0], ['a b', 1], ["it's", 2], ["say 'hi'", 3], ['back\\', 4], ['xA', 5], ['chase "data center"', 6]]);
  });
  it('gives Wilson intervals', () => {
    const [lo, hi] = wilson(5, 10);
    expect(lo).toBeCloseTo(0.2366, 3);
    expect(hi).toBeCloseTo(0.7634, 3);
    expect(wilson(0, 0).every(Number.isNaN)).toBe(true);
    expect(rateOver([3, undefined, 0, -2, 1], (g) => g)).toMatchObject({ n: 4, relevant: 2, rate: 0.5 });
  });
});

const DIR = trecSessionDir();
const present = trecSessionPresent(DIR);
if (!present) console.warn(`[skip] TREC Session data not found at ${DIR}; set CLICKFORGE_DATA to the folder holding trec-session-2014-clicks/ to run these tests.`);

/** The raw file as plain columns, parsed here without the converter. */
function raw(file: string): { session: string; qid: string; docs: number[]; clicks: number[]; grades: number[] }[] {
  return readFileSync(join(DIR, file), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => {
    const c = l.split('\t');
    const nums = (s: string | undefined) => (s ?? '').replace(/[[\]\s]/g, '').split(',').map(Number);
    return { session: c[0]!, qid: c[1]!, docs: nums(c[2]), clicks: nums(c[4]), grades: c[5] ? nums(c[5]) : [] };
  });
}

describe.skipIf(!present)('TREC Session 2014 converter (real log)', () => {
  let log: TrecSessionLog;
  let pageFiles: ReturnType<typeof raw>[];
  let labelled: ReturnType<typeof raw>;
  beforeAll(() => {
    log = readTrecSession(DIR);
    pageFiles = TREC_PAGE_FILES.map((f) => raw(f));
    labelled = raw(TREC_LABEL_FILE);
  });

  it('keeps every page and click of train/valid/test and every labelled page', () => {
    const pages = pageFiles.reduce((s, f) => s + f.length, 0);
    const clicks = pageFiles.flat().reduce((s, p) => s + p.clicks.reduce((a, b) => a + b, 0), 0);
    expect(log.stats.pages).toBe(pages);
    expect(log.stats.clicks).toBe(clicks);
    TREC_PAGE_FILES.forEach((f, i) => expect(log.stats.pagesPerFile[f]).toBe(pageFiles[i]!.length));
    expect(log.stats.sessions).toBe(new Set(pageFiles.flat().map((p) => p.session)).size);
    expect(log.stats.labelledPages).toBe(labelled.length);
    expect(log.stats.labelledClicks).toBe(labelled.reduce((s, p) => s + p.clicks.reduce((a, b) => a + b, 0), 0));
    // every labelled page is one of the pages (same session, results and clicks), each used once
    expect(log.stats.labelledUnmatched).toBe(0);
    expect(new Set(log.labelled.map((l) => l.page.serp_id)).size).toBe(labelled.length);
    log.labelled.forEach((l, i) => {
      expect(l.page.session_id).toBe(labelled[i]!.session);
      expect(l.page.clicks).toEqual(labelled[i]!.clicks);
      expect(l.grades).toEqual(labelled[i]!.grades);
    });
  });

  it('writes valid SERP records, labels and corpus rows that cover every shown doc', () => {
    for (const clickTimes of ['spaced', 'none'] as const) {
      const serps = trecSerpRecords(log, { clickTimes });
      expect(serps.length).toBe(log.stats.pages);
      let clicks = 0;
      for (const s of serps) {
        const r = serpRecord.parse(s);
        clicks += r.clicks?.length ?? 0;
        for (const c of r.clicks ?? []) {
          expect(r.results).toContain(c.doc_id);
          if (clickTimes === 'none') expect(c.ts).toBeUndefined();
          else expect(Number(c.ts)).toBeGreaterThan(Number(r.ts));
        }
      }
      expect(clicks).toBe(log.stats.clicks);
    }
    const corpus = trecCorpus(log);
    for (const d of corpus) corpusRow.parse(d);
    expect(new Set(corpus.map((d) => d.doc_id))).toEqual(new Set(log.pages.flatMap((p) => p.results)));
    for (const l of log.labels) labelRow.parse(l);
    // one label per distinct (query id, doc uid) of the labelled file: the dicts are one-to-one
    expect(log.labels.length).toBe(new Set(labelled.flatMap((p) => p.docs.map((d) => `${p.qid}\t${d}`))).size);
  });

  it('computes the per-result rates of the labelled file as a straightforward count does', () => {
    let n = 0, rel = 0, cn = 0, crel = 0, sn = 0, srel = 0;
    for (const p of labelled) {
      const last = p.clicks.lastIndexOf(1);
      p.grades.forEach((g, r) => {
        n++;
        if (g >= 1) rel++;
        if (p.clicks[r] === 1) {
          cn++;
          if (g >= 1) crel++;
        } else if (r < last) {
          sn++;
          if (g >= 1) srel++;
        }
      });
    }
    const imp = impressionRates(log);
    expect([imp.shown.n, imp.shown.relevant, imp.clicked.n, imp.clicked.relevant, imp.skippedAbove.n, imp.skippedAbove.relevant]).toEqual([n, rel, cn, crel, sn, srel]);
    expect(imp.shown.n).toBe(8560);
    expect(imp.clicked.n).toBe(502);
    expect(imp.shown.rate.toFixed(3)).toBe('0.350');
    expect(imp.clicked.rate.toFixed(3)).toBe('0.586');
    expect(imp.skippedAbove.rate.toFixed(3)).toBe('0.433');
  });

  it('combines repeated grades by max and counts the disagreements', () => {
    const lab = labelGrades(log);
    const all = new Map<string, number[]>();
    for (const l of log.labelled) l.page.results.forEach((d, r) => {
      const k = `${normalizeQuery(l.page.query)}\t${d}`;
      all.set(k, [...(all.get(k) ?? []), l.grades[r]!]);
    });
    expect(lab.grade.size).toBe(all.size);
    for (const [k, g] of all) expect(lab.grade.get(k)).toBe(Math.max(...g));
    expect(lab.relevanceDisagreements).toBe([...all.values()].filter((g) => g.some((x) => x >= 1) && g.some((x) => x < 1)).length);
    expect(lab.relevanceDisagreements).toBeLessThan(0.01 * all.size);
  });

  it('never puts one session or query on both sides of the calibration split', () => {
    const groupOf = groupQueries(log);
    const weight = new Map<string, number>();
    for (const k of labelGrades(log).grade.keys()) {
      const g = groupOf.get(k.slice(0, k.indexOf('\t')))!;
      expect(g).toBeDefined();
      weight.set(g, (weight.get(g) ?? 0) + 1);
    }
    const cal = calibrationGroups(weight, 0.2, 42);
    const sideOfSession = new Map<string, boolean>();
    for (const p of log.pages) {
      const side = cal.has(groupOf.get(normalizeQuery(p.query))!);
      expect(sideOfSession.get(p.session_id) ?? side).toBe(side);
      sideOfSession.set(p.session_id, side);
    }
    const calPairs = [...weight].filter(([g]) => cal.has(g)).reduce((s, [, w]) => s + w, 0);
    const total = [...weight.values()].reduce((a, b) => a + b, 0);
    expect(calPairs / total).toBeGreaterThanOrEqual(0.2);
    expect(calPairs / total).toBeLessThan(0.3);
    expect(calibrationGroups(weight, 0.2, 42)).toEqual(cal);
  });
});
