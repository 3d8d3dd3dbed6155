import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type DuckDBConnection } from '../../../src/db/duckdb.js';
import { presentationSection, renderPresentationSection } from '../../../src/stages/balance/presentation.js';
import { LOG } from '../sessions/fixture.js';

let conn: DuckDBConnection;
let close: () => void;
beforeEach(async () => {
  ({ conn, close } = await openDb({ threads: 1 }));
  await conn.run(`CREATE TABLE impressions (serp_id VARCHAR, doc_id VARCHAR, rank INTEGER);
    CREATE TABLE clicks (serp_id VARCHAR, doc_id VARCHAR, rank INTEGER);`);
});
afterEach(() => close());

const pages = async (n: number, f: (i: number) => { docs: string[]; clicked: string[]; features: [number, string, string][] }) => {
  for (let i = 0; i < n; i++) {
    const p = f(i);
    const id = `p${i}`;
    await conn.run(`INSERT INTO impressions VALUES ${p.docs.map((d, r) => `('${id}', '${d}', ${r + 1})`).join(', ')}`);
    for (const d of p.clicked) await conn.run(`INSERT INTO clicks VALUES ('${id}', '${d}', ${p.docs.indexOf(d) + 1})`);
    for (const [r, k, v] of p.features) await conn.run(`INSERT INTO impression_features VALUES ('${id}', ${r}, '${k}', '${v}')`);
  }
};

describe('presentationSection', () => {
  it('is null without the table, and null when it is empty', async () => {
    expect(await presentationSection(conn, LOG)).toBeNull();
    await conn.run('CREATE TABLE impression_features (serp_id VARCHAR, rank INTEGER, feature VARCHAR, value VARCHAR)');
    expect(await presentationSection(conn, LOG)).toBeNull();
  });

  it('compares at equal rank: the badge doubles CTR at each rank, the thumbnail changes nothing', async () => {
    await conn.run('CREATE TABLE impression_features (serp_id VARCHAR, rank INTEGER, feature VARCHAR, value VARCHAR)');
    // 20 pages, two results. Badged doc: rank 1 on even pages, rank 2 on odd ones.
    // Rank 1: badged CTR 1.0 (10/10), unbadged 0.5 (5/10). Rank 2: badged 0.4 (4/10), unbadged 0.2 (2/10).
    // Thumbnail on the rank-2 result when k is even (thumbnail=false elsewhere): 3 clicks in 10 with it, 3 in 10 without.
    await pages(20, (i) => {
      const even = i % 2 === 0;
      const docs = even ? ['b', 'u'] : ['u', 'b'];
      const k = Math.floor(i / 2); // 0..9 per parity
      const clicked: string[] = [];
      if (even) { clicked.push('b'); if (k < 2) clicked.push('u'); } else { if (k < 5) clicked.push('u'); if (k < 4) clicked.push('b'); }
      const badgeRank = even ? 1 : 2;
      return { docs, clicked, features: [[badgeRank, 'badge', 'quick fix'], [1, 'thumbnail', 'false'], [2, 'thumbnail', k % 2 === 0 ? 'true' : 'false']] };
    });
    const s = (await presentationSection(conn, LOG))!;
    expect(s.pages).toBe(20);
    expect(s.impressions).toBe(40);
    expect(s.features.map((f) => f.feature)).toEqual(['badge=quick fix', 'thumbnail']);
    const badge = s.features[0]!;
    expect(badge.impressionsWith).toBe(20);
    expect(badge.ctrWith).toBeCloseTo(14 / 20, 12);
    expect(badge.ctrWithout).toBeCloseTo(7 / 20, 12);
    expect(badge.rankAdjustedLift).toBeCloseTo(2, 12);
    const thumb = s.features[1]!;
    expect(thumb.impressionsWith).toBe(10);
    expect(thumb.impressionsWithout).toBe(30);
    // rank-2 results only; compared against rank-2 results without a thumbnail
    expect(thumb.uncomparedImpressions).toBe(0);
    expect(thumb.ctrWith).toBeCloseTo(0.3, 12);
    expect(thumb.rankAdjustedLift).toBeCloseTo(1, 12);
    const md = renderPresentationSection(s);
    expect(md).toContain('| badge=quick fix | 20 | 0.700 | 0.350 | 2.000 |');
    expect(md).toContain('| thumbnail | 10 | 0.300 |');
  });

  it('keeps the most frequent maxFeatures and leaves out ranks past maxRank', async () => {
    await conn.run('CREATE TABLE impression_features (serp_id VARCHAR, rank INTEGER, feature VARCHAR, value VARCHAR)');
    await pages(3, (i) => ({ docs: ['a', 'b', 'c'], clicked: ['a'], features: [[1, 'badge', `v${i}`], [2, 'bold', 'true'], [3, 'bold', 'true'], [1, 'bold', 'false']] }));
    const s = (await presentationSection(conn, LOG, { maxFeatures: 1, maxRank: 2 }))!;
    expect(s.features.map((f) => f.feature)).toEqual(['bold']);
    expect(s.featuresNotShown).toBe(3);
    expect(s.impressions).toBe(6);
    expect(s.features[0]!.impressionsWith).toBe(3);
    await expect(presentationSection(conn, LOG, { maxFeatures: 0 })).rejects.toThrow(/maxFeatures must be an integer >= 1/);
  });
});
