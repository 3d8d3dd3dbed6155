import { describe, expect, it } from 'vitest';
import { mineNegatives } from '../../../src/stages/negatives/mine.js';
import { minerNames, miners } from '../../../src/stages/negatives/miners.js';
import { negativeOptions } from '../../../src/stages/negatives/options.js';
import { clickforgeRow } from '../../../src/stages/export/schemas.js';
import { bowEmbedder, doc, ev, multi } from './fixtures.js';

const O = negativeOptions.parse({});

describe('miner registry', () => {
  it('derives the negatives.miners enum and the exported negative source from its keys, in order', () => {
    expect(minerNames).toEqual(['random', 'bm25', 'behavioural', 'dense']);
    expect(minerNames).toEqual(Object.keys(miners));
    for (const m of minerNames) expect(negativeOptions.safeParse({ miners: [m] }).success).toBe(true);
    expect(negativeOptions.safeParse({ miners: ['colbert'] }).success).toBe(false);
    const source = clickforgeRow.shape.negatives.element.shape.source;
    expect(source.options).toEqual(minerNames);
  });

  it.each(minerNames)('"%s" builds a miner whose source is its key', (name) => {
    const m = miners[name]({ options: O, embedder: bowEmbedder() });
    expect('skipped' in m ? m.skipped : m.source).toBe(name);
  });

  it('a miner that cannot run says why instead (dense without an embedder), and mineNegatives notes it', async () => {
    expect(miners.dense({ options: O })).toEqual({ skipped: 'dense miner skipped: no embedder given.' });
    const r = await mineNegatives({ docs: [doc('a', 'alpha beta'), doc('b', 'alpha gamma')], positives: [multi('alpha', [{ doc_id: 'a', text: 'alpha beta' }])], evidence: [] }, { miners: ['dense', 'bm25'] });
    expect(r.stats[0]!.notes).toContain('dense miner skipped: no embedder given.');
  });

  it("adds a miner's own drops to negatives/mine (behavioural: evidence for documents not in the corpus)", async () => {
    const docs = [doc('a', 'alpha beta'), doc('b', 'alpha gamma')];
    const r = await mineNegatives({ docs, positives: [multi('alpha', [{ doc_id: 'a', text: 'alpha beta' }])], evidence: [ev('alpha', 'gone', { skip_above: 2 })] }, { miners: ['behavioural'] });
    expect(r.stats[0]!.dropped).toEqual({ 'candidates.behavioural_doc_not_in_corpus': 1 });
  });
});
