import { describe, expect, it } from 'vitest';
import { isTrainEvidenceAllowed, splitFamilies, type SplitFamily } from '../../../src/stages/splits/splits.js';
import { auditLeakage, type AuditQuery } from '../../../src/stages/splits/audit.js';
import { buildFamilies } from '../../../src/stages/families/families.js';
import { createRng } from '../../../src/util/rng.js';

const DAY = 86_400_000;
/** 200 families: Zipf-like counts, first seen over 100 days, two locales. */
function world(): (SplitFamily & { locale: string })[] {
  return Array.from({ length: 200 }, (_, i) => ({ id: `fam${i}`, count: Math.ceil(2000 / (i + 1)), firstTs: ((i * 37) % 100) * DAY, locale: i % 3 === 0 ? 'de' : 'en' }));
}

describe('splitFamilies: chronological', () => {
  it('a family first seen after the cutoff is never in train; evidence after the cutoff is refused', () => {
    const fams = world();
    const cutoff = 60 * DAY;
    const r = splitFamilies(fams, { mode: 'chronological', cutoff });
    expect(r.mode).toBe('chronological');
    for (const f of fams) {
      const s = r.splitOf.get(f.id)!;
      if ((f.firstTs as number) > cutoff) expect(s).not.toBe('train');
      else expect(s).toBe('train');
    }
    expect(r.stats.out.dev! + r.stats.out.test!).toBeGreaterThan(0);
    expect(isTrainEvidenceAllowed([cutoff - 1, cutoff], cutoff)).toBe(true);
    expect(isTrainEvidenceAllowed([cutoff - 1, cutoff + 1], cutoff)).toBe(false);
    expect(isTrainEvidenceAllowed([null], cutoff)).toBe(false);
    expect(isTrainEvidenceAllowed([null], cutoff, { unknownTimestamps: 'allow' })).toBe(true);
    expect(isTrainEvidenceAllowed([cutoff + 5], null)).toBe(true);
  });
  it('chooses the cutoff from the train fraction when none is given, and auto mode picks it', () => {
    const r = splitFamilies(world(), {});
    expect(r.mode).toBe('chronological');
    const train = r.stats.out.train!;
    expect(train).toBeGreaterThanOrEqual(160);
    expect(train).toBeLessThan(175);
  });
  it('families without a time are held out, never trained on', () => {
    const fams = [...world(), { id: 'untimed', count: 5 }];
    const r = splitFamilies(fams, { mode: 'chronological' });
    expect(r.splitOf.get('untimed')).not.toBe('train');
    expect(r.stats.dropped.untimed_family_held_out).toBe(1);
  });
});

describe('splitFamilies: hashed', () => {
  const fams = world().map(({ firstTs: _t, ...f }) => f);
  it('is stable across runs and input order, and changes with the seed', () => {
    const a = splitFamilies(fams, { seed: 1 });
    const b = splitFamilies([...fams].reverse(), { seed: 1 });
    expect(a.mode).toBe('hashed');
    expect([...b.splitOf.entries()].sort()).toEqual([...a.splitOf.entries()].sort());
    const c = splitFamilies(fams, { seed: 2 });
    expect([...c.splitOf.entries()].sort()).not.toEqual([...a.splitOf.entries()].sort());
  });
  it('stratifies: every split holds head and tail families and every locale, in similar proportions', () => {
    const r = splitFamilies(fams, { sliceField: 'locale' });
    const row = (dim: string, v: string) => r.balance.find((x) => x.dimension === dim && x.value === v)!;
    for (const v of ['head', 'tail']) for (const s of ['train', 'dev', 'test'] as const) expect(row('bucket', v).families[s]).toBeGreaterThan(0);
    for (const v of ['de', 'en']) {
      const f = row('slice', v).families;
      const n = f.train + f.dev + f.test;
      expect(f.train / n).toBeGreaterThan(0.7);
      expect(f.train / n).toBeLessThan(0.9);
      expect(f.test).toBeGreaterThan(0);
      expect(f.dev).toBeGreaterThan(0);
    }
    expect(r.stats.out.train! + r.stats.out.dev! + r.stats.out.test!).toBe(200);
  });
  it('rejects fractions that do not sum to 1', () => {
    expect(() => splitFamilies(fams, { fractions: { train: 0.9, dev: 0.1, test: 0.1 } })).toThrow(/sum to 1/);
  });
});

describe('auditLeakage', () => {
  it('finds a planted leak: shared family, near-duplicate query, shared positive, late evidence', () => {
    const train: AuditQuery[] = [
      { query: 'reset okta token', family: 'F1', positives: ['d1'], timestamps: [10] },
      { query: 'expense report form', family: 'F2', positives: ['d2'], timestamps: [20, 200] },
    ];
    const test: AuditQuery[] = [
      { query: 'reset okta tokens', family: 'F3', positives: ['d9'], timestamps: [150] },
      { query: 'vpn on linux', family: 'F2', positives: ['d2'], timestamps: [160] },
      { query: 'zzzz qqqq', family: 'F4', timestamps: [170] },
    ];
    const r = auditLeakage({ train, test }, { cutoff: 100 });
    expect(r.ok).toBe(false);
    expect(r.sharedFamilies).toEqual({ count: 1, examples: ['F2'] });
    expect(r.nearest[0]).toMatchObject({ test: 'reset okta tokens', train: 'reset okta token' });
    expect(r.nearest[0]!.jaccard).toBeGreaterThan(0.7);
    expect(r.nearest[2]!.train).toBeNull();
    expect(r.nearDuplicates.count).toBe(1);
    expect(r.sharedPositives).toMatchObject({ count: 1, testQueriesAffected: 1, examples: ['d2'] });
    expect(r.timestamps.trainRecordsAfterCutoff).toBe(1);
  });
  it('a clean split passes', () => {
    const r = auditLeakage({ train: [{ query: 'alpha beta', family: 'A', timestamps: [1] }], test: [{ query: 'gamma delta', family: 'B', timestamps: [9] }] }, { cutoff: 5 });
    expect(r.ok).toBe(true);
    expect(r.nearDuplicates.count).toBe(0);
  });
});

describe('family splits vs random row splits on a world with known intents', () => {
  it('few test intents also occur in training with family splits, most with a random row split', () => {
    const rng = createRng('toy-world');
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const word = () => Array.from({ length: 5 + rng.int(4) }, () => letters[rng.int(26)]).join('');
    const openers = ['', 'how do i ', 'how to ', 'what is ', 'where can i '];
    const intentOf = new Map<string, number>();
    const reformulations: { from: string; to: string; count: number }[] = [];
    for (let i = 0; i < 300; i++) {
      const w = [word(), word(), word()] as const;
      const variants = [
        w.join(' '),
        openers[1 + rng.int(4)] + w.join(' '),
        `${w[2]} ${w[0]} ${w[1]}s`,
        `${w[0]} ${w[1]} ${w[2]}`.toUpperCase() + '?',
        `${w[0]} ${w[1].slice(0, 2)}${w[1].slice(3)} ${w[2]}`,
        `${w[0]} ${w[1]}`,
      ];
      for (const v of variants) if (!intentOf.has(v)) intentOf.set(v, i);
      reformulations.push({ from: variants[5]!, to: variants[0]!, count: 3 });
    }
    const queries = [...intentOf.keys()].map((query) => ({ query, count: 1 + rng.int(20) }));
    const fam = buildFamilies({ queries, reformulations }, {});
    const split = splitFamilies(fam.families, { mode: 'hashed', seed: 3 });
    const leakShare = (splitOfQuery: (q: string) => string) => {
      const trainIntents = new Set<number>();
      for (const q of intentOf.keys()) if (splitOfQuery(q) === 'train') trainIntents.add(intentOf.get(q)!);
      const test = [...intentOf.keys()].filter((q) => splitOfQuery(q) === 'test');
      return test.filter((q) => trainIntents.has(intentOf.get(q)!)).length / test.length;
    };
    const familyLeak = leakShare((q) => split.splitOf.get(fam.familyOf.get(q)!)!);
    const rowRng = createRng('rows');
    const rowSplit = new Map([...intentOf.keys()].map((q) => [q, rowRng.next() < 0.8 ? 'train' : rowRng.next() < 0.5 ? 'dev' : 'test']));
    const rowLeak = leakShare((q) => rowSplit.get(q)!);
    expect(familyLeak).toBeLessThan(0.05);
    expect(rowLeak).toBeGreaterThan(0.8);
  });
});
