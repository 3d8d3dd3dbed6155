import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRelPredDictionary, readYandexRelPred } from '../../../src/adapters/sources/yandex-relpred.js';
import { clickCountsFromPages } from '../../../src/stages/bias/counts.js';
import { estimatePropensities } from '../../../src/stages/bias/estimate.js';
import { biasOptions } from '../../../src/stages/bias/options.js';

// Real data lives outside the repository: <repo>/../shared/data.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DATA = join(repoRoot, '..', 'shared', 'data', 'yandex-relpred-sample');
const present = existsSync(join(DATA, 'trainSample')) && existsSync(join(DATA, 'testSample'));

// PyClick PBM on this sample (REFERENCE.md).
const REF_PERPLEXITY = 1.43366;
const REF_LL = -0.35248;
const REF_EXAM = [0.8112, 0.5592, 0.4635, 0.3859, 0.2932, 0.2595, 0.242, 0.196, 0.2044, 0.1901];
const REF_PPL_BY_RANK = [1.772, 1.7154, 1.5677, 1.4736, 1.3917, 1.3403, 1.3052, 1.2588, 1.2602, 1.2517];

describe.skipIf(!present)('PBM on the Yandex sample agrees with PyClick', async () => {
  const dict = createRelPredDictionary();
  const train = present ? await readYandexRelPred(join(DATA, 'trainSample'), { dictionary: dict }) : undefined;
  const test = present ? await readYandexRelPred(join(DATA, 'testSample'), { dictionary: dict }) : undefined;

  it('parses the sample as the reference did, reporting clicks on unshown documents', () => {
    expect(train!.pages.nPages).toBe(35_064);
    expect(test!.pages.nPages).toBe(21_413);
    expect(new Set(train!.pages.query).size).toBe(20);
    expect(train!.stats.dropped.click_not_shown).toBeGreaterThan(0);
    expect(train!.quarantine.every((r) => r.reason === 'click_not_shown' && r.line >= 1)).toBe(true);
  });

  it('held-out perplexity within 0.5%, curve within 0.03 per rank', () => {
    const counts = clickCountsFromPages({ train: train!.pages, holdout: test!.pages });
    const res = estimatePropensities(counts, biasOptions.parse({ estimator: 'pbm-em', pbmFit: 'pyclick', ciSamples: 0 }));
    expect(res.estimator).toBe('pbm-em');
    expect(Math.abs(res.heldOut!.perplexity / REF_PERPLEXITY - 1)).toBeLessThan(0.005);
    expect(res.heldOut!.logLikelihood).toBeCloseTo(REF_LL, 3);
    res.heldOut!.perplexityByRank.forEach((p, r) => expect(p).toBeCloseTo(REF_PPL_BY_RANK[r]!, 3));
    const scale = REF_EXAM[0]! / res.raw[0]!;
    res.raw.forEach((e, r) => expect(Math.abs(e * scale - REF_EXAM[r]!)).toBeLessThan(0.03));
    res.relative.forEach((e, r) => expect(Math.abs(e - REF_EXAM[r]! / REF_EXAM[0]!)).toBeLessThan(0.03));
  });
});

describe.skipIf(!present)('default (two-step) PBM on the Yandex sample', async () => {
  const dict = createRelPredDictionary();
  const train = present ? await readYandexRelPred(join(DATA, 'trainSample'), { dictionary: dict }) : undefined;
  const test = present ? await readYandexRelPred(join(DATA, 'testSample'), { dictionary: dict }) : undefined;

  it('stays within 0.05 of PyClick per rank, within 0.1% of its perplexity, and agrees with intervention harvesting', () => {
    const counts = clickCountsFromPages({ train: train!.pages, holdout: test!.pages });
    const res = estimatePropensities(counts, biasOptions.parse({ estimator: 'pbm-em', ciSamples: 0 }));
    expect(res.curveFit).not.toBeNull();
    expect(res.curveFit!.converged).toBe(true);
    // Measured: 0.034 at most (rank 3), perplexity 1.43400 vs 1.43366.
    res.relative.forEach((e, r) => expect(Math.abs(e - REF_EXAM[r]! / REF_EXAM[0]!)).toBeLessThan(0.05));
    expect(Math.abs(res.heldOut!.perplexity / REF_PERPLEXITY - 1)).toBeLessThan(0.001);
    expect(res.crossCheck!.maxAbsDiff).toBeLessThan(0.02);
  });
});
