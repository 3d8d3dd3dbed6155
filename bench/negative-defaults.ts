/**
 * False-negative rate of exported negatives against the simulator's complete truth, per build
 * variant, on simulated worlds: the default help-desk world and a Cranfield world with simulated
 * users (skipped when ../shared/data/cranfield is absent). Each world is simulated once; `build`
 * runs with default options (as a new user runs it: chronological splits, all splits pooled) and
 * once per variant. Per variant: records, exported negatives, the click veto's drops, the FN rate of
 * exported negatives (truth grade >= 1; Wilson 95%), per source, and the report's hardness (mean
 * negative score / lowest positive score, BM25 unless an embedder is set).
 *
 *   npx tsx bench/negative-defaults.ts [--sessions 5000] [--worlds helpdesk:42,helpdesk:7,cranfield:42] [--variants name,...] [--out DIR]
 *
 * Variants: defaults (bm25.skipTop 3, clickVeto.sessionScope on, preferBehavioural on),
 * no-session-veto, no-prefer-behavioural, bm25-skipTop-0, bm25-skipTop-10 (each changes one option).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ConfigInput } from '../src/config.js';
import { build } from '../src/pipeline.js';
import { normalizeQuery } from '../src/text/normalize.js';
import { rateOf, type Rate } from '../src/tools/real-logs/measure.js';
import { buildCollectionWorld, buildHelpdeskWorld, parseSimulateOptions, readCranfield, simulateLog } from '../src/tools/simulate/index.js';
import { arg } from './args.js';

const sessions = Number(arg('sessions', '5000'));
const worlds = arg('worlds', 'helpdesk:42,helpdesk:7,cranfield:42').split(',');
const cranDir = resolve(arg('cranfield', join(import.meta.dirname, '../../shared/data/cranfield')));
const work = arg('out', join(tmpdir(), 'clickforge-negative-defaults'));

const VARIANTS: Record<string, ConfigInput> = {
  defaults: {},
  'no-session-veto': { negatives: { filters: { clickVeto: { sessionScope: false } } } },
  'no-prefer-behavioural': { negatives: { filters: { preferBehavioural: { enabled: false } } } },
  'bm25-skipTop-0': { negatives: { bm25: { skipTop: 0 } } },
  'bm25-skipTop-10': { negatives: { bm25: { skipTop: 10 } } },
};
const names = arg('variants', Object.keys(VARIANTS).join(',')).split(',');

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');
const ci = (r: Rate) => (r.n ? `${f3(r.rate)} [${f3(r.lo)}, ${f3(r.hi)}] (${r.relevant}/${r.n})` : '-');

for (const spec of worlds) {
  const [kind, seedS] = spec.split(':') as [string, string];
  const seed = Number(seedS);
  if (kind === 'cranfield' && !existsSync(cranDir)) {
    console.log(`${spec}: skipped (no ${cranDir})`);
    continue;
  }
  const dataDir = join(work, `${kind}-${seed}`, 'data');
  const t0 = performance.now();
  if (!existsSync(join(dataDir, 'truth', 'qrels.jsonl'))) {
    await mkdir(dataDir, { recursive: true });
    const simOpts = parseSimulateOptions({ seed, sessions });
    await simulateLog(kind === 'cranfield' ? buildCollectionWorld(readCranfield(cranDir), simOpts) : buildHelpdeskWorld(simOpts), simOpts, dataDir);
  }
  const qrels = new Map<string, Map<string, number>>();
  for (const l of readFileSync(join(dataDir, 'truth', 'qrels.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const r = JSON.parse(l) as { query: string; doc_id: string; grade: number };
    const q = normalizeQuery(r.query);
    let m = qrels.get(q);
    if (!m) qrels.set(q, (m = new Map()));
    m.set(r.doc_id, Math.max(r.grade, m.get(r.doc_id) ?? 0));
  }
  console.log(`\n== ${spec}: ${sessions} sessions simulated (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  for (const name of names) {
    const overrides = VARIANTS[name];
    if (!overrides) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
    const t1 = performance.now();
    const r = await build({ ...overrides, input: { serps: [join(dataDir, 'serps.jsonl')], corpus: join(dataDir, 'corpus.jsonl') }, output: join(work, `${kind}-${seed}`, `out-${name}`), seed } as ConfigInput);
    const cfDir = join(r.outDir, 'dataset', 'clickforge');
    const tally = new Map<string, { rel: number; n: number }>();
    const add = (k: string, rel: boolean) => {
      const t = tally.get(k) ?? { rel: 0, n: 0 };
      t.n++;
      if (rel) t.rel++;
      tally.set(k, t);
    };
    let records = 0, unknownQuery = 0;
    for (const f of existsSync(cfDir) ? readdirSync(cfDir).filter((x) => x.endsWith('.jsonl')).sort() : []) {
      for (const l of readFileSync(join(cfDir, f), 'utf8').split('\n')) {
        if (!l) continue;
        const row = JSON.parse(l) as { query_norm: string; negatives: { doc_id: string; source: string; filled: boolean }[] };
        records++;
        const truth = qrels.get(row.query_norm);
        if (!truth) { unknownQuery += row.negatives.length; continue; }
        for (const n of row.negatives) {
          const rel = (truth.get(n.doc_id) ?? 0) >= 1;
          add('all', rel);
          add(n.filled ? 'fill' : n.source, rel);
        }
      }
    }
    const veto = r.report.stages.find((s) => s.stage === 'false-negatives/click-veto');
    const hardness = (r.report.sections.negatives as { hardness: Record<string, { mean: number; n: number }> }).hardness;
    const rate = (k: string) => { const t = tally.get(k) ?? { rel: 0, n: 0 }; return rateOf(t.rel, t.n); };
    console.log(`[${name}] records ${records}, negatives ${rate('all').n}${unknownQuery ? ` (+${unknownQuery} of queries without truth)` : ''}; click veto removed ${Object.entries(veto?.dropped ?? {}).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'} (${((performance.now() - t1) / 1000).toFixed(0)} s)`);
    console.log(`[${name}]   FN rate all ${ci(rate('all'))}`);
    for (const k of [...tally.keys()].filter((x) => x !== 'all').sort()) console.log(`[${name}]   FN rate ${k.padEnd(11)} ${ci(rate(k))}`);
    console.log(`[${name}]   hardness ${Object.entries(hardness).map(([k, h]) => `${k} ${h.mean.toFixed(3)} (${h.n})`).join(', ') || '-'}`);
  }
}
