import { describe, expect, it } from 'vitest';
import { chunkDocument, docIdOf } from '../../../src/tools/synth/passages.js';

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describe('chunkDocument', () => {
  it('a short text is one passage, the exact text, with an id that maps back to the document', () => {
    const [p, ...rest] = chunkDocument({ doc_id: 'a#b', text: '  Hello,  world! ', title: 'T' }, { size: 10, overlap: 2 });
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ passage_id: 'a#b#0', doc_id: 'a#b', n: 0, title: 'T', text: 'Hello,  world!', start: 2, end: 16 });
    expect(docIdOf(p!.passage_id)).toBe('a#b');
  });
  it('windows of size words overlapping by overlap words, covering every word', () => {
    const ps = chunkDocument({ doc_id: 'd', text: words(25) }, { size: 10, overlap: 3 });
    expect(ps.map((p) => p.text.split(' ')[0])).toEqual(['w0', 'w7', 'w14', 'w21']);
    expect(ps.map((p) => p.text.split(' ').length)).toEqual([10, 10, 10, 4]);
    expect(ps.at(-1)!.text.endsWith('w24')).toBe(true);
  });
  it('no word, no passage; a text without spaces (Chinese) is cut by characters', () => {
    expect(chunkDocument({ doc_id: 'e', text: ' \n\t ' }, { size: 10, overlap: 2 })).toEqual([]);
    const ps = chunkDocument({ doc_id: 'z', text: '数据库连接失败时请检查网络设置' }, { size: 6, overlap: 2 });
    expect(ps.map((p) => p.text)).toEqual(['数据库连接失', '接失败时请检', '请检查网络设', '络设置']);
  });
});
