import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presentationCtr, type PresentationCell } from '../../../src/stages/balance/presentation.js';
import { buildHelpdeskWorld, simulateLog, type SimulateOptionsInput } from '../../../src/tools/simulate/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'cf-sim-pres-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const jsonl = (p: string) => readFileSync(p, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as Record<string, unknown>);

interface Serp { serp_id: string; results: string[]; clicks: { doc_id: string }[]; presentation?: Record<string, unknown>[] }

describe('simulator presentation output', () => {
  const o: SimulateOptionsInput = { sessions: 1500, world: { intents: 80 }, format: ['serps', 'events'] };
  let serps: Serp[];
  let attractive: Map<string, boolean>;
  beforeAll(async () => {
    await simulateLog(buildHelpdeskWorld(o), o, join(tmp, 'on'));
    await simulateLog(buildHelpdeskWorld(o), { ...o, presentation: { write: false } }, join(tmp, 'off'));
    serps = jsonl(join(tmp, 'on', 'serps.jsonl')) as unknown as Serp[];
    attractive = new Map(jsonl(join(tmp, 'on', 'truth', 'docs.jsonl')).map((d) => [d.doc_id as string, d.attractive as boolean]));
  });

  it('aligns presentation with results; the badge marks exactly the attractive docs; thumbnails are per doc', () => {
    const thumbOf = new Map<string, unknown>();
    let thumbs = 0, items = 0;
    for (const s of serps) {
      expect(s.presentation).toHaveLength(s.results.length);
      s.results.forEach((d, r) => {
        const p = s.presentation![r]!;
        expect(p.badge === 'quick fix').toBe(attractive.get(d));
        if (thumbOf.has(d)) expect(p.thumbnail).toBe(thumbOf.get(d));
        thumbOf.set(d, p.thumbnail);
        items++;
        if (p.thumbnail === true) thumbs++;
      });
    }
    expect(thumbs / items).toBeGreaterThan(0.15);
    expect(thumbs / items).toBeLessThan(0.45);
  });

  it('puts the same object on impression events', () => {
    const byKey = new Map<string, unknown>();
    for (const s of serps) s.results.forEach((_, r) => byKey.set(`${s.serp_id}\t${r + 1}`, s.presentation![r]));
    const imps = jsonl(join(tmp, 'on', 'events.jsonl')).filter((e) => e.type === 'impression');
    expect(imps.length).toBe(byKey.size);
    for (const e of imps) expect(e.presentation).toEqual(byKey.get(`${e.serp_id as string}\t${e.rank as number}`));
  });

  it('changes nothing else: without presentation the log is the same minus the field', () => {
    const off = jsonl(join(tmp, 'off', 'serps.jsonl'));
    expect(off.some((s) => 'presentation' in s)).toBe(false);
    expect(off).toEqual(serps.map(({ presentation: _p, ...rest }) => rest));
  });

  it('shows the presentation bias: badged results get more clicks at equal rank, thumbnails do not', () => {
    const cells = new Map<string, PresentationCell & { impressions: number; clicks: number }>();
    for (const s of serps) {
      const clicked = new Set(s.clicks.map((c) => c.doc_id));
      s.results.forEach((d, r) => {
        const p = s.presentation![r]!;
        const f = { badge: p.badge === 'quick fix', thumbnail: p.thumbnail === true };
        const k = `${r + 1}\t${f.badge}\t${f.thumbnail}`;
        const c = cells.get(k) ?? { rank: r + 1, impressions: 0, clicks: 0, features: f };
        c.impressions++;
        if (clicked.has(d)) c.clicks++;
        cells.set(k, c);
      });
    }
    const [badge, thumb] = presentationCtr([...cells.values()]);
    expect(badge!.feature).toBe('badge');
    expect(badge!.rankAdjustedLift).toBeGreaterThan(1.4);
    expect(thumb!.rankAdjustedLift).toBeGreaterThan(0.75);
    expect(thumb!.rankAdjustedLift).toBeLessThan(1.25);
  });
});
