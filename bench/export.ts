/**
 * Export write benchmark: 1M TrainingRecords with 1 positive and k negatives of ~2 KiB (texts shared
 * with a corpus of distinct documents) exported by `exportDataset` (row sinks: every file written
 * row by row, atomically), then the n-tuple rows (anchor, positive, negative_1..negative_k) through
 * the JSONL sink alone, against the exporter before sinks (every row in one string, then one
 * writeFile) in the same process at the largest record count it survives.
 *   npx tsx bench/export.ts [records] [--docs 100000] [--negatives 8] [--doc-bytes 2048]
 *     [--formats sentence-transformers,...] [--file-formats jsonl,parquet] [--batch 0]
 *     [--dir /tmp] [--chunk 1048576] [--no-fsync] [--parquet infer|columns|both] [--row-group rows|0]
 *     [--no-export] [--no-sink] [--no-baseline] [--keep]
 * The records cost ~0.6 KB each in memory (their texts are the corpus strings), so RSS before a
 * write is the inputs; a writer's own memory is the RSS growth during the write (sampled every
 * 50 ms), which must not grow with the record count. Wall time depends on the disk and on other
 * load (2 shared cores): compare CPU seconds across runs. Free disk in --dir is checked first
 * (the export's size is extrapolated from a 1,000-record export); the output is deleted at the end.
 */
import { mkdtemp, readdir, rm, statfs, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { constants } from 'node:buffer';
import { createJsonlSink, fileSinks, jsonlToParquet, rowGroupSizeFor } from '../src/adapters/sinks/index.js';
import { openDb } from '../src/db/duckdb.js';
import { exportDataset } from '../src/stages/export/export.js';
import { exportOptions, type ExportOptions } from '../src/stages/export/options.js';
import type { TrainingRecord } from '../src/stages/negatives/types.js';
import type { Doc } from '../src/types.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { createRng } from '../src/util/rng.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const flag = (name: string): boolean => argv.includes(`--${name}`);
const positional = argv.find((a, i) => /^\d[\d_]*$/.test(a) && !(i > 0 && argv[i - 1]!.startsWith('--')));
const nRecords = Number((positional ?? '1000000').replace(/_/g, ''));
const nDocs = Number(arg('docs', '100000'));
const k = Number(arg('negatives', '8'));
const docBytes = Number(arg('doc-bytes', '2048'));
const baseDir = arg('dir', '/tmp');
const chunkBytes = Number(arg('chunk', String(1 << 20)));
const fsync = !flag('no-fsync');
const parquet = arg('parquet', '');
const list = (name: string, def: string): string[] => arg(name, def).split(',').filter(Boolean);
const opts: ExportOptions = exportOptions.parse({
  formats: list('formats', 'sentence-transformers'),
  fileFormats: list('file-formats', 'jsonl'),
  negatives: k,
  batchSize: Number(arg('batch', '0')),
});
const MB = 2 ** 20;
const mb = (b: number): string => (b / MB).toFixed(0);
const gb = (b: number): string => (b / 2 ** 30).toFixed(2);

// ---- inputs: distinct ~2 KiB documents, records pointing at them ----
const t0 = performance.now();
const rng = createRng(7);
const VOCAB = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}`);
const docs: Doc[] = new Array(nDocs);
const words: string[] = [];
for (let d = 0; d < nDocs; d++) {
  words.length = 0;
  let len = 0;
  words.push(`doc${d}`);
  while (len < docBytes - 16) {
    const w = VOCAB[rng.int(VOCAB.length)]!;
    words.push(w);
    len += w.length + 1;
  }
  docs[d] = { kind: 'Doc', doc_id: `d${d}`, text: words.join(' ') };
}
const records: TrainingRecord[] = new Array(nRecords);
for (let i = 0; i < nRecords; i++) {
  const pos = rng.int(nDocs);
  const negatives = new Array<TrainingRecord['negatives'][number]>(k);
  for (let j = 0; j < k; j++) {
    const d = docs[(pos + 1 + rng.int(nDocs - 1)) % nDocs]!;
    negatives[j] = { doc_id: d.doc_id, text: d.text, source: 'bm25', rank: j + 1, score: 10 - j };
  }
  const p = docs[pos]!;
  const q = `query ${i} ${VOCAB[rng.int(VOCAB.length)]} ${VOCAB[rng.int(VOCAB.length)]}`;
  records[i] = { kind: 'TrainingRecord', query: q, query_norm: q, family: q, positives: [{ doc_id: p.doc_id, text: p.text, grade: 2, weight: 1 }], negatives };
}
const genSec = (performance.now() - t0) / 1000;
/** The sentence-transformers n-tuple row (the exporter's layout: anchor, positive, negative_1..negative_k). */
const tupleRows = (r: TrainingRecord): Record<string, string>[] =>
  r.positives.map((p) => {
    const row: Record<string, string> = { anchor: r.query, positive: p.text };
    for (let j = 0; j < k; j++) row[`negative_${j + 1}`] = r.negatives[j]!.text;
    return row;
  });
const rowBytes = Buffer.byteLength(JSON.stringify(tupleRows(records[0]!)[0])) + 1;

// ---- disk ----
const { conn, close } = await openDb();
const out = await mkdtemp(join(baseDir, 'cf-bench-export-'));
const exportInput = (n: number, outDir: string) => ({ records: n === nRecords ? records : records.slice(0, n), splitOf: new Map<string, 'train'>(), docs, outDir, sinks: fileSinks });
const sizeOf = async (dir: string): Promise<number> => {
  let total = 0;
  for (const f of await readdir(dir, { recursive: true, withFileTypes: true })) if (f.isFile()) total += (await stat(join(f.parentPath, f.name))).size;
  return total;
};
const probeDir = join(out, 'probe');
const probeN = Math.min(nRecords, 1000);
await exportDataset(conn, exportInput(probeN, probeDir), opts);
const exportBytes = flag('no-export') ? 0 : ((await sizeOf(probeDir)) / probeN) * nRecords;
await rm(probeDir, { recursive: true, force: true });
const fsStat = await statfs(baseDir);
const free = fsStat.bavail * fsStat.bsize;
const sinkBytes = flag('no-sink') ? 0 : nRecords * rowBytes * (parquet ? 1.5 : 1);
const need = Math.max(exportBytes, sinkBytes) * 1.05;
console.log(`inputs            ${nDocs.toLocaleString()} docs of ~${docBytes} B, ${nRecords.toLocaleString()} records x (1 positive + ${k} negatives), ~${rowBytes} B an n-tuple row; built in ${genSec.toFixed(1)} s, RSS ${mb(process.memoryUsage.rss())} MB`);
console.log(`disk              ${baseDir}: ${gb(free)} GiB free, this run needs ~${gb(need)} GiB (export ~${gb(exportBytes)}, sink alone ~${gb(sinkBytes)})`);
if (free < need) {
  console.error(`not enough free disk in ${baseDir}: pass a smaller record count, fewer --formats or --dir elsewhere.`);
  await rm(out, { recursive: true, force: true });
  process.exit(1);
}

let rssPeak = 0;
/** Note the RSS now (for synchronous work, during which the sampling timer cannot run). */
const probe = (): void => void (rssPeak = Math.max(rssPeak, process.memoryUsage.rss()));

interface Figures { records: number; bytes: number; wall: number; cpu: number; rssBefore: number; rssPeak: number; maxRss: number }
/** Run `fn`, timing it and sampling RSS every 50 ms (the sampling runs whenever the loop turns). */
async function measure(fn: () => Promise<{ records: number; bytes: number }>): Promise<Figures> {
  const rssBefore = process.memoryUsage.rss();
  rssPeak = rssBefore;
  const timer = setInterval(probe, 50);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  try {
    const r = await fn();
    const wall = (performance.now() - w0) / 1000;
    const c = process.cpuUsage(c0);
    probe();
    return { ...r, wall, cpu: (c.user + c.system) / 1e6, rssBefore, rssPeak, maxRss: process.resourceUsage().maxRSS * 1024 };
  } finally {
    clearInterval(timer);
  }
}
const cores = availableParallelism();
const show = (label: string, f: Figures): void =>
  console.log(
    `${label.padEnd(18)}${f.records.toLocaleString().padStart(10)} records  ${gb(f.bytes).padStart(6)} GiB  wall ${f.wall.toFixed(1).padStart(6)} s  ` +
      `cpu ${f.cpu.toFixed(1).padStart(6)} s (${(f.cpu / f.wall).toFixed(2)} of ${cores} cores)  ${(f.bytes / MB / f.wall).toFixed(0).padStart(5)} MB/s  ` +
      `RSS ${mb(f.rssBefore)} -> peak ${mb(f.rssPeak)} MB (+${mb(f.rssPeak - f.rssBefore)}), process maxRSS ${mb(f.maxRss)} MB`,
  );

let commitSec = 0;
async function viaSink(n: number, path: string): Promise<{ records: number; bytes: number }> {
  const sink = await createJsonlSink(path, { chunkBytes, fsync });
  try {
    for (let i = 0; i < n; i++) for (const row of tupleRows(records[i]!)) await sink.write(row);
    const c0 = performance.now();
    await sink.commit();
    commitSec = (performance.now() - c0) / 1000;
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return { records: n, bytes: sink.bytes };
}

/** The exporter before sinks: rows.map(JSON.stringify).join('\n'), then writeFileAtomic. */
async function oneString(n: number, path: string): Promise<{ records: number; bytes: number }> {
  const rows = records.slice(0, n).flatMap(tupleRows);
  const s = rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  probe();
  await writeFileAtomic(path, s);
  return { records: n, bytes: Buffer.byteLength(s) };
}

try {
  if (!flag('no-export')) {
    const dir = join(out, 'export');
    let files: Readonly<Record<string, number>> = {};
    const f = await measure(async () => {
      files = (await exportDataset(conn, exportInput(nRecords, dir), opts)).files;
      return { records: nRecords, bytes: await sizeOf(dir) };
    });
    show('exportDataset', f);
    console.log(`                  formats ${opts.formats.join(', ')} as ${opts.fileFormats.join(', ')}, negatives ${k}, batchSize ${opts.batchSize}; files: ${Object.entries(files).map(([name, n]) => `${name} ${n.toLocaleString()}`).join(', ')}`);
    await rm(dir, { recursive: true, force: true });
  }

  const path = join(out, 'train.jsonl');
  const main = flag('no-sink') ? null : await measure(() => viaSink(nRecords, path));
  if (main) {
    if ((await stat(path)).size !== main.bytes) throw new Error('file size differs from the bytes the sink counted');
    show(`sink${fsync ? '' : ' no fsync'}`, main);
    console.log(`                  of which commit() ${commitSec.toFixed(1)} s (flush, close${fsync ? ', fsync file and folder' : ''}, rename)`);
  }

  if (parquet && main) {
    // --row-group 0: DuckDB's default; else the sink's default for this row size
    const rowGroupSize = Number(arg('row-group', String(rowGroupSizeFor(main.bytes / nRecords))));
    const cols = Object.fromEntries(['anchor', 'positive', ...Array.from({ length: k }, (_, j) => `negative_${j + 1}`)].map((c) => [c, 'VARCHAR']));
    for (const mode of parquet === 'both' ? ['columns', 'infer'] : [parquet]) {
      const pq = join(out, `train.${mode}.parquet`);
      const f = await measure(async () => ({ records: await jsonlToParquet(conn, path, pq, { ...(mode === 'columns' ? { columns: cols } : {}), ...(rowGroupSize ? { rowGroupSize } : {}) }), bytes: main.bytes }));
      show(`parquet ${mode}`, f);
      console.log(`                  row groups of ${rowGroupSize ? rowGroupSize.toLocaleString() : "DuckDB's default 122,880"} rows`);
      console.log(`                  parquet file ${gb((await stat(pq)).size)} GiB (MB/s above: JSONL read)`);
      await rm(pq, { force: true });
    }
  }
  await rm(path, { force: true });

  if (!flag('no-baseline')) {
    // The old approach at growing counts until the one string no longer fits in V8 (max string length).
    const counts = [10_000, 20_000, 25_000, 30_000, 60_000].filter((c) => c <= nRecords);
    console.log(`baseline          one string then writeFile; V8's longest string is ${constants.MAX_STRING_LENGTH.toLocaleString()} characters = ${Math.floor(constants.MAX_STRING_LENGTH / rowBytes).toLocaleString()} rows of this size`);
    let best: Figures | null = null;
    for (const c of counts) {
      const p = join(out, `old-${c}.jsonl`);
      try {
        const f = await measure(() => oneString(c, p));
        show('  one string', f);
        best = f;
      } catch (err) {
        console.log(`  one string      ${c.toLocaleString().padStart(10)} records  fails: ${(err as Error).name}: ${(err as Error).message}`);
        break;
      } finally {
        await rm(p, { force: true });
      }
    }
    if (best) {
      // the same n-tuple rows as the baseline, through the JSONL sink alone
      const p = join(out, 'same-size.jsonl');
      const f = await measure(() => viaSink(best.records, p));
      show('  sink, same size', f);
      await rm(p, { force: true });
      console.log(`  ratio           sink / one string at ${best.records.toLocaleString()} records: wall ${(f.wall / best.wall).toFixed(2)}x, RSS growth ${mb(f.rssPeak - f.rssBefore)} vs ${mb(best.rssPeak - best.rssBefore)} MB`);
    }
  }
} finally {
  close();
  if (!flag('keep')) await rm(out, { recursive: true, force: true });
}
