/**
 * Fingerprints of what clickforge writes, for refactors that must not change behaviour: runs a
 * fixed set of builds (simulated worlds with events and SERPs, labels and calibration, the
 * curriculum, the Cranfield world and TREC Session 2014 when ../shared/data is present, and the
 * demo) and prints one sha256 per output file, run.json excepted (it holds timings), with the
 * working folder's path masked. Two runs on the same commit print the same lines wherever they
 * run; a diff between commits names every file that changed.
 *
 *   npx tsx scripts/output-digest.ts [--out <dir>] [--skip-demo] > digest.txt
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { sampleLabels } from '../src/tools/simulate/index.js';
import { readTrecSession, trecSessionDir, trecSessionPresent, writeTrecSession } from '../src/tools/real-logs/trec-session.js';

const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
// every build runs inside `work` with relative paths: the manifest records the paths it was given
const work = resolve(flag('out') ?? mkdtempSync(join(tmpdir(), 'clickforge-output-digest-')));
const skipDemo = process.argv.includes('--skip-demo');
const main = resolve(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
const tsx = resolve(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

function cf(args: string[]): void {
  try {
    execFileSync(tsx, [main, ...args, ...(args[0] === 'build' || args[0] === 'calibrate' ? ['-q'] : [])], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  } catch (e) {
    throw new Error(`clickforge ${args.join(' ')} failed: ${String((e as { stderr?: Buffer }).stderr ?? e)}`, { cause: e });
  }
}

function digest(name: string, dir: string): void {
  for (const f of readdirSync(join(work, dir), { recursive: true }).map(String).sort()) {
    const p = join(work, dir, f);
    if (f.endsWith('run.json') || statSync(p).isDirectory()) continue;
    // the manifest, the card and the quarantine name their inputs by absolute path: hashed as if `work` were <work>
    const bytes = Buffer.from(readFileSync(p).toString('latin1').replaceAll(work, '<work>'), 'latin1');
    console.log(`${createHash('sha256').update(bytes).digest('hex')}  ${name}/${f}`);
  }
}

function simulated(name: string, args: string[]): string {
  const data = join(name, 'data');
  cf(['simulate', '--out', data, ...args]);
  return data;
}

// help desk: SERPs, labels, curriculum, calibration fitted and applied
{
  const data = simulated('helpdesk', ['--sessions', '4000', '--seed', '7']);
  const labels = join(data, 'labels.jsonl');
  writeFileSync(join(work, labels), sampleLabels(join(work, data), { pairs: 600, seed: 7 }).map((l) => JSON.stringify(l)).join('\n') + '\n');
  const input = ['--serps', join(data, 'serps.jsonl'), '--corpus', join(data, 'corpus.jsonl'), '--labels', labels, '--seed', '7'];
  cf(['build', ...input, '--curriculum', '--out', join('helpdesk', 'build')]);
  cf(['calibrate', ...input, '--out', join('helpdesk', 'calibrate')]);
  cf(['build', ...input, '--calibration', join('helpdesk', 'calibrate', 'calibration.json'), '--out', join('helpdesk', 'calibrated')]);
  for (const b of ['build', 'calibrate', 'calibrated']) digest(`helpdesk/${b}`, join('helpdesk', b));
}
// flat events with timestamps only, a harder preset, the dense miner, a memory limit
{
  const data = simulated('click-only', ['--sessions', '3000', '--seed', '3', '--preset', 'click-only', '--format', 'events', '--dwell', 'timestamps']);
  cf(['build', '--events', join(data, 'events.jsonl'), '--corpus', join(data, 'corpus.jsonl'), '--seed', '3', '--memory-limit', '300MB',
    '--set', 'negatives.miners=["bm25","behavioural","dense","random"]', '--out', join('click-only', 'build')]);
  digest('click-only/build', join('click-only', 'build'));
}
const shared = resolve(import.meta.dirname, '..', '..', 'shared', 'data');
if (existsSync(join(shared, 'cranfield'))) {
  const data = simulated('cranfield', ['--world', 'cranfield', '--collection', join(shared, 'cranfield'), '--sessions', '3000', '--seed', '5']);
  cf(['build', '--serps', join(data, 'serps.jsonl'), '--corpus', join(data, 'corpus.jsonl'), '--seed', '5', '--out', join('cranfield', 'build')]);
  digest('cranfield/build', join('cranfield', 'build'));
} else console.error('skipped: Cranfield (../shared/data/cranfield absent)');
if (trecSessionPresent(trecSessionDir(shared))) {
  const files = await writeTrecSession(readTrecSession(trecSessionDir(shared)), join(work, 'trec', 'data'), { clickTimes: 'spaced' });
  const rel = (p: string) => relative(work, p);
  cf(['build', '--serps', rel(files.serps), '--corpus', rel(files.corpus), '--labels', rel(files.labels), '--set', 'negatives.miners=["behavioural"]', '--out', join('trec', 'build')]);
  digest('trec/build', join('trec', 'build'));
} else console.error('skipped: TREC Session 2014 (../shared/data absent)');
if (!skipDemo) {
  cf(['demo', '--out', 'demo', '--sessions', '5000']);
  digest('demo', 'demo');
}
