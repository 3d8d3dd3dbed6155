import { rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseConfig, type Config, type ConfigInput } from './config.js';
import { openDb, queryRows, sqlString, type DuckDBConnection } from './db/duckdb.js';
import { dropNamespace, dropRelations, type Namespace } from './db/relation.js';
import { usageError } from './errors.js';
import { ingestDocs, ingestLog, joinIngest, type IngestPart } from './stages/ingest/ingest.js';
import { loadDocs } from './stages/ingest/corpus.js';
import { ingestRelations, type IngestRelations, type LogRelations } from './stages/ingest/relations.js';
import { buildSessions, sessionRelations, type SessionRelations } from './stages/sessions/sessions.js';
import { buildEvidence, evidenceRelations, evidenceStats, type ClickFacts, type EvidenceKeys, type EvidenceRelations } from './stages/evidence/evidence.js';
import type { EvidenceOptions } from './stages/evidence/options.js';
import { gradeEvidence, type CurveIdentified, type GradedEvidence, type ResolvedGradingRule } from './stages/evidence/grading.js';
import { estimateBiasFromCounts, examinationByRank } from './stages/bias/bias.js';
import { biasCountsRelation, writeBiasCounts, type BiasCounts, type BiasPageCounts } from './stages/bias/from-duckdb.js';
import { checkEventLevelConfig, eventLevelConfig, loadEventLevel, readEventLevel, writeEventLevel, type EventLevelCounts, type EventLevelManifest } from './stages/event-level/folder.js';
import { buildPositives } from './stages/positives/positives.js';
import { buildFamilies } from './stages/families/families.js';
import { familyInputFromDb } from './stages/families/from-duckdb.js';
import { splitFamilies } from './stages/splits/splits.js';
import { logBeforeCutoff, splitFamiliesOf, trainFromPreCutoff, trainFromPreCutoffByQuery, trainQueries } from './stages/splits/chronological.js';
import { mineNegatives } from './stages/negatives/mine.js';
import { loadExpectedExaminations, loadWeightedSkips } from './stages/negatives/behavioural-miner.js';
import { loadSessionCoClicks } from './stages/false-negatives/session-clicks.js';
import { exportDataset, type ExportResult } from './stages/export/export.js';
import { renderDocument } from './text/render.js';
import { renderDatasetCard } from './stages/export/card.js';
import { runCurriculum } from './stages/curriculum/curriculum.js';
import { balancePositives } from './stages/balance/apply.js';
import { hasSources, loadSources, sourceFileList, type SourcesResult } from './stages/sources/load.js';
import { mergeSourceEvidence } from './stages/sources/merge.js';
import type { SourceKind } from './stages/sources/types.js';
import { keepSeedsInTest } from './stages/sources/seeds-in-test.js';
import { syntheticToTrain } from './stages/sources/synthetic-to-train.js';
import { hasClickLog } from './stages/ingest/options.js';
import { addJudgedNegatives } from './stages/sources/judged-negatives.js';
import { kindOfProvenance } from './stages/sources/types.js';
import { sourceFunnel } from './stages/report/source-funnel.js';
import type { TrainingRecord } from './stages/negatives/types.js';
import type { Split } from './stages/splits/splits.js';
import { presentationSection } from './stages/balance/presentation.js';
import { createBuiltinEmbedder, createEmbedder } from './adapters/embedders/index.js';
import { createJudge, createRerankJudge } from './adapters/judges/index.js';
import { fileSinks } from './adapters/sinks/index.js';
import type { Judge } from './ports/index.js';
import { biasSection, calibrationSection, corpusCoverageSection, labelsSection, leakageSection } from './stages/report/sections.js';
import { assembleReport } from './stages/report/summary.js';
import { applyCalibration, calibratedMiners, calibratedVeto, readCalibrationFile } from './stages/calibration/apply.js';
import type { CalibrationFeatures } from './stages/calibration/features.js';
import { checkAgainstLabels } from './stages/calibration/index.js';
import type { CalibrationFile } from './stages/calibration/options.js';
import { reportJson, type Report } from './stages/report/report.js';
import { exampleCollector, reportSections, withChecklist, withoutReportOptions, writeReportPages } from './stages/report/assemble.js';
import type { Doc, Evidence, MultiPositive, PositivePair, StageStats } from './types.js';
import { commitTemp, sha256File, stableJson, tempPathFor, writeFileAtomic } from './util/fs.js';
import { openOutputDir, type OutputDir } from './util/output-dir.js';
import { checkBuildPaths } from './util/paths.js';
import { VERSION } from './version.js';

export interface ProgressEvent {
  readonly step: string;
  readonly index: number;
  readonly total: number;
  readonly phase: 'start' | 'end';
  readonly seconds?: number;
}

export interface BuildHooks {
  onProgress?: (e: ProgressEvent) => void;
}

export interface BuildResult {
  readonly outDir: string;
  readonly files: Readonly<Record<string, string>>;
  readonly report: Report;
  readonly timings: Readonly<Record<string, number>>;
}

async function copyTo(conn: DuckDBConnection, sql: string, path: string, format: 'parquet' | 'json'): Promise<void> {
  const tmp = tempPathFor(path);
  const opts = format === 'parquet' ? "FORMAT parquet, COMPRESSION zstd" : 'FORMAT json';
  await conn.run(`COPY (${sql}) TO ${sqlString(tmp)} (${opts})`);
  await commitTemp(tmp, path);
}

function jsonl(records: readonly unknown[]): string {
  let s = '';
  for (const r of records) s += `${JSON.stringify(r)}\n`;
  return s;
}

/**
 * Run the whole pipeline: click logs + corpus in, graded positives, evidence, quarantine, report
 * and manifest out.
 *
 * Input: options (see `configSchema`), at least `input.serps` or `input.events`.
 * Output: files in `output`: positives.jsonl, positives.multi.jsonl, evidence.parquet,
 * quarantine.jsonl, report.json, report.md, manifest.json (+ run.json, the only file that
 * differs between identical runs).
 */
export async function build(options: ConfigInput | Config, hooks: BuildHooks = {}): Promise<BuildResult> {
  const config = parseConfig(options);
  if (!hasClickLog(config.input) && !hasSources(config.input)) {
    throw usageError('no_input', 'no input given: pass a click log (--serps / --events, or input.serps / input.events in the config), or, to build without clicks, synthetic queries (--synthetic, from clickforge synth), expert seeds (--seeds) or weak-supervision files (--faq, --macros, --pinned, --collections) with --corpus (docs/bootstrap.md).');
  }
  if (!hasClickLog(config.input) && !config.input.corpus) {
    throw usageError('no_corpus', 'a build without a click log needs the corpus its bootstrap sources point at: pass --corpus FILE or set input.corpus (docs/bootstrap.md).');
  }
  if (!hasClickLog(config.input)) requireClickLogFor(config);
  await checkBuildPaths(config);
  return buildWith(config, hooks, (target) => liveEventLevel(config, `${target}.quarantine.jsonl`));
}

/**
 * The text level over an event-level folder (`clickforge events`, or the Spark job): the same
 * outputs as `build` over the click log the folder was made from, with the same config and seed.
 * The click-log paths come from the folder's manifest; options that shaped the folder must match
 * (docs/event-level.md).
 */
export async function buildFromEvidence(dir: string, options: ConfigInput | Config, hooks: BuildHooks = {}): Promise<BuildResult> {
  const given = parseConfig(options);
  const folder = await readEventLevel(resolve(dir));
  checkEventLevelConfig(resolve(dir), folder.manifest, given);
  await checkBuildPaths({ ...given, input: { ...given.input, serps: [], events: [] } });
  const config = parseConfig({ ...given, input: { ...given.input, serps: folder.manifest.config.input.serps, events: folder.manifest.config.input.events } });
  return buildWith(config, hooks, () => folderEventLevel(resolve(dir), folder, config.evidence));
}

async function buildWith(config: Config, hooks: BuildHooks, sourceFor: (target: string) => EventSource): Promise<BuildResult> {
  if (config.calibration.fit && !config.input.labels) {
    throw usageError('no_labels', 'calibration.fit needs labels: pass --labels FILE (query, doc_id, grade per line) or set input.labels.');
  }
  const calibration = config.calibration.file ? await readCalibrationFile(config.calibration.file) : null;
  const timings: Record<string, number> = {};
  return withStagedDb(config, (conn, output) => runStages(conn, config, calibration, { staging: output.staging, target: output.target }, stepRunner(hooks, timings), timings, sourceFor(output.target)));
}

/** DuckDB's out-of-memory error as a usage error that says what to change; any other error as it is. */
function outOfMemory(e: unknown, config: Pick<Config, 'memoryLimit'>): unknown {
  if (e instanceof Error && e.message.includes('Out of Memory Error')) {
    return usageError('out_of_memory', `DuckDB ran out of memory${config.memoryLimit ? ` under memoryLimit ${config.memoryLimit}` : ''}: ${config.memoryLimit ? 'raise memoryLimit (e.g. "1GB") or leave it unset' : 'set memoryLimit (e.g. "1GB") so that DuckDB spills to disk'}, or lower threads. DuckDB said: ${e.message.split('\n')[0]}`, { cause: e });
  }
  return e;
}

/** What buildEvidence returns: the evidence records, relations and stats (keys when computed in this run). */
type RawEvidence = { readonly evidence: Evidence[]; readonly relations: EvidenceRelations; readonly keys?: EvidenceKeys; readonly stats: StageStats };

/**
 * Where the event level's relations come from: this run's stages over the click log, or an
 * event-level folder. Each step returns what the text level reads of it.
 */
interface EventSource {
  /** The click-log half of ingest (the relations of ingestRelations() exist after it). */
  readonly ingest: (conn: DuckDBConnection) => Promise<IngestPart>;
  readonly sessions: (conn: DuckDBConnection, log: LogRelations) => Promise<{ readonly relations: SessionRelations; readonly stats: StageStats }>;
  readonly biasCounts: (conn: DuckDBConnection, log: IngestRelations) => Promise<{ readonly relation: BiasCounts; readonly counts: BiasPageCounts }>;
  readonly evidence: (conn: DuckDBConnection, log: LogRelations, ses: SessionRelations) => Promise<RawEvidence>;
  /** sha256 of the click-log files, when known without reading them. */
  readonly logHashes: Readonly<Record<string, string>> | null;
}

const biasCountOptions = (config: Config) => ({ maxRank: config.bias.maxRank, holdoutShare: config.bias.holdoutShare, seed: config.seed });

/** The event level run here, over the click log. */
function liveEventLevel(config: Config, quarantineFile: string): EventSource {
  return {
    ingest: (conn) => ingestLog(conn, config.input, { quarantineFile }),
    sessions: (conn, log) => buildSessions(conn, log, config.sessions),
    biasCounts: (conn, log) => writeBiasCounts(conn, log, biasCountOptions(config)),
    evidence: (conn, log, ses) => buildEvidence(conn, { ...ses, impressions: log.impressions, clicks: log.clicks }, config.evidence),
    logHashes: null,
  };
}

/** The event level read from a folder (its config already checked: `evidence` is the options it was made with). */
function folderEventLevel(dir: string, folder: { readonly manifest: EventLevelManifest; readonly counts: EventLevelCounts }, evidence: EvidenceOptions): EventSource {
  return {
    ingest: async (conn) => {
      await loadEventLevel(conn, dir, folder.manifest);
      return folder.counts.ingest;
    },
    sessions: () => Promise.resolve({ relations: sessionRelations(), stats: folder.counts.sessions }),
    biasCounts: () => Promise.resolve({ relation: biasCountsRelation(), counts: folder.counts.bias }),
    evidence: async (conn, log, ses) => {
      const relations = evidenceRelations();
      const r = await evidenceStats(conn, { ...ses, impressions: log.impressions, clicks: log.clicks }, relations, evidence);
      return { ...r, relations };
    },
    logHashes: folder.manifest.inputs,
  };
}

/**
 * The event level alone (`clickforge events`): ingest of the click log, sessions, position-bias
 * counts and evidence counts, written as an event-level folder (docs/event-level.md) for
 * `buildFromEvidence`. The corpus and labels are the text level's inputs and are not read.
 */
export async function buildEventLevel(options: ConfigInput | Config, hooks: BuildHooks = {}): Promise<{ readonly outDir: string; readonly manifest: EventLevelManifest; readonly timings: Readonly<Record<string, number>> }> {
  const config = parseConfig(options);
  if (!hasClickLog(config.input)) {
    throw usageError('no_input', 'no click log given: set input.serps (SERP records) or input.events (flat events) in the config, or pass --serps / --events.');
  }
  await checkBuildPaths({ ...config, input: { ...config.input, corpus: undefined, labels: undefined } });
  const timings: Record<string, number> = {};
  const run = stepRunner(hooks, timings, EVENT_STEPS);
  return withStagedDb(config, async (conn, output) => {
    const src = liveEventLevel(config, `${output.target}.quarantine.jsonl`);
    const ing = await run('ingest', () => src.ingest(conn));
    const log = ingestRelations(undefined, { randomized: config.input.serps.length > 0 });
    const ses = await run('sessions', () => src.sessions(conn, log));
    const bias = await run('bias', () => src.biasCounts(conn, log));
    await run('evidence', () => src.evidence(conn, log, ses.relations));
    const manifest = await run('write', async () => {
      await rm(output.spill, { recursive: true, force: true });
      return writeEventLevel(conn, output.staging, { config: eventLevelConfig(config), counts: { ingest: ing, sessions: ses.stats, bias: bias.counts }, inputs: await hashesOf([...config.input.serps, ...config.input.events]), tool: 'clickforge', version: VERSION });
    });
    return { outDir: output.target, manifest, timings };
  });
}

/** sha256 of each file in order ('unreadable' when it cannot be read); `known` hashes are taken as given. */
async function hashesOf(files: readonly string[], known: Readonly<Record<string, string>> | null = null): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const f of files) hashes[f] = known?.[f] ?? (await sha256File(f).catch(() => 'unreadable'));
  return hashes;
}

/**
 * Opens the output's staging folder and a DuckDB that spills into it, runs `body`, and swaps the
 * staging folder in when it completes (util/output-dir.ts) or discards it when it fails.
 */
async function withStagedDb<T>(config: Config, body: (conn: DuckDBConnection, output: OutputDir & { readonly spill: string }) => Promise<T>): Promise<T> {
  const output = await openOutputDir(resolve(config.output));
  const spill = join(output.staging, '.duckdb-tmp');
  let complete = false;
  const { conn, close } = await openDb({ ...(config.threads ? { threads: config.threads } : {}), ...(config.memoryLimit ? { memoryLimit: config.memoryLimit } : {}) });
  try {
    await conn.run(`SET temp_directory = ${sqlString(spill)}`);
    const result = await body(conn, { ...output, spill });
    complete = true;
    return result;
  } catch (e) {
    throw outOfMemory(e, config);
  } finally {
    close();
    await rm(spill, { recursive: true, force: true });
    if (complete) {
      await output.commit();
      await rm(`${output.target}.quarantine.jsonl`, { force: true }); // an earlier failed run's quarantine: the output's own now holds the rows
    } else await output.abort();
  }
}

/** Options that read the click log: refused, with what to do, when a build has none. */
function requireClickLogFor(config: Config): void {
  const needs: [boolean, string][] = [
    [config.calibration.fit || config.calibration.file !== null, 'calibration (it weighs click features): drop --calibration / calibration.fit'],
    [config.splits.mode === 'chronological', 'splits.mode chronological (it cuts the log by time): use splits.mode auto or hashed'],
  ];
  const found = needs.filter(([on]) => on).map(([, what]) => what);
  if (found.length) throw usageError('needs_click_log', `a build without a click log (no --serps / --events) cannot use ${found.join('; ')} (docs/bootstrap.md).`);
}

/**
 * A build without a click log grades no click: the grading SQL runs over the empty evidence table
 * (so that its relation, with its columns, exists for the later readers) and this curve is applied
 * to no row. The bias stage does not run.
 */
const NO_CLICK_CURVE = { relative: [1], identification: { identified: false, reasons: ['not applicable: no click log'] } } as const;

/** The event-level steps a build without a click log leaves out; the report lists them. */
const CLICK_STEPS = ['sessions', 'bias', 'click evidence', 'behavioural negatives', 'session co-click veto', 'pre-cutoff rebuild'] as const;

const STEPS = ['ingest', 'sessions', 'bias', 'evidence', 'positives', 'families', 'pre-cutoff', 'negatives', 'export', 'write'] as const;
const EVENT_STEPS = ['ingest', 'sessions', 'bias', 'evidence', 'write'] as const;
type Step = <T>(step: (typeof STEPS)[number], fn: () => Promise<T>) => Promise<T>;

/** Runs the steps in order, timing each and reporting progress. */
function stepRunner(hooks: BuildHooks, timings: Record<string, number>, steps: readonly string[] = STEPS): Step {
  let stepIndex = 0;
  return async (step, fn) => {
    const index = stepIndex++;
    hooks.onProgress?.({ step, index, total: steps.length, phase: 'start' });
    const t0 = performance.now();
    const r = await fn();
    const seconds = (performance.now() - t0) / 1000;
    timings[step] = seconds;
    hooks.onProgress?.({ step, index, total: steps.length, phase: 'end', seconds });
    return r;
  };
}

type Calibration = CalibrationFile & { readonly path: string };

/** The stages in order, each given the relations of the stages before it. */
async function runStages(conn: DuckDBConnection, config: Config, calibration: Calibration | null, out: { readonly staging: string; readonly target: string }, run: Step, timings: Record<string, number>, source: EventSource): Promise<BuildResult> {
  // a build whose every row is rejected fails before its staging folder is swapped in: the quarantine goes beside the output
  const ing = await run('ingest', async () => joinIngest(await source.ingest(conn), await ingestDocs(conn, config.input, { quarantineFile: `${out.target}.quarantine.jsonl` }), config.input));
  const log = ing.relations;
  // without a click log the sessions and evidence SQL run over the empty log tables (their relations
  // exist, empty, for the later readers) and their stats stay out of the report; bias does not run
  const clickLog = hasClickLog(config.input);
  const ses = await run('sessions', () => source.sessions(conn, log));
  const bias = await run('bias', async () => {
    if (!clickLog) return null;
    const counts = await source.biasCounts(conn, log);
    const r = await estimateBiasFromCounts(conn, counts.relation, counts.counts, config.bias, config.seed);
    await dropRelations(conn, [counts.relation]);
    return r;
  });
  const ev = await run('evidence', async () => evidenceStages(conn, log, ses.relations, await source.evidence(conn, log, ses.relations), bias ? bias.result : NO_CLICK_CURVE, config, calibration));
  const docs = await loadDocs(conn, log.corpus);
  const src = hasSources(config.input) ? await loadSources(conn, config.input, new Set(docs.map((d) => d.doc_id)), config.sources, log.quarantine.name) : null;
  const pos = await run('positives', () => positiveStages(conn, log, ev, docs, config, src));
  const fam = await run('families', () => familyStages(conn, ses.relations, pos, src, config));
  // Chronological split: training records are rebuilt from the log before the cutoff only.
  const cutoff = fam.splits.cutoff;
  const pre = await run('pre-cutoff', async () => (cutoff === null || !bias ? null : preCutoffRun(conn, log, cutoff, bias.result, docs, config, calibration)));
  const isTrain = trainQueries(fam.splits, fam.families.familyOf);
  const minePositives = pre ? trainFromPreCutoffByQuery(isTrain, pre.multi, pos.multi) : pos.multi;
  const beforeTs = pre ? cutoff : null;
  const weightedSkips = bias ? await loadWeightedSkips(conn, { serpFacts: ses.relations.serpFacts, clicks: log.clicks, impressions: log.impressions }, examinationByRank(bias.result), { beforeTs }) : undefined;
  const sessionCoClicks = clickLog && config.negatives.filters.clickVeto.enabled && config.negatives.filters.clickVeto.sessionScope
    ? await loadSessionCoClicks(conn, { serpFacts: ses.relations.serpFacts, clickFacts: ev.clickFacts }, minePositives.map((m) => m.query_norm), { beforeTs })
    : undefined;
  // exposure of unclicked pairs: the graded evidence's expected examinations (same curve as the miners' examinationByRank)
  const expectedExaminations = pre ? pre.expectedExaminations : await loadExpectedExaminations(conn, ev.final, { minImpressions: config.negatives.behavioural.minExposure });
  // one rendering for positives and negatives alike (a title on one side only would be a shortcut to learn)
  const renderText = (d: Doc) => renderDocument(d, config.positives.includeTitle);
  // a calibration vetoes the candidates it estimates likely relevant, and drops the miners it measured as harmful
  const veto = calibration && ev.features && calibration.negatives.vetoAbove !== null ? { pairs: await calibratedVeto(conn, ev.features, calibration), vetoAbove: calibration.negatives.vetoAbove } : undefined;
  const negativeOptions = calibration ? calibratedMiners(config.negatives, calibration) : config.negatives;
  const mineInput = { positives: minePositives, evidence: pre ? pre.evidence : ev.evidence, docs, familyOf: fam.families.familyOf, expectedExaminations, ...(weightedSkips ? { weightedSkips } : {}), ...(clickLog ? {} : { clickLog: false }), ...(sessionCoClicks ? { sessionCoClicks } : {}), renderText, fillPublishedBefore: cutoff, ...(veto ? { calibratedVeto: veto } : {}) };
  const examples = exampleCollector(minePositives, config);
  const mined = await run('negatives', async () => {
    const embedder = config.embedder ? await createEmbedder(config.embedder) : undefined;
    let judge: Judge | undefined;
    try {
      judge = config.judge ? await createJudge(config.judge) : undefined;
      return await mineNegatives({ ...mineInput, onRemoved: examples.onRemoved, prompts: config.prompts, ...(embedder ? { embedder } : {}), ...(judge ? { judge } : {}) }, { ...negativeOptions, seed: config.seed });
    } finally {
      await Promise.all([embedder?.close(), judge?.close()]);
    }
  });
  // seed rows of grade 0: negatives of their query after the filters, so no filter removes them
  const judged = src ? addJudgedNegatives(mined.records, src.rows, new Map(docs.map((d) => [d.doc_id, d])), renderText) : null;
  const neg = judged ? { ...mined, records: judged.records } : mined;
  const exp = await run('export', async () => {
    // export.teacherScores "judge": the rerank judge scores the exported texts (its cache holds the filter's calls)
    const teacher = config.export.teacherScores === 'judge' && config.judge?.kind === 'rerank' ? await createRerankJudge(config.judge) : undefined;
    const main = await exportDataset(conn, { records: neg.records, splitOf: fam.splits.splitOf, docs, outDir: join(out.staging, 'dataset'), seed: config.seed, scorer: neg.scorer, queryPrompt: config.prompts.query, sinks: fileSinks, ...(teacher ? { teacher } : {}) }, config.export)
      .finally(() => teacher?.close());
    if (!config.curriculum.enabled) return { ...main, curriculum: null };
    const cur = await runCurriculum(neg.records, mineInput, fam.splits.splitOf, { epochs: config.curriculum.epochs, seed: config.seed, negatives: negativeOptions, embedderOf: (model) => createBuiltinEmbedder({ model }) });
    const files: Record<string, number> = { ...main.files };
    for (const st of cur.stages) {
      const e = await exportDataset(
        conn,
        { records: st.records, splitOf: fam.splits.splitOf, docs, outDir: join(out.staging, 'dataset', 'curriculum', st.name), seed: config.seed, queryPrompt: config.prompts.query, sinks: fileSinks },
        { ...config.export, formats: config.export.formats.filter((f) => f !== 'beir'), batchSize: 0 },
      );
      for (const [f, n] of Object.entries(e.files)) files[`curriculum/${st.name}/${f}`] = n;
    }
    return { ...main, files, curriculum: cur };
  });

  const labelChecks = await checkAgainstLabels(
    conn,
    { labels: log.labels, evidence: ev.final, clickFacts: ev.clickFacts, sessionClicks: ses.relations.sessionClicks, serpFacts: ses.relations.serpFacts, ...(ev.features ? { features: ev.features } : {}) },
    { familyOf: fam.families.familyOf, positives: pos.pairs, records: neg.records, gradingRule: calibration ? 'calibrated' : ev.rule.rule },
    config.calibration,
    config.seed,
  );

  return run('write', async () => {
    // Stage timings vary from run to run: they go to run.json, never into the report.
    const clickStats = bias ? [ses.stats, bias.countStats, bias.result.stats, ev.stats, ev.grading, ...(ev.calibration ? [ev.calibration] : [])] : [];
    const stats: StageStats[] = [...ing.stats, ...(src?.stats ?? []), ...fam.sourceStats, ...(judged ? [judged.stats] : []), ...clickStats, ...pos.balance.stats, pos.stats, fam.families.stats, fam.splits.stats, ...neg.stats, exp.stats, ...(pre?.stats ?? []), ...(exp.curriculum?.stats ?? []), ...(labelChecks ? [labelChecks.stats] : [])].map(({ seconds, ...rest }) => {
      if (seconds !== undefined) timings[`stage:${rest.stage}`] = seconds;
      return rest;
    });
    const assembled = await assembleReport(conn, { quarantine: log.quarantine, serps: log.serps, serpFacts: ses.relations.serpFacts, clicks: log.clicks, clickFacts: ev.clickFacts, evidence: ev.final }, stats, [...ing.warnings, ...(labelChecks?.harm.warnings ?? [])], pos.pairs.length, pos.multi.length, { clickLog });
    const base = src ? withSourceFunnel(assembled, src, pos.pairs, neg.records, fam.splits.splitOf) : assembled;
    const report: Report = withChecklist({
      ...base,
      sections: {
        bias: bias ? biasSection(bias.result, ev.rule) : NO_CLICK_LOG_SECTION,
        balance: pos.balance.section,
        presentation: await presentationSection(conn, log),
        families: { count: fam.families.families.length, merges: fam.families.merges, refused: fam.families.refused, largest: fam.families.largest.slice(0, 5) },
        corpus: await corpusCoverageSection(conn, log),
        splits: { mode: fam.splits.mode, cutoff: fam.splits.cutoff, fractions: config.splits.fractions, balance: fam.splits.balance },
        negatives: { hardness: neg.hardness, duplicates: neg.duplicates ?? null, removedExamples: neg.removedExamples },
        leakage: leakageSection(neg.records, fam.splits.splitOf, pre ? trainFromPreCutoff(isTrain, pre.evidence, ev.evidence) : ev.evidence, fam.splits.cutoff, config.seed),
        labels: await labelsSection(conn, log.labels, ev.evidence, pos.pairs, neg.records),
        doNoHarm: labelChecks?.harm ?? null,
        calibration: calibrationSection(labelChecks?.calibration ?? null, calibration),
        dataset: exp.files,
        batches: exp.batches ?? null,
        curriculum: exp.curriculum ? { hardness: exp.curriculum.hardness, records: Object.fromEntries(exp.curriculum.stages.map((st) => [st.name, st.records.length])) } : null,
        ...base.sections,
        ...(await reportSections(conn, { relations: { serpFacts: ses.relations.serpFacts, clickFacts: ev.clickFacts, impressions: log.impressions, clicks: log.clicks, reformulations: ses.relations.reformulations }, examples, pairs: pos.pairs, records: neg.records, docs, splitOf: fam.splits.splitOf, familyOf: fam.families.familyOf, config })),
        ...(clickLog ? {} : { clickLog: { present: false, skipped: CLICK_STEPS, sources: (src?.stats ?? []).map((st) => st.stage) } }),
      },
    }, config.report);
    return writeOutputs(conn, config, out, { report, log, evidence: ev.final, pos, calibrationFit: labelChecks?.calibration ?? null, exp, timestampFormats: ing.timestampFormats, timings, logHashes: source.logHashes });
  });
}

/** The report with the funnel by source (section sourceFunnel) and its accounting checks. */
function withSourceFunnel(base: Report, src: SourcesResult, pairs: readonly PositivePair[], records: readonly TrainingRecord[], splitOf: ReadonlyMap<string, Split>): Report {
  const f = sourceFunnel({
    clicks: { rowsRead: base.summary.rowsRead, raw: base.summary.clicks, outcomes: base.clickOutcomes },
    sourceStats: src.stats, sourceRows: src.rows, pairs, records, splitOf, kindOf: kindOfProvenance,
  });
  return { ...base, accounting: [...base.accounting, ...f.checks], sections: { ...base.sections, sourceFunnel: f.section } };
}

const NO_CLICK_LOG_SECTION = { applicable: false, reason: 'not applicable: no click log' } as const;

/**
 * Families over every query (the log's and the bootstrap sources'), the leakage-safe split, then
 * the source moves: synthetic-only families to train (sources.synthetic.trainOnly), seed families
 * to test (sources.seeds.keepInTest), each counted in its own stage.
 */
async function familyStages(conn: DuckDBConnection, ses: SessionRelations, pos: { readonly multi: readonly MultiPositive[]; readonly pairs: readonly PositivePair[] }, src: SourcesResult | null, config: Config) {
  const positives = new Map(pos.multi.map((m) => [m.query_norm, m.positives.map((p) => p.doc_id)]));
  const families = buildFamilies(await familyInputFromDb(conn, ses, positives, config.families, src ? src.rows.map((r) => r.query_norm) : []), config.families);
  const split = splitFamilies(splitFamiliesOf(families.families, pos.pairs), { ...config.splits, seed: config.seed }, { links: families.links });
  const queriesOf = (kind: SourceKind) => (src ? src.rows.filter((r) => r.source === kind).map((r) => r.query_norm) : []);
  const synthetic = queriesOf('synthetic');
  const seedQueries = queriesOf('seeds');
  let splitOf = split.splitOf;
  const sourceStats: StageStats[] = [];
  if (synthetic.length > 0 && config.sources.synthetic.trainOnly) {
    const logQueries = await queryRows<{ q: string }>(conn, `SELECT DISTINCT query_norm AS q FROM ${ses.serpFacts.name}`);
    const moved = syntheticToTrain({ splitOf, familyOf: families.familyOf, synthetic, others: [...logQueries.map((r) => r.q), ...seedQueries], links: families.links });
    splitOf = moved.splitOf;
    sourceStats.push(moved.stats);
  }
  if (seedQueries.length > 0) {
    const seeds = keepSeedsInTest(splitOf, families.familyOf, seedQueries, config.sources.seeds.keepInTest);
    splitOf = seeds.splitOf;
    sourceStats.push(seeds.stats);
  }
  return { families, splits: { ...split, splitOf }, sourceStats };
}

/** What the evidence step returns: the final evidence (graded, or calibrated) as records and relation, and each stage's stats. */
interface EvidenceStep {
  readonly evidence: Evidence[];
  readonly final: GradedEvidence;
  readonly clickFacts: ClickFacts;
  /** The calibration's features (a calibrated build only). */
  readonly features: CalibrationFeatures | null;
  readonly stats: StageStats;
  readonly grading: StageStats;
  readonly rule: ResolvedGradingRule;
  readonly calibration: StageStats | null;
}

/**
 * Evidence, grading (with the full log's curve and identification: the same rule grades both runs)
 * and, with a calibration file, calibration, in namespace `ns`. Each writes its own relation; the
 * one it supersedes has no later reader and is dropped.
 */
async function evidenceStages(conn: DuckDBConnection, log: LogRelations, ses: SessionRelations, raw: RawEvidence, curve: { readonly relative: readonly number[]; readonly identification: CurveIdentified }, config: Config, calibration: Calibration | null, ns?: Namespace): Promise<EvidenceStep> {
  const input = { evidence: raw.relations.evidence, clickFacts: raw.relations.clickFacts, impressions: log.impressions, serpFacts: ses.serpFacts };
  const graded = await gradeEvidence(conn, { ...input, ...(raw.keys ? { keys: raw.keys } : {}) }, raw.evidence, curve.relative, config.grading, curve.identification, ns);
  await dropRelations(conn, [raw.relations.evidence]);
  const featureInput = { evidence: graded.relations.evidence, clickFacts: raw.relations.clickFacts, sessionClicks: ses.sessionClicks, serpFacts: ses.serpFacts };
  const cal = calibration ? await applyCalibration(conn, featureInput, graded.evidence, calibration, ns) : null;
  if (cal) await dropRelations(conn, [graded.relations.evidence]);
  return {
    evidence: cal ? cal.evidence : graded.evidence,
    final: cal ? cal.relations.evidence : graded.relations.evidence,
    clickFacts: raw.relations.clickFacts,
    features: cal ? cal.relations.features : null,
    stats: raw.stats,
    grading: graded.stats,
    rule: graded.rule,
    calibration: cal?.stats ?? null,
  };
}

/** Balance (freshness, popularity, head queries), then positives. */
async function positiveStages(conn: DuckDBConnection, log: Pick<IngestRelations, 'corpus'>, ev: EvidenceStep, docs: readonly Doc[], config: Config, src: SourcesResult | null = null) {
  const bal = balancePositives(ev.evidence, docs, config.balance, config.seed);
  // bootstrap sources join after balance (its rules weigh click behaviour) and before positives
  const evidence = src ? mergeSourceEvidence(bal.evidence, src.rows) : bal.evidence;
  return { ...(await buildPositives(conn, { corpus: log.corpus, clickFacts: ev.clickFacts }, evidence, config.positives)), balance: bal };
}

const PRE_CUTOFF: Namespace = 'pre_cutoff';

/**
 * Chronological mode: the evidence behind training records must come from before the cutoff. The
 * same event-level stages (sessions, evidence, grading, calibration, balance, positives) run again
 * over the log cut at the cutoff, in the namespace pre_cutoff, which is dropped afterwards; the
 * training split's records are built from that run, dev/test (evaluation data) from the full log.
 * The examination curve is the full log's: it describes the result page layout, not relevance.
 */
async function preCutoffRun(conn: DuckDBConnection, log: IngestRelations, cutoff: number, curve: { readonly relative: readonly number[]; readonly identification: CurveIdentified }, docs: readonly Doc[], config: Config, calibration: Calibration | null) {
  try {
    const cut = await logBeforeCutoff(conn, log, cutoff, PRE_CUTOFF);
    const ses = await buildSessions(conn, cut, config.sessions, PRE_CUTOFF);
    const raw = await buildEvidence(conn, { ...ses.relations, impressions: cut.impressions, clicks: cut.clicks }, config.evidence, PRE_CUTOFF);
    const ev = await evidenceStages(conn, cut, ses.relations, raw, curve, config, calibration, PRE_CUTOFF);
    const pos = await positiveStages(conn, log, ev, docs, config);
    const expectedExaminations = await loadExpectedExaminations(conn, ev.final, { minImpressions: config.negatives.behavioural.minExposure });
    const tag = (st: StageStats): StageStats => ({ ...st, stage: `pre-cutoff/${st.stage}` });
    return { evidence: ev.evidence, multi: pos.multi, expectedExaminations, stats: [ses.stats, ev.stats, ev.grading, ...(ev.calibration ? [ev.calibration] : []), ...pos.balance.stats, pos.stats].map(tag) };
  } finally {
    await dropNamespace(conn, PRE_CUTOFF);
  }
}

/** The files of the build, written into the staging folder; manifest.json last. */
async function writeOutputs(
  conn: DuckDBConnection,
  config: Config,
  out: { readonly staging: string; readonly target: string },
  r: {
    readonly report: Report;
    readonly log: IngestRelations;
    readonly evidence: GradedEvidence;
    readonly pos: { readonly pairs: readonly unknown[]; readonly multi: readonly unknown[] };
    readonly calibrationFit: CalibrationFile | null;
    readonly exp: Pick<ExportResult, 'files' | 'teacherScores' | 'omitted' | 'filledNegatives'>;
    readonly timestampFormats: Readonly<Record<string, string>>;
    readonly timings: Record<string, number>;
    readonly logHashes: Readonly<Record<string, string>> | null;
  },
): Promise<BuildResult> {
  const outDir = out.staging;
  const files: Record<string, string> = {
    positives: join(outDir, 'positives.jsonl'),
    positivesMulti: join(outDir, 'positives.multi.jsonl'),
    evidence: join(outDir, 'evidence.parquet'),
    quarantine: join(outDir, 'quarantine.jsonl'),
    report: join(outDir, 'report.json'),
    reportMd: join(outDir, 'report.md'),
    reportHtml: join(outDir, 'report.html'),
    manifest: join(outDir, 'manifest.json'),
    ...(r.calibrationFit ? { calibration: join(outDir, 'calibration.json') } : {}),
  };
  await writeFileAtomic(files.positives!, jsonl(r.pos.pairs));
  await writeFileAtomic(files.positivesMulti!, jsonl(r.pos.multi));
  await copyTo(conn, `SELECT * FROM ${r.evidence.name} ORDER BY query_norm, doc_id`, files.evidence!, 'parquet');
  await copyTo(conn, `SELECT stage, input, file, line, reason, detail, raw FROM ${r.log.quarantine.name} ORDER BY stage, input, file, line, reason`, files.quarantine!, 'json');
  await writeFileAtomic(files.report!, reportJson(r.report));
  if (r.calibrationFit) await writeFileAtomic(files.calibration!, stableJson(r.calibrationFit));
  await writeReportPages(outDir, r.report);
  const { threads: _threads, memoryLimit: _memoryLimit, sources, ...clickOnly } = config;
  // the sources block only in a build that has a bootstrap source: a click-only manifest stays as it was
  const deterministic = hasSources(config.input) ? { ...clickOnly, sources } : clickOnly;
  const inputs = [...config.input.serps, ...config.input.events, ...(config.input.corpus ? [config.input.corpus] : []), ...(config.input.labels ? [config.input.labels] : []), ...sourceFileList(config.input), ...(config.calibration.file ? [config.calibration.file] : [])];
  const hashes = await hashesOf(inputs, r.logHashes);
  await writeFileAtomic(join(outDir, 'dataset', 'README.md'), renderDatasetCard(r.report, withoutReportOptions(deterministic), r.exp.files, VERSION, { teacherScores: r.exp.teacherScores, omittedSplits: r.exp.omitted, filledNegatives: r.exp.filledNegatives }));
  // The run's environment and timings differ between identical runs: run.json, never the manifest, report or card.
  await writeFileAtomic(join(outDir, 'run.json'), stableJson({ environment: { threads: config.threads ?? null, memoryLimit: config.memoryLimit ?? null }, timings: r.timings }));
  // manifest.json last: a folder with it is a complete output
  await writeFileAtomic(
    files.manifest!,
    stableJson({
      tool: 'clickforge',
      version: VERSION,
      seed: config.seed,
      config: deterministic,
      inputs: hashes,
      timestampFormats: r.timestampFormats,
      counts: r.report.summary,
      files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.slice(outDir.length + 1)])),
    }),
  );
  return { outDir: out.target, files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, join(out.target, relative(outDir, v))])), report: r.report, timings: r.timings };
}
