import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBeir, readTrainingFile } from '../../../src/tools/evaluate/readers.js';

const dir = mkdtempSync(join(tmpdir(), 'cf-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, lines: unknown[]) => {
  const p = join(dir, name);
  writeFileSync(p, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return p;
};

describe('readTrainingFile', () => {
  it.each([
    ['clickforge', [{ kind: 'PositivePair', query: 'pw reset', positive: 'reset password', doc_id: 'd1', weight: 0.5, negatives: [{ doc_id: 'd9', text: 'vpn' }] }],
      [{ query: 'pw reset', positive: 'reset password', weight: 0.5, positiveId: 'd1', negatives: ['vpn'], negativeIds: ['d9'] }]],
    ['sentence-transformers triplet', [{ anchor: 'pw reset', positive: 'reset password', negative: 'vpn' }],
      [{ query: 'pw reset', positive: 'reset password', negatives: ['vpn'] }]],
    ['sentence-transformers n-tuple', [{ anchor: 'q', positive: 'p', negative_1: 'n1', negative_2: 'n2' }],
      [{ query: 'q', positive: 'p', negatives: ['n1', 'n2'] }]],
    ['FlagEmbedding', [{ query: 'q', pos: ['p1', 'p2'], neg: ['n'] }, ''],
      [{ query: 'q', positive: 'p1', negatives: ['n'] }, { query: 'q', positive: 'p2', negatives: ['n'] }]],
  ])('reads %s', (name, lines, expected) => {
    expect(readTrainingFile(file(`${name}.jsonl`, lines))).toEqual(expected);
  });
  it('names the file and line of a bad record', () => {
    const p = file('bad.jsonl', [{ query: 'q', positive: 'p' }, '{oops']);
    expect(() => readTrainingFile(p)).toThrow(`${p}:2: not valid JSON`);
    const p2 = file('bad2.jsonl', [{ query: 'q' }]);
    expect(() => readTrainingFile(p2)).toThrow(`${p2}:1: no "positive" string`);
    expect(() => readTrainingFile(join(dir, 'missing.jsonl'))).toThrow(/cannot read training file/);
  });
});

describe('readBeir', () => {
  it('reads corpus, queries and a qrels split with header', () => {
    const b = join(dir, 'beir');
    mkdirSync(join(b, 'qrels'), { recursive: true });
    writeFileSync(join(b, 'corpus.jsonl'), '{"_id":"d1","title":"T","text":"body"}\n{"_id":2,"text":"two"}\n');
    writeFileSync(join(b, 'queries.jsonl'), '{"_id":"q1","text":"hello"}\n');
    writeFileSync(join(b, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t2\t0\n');
    const r = readBeir(b);
    expect(r.corpus).toEqual([{ id: 'd1', title: 'T', text: 'body' }, { id: '2', title: '', text: 'two' }]);
    expect(r.queries.get('q1')).toBe('hello');
    expect([...r.qrels.get('q1')!]).toEqual([['d1', 2], ['2', 0]]);
    writeFileSync(join(b, 'qrels', 'dev.tsv'), 'q1\td1\tx\n');
    expect(() => readBeir(b, 'dev')).toThrow(/dev\.tsv:1: expected/);
    writeFileSync(join(b, 'qrels', 'bad.tsv'), 'q9\td1\t1\n');
    expect(() => readBeir(b, 'bad')).toThrow(/"q9" has judgements but is not in/);
  });
});
