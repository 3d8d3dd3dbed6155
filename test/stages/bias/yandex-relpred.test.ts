import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRelPredDictionary, parseYandexRelPred, readYandexRelPred, RelPredParser } from '../../../src/adapters/sources/yandex-relpred.js';
import { clickCountsFromPages } from '../../../src/stages/bias/counts.js';

const TEXT = [
  '7_1\ta,b,c : b , a; 7_1\ta,b,c :; 8_2\tc,a,b : z, c ; ',
  '8_2\tc,a,b : a , a; broken line without tab; 7_1\ta,b : a;',
].join('\n');

describe('Yandex relevance-prediction parser', () => {
  const res = parseYandexRelPred(TEXT, 'fixture.txt', { ranks: 3 });

  it('reads pages separated by ; across lines into typed arrays', () => {
    expect(res.pages.nPages).toBe(4);
    expect(res.pages.queries).toEqual(['7_1', '8_2']);
    expect(Array.from(res.pages.query)).toEqual([0, 0, 1, 1]);
    expect(res.pages.docIds.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(Array.from(res.pages.docs.slice(6, 9)).map((d) => res.pages.docIds[d])).toEqual(['c', 'a', 'b']);
    // page 1: clicks on b (rank 2) and a (rank 1); page 3: c (rank 1); page 4: a twice (rank 2).
    expect(Array.from(res.pages.clicks)).toEqual([0b011, 0, 0b001, 0b010]);
    expect(Array.from(res.line)).toEqual([1, 1, 1, 2]);
  });

  it('quarantines clicks on documents not shown, with line and reason, and keeps the page', () => {
    const q = res.quarantine.filter((r) => r.reason === 'click_not_shown');
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ file: 'fixture.txt', line: 1, stage: 'bias' });
    expect(q[0]!.detail).toContain('z');
    expect(q[0]!.raw).toContain('8_2');
    expect(res.stats.dropped.click_not_shown).toBe(1);
    expect(res.stats.notes!.join(' ')).toMatch(/not in the shown list/);
  });

  it('counts every input: pages, malformed, wrong length, duplicate clicks', () => {
    expect(res.stats.dropped).toEqual({ click_not_shown: 1, duplicate_click: 1, malformed_page: 1, wrong_result_count: 1 });
    expect(res.stats.in.segments).toBe(res.pages.nPages + 2);
    expect(res.stats.in.click_ids).toBe(res.stats.out.clicks! + 2);
    expect(res.quarantine.find((r) => r.reason === 'wrong_result_count')!.line).toBe(2);
  });

  it('gives the same result whatever the chunking', () => {
    const p = new RelPredParser('fixture.txt', { ranks: 3 });
    for (const ch of TEXT) p.push(ch);
    const byChar = p.finish();
    expect(Array.from(byChar.pages.clicks)).toEqual(Array.from(res.pages.clicks));
    expect(Array.from(byChar.line)).toEqual(Array.from(res.line));
    expect(byChar.quarantine).toEqual(res.quarantine);
  });

  it('streams a file and shares dictionaries between train and test', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relpred-'));
    try {
      await writeFile(join(dir, 'train'), '1_1\tx,y : y;1_1\ty,x : y;');
      await writeFile(join(dir, 'test'), '1_1\tx,w : w;');
      const dict = createRelPredDictionary();
      const tr = await readYandexRelPred(join(dir, 'train'), { ranks: 2, dictionary: dict });
      const te = await readYandexRelPred(join(dir, 'test'), { ranks: 2, dictionary: dict });
      expect(te.pages.docIds).toEqual(['x', 'y', 'w']);
      const c = clickCountsFromPages({ train: tr.pages, holdout: te.pages });
      expect(c.pairQuery.length).toBe(3);
      expect(c.train.pages).toBe(2);
      expect(c.holdout.pages).toBe(1);
      expect(Array.from(c.train.clicks).reduce((a, b) => a + b, 0)).toBe(2);
      await expect(readYandexRelPred(join(dir, 'missing'))).rejects.toThrow(/cannot read .*missing/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads digit ids (the fast path) exactly as it reads any other ids', () => {
    const digits: Record<string, string> = { a: '11', b: '22', c: '33', z: '99' };
    const asDigits = TEXT.replace(/\t([a-z,]+) :([^;\n]*)/g, (_m, shown: string, clicks: string) =>
      `\t${shown.replace(/[a-z]/g, (ch) => digits[ch]!)} :${clicks.replace(/[a-z]/g, (ch) => digits[ch]!)}`);
    expect(asDigits).toContain('\t33,11,22 : 99, 33 ;');
    const d = parseYandexRelPred(asDigits, 'fixture.txt', { ranks: 3 });
    expect(d.pages.docIds.slice(0, 3)).toEqual(['11', '22', '33']);
    expect(Array.from(d.pages.docs)).toEqual(Array.from(res.pages.docs));
    expect(Array.from(d.pages.clicks)).toEqual(Array.from(res.pages.clicks));
    expect(Array.from(d.line)).toEqual(Array.from(res.line));
    expect(d.stats).toEqual(res.stats);
    expect(d.quarantine.map((r) => [r.reason, r.line])).toEqual(res.quarantine.map((r) => [r.reason, r.line]));
  });

  it('keeps ids that differ only by leading zeros or beyond 15 digits apart, with CRLF line ends', () => {
    const text = '1_1\t7,007,1234567890123456 : 007 ;\r\n1_1\t1234567890123457,7,0 : 1234567890123456, 0\r\n1_1\t7,0,007 :7\r\n';
    const r = parseYandexRelPred(text, 'z.txt', { ranks: 3 });
    expect(r.pages.docIds).toEqual(['7', '007', '1234567890123456', '1234567890123457', '0']);
    expect(r.pages.nPages).toBe(3);
    expect(Array.from(r.pages.clicks)).toEqual([0b010, 0b100, 0b001]);
    expect(r.stats.dropped).toEqual({ click_not_shown: 1 });
    expect(r.quarantine[0]).toMatchObject({ line: 2, reason: 'click_not_shown' });
    expect(Array.from(r.line)).toEqual([1, 2, 3]);
  });

  it('finds a click on a document first seen in another file of the same dictionary', () => {
    const dict = createRelPredDictionary();
    parseYandexRelPred('1_1\t5,6 :', 'a', { ranks: 2, dictionary: dict });
    const b = parseYandexRelPred('1_1\t6,8 : 6', 'b', { ranks: 2, dictionary: dict });
    expect(Array.from(b.pages.clicks)).toEqual([0b01]);
    expect(b.stats.out.clicks).toBe(1);
  });

  it('rejects a page length that does not fit the click mask', () => {
    expect(() => parseYandexRelPred('', 'x', { ranks: 40 })).toThrow(/1\.\.32/);
  });
});
