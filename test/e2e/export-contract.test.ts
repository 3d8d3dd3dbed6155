import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_SCHEMAS } from '../../src/stages/export/schemas.js';
import { cli } from '../cli/helpers.js';

/**
 * The exported files on the demo world (default options): fixed schemas that the trainers load,
 * and no surface feature that tells a positive from a negative (test/python trains them for real).
 */
const readJsonl = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);

/**
 * Best balanced accuracy of any rule that maps a feature's value to "positive" or "negative":
 * per value, the larger of its share among positives and among negatives, summed and halved.
 * 0.5 is chance; 1.0 means the feature alone separates the classes.
 */
function separability<T>(pos: readonly string[], neg: readonly string[], feature: (t: string) => T): number {
  const count = (xs: readonly string[]) => {
    const m = new Map<T, number>();
    for (const x of xs) m.set(feature(x), (m.get(feature(x)) ?? 0) + 1);
    return m;
  };
  const cp = count(pos), cn = count(neg);
  let acc = 0;
  for (const v of new Set([...cp.keys(), ...cn.keys()])) acc += Math.max((cp.get(v) ?? 0) / pos.length, (cn.get(v) ?? 0) / neg.length);
  return acc / 2;
}

describe('exported datasets on the demo world', () => {
  let dir = '';
  beforeAll(() => {
    const out = mkdtempSync(join(tmpdir(), 'cf-export-'));
    const r = cli(['demo', '--out', out, '--no-evaluate']);
    expect(r.code, r.stderr).toBe(0);
    dir = join(out, 'build', 'dataset');
  }, 300_000);

  it('every row of every file validates against its schema in docs/schemas/export', () => {
    const files: [string, keyof typeof EXPORT_SCHEMAS][] = [
      ['sentence-transformers/train.jsonl', 'sentence-transformers.tuple'],
      ['sentence-transformers/train.batched.jsonl', 'sentence-transformers.tuple'],
      ['sentence-transformers/train.pairs.jsonl', 'sentence-transformers.pair'],
      ['flagembedding/train.jsonl', 'flagembedding'],
      ['tevatron/train.jsonl', 'tevatron'],
      ['clickforge/train.jsonl', 'clickforge'],
      ['beir/corpus.jsonl', 'beir.corpus'],
      ['beir/queries.jsonl', 'beir.query'],
    ];
    for (const [file, kind] of files) {
      const rows = readJsonl(join(dir, file));
      expect(rows.length, file).toBeGreaterThan(0);
      rows.forEach((r, i) => {
        const v = EXPORT_SCHEMAS[kind].safeParse(r);
        expect(v.success, `${file} row ${i + 1}: ${v.error?.message}`).toBe(true);
      });
    }
  });

  it('sentence-transformers n-tuples: the same columns on every row, every cell a non-empty string', () => {
    const rows = readJsonl(join(dir, 'sentence-transformers', 'train.jsonl'));
    expect(rows.length).toBeGreaterThan(1000);
    const cols = ['anchor', 'positive', 'negative_1', 'negative_2', 'negative_3', 'negative_4'];
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(cols);
      for (const c of cols) expect(typeof r[c] === 'string' && (r[c] as string).length > 0, c).toBe(true);
    }
    for (const r of readJsonl(join(dir, 'sentence-transformers', 'train.pairs.jsonl'))) expect(Object.keys(r)).toEqual(['anchor', 'positive']);
  });

  it('FlagEmbedding and Tevatron never get an empty list; no empty prompt, no scores without a teacher; Tevatron text without the title', () => {
    for (const r of readJsonl(join(dir, 'flagembedding', 'train.jsonl'))) {
      expect((r.pos as string[]).length).toBeGreaterThan(0);
      expect((r.neg as string[]).length).toBe(4);
      expect('prompt' in r).toBe(false);
      expect('pos_scores' in r || 'neg_scores' in r).toBe(false);
    }
    const titles = new Map(readJsonl(join(dir, 'beir', 'corpus.jsonl')).map((d) => [d._id as string, d.title as string]));
    for (const r of readJsonl(join(dir, 'tevatron', 'train.jsonl'))) {
      const passages = [...(r.positive_passages as { docid: string; title: string; text: string }[]), ...(r.negative_passages as { docid: string; title: string; text: string }[])];
      expect((r.negative_passages as unknown[]).length).toBe(4);
      for (const p of passages) {
        expect(p.title).toBe(titles.get(p.docid));
        expect(p.text.startsWith(p.title)).toBe(false);
      }
    }
  });

  it('no cheap surface feature separates positives from negatives better than chance', () => {
    const rows = readJsonl(join(dir, 'sentence-transformers', 'train.jsonl'));
    const pos = rows.map((r) => r.positive as string);
    const neg = rows.flatMap((r) => [1, 2, 3, 4].map((i) => r[`negative_${i}`] as string));
    const lengths = [...pos, ...neg].map((t) => t.length).sort((a, b) => a - b);
    const deciles = Array.from({ length: 9 }, (_, i) => lengths[Math.floor(((i + 1) * lengths.length) / 10)]!);
    const titles = new Set(readJsonl(join(dir, 'beir', 'corpus.jsonl')).map((d) => d.title as string));
    const features: Record<string, (t: string) => unknown> = {
      'blank line': (t) => t.includes('\n\n'),
      'starts with a corpus title': (t) => titles.has(t.split('\n')[0]!),
      'line count': (t) => Math.min(5, t.split('\n').length),
      'length decile': (t) => deciles.filter((d) => t.length > d).length,
      'trailing whitespace': (t) => t !== t.trimEnd(),
      'leading whitespace': (t) => t !== t.trimStart(),
    };
    for (const [name, f] of Object.entries(features)) expect(separability(pos, neg, f), name).toBeLessThan(0.56);
  });
});
