import { rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseConfig, type Config, type ConfigInput } from './config.js';
import { openDb, queryNumber, queryRows, sqlString, type DuckDBConnection } from './db/duckdb.js';
import { usageError } from './errors.js';
import { ingest } from './stages/ingest/ingest.js';
import { buildSessions } from './stages/sessions/sessions.js';
import { buildEvidence } from './stages/evidence/evidence.js';
import { gradeEvidence, type ResolvedGradingRule } from './stages/evidence/grading.js';
import { clickCountsFromDb } from './stages/bias/from-duckdb.js';
import { estimatePropensities, type PropensityResult } from './stages/bias/estimate.js';
import { buildPositives } from './stages/positives/positives.js';
import { buildFamilies } from './stages/families/families.js';
import { familySignalsFromDb } from './stages/families/from-duckdb.js';
import { splitFamilies } from './stages/splits/splits.js';
import { mineNegatives } from './stages/negatives/mine.js';
import { loadExpectedExaminations, loadWeightedSkips } from './stages/negatives/behavioural-miner.js';
import { loadSessionCoClicks } from './stages/false-negatives/session-clicks.js';
import { exportDataset } from './stages/export/export.js';
import { renderDocument } from './text/render.js';
import { renderDatasetCard } from './stages/export/card.js';
import { runCurriculum } from './stages/curriculum/curriculum.js';
import { balancePositives } from './stages/balance/apply.js';
import { presentationSection } from './stages/balance/presentation.js';
import { RANDOMIZED_WHERE } from './stages/ingest/serps.js';
import { createEmbedder } from './adapters/embedders/index.js';
import { createJudge } from './adapters/judges/index.js';
import { corpusCoverageSection, labelsSection, leakageSection } from './stages/report/sections.js';
import { applyCalibration, calibratedVeto, readCalibrationFile } from './stages/calibration/apply.js';
import { checkAgainstLabels } from './stages/calibration/index.js';
import type { CalibrationFile } from './stages/calibration/options.js';
import type { NegativeOptions } from './stages/negatives/options.js';
import { exampleCollector, reportSections, withChecklist, withoutReportOptions, writeReportPages } from './stages/report/assemble.js';
import { check, reportJson, stageChecks, type AccountingCheck, type ClickOutcome, type Report } from './stages/report/report.js';
import type { Doc, StageStats } from './types.js';
import { commitTemp, sha256File, stableJson, tempPathFor, writeFileAtomic } from './util/fs.js';
import { openOutputDir } from './util/output-dir.js';
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
  if (config.input.serps.length === 0 && config.input.events.length === 0) {
    throw usageError('no_input', 'no click log given: set input.serps (SERP records) or input.events (flat events) in the config, or pass --serps / --events.');
  }
  await checkBuildPaths(config);
  if (config.calibration.fit && !config.input.labels) {
    throw usageError('no_labels', 'calibration.fit needs labels: pass --labels FILE (query, doc_id, grade per line) or set input.labels.');
  }
  const calibration = config.calibration.file ? await readCalibrationFile(config.calibration.file) : null;
  // Everything is written into a staging folder that replaces the output folder only when complete (util/output-dir.ts).
  const output = await openOutputDir(resolve(config.output));
  const outDir = output.staging;
  const spill = join(outDir, '.duckdb-tmp');
  let complete = false;
  const { conn, close } = await openDb({ ...(config.threads ? { threads: config.threads } : {}), ...(config.memoryLimit ? { memoryLimit: config.memoryLimit } : {}) });
  const timings: Record<string, number> = {};
  const steps = ['ingest', 'sessions', 'bias', 'evidence', 'positives', 'families', 'pre-cutoff', 'negatives', 'export', 'write'] as const;
  let stepIndex = 0;
  const run = async <T>(step: (typeof steps)[number], fn: () => Promise<T>): Promise<T> => {
    const index = stepIndex++;
    hooks.onProgress?.({ step, index, total: steps.length, phase: 'start' });
    const t0 = performance.now();
    const r = await fn();
    const seconds = (performance.now() - t0) / 1000;
    timings[step] = seconds;
    hooks.onProgress?.({ step, index, total: steps.length, phase: 'end', seconds });
    return r;
  };
  try {
    await conn.run(`SET temp_directory = ${sqlString(spill)}`);
    // a build whose every row is rejected fails before its staging folder is swapped in: the quarantine goes beside the output
    const ing = await run('ingest', () => ingest(conn, config.input, { quarantineFile: `${output.target}.quarantine.jsonl` }));
    const ses = await run('sessions', () => buildSessions(conn, config.sessions));
    const bias = await run('bias', () => estimateBias(conn, config));
    const ev = await run('evidence', async () => {
      const raw = await buildEvidence(conn, config.evidence);
      const graded = await gradeEvidence(conn, raw.evidence, bias.result.relative, config.grading, bias.result.identification);
      const cal = calibration ? await applyCalibration(conn, graded.evidence, calibration) : null;
      return { evidence: cal ? cal.evidence : graded.evidence, stats: raw.stats, grading: graded.stats, rule: graded.rule, calibration: cal?.stats ?? null };
    });
    const docs = await loadDocs(conn);
    const pos = await run('positives', async () => {
      const bal = balancePositives(ev.evidence, docs, config.balance, config.seed);
      return { ...(await buildPositives(conn, bal.evidence, config.positives)), balance: bal };
    });
    const fam = await run('families', async () => {
      const queries = await queryRows<{ query: string; count: number; firstTs: number | null }>(
        conn,
        'SELECT query_norm AS query, count(*)::BIGINT AS count, min(ts) AS "firstTs" FROM serp_facts GROUP BY query_norm ORDER BY query_norm',
      );
      const reformulations = await queryRows<{ from: string; to: string; count: number }>(
        conn,
        'SELECT query_norm_from AS "from", query_norm_to AS "to", count FROM reformulations ORDER BY 1, 2',
      );
      const positives = new Map(pos.multi.map((m) => [m.query_norm, m.positives.map((p) => p.doc_id)]));
      const signals = await familySignalsFromDb(conn, config.families);
      const families = buildFamilies(
        { queries: queries.map((q) => (q.firstTs === null ? { query: q.query, count: q.count } : q)) as never, reformulations, positives, ...signals },
        config.families,
      );
      const clicksOf = new Map<string, number>();
      for (const p of pos.pairs) clicksOf.set(p.query_norm, (clicksOf.get(p.query_norm) ?? 0) + p.evidence.clicks);
      const splits = splitFamilies(
        families.families.map((f) => ({ id: f.id, count: f.count, firstTs: f.firstTs, clicks: f.members.reduce((s, q) => s + (clicksOf.get(q) ?? 0), 0) })),
        { ...config.splits, seed: config.seed },
        { links: families.links },
      );
      return { families, splits };
    });
    const propensity = [0, ...bias.result.relative.map((v) => (Number.isFinite(v) && v > 0 ? Math.min(1, v) : 1e-3))];
    // Chronological split: training records are rebuilt from the log before the cutoff only.
    const cutoff = fam.splits.cutoff;
    const pre = await run('pre-cutoff', async () => (cutoff === null ? null : preCutoffView(conn, cutoff, config, bias.result, docs, calibration)));
    const isTrain = (q: string) => (fam.splits.splitOf.get(fam.families.familyOf.get(q) ?? q) ?? 'train') === 'train';
    const minePositives = pre
      ? [...pre.multi.filter((m) => isTrain(m.query_norm)), ...pos.multi.filter((m) => !isTrain(m.query_norm))].sort((a, b) => (a.query_norm < b.query_norm ? -1 : a.query_norm > b.query_norm ? 1 : 0))
      : pos.multi;
    const mineEvidence = pre ? pre.evidence : ev.evidence;
    const weightedSkips = await loadWeightedSkips(conn, propensity, { beforeTs: pre ? fam.splits.cutoff : null });
    const sessionCoClicks = config.negatives.filters.clickVeto.enabled && config.negatives.filters.clickVeto.sessionScope
      ? await loadSessionCoClicks(conn, minePositives.map((m) => m.query_norm), { beforeTs: pre ? fam.splits.cutoff : null })
      : undefined;
    // exposure of unclicked pairs: the graded evidence's expected examinations (same curve as `propensity`, see loadExpectedExaminations)
    const expectedExaminations = pre ? pre.expectedExaminations : await loadExpectedExaminations(conn, { minImpressions: config.negatives.behavioural.minExposure });
    // one rendering for positives and negatives alike (a title on one side only would be a shortcut to learn)
    const renderText = (d: Doc) => renderDocument(d, config.positives.includeTitle);
    // a calibration vetoes the candidates it estimates likely relevant, and drops the miners it measured as harmful
    const veto = calibration && calibration.negatives.vetoAbove !== null ? { pairs: await calibratedVeto(conn, calibration), vetoAbove: calibration.negatives.vetoAbove } : undefined;
    const negativeOptions = calibration ? calibratedMiners(config.negatives, calibration) : config.negatives;
    const mineInput = { positives: minePositives, evidence: mineEvidence, docs, familyOf: fam.families.familyOf, expectedExaminations, weightedSkips, ...(sessionCoClicks ? { sessionCoClicks } : {}), renderText, fillPublishedBefore: cutoff, ...(veto ? { calibratedVeto: veto } : {}) };
    const examples = exampleCollector(minePositives, config);
    const neg = await run('negatives', async () => {
      const embedder = config.embedder ? await createEmbedder(config.embedder) : undefined;
      const judge = config.judge ? await createJudge(config.judge) : undefined;
      try {
        return await mineNegatives({ ...mineInput, onRemoved: examples.onRemoved, prompts: config.prompts, ...(embedder ? { embedder } : {}), ...(judge ? { judge } : {}) }, { ...negativeOptions, seed: config.seed });
      } finally {
        await embedder?.close?.();
      }
    });
    const exp = await run('export', async () => {
      const main = await exportDataset(conn, { records: neg.records, splitOf: fam.splits.splitOf, docs, outDir: join(outDir, 'dataset'), seed: config.seed, scorer: neg.scorer, queryPrompt: config.prompts.query }, config.export);
      if (!config.curriculum.enabled) return { ...main, curriculum: null };
      const cur = await runCurriculum(neg.records, mineInput, fam.splits.splitOf, { epochs: config.curriculum.epochs, seed: config.seed, negatives: negativeOptions });
      const files: Record<string, number> = { ...main.files };
      for (const st of cur.stages) {
        const e = await exportDataset(
          conn,
          { records: st.records, splitOf: fam.splits.splitOf, docs, outDir: join(outDir, 'dataset', 'curriculum', st.name), seed: config.seed, queryPrompt: config.prompts.query },
          { ...config.export, formats: config.export.formats.filter((f) => f !== 'beir'), batchSize: 0 },
        );
        for (const [f, n] of Object.entries(e.files)) files[`curriculum/${st.name}/${f}`] = n;
      }
      return { ...main, files, curriculum: cur };
    });

    const labelChecks = await checkAgainstLabels(conn, { familyOf: fam.families.familyOf, positives: pos.pairs, records: neg.records, gradingRule: calibration ? 'calibrated' : ev.rule.rule, featuresBuilt: calibration !== null }, config.calibration, config.seed);

    const result = await run('write', async () => {
      const files: Record<string, string> = {
        positives: join(outDir, 'positives.jsonl'),
        positivesMulti: join(outDir, 'positives.multi.jsonl'),
        evidence: join(outDir, 'evidence.parquet'),
        quarantine: join(outDir, 'quarantine.jsonl'),
        report: join(outDir, 'report.json'),
        reportMd: join(outDir, 'report.md'),
        reportHtml: join(outDir, 'report.html'),
        manifest: join(outDir, 'manifest.json'),
        ...(labelChecks?.calibration ? { calibration: join(outDir, 'calibration.json') } : {}),
      };
      await writeFileAtomic(files.positives!, jsonl(pos.pairs));
      await writeFileAtomic(files.positivesMulti!, jsonl(pos.multi));
      await copyTo(conn, 'SELECT * FROM evidence ORDER BY query_norm, doc_id', files.evidence!, 'parquet');
      await copyTo(conn, 'SELECT stage, input, file, line, reason, detail, raw FROM quarantine ORDER BY stage, input, file, line, reason', files.quarantine!, 'json');

      // Stage timings vary from run to run: they go to run.json, never into the report.
      const stats: StageStats[] = [...ing.stats, ses.stats, bias.countStats, bias.result.stats, ev.stats, ev.grading, ...(ev.calibration ? [ev.calibration] : []), ...pos.balance.stats, pos.stats, fam.families.stats, fam.splits.stats, ...neg.stats, exp.stats, ...(pre?.stats ?? []), ...(exp.curriculum?.stats ?? []), ...(labelChecks ? [labelChecks.stats] : [])].map(({ seconds, ...rest }) => {
        if (seconds !== undefined) timings[`stage:${rest.stage}`] = seconds;
        return rest;
      });
      const base = await assembleReport(conn, stats, [...ing.warnings, ...(labelChecks?.harm.warnings ?? [])], pos.pairs.length, pos.multi.length);
      const report: Report = withChecklist({
        ...base,
        sections: {
          bias: biasSection(bias.result, ev.rule),
          balance: pos.balance.section,
          presentation: await presentationSection(conn),
          families: { count: fam.families.families.length, merges: fam.families.merges, refused: fam.families.refused, largest: fam.families.largest.slice(0, 5) },
          corpus: await corpusCoverageSection(conn),
          splits: { mode: fam.splits.mode, cutoff: fam.splits.cutoff, fractions: config.splits.fractions, balance: fam.splits.balance },
          negatives: { hardness: neg.hardness, duplicates: neg.duplicates ?? null, removedExamples: neg.removedExamples },
          leakage: leakageSection(neg.records, fam.splits.splitOf, pre ? [...pre.evidence.filter((e) => isTrain(e.query_norm)), ...ev.evidence.filter((e) => !isTrain(e.query_norm))] : ev.evidence, fam.splits.cutoff, config.seed),
          labels: await labelsSection(conn, ev.evidence, pos.pairs, neg.records),
          doNoHarm: labelChecks?.harm ?? null,
          calibration: labelChecks?.calibration ? calibrationSection(labelChecks.calibration) : calibration ? { applied: calibration.path, labels: calibration.labels, grades: calibration.grades, negatives: calibration.negatives } : null,
          dataset: exp.files,
          batches: exp.batches ?? null,
          curriculum: exp.curriculum ? { hardness: exp.curriculum.hardness, records: Object.fromEntries(exp.curriculum.stages.map((st) => [st.name, st.records.length])) } : null,
          ...(await reportSections(conn, { examples, pairs: pos.pairs, records: neg.records, docs, splitOf: fam.splits.splitOf, familyOf: fam.families.familyOf, config })),
        },
      }, config.report);
      await writeFileAtomic(files.report!, reportJson(report));
      if (labelChecks?.calibration) await writeFileAtomic(files.calibration!, stableJson(labelChecks.calibration));
      await writeReportPages(outDir, report);
      const { threads: _threads, memoryLimit: _memoryLimit, ...deterministic } = config;
      const inputs = [...config.input.serps, ...config.input.events, ...(config.input.corpus ? [config.input.corpus] : []), ...(config.input.labels ? [config.input.labels] : []), ...(config.calibration.file ? [config.calibration.file] : [])];
      const hashes: Record<string, string> = {};
      for (const f of inputs) hashes[f] = await sha256File(f).catch(() => 'unreadable');
      await writeFileAtomic(join(outDir, 'dataset', 'README.md'), renderDatasetCard(report, withoutReportOptions(deterministic), exp.files, VERSION, { teacherScores: exp.teacherScores, omittedSplits: exp.omitted, filledNegatives: exp.filledNegatives }));
      // The run's environment and timings differ between identical runs: run.json, never the manifest, report or card.
      await writeFileAtomic(join(outDir, 'run.json'), stableJson({ environment: { threads: config.threads ?? null, memoryLimit: config.memoryLimit ?? null }, timings }));
      // manifest.json last: a folder with it is a complete output
      await writeFileAtomic(
        files.manifest!,
        stableJson({
          tool: 'clickforge',
          version: VERSION,
          seed: config.seed,
          config: deterministic,
          inputs: hashes,
          timestampFormats: ing.timestampFormats,
          counts: report.summary,
          files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.slice(outDir.length + 1)])),
        }),
      );
      return { outDir: output.target, files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, join(output.target, relative(outDir, v))])), report, timings };
    });
    complete = true;
    return result;
  } catch (e) {
    if (e instanceof Error && e.message.includes('Out of Memory Error')) {
      throw usageError('out_of_memory', `DuckDB ran out of memory${config.memoryLimit ? ` under memoryLimit ${config.memoryLimit}` : ''}: ${config.memoryLimit ? 'raise memoryLimit (e.g. "1GB") or leave it unset' : 'set memoryLimit (e.g. "1GB") so that DuckDB spills to disk'}, or lower threads. DuckDB said: ${e.message.split('\n')[0]}`, { cause: e });
    }
    throw e;
  } finally {
    close();
    await rm(spill, { recursive: true, force: true });
    if (complete) {
      await output.commit();
      await rm(`${output.target}.quarantine.jsonl`, { force: true }); // an earlier failed run's quarantine: the output's own now holds the rows
    } else await output.abort();
  }
}

/** Position bias from the canonical tables (estimator per bias.estimator, 'auto' by default). */
async function estimateBias(conn: DuckDBConnection, config: Config): Promise<{ result: PropensityResult; countStats: StageStats }> {
  const o = { ...config.bias, seed: config.seed };
  // randomised pages (SERP records marked `randomized`) feed the 'randomized' estimator; events-only ingest has no such table
  const hasRand = (await queryNumber(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'serp_randomized' AND database_name = current_database()")) > 0;
  const { counts, stats } = await clickCountsFromDb(conn, { maxRank: o.maxRank, holdoutShare: o.holdoutShare, seed: o.seed, ...(hasRand ? { randomizedWhere: RANDOMIZED_WHERE } : {}) });
  return { result: estimatePropensities(counts, o), countStats: { ...stats, stage: 'bias/counts' } };
}

function biasSection(r: PropensityResult, grading: ResolvedGradingRule): Record<string, unknown> {
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return {
    estimator: r.estimator,
    reason: r.reason,
    curve: r.relative.map(round),
    ci: r.ci ? { level: r.ci.level, samples: r.ci.samples, unit: r.ci.unit, units: r.ci.units, lower: r.ci.lower.map(round), upper: r.ci.upper.map(round), fits: r.ci.fits } : null,
    heldOut: r.heldOut ? { pages: r.heldOut.pages, perplexity: round(r.heldOut.perplexity), logLikelihood: round(r.heldOut.logLikelihood), perplexityByRank: r.heldOut.perplexityByRank.map(round) } : null,
    train: { pages: r.train.pages, pairs: r.train.pairs, iterations: r.train.iterations, converged: r.train.converged },
    curveFit: r.curveFit,
    crossCheck: r.crossCheck ? { estimator: 'intervention', relative: r.crossCheck.relative.map(round), maxAbsDiff: round(r.crossCheck.maxAbsDiff) } : null,
    identified: r.identification.identified,
    identification: { ...r.identification, measures: Object.fromEntries(Object.entries(r.identification.measures).map(([k, v]) => [k, v === null ? null : round(v)])) },
    grading,
    notes: r.stats.notes ?? [],
  };
}

async function loadDocs(conn: DuckDBConnection): Promise<Doc[]> {
  const rows = await queryRows<{ doc_id: string; text: string; title: string | null; category: string | null; entity: string | null; published_at: number | null }>(
    conn,
    'SELECT doc_id, text, title, category, entity, published_at FROM corpus ORDER BY doc_id',
  );
  return rows.map((r) => ({
    kind: 'Doc',
    doc_id: r.doc_id,
    text: r.text,
    ...(r.title !== null ? { title: r.title } : {}),
    ...(r.category !== null ? { category: r.category } : {}),
    ...(r.entity !== null ? { entity: r.entity } : {}),
    ...(r.published_at !== null ? { published_at: r.published_at } : {}),
  }));
}

/**
 * Chronological mode: the evidence behind training records must come from before the cutoff.
 * The canonical tables are copied, cut at the cutoff, into a separate in-memory catalog and the
 * event-level stages (sessions, evidence, grading, positives) run again there; the training
 * split's records are built from that run, dev/test (evaluation data) from the full log. The
 * examination curve is the full log's: it describes the result page layout, not relevance.
 */
async function preCutoffView(conn: DuckDBConnection, cutoff: number, config: Config, curve: Pick<PropensityResult, 'relative' | 'identification'>, docs: readonly Doc[], calibration: CalibrationFile | null) {
  const [{ db }] = (await queryRows<{ db: string }>(conn, 'SELECT current_database() AS db')) as [{ db: string }];
  const m = `"${db}"`;
  const c = Math.floor(cutoff);
  await conn.run(`ATTACH ':memory:' AS pre_cutoff`);
  try {
    await conn.run(`CREATE TABLE pre_cutoff.serps AS SELECT * FROM ${m}.serps WHERE ts <= ${c}`);
    await conn.run(`CREATE TABLE pre_cutoff.impressions AS SELECT i.* FROM ${m}.impressions i SEMI JOIN pre_cutoff.serps s USING (serp_id)`);
    await conn.run(`CREATE TABLE pre_cutoff.clicks AS SELECT k.* FROM ${m}.clicks k SEMI JOIN pre_cutoff.serps s USING (serp_id) WHERE k.ts IS NULL OR k.ts <= ${c}`);
    await conn.run(`CREATE TABLE pre_cutoff.conversions AS SELECT * FROM ${m}.conversions WHERE (ts IS NULL OR ts <= ${c}) AND (serp_id IS NULL OR serp_id IN (SELECT serp_id FROM pre_cutoff.serps))`);
    await conn.run(`CREATE TABLE pre_cutoff.session_ends AS SELECT * FROM ${m}.session_ends WHERE ts <= ${c}`);
    for (const t of ['corpus', 'labels']) await conn.run(`CREATE TABLE pre_cutoff.${t} AS SELECT * FROM ${m}.${t}`);
    await conn.run(`CREATE TABLE pre_cutoff.quarantine AS SELECT * FROM ${m}.quarantine WHERE false`);
    await conn.run('USE pre_cutoff');
    try {
      const ses = await buildSessions(conn, config.sessions);
      const raw = await buildEvidence(conn, config.evidence);
      // the full log's curve and identification: the same rule grades both runs
      const graded = await gradeEvidence(conn, raw.evidence, curve.relative, config.grading, curve.identification);
      const cal = calibration ? await applyCalibration(conn, graded.evidence, calibration) : null;
      const evidence = cal ? cal.evidence : graded.evidence;
      const bal = balancePositives(evidence, docs, config.balance, config.seed);
      const pos = await buildPositives(conn, bal.evidence, config.positives);
      const expectedExaminations = await loadExpectedExaminations(conn, { minImpressions: config.negatives.behavioural.minExposure });
      const tag = (st: StageStats): StageStats => ({ ...st, stage: `pre-cutoff/${st.stage}` });
      return { evidence, multi: pos.multi, expectedExaminations, stats: [ses.stats, raw.stats, graded.stats, ...(cal ? [cal.stats] : []), ...bal.stats, pos.stats].map(tag) };
    } finally {
      await conn.run(`USE ${m}`);
    }
  } finally {
    await conn.run('DETACH pre_cutoff');
  }
}

async function assembleReport(conn: DuckDBConnection, stats: StageStats[], warnings: readonly string[], positivePairs: number, positiveQueries: number): Promise<Report> {
  const n = (sql: string) => queryNumber(conn, sql);
  const quarantined = await n('SELECT count(*) FROM quarantine');
  const rowsRead = stats.filter((s) => s.stage.startsWith('ingest')).reduce((a, s) => a + (s.in.rows ?? 0), 0);
  const serps = await n('SELECT count(*) FROM serps');
  const sessions = await n('SELECT count(DISTINCT session_key) FROM serp_facts');
  const clicks = await n('SELECT count(*) FROM clicks');
  const outcomeRows = await queryRows<{ outcome: string; n: number; kept: boolean }>(
    conn,
    'SELECT outcome, count(*) AS n, bool_and(kept) AS kept FROM click_facts GROUP BY outcome ORDER BY n DESC, outcome',
  );
  const clickOutcomes: ClickOutcome[] = outcomeRows.map((r) => ({ outcome: r.outcome, count: r.n, share: clicks ? r.n / clicks : 0, kept: r.kept }));
  const clicksKept = clickOutcomes.filter((c) => c.kept).reduce((a, c) => a + c.count, 0);
  const evidencePairs = await n('SELECT count(*) FROM evidence');
  const clickedPairs = await n('SELECT count(*) FROM evidence WHERE clicks > 0');

  const accounting: AccountingCheck[] = [];
  for (const s of stats) accounting.push(...stageChecks(s));
  const pos = stats.find((s) => s.stage === 'positives');
  if (pos) accounting.push(check('positives: evidence rows = pairs + dropped', pos.in.evidence_rows ?? 0, { pairs: pos.out.pairs ?? 0, ...pos.dropped }));
  accounting.push(check('clicks = sum of click outcomes', clicks, Object.fromEntries(clickOutcomes.map((c) => [c.outcome, c.count]))));

  const first = Math.max(1, rowsRead);
  const funnelCounts: [string, number][] = [
    ['input rows read', rowsRead],
    ['rows loaded (not quarantined)', rowsRead - quarantined],
    ['result pages', serps],
    ['raw clicks', clicks],
    ['clicks kept as evidence', clicksKept],
    ['clicked (query, doc) pairs', clickedPairs],
    ['positive pairs', positivePairs],
  ];
  return {
    tool: { name: 'clickforge', version: VERSION },
    summary: {
      rowsRead,
      rowsQuarantined: quarantined,
      sessions,
      serps,
      clicks,
      clicksKept,
      clickDiscardRate: clicks ? 1 - clicksKept / clicks : 0,
      evidencePairs,
      positivePairs,
      positiveQueries,
    },
    funnel: funnelCounts.map(([step, count]) => ({ step, count, share: count / first })),
    clickOutcomes,
    stages: stats,
    accounting,
    warnings,
    sections: {},
  };
}

/** The miners a calibration keeps: those it did not measure as harmful (all dropped: the random miner, and the fill). */
function calibratedMiners(o: NegativeOptions, cal: CalibrationFile): NegativeOptions {
  const kept = o.miners.filter((m) => !cal.negatives.drop.includes(m));
  return { ...o, miners: kept.length > 0 ? kept : ['random'] };
}

/** The report's view of a fitted calibration: the held-out table and the model, without repeating the file. */
function calibrationSection(cal: CalibrationFile): Record<string, unknown> {
  return { labels: cal.labels, models: cal.models, grades: cal.grades, negatives: cal.negatives, heldOut: cal.heldOut };
}
