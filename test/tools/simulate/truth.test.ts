import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { familyLookup, readWorldTruth, withSourceDocQueries } from '../../../src/tools/simulate/truth.js';

const tmp = mkdtempSync(join(tmpdir(), 'cf-truth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const writeJsonl = (p: string, rows: unknown[]) => writeFileSync(p, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

/** A simulator output folder with two intents (okta.reset held out) and one distractor document. */
function world(): string {
  const dir = join(tmp, 'world');
  mkdirSync(join(dir, 'truth'), { recursive: true });
  writeJsonl(join(dir, 'truth', 'queries.jsonl'), [
    { query_id: 'q1', query: 'reset okta token', family: 'okta.reset', style: 'keyword', split: 'test', weight: 0.5 },
    { query_id: 'q2', query: 'How do I reset Okta?', family: 'okta.reset', style: 'question', split: 'test', weight: 0.2 },
    { query_id: 'q3', query: 'vpn slow mac', family: 'vpn.slow', style: 'keyword', split: 'train', weight: 0.3 },
  ]);
  writeJsonl(join(dir, 'truth', 'qrels.jsonl'), [
    { query: 'reset okta token', doc_id: 'KB1', grade: 3 },
    { query: 'reset okta token', doc_id: 'KB2', grade: 2 },
    { query: 'How do I reset Okta?', doc_id: 'KB1', grade: 3 },
    { query: 'How do I reset Okta?', doc_id: 'KB2', grade: 2 },
    { query: 'vpn slow mac', doc_id: 'KB3', grade: 3 },
  ]);
  writeJsonl(join(dir, 'truth', 'docs.jsonl'), [
    { doc_id: 'KB1', intents: ['okta.reset'], attractive: false, popularity: 0.1 },
    { doc_id: 'KB2', intents: ['okta.reset'], attractive: false, popularity: 0.1 },
    { doc_id: 'KB3', intents: ['vpn.slow'], attractive: false, popularity: 0.1 },
    { doc_id: 'KB9', intents: [], attractive: true, popularity: 0.9 },
  ]);
  return dir;
}

describe('readWorldTruth', () => {
  it('reads families, held-out families and their queries, judgements and document intents', () => {
    const t = readWorldTruth(world());
    expect([...t.testFamilies]).toEqual(['okta.reset']);
    expect(t.testQueries).toEqual(['reset okta token', 'How do I reset Okta?']);
    expect(t.qrels.get('vpn slow mac')).toEqual(new Map([['KB3', 3]]));
    expect(t.docIntents.get('KB9')).toEqual([]);
    expect(familyLookup(t)('how do i reset okta')).toBe('okta.reset');
    expect(familyLookup(t)('printer jam')).toBeUndefined();
  });

  it('names the folder to pass when the truth is missing', () => {
    expect(() => readWorldTruth(join(tmp, 'nowhere'))).toThrow(/clickforge simulate/);
  });
});

describe('withSourceDocQueries', () => {
  it("gives a query made from a document its intent's family and judgements; truth queries and distractor documents are left alone", () => {
    const t = readWorldTruth(world());
    const x = withSourceDocQueries(t, [
      { query: 'okta token expired', doc_id: 'KB2' },
      { query: 'quick fix everything', doc_id: 'KB9' },
      { query: 'VPN slow Mac', doc_id: 'KB1' },
    ]);
    expect(x.queryFamily.get('okta token expired')).toBe('okta.reset');
    expect(x.qrels.get('okta token expired')).toEqual(new Map([['KB1', 3], ['KB2', 2]]));
    expect(x.queryFamily.has('quick fix everything')).toBe(false);
    // a known query (after normalisation) keeps its own truth, not its source document's
    expect(x.queryFamily.has('VPN slow Mac')).toBe(false);
    expect(familyLookup(x)('VPN slow Mac')).toBe('vpn.slow');
    // the input truth is not changed
    expect(t.queryFamily.has('okta token expired')).toBe(false);
  });
});
