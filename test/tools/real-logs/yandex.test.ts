/**
 * The Yandex relevance-prediction converter: on an inline fixture always, and on the real sample
 * (../shared/data or $CLICKFORGE_DATA) when present; those tests skip with a message otherwise.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusRow, serpRecord } from '../../../src/formats/index.js';
import { readYandexSample, yandexCorpus, yandexSampleDir, yandexSamplePresent, yandexSerpRecords, YANDEX_PAGE_GAP_MS } from '../../../src/tools/real-logs/yandex.js';

describe('Yandex converter on a fixture', () => {
  it('one SERP record per page, its own session, clicks in rank order without a time; dropped clicks counted per file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-yandex-'));
    writeFileSync(join(dir, 'trainSample'), '7_1\ta,b,c : c , a; 7_1\tb,a,c :;\n8_2\tc,a,b : z, c, c ;');
    writeFileSync(join(dir, 'testSample'), '7_1\ta,c,b : b;');
    const log = await readYandexSample(dir, { ranks: 3 });
    expect(log.stats).toMatchObject({ pages: 4, pagesPerFile: { trainSample: 3, testSample: 1 }, clicks: 4, queries: 2, docs: 3 });
    expect(log.stats.dropped.trainSample).toMatchObject({ click_not_shown: 1, duplicate_click: 1 });
    const serps = yandexSerpRecords(log);
    expect(serps[0]).toEqual({ serp_id: 'trainSample:1', session_id: 'trainSample:1', ts: log.pages[0]!.ts, query: '7_1', results: ['a', 'b', 'c'], clicks: [{ doc_id: 'a' }, { doc_id: 'c' }] });
    expect(serps[3]).toMatchObject({ serp_id: 'testSample:1', results: ['a', 'c', 'b'], clicks: [{ doc_id: 'b' }] });
    expect(log.pages[3]!.ts - log.pages[0]!.ts).toBe(3 * YANDEX_PAGE_GAP_MS);
    for (const s of serps) expect(serpRecord.safeParse(s).success).toBe(true);
    expect(yandexCorpus(log)).toEqual(['a', 'b', 'c'].map((d) => ({ doc_id: d, text: `document ${d}` })));
    for (const c of yandexCorpus(log)) expect(corpusRow.safeParse(c).success).toBe(true);
  });
});

const DIR = yandexSampleDir();
const present = yandexSamplePresent(DIR);
if (!present) console.warn(`[skip] Yandex relevance-prediction sample not found at ${DIR}; set CLICKFORGE_DATA to the folder holding yandex-relpred-sample/ to run these tests.`);

describe.skipIf(!present)('Yandex converter (real sample)', () => {
  it('keeps every page and every click the parser keeps (counted against the raw text)', async () => {
    const log = await readYandexSample(DIR);
    const raw = ['trainSample', 'testSample'].map((f) => readFileSync(join(DIR, f), 'utf8').split(';').filter((p) => p.includes('\t')));
    expect(log.stats.pagesPerFile).toEqual({ trainSample: raw[0]!.length, testSample: raw[1]!.length });
    expect(log.stats.pagesPerFile.trainSample).toBe(35064); // as in REFERENCE.md
    expect(log.stats.pagesPerFile.testSample).toBe(21413);
    // distinct shown clicked ids per page, as the README defines a click
    let clicks = 0;
    for (const p of raw.flat()) {
      const [head, tail = ''] = p.split(':');
      const shown = new Set((head!.split('\t')[1] ?? '').split(',').map((s) => s.trim()));
      clicks += new Set(tail.split(',').map((s) => s.trim()).filter((d) => d && shown.has(d))).size;
    }
    expect(log.stats.clicks).toBe(clicks);
    expect(log.stats.queries).toBe(20);
  }, 60_000);
});
