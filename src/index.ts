/**
 * clickforge: turn search click logs into clean, debiased training data for embedding models.
 *
 * The public API, documented entry by entry in docs/api.md: the pipeline, its configuration, the
 * stage functions (each takes the relations it reads and returns the ones it writes), the ports an
 * adapter implements, the adapters that ship, the records the stages exchange, and the side tools.
 * Everything else in src/ is internal and may change without notice.
 */

// the pipeline and its configuration
export { build, buildEventLevel, buildFromEvidence, type BuildResult, type BuildHooks, type ProgressEvent } from './pipeline.js';
export { EVENT_LEVEL_FILES, EVENT_LEVEL_SCHEMA, type EventLevelFile } from './stages/event-level/layout.js';
export type { EventLevelConfig, EventLevelCounts, EventLevelManifest } from './stages/event-level/folder.js';
export { configSchema, parseConfig, loadConfigFile, mergeConfig, type Config, type ConfigInput } from './config.js';
export { ClickforgeError, type ErrorKind } from './errors.js';

// records the stages exchange
export type { Doc, Label, Evidence, PositivePair, MultiPositive, StageStats, QuarantineRow, SourceLocation } from './types.js';
export type { TrainingRecord, NegativeSource } from './stages/negatives/types.js';
export type { Report } from './stages/report/report.js';
export type { Relation } from './db/relation.js';
export { serpRecord, flatEvent, corpusRow, labelRow, jsonSchemas } from './formats/index.js';

// stages, in pipeline order
export { openDb, queryRows } from './db/duckdb.js';
export { ingest, type IngestResult } from './stages/ingest/ingest.js';
export { loadDocs } from './stages/ingest/corpus.js';
export { buildSessions } from './stages/sessions/sessions.js';
export { estimateBias } from './stages/bias/bias.js';
export { clickCountsFromPages, estimatePropensities, type ClickCounts, type PropensityResult } from './stages/bias/index.js';
export { buildEvidence } from './stages/evidence/evidence.js';
export { gradeEvidence } from './stages/evidence/grading.js';
export { balancePositives } from './stages/balance/apply.js';
export { buildPositives } from './stages/positives/positives.js';
export { buildFamilies, type FamilyResult } from './stages/families/families.js';
export type { Family, FamilyInput } from './stages/families/types.js';
export { splitFamilies, type SplitFamily, type SplitResult, type Split } from './stages/splits/splits.js';
export { auditLeakage, type LeakageReport } from './stages/splits/audit.js';
export { mineNegatives, type MineNegativesInput, type MineNegativesResult } from './stages/negatives/mine.js';
export { exportDataset, type ExportInput, type ExportResult } from './stages/export/export.js';
export { renderMarkdown } from './stages/report/report.js';
export { checklist, type Checklist, type Verdict } from './stages/report/checklist.js';
export { rebuildReport } from './stages/report/rebuild.js';

// ports: what an adapter implements
export type { Embedder, Judge, JudgedDoc, ResultPages, RecordSink, RecordSinks } from './ports/index.js';

// adapters that ship
export { createEmbedder, createBuiltinEmbedder, createCachedEmbedder, type EmbedderSpec } from './adapters/embedders/index.js';
export { createJudge, type JudgeSpec } from './adapters/judges/index.js';
export { fileSinks } from './adapters/sinks/index.js';

// side tools: simulated worlds, the built-in model and evaluation, synthetic queries
export {
  buildHelpdeskWorld, buildCollectionWorld, readCranfield, readBeirFolder, simulateLog, simulateOptions, presetOptions, SIMULATE_PRESETS, sampleLabels,
  type SimulatedWorld, type SimulateOptionsInput, type SimulateStats,
} from './tools/simulate/index.js';
export { createModel, loadModel, type BiEncoder } from './model/bi-encoder.js';
export { train, type TrainExample, type TrainStats } from './model/train.js';
export { evaluateDataset, compareDatasets, retrievalMetrics, pairedBootstrapDiff, type EvalReport, type CompareReport } from './tools/evaluate/index.js';
export { synthesize, type SynthResult } from './tools/synth/index.js';
export { buildBm25, type Bm25Index } from './retrieval/bm25.js';
