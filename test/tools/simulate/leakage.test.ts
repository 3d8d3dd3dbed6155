import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureIntentLeakage } from '../../../src/tools/simulate/leakage.js';

const tmp = mkdtempSync(join(tmpdir(), 'cf-leakage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const writeJsonl = (p: string, rows: unknown[]) => writeFileSync(p, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

/** A dataset folder as `build` writes it: train/dev records, BEIR queries and test qrels. */
function dataset(name: string, train: string[], test: string[]): string {
  const ds = join(tmp, name);
  mkdirSync(join(ds, 'clickforge'), { recursive: true });
  mkdirSync(join(ds, 'beir', 'qrels'), { recursive: true });
  writeJsonl(join(ds, 'clickforge', 'train.jsonl'), train.map((q) => ({ query: q, query_norm: q })));
  writeJsonl(join(ds, 'clickforge', 'dev.jsonl'), [{ query: 'dev q', query_norm: 'dev q' }]);
  writeJsonl(join(ds, 'beir', 'queries.jsonl'), [...train, ...test].map((q, i) => ({ _id: `q${i}`, text: q })));
  writeFileSync(join(ds, 'beir', 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\n' + test.map((_, i) => `q${train.length + i}\tD1\t1`).join('\n') + '\n');
  return ds;
}

describe('measureIntentLeakage', () => {
  const truth = join(tmp, 'queries.jsonl');
  writeJsonl(truth, [
    { query: 'reset okta token', family: 'okta.reset' },
    { query: 'How do I reset okta token?', family: 'okta.reset' },
    { query: 'vpn slow mac', family: 'vpn.slow' },
    { query: 'zoom crash ios', family: 'zoom.crash' },
    { query: 'zm crash ios', family: 'zoom.crash' },
    { query: 'wifi pw reset', family: 'wifi.reset' },
  ]);

  it('counts test queries whose intent occurs in training, matching queries by their normalised form', async () => {
    const ds = dataset('a', ['reset okta token', 'vpn slow mac', 'zoom crash ios'], ['How do I reset okta token?', 'zm crash ios', 'wifi pw reset']);
    const m = await measureIntentLeakage(ds, truth);
    expect(m.testQueries).toBe(3);
    expect(m.leaked).toBe(2);
    expect(m.share).toBeCloseTo(2 / 3, 10);
    expect(m.unknownTest).toBe(0);
    expect(m.trainQueries).toBe(3);
    expect(m.devQueries).toBe(1);
    expect(m.devRecords).toBe(1);
    expect(m.examples.map((e) => e.intent).sort()).toEqual(['okta.reset', 'zoom.crash']);
  });

  it('finds no leakage when every test intent is new', async () => {
    const m = await measureIntentLeakage(dataset('b', ['vpn slow mac'], ['zm crash ios', 'wifi pw reset']), truth);
    expect(m.leaked).toBe(0);
    expect(m.share).toBe(0);
  });

  it('counts test queries the truth does not know instead of guessing', async () => {
    const m = await measureIntentLeakage(dataset('c', ['vpn slow mac'], ['printer jam']), truth);
    expect(m.unknownTest).toBe(1);
    expect(m.leaked).toBe(0);
  });

  it('names the missing file', async () => {
    await expect(measureIntentLeakage(join(tmp, 'nope'), truth)).rejects.toThrow(/nope.*train\.jsonl/);
  });
});
