import { describe, expect, it } from 'vitest';
import { createFilters, falseNegativeFilters } from '../../../src/stages/false-negatives/filters.js';
import { falseNegativeOptions } from '../../../src/stages/false-negatives/options.js';
import type { Judge } from '../../../src/ports/index.js';
import type { FilterSetup } from '../../../src/stages/false-negatives/types.js';
import { mineNegatives } from '../../../src/stages/negatives/mine.js';
import { bowEmbedder, doc, ev, multi } from '../negatives/fixtures.js';

const ORDER = ['click-veto', 'same-field', 'near-duplicate', 'positive-aware', 'ambiguity', 'judge', 'calibrated', 'prefer-behavioural'];
const docs = [doc('a', 'alpha beta gamma', { entity: 'e1' }), doc('b', 'alpha beta delta', { entity: 'e2' }), doc('c', 'alpha epsilon zeta', { entity: 'e1' }), doc('d', 'omega psi chi')];
const positives = [multi('alpha', [{ doc_id: 'a', text: 'alpha beta gamma' }])];
const judge: Judge = { id: 'no', judge: (_q, ds) => Promise.resolve(ds.map(() => false)), close: () => Promise.resolve() };
const setup = (extra: Partial<FilterSetup> = {}): FilterSetup => ({
  options: falseNegativeOptions.parse({}), docs, positives, evidence: [ev('alpha', 'a', { clicks: 3, satisfied: 2, grade: 3 })], semantic: true,
  sessionCoClicks: new Map(), judge, calibratedVeto: { pairs: new Set(), vetoAbove: 0.5 }, ...extra,
});

describe('false-negative filter registry', () => {
  it('runs the filters in the order they always ran, each built under its registry name', () => {
    expect(falseNegativeFilters.map((f) => f.name)).toEqual(ORDER);
    const { filters, notes } = createFilters(setup());
    expect(filters.map((f) => f.name)).toEqual(ORDER);
    expect(notes).toEqual([]);
  });

  it('has one entry per option group of negatives.filters (the calibrated veto is switched by its input)', () => {
    const options = falseNegativeFilters.map((f) => f.option).filter((o) => o !== null);
    expect(options.sort()).toEqual(Object.keys(falseNegativeOptions.shape).sort());
    expect(falseNegativeFilters.filter((f) => f.option === null).map((f) => f.name)).toEqual(['calibrated']);
  });

  it.each(falseNegativeFilters.filter((f) => f.option !== null).map((f) => [f.name, f.option!] as const))('"%s" is switched off by %s.enabled', (name, option) => {
    const { filters } = createFilters(setup({ options: falseNegativeOptions.parse({ [option]: { enabled: false } }) }));
    expect(filters.map((f) => f.name)).toEqual(ORDER.filter((n) => n !== name));
  });

  it('notes each filter that is on but cannot run, in registry order', () => {
    const { filters, notes } = createFilters(setup({ semantic: false, docs: docs.map(({ entity: _e, ...d }) => d), sessionCoClicks: undefined, judge: undefined, calibratedVeto: undefined }));
    expect(filters.map((f) => f.name)).toEqual(['click-veto', 'near-duplicate', 'prefer-behavioural']);
    expect(notes.map((n) => n.slice(0, n.indexOf(':')))).toEqual(['click veto', 'same-field filter skipped', 'positive-aware filter skipped', 'ambiguity filter skipped', 'judge filter skipped']);
  });

  it('mineNegatives reports one false-negatives stage per filter, in registry order, with the filters\' own notes', async () => {
    const r = await mineNegatives({ docs, positives, evidence: [], embedder: bowEmbedder(), judge, calibratedVeto: { pairs: new Set(['alpha\tb']), vetoAbove: 0.5 } }, { miners: ['bm25'], bm25: { skipTop: 0 } });
    const fn = r.stats.filter((s) => s.stage.startsWith('false-negatives/'));
    expect(fn.map((s) => s.stage)).toEqual(ORDER.map((n) => `false-negatives/${n}`));
    expect(fn.find((s) => s.stage === 'false-negatives/judge')?.notes?.[1]).toMatch(/^judged \d+, unparsable 0, left unjudged 0/);
    expect(fn.find((s) => s.stage === 'false-negatives/near-duplicate')?.notes?.[1]).toMatch(/^corpus: \d+ near-duplicate clusters/);
    expect(r.duplicates).toBeDefined();
  });
});
