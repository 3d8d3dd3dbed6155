/**
 * clickforge: turn search click logs into clean, debiased training data for embedding models.
 *
 * The whole pipeline is `build(options)`; every stage and side tool is exported too, so a team can
 * run one stage on its own data or replace an adapter.
 */
export * from './types.js';
export * from './errors.js';
export { configSchema, parseConfig, loadConfigFile, mergeConfig, type Config, type ConfigInput } from './config.js';
export { build, type BuildResult, type BuildHooks, type ProgressEvent } from './pipeline.js';
export { createRng, hash32, type Rng } from './util/rng.js';
export { openDb, queryRows, readColumns, type Columns } from './db/duckdb.js';

// text
export { normalizeQuery } from './text/normalize.js';
export { createTokenizer, tokenize, ENGLISH_STOPWORDS, type TokenizeOptions, type Tokenizer } from './text/tokenize.js';
export { familyKey, createFamilyKeyer, familyKeyOptions, FAMILY_STOP_WORDS, type FamilyKeyOptions } from './text/family-normalize.js';
export { createMinHasher, estimateJaccard, exactJaccard, duplicateClusters, type MinHasher, type DuplicateClusters } from './text/minhash.js';

// input formats
export { serpRecord, flatEvent, corpusRow, labelRow, jsonSchemas } from './formats/index.js';

// stages
export { ingest, EXTRA_DDL, type IngestResult } from './stages/ingest/ingest.js';
export { ingestOptions, type IngestOptions } from './stages/ingest/options.js';
export { buildSessions } from './stages/sessions/sessions.js';
export { sessionOptions, type SessionOptions } from './stages/sessions/options.js';
export { buildEvidence, readEvidence, CLICK_OUTCOMES, KEPT_OUTCOMES, evidenceInMemoryPredicate, DEFAULT_MIN_EXPOSURE_FOR_NEGATIVE, type BuildEvidenceOptions } from './stages/evidence/evidence.js';
export { evidenceOptions, type EvidenceOptions } from './stages/evidence/options.js';
export { buildPositives } from './stages/positives/positives.js';
export { positiveOptions } from './stages/positives/options.js';
export * from './stages/bias/index.js';
export { buildFamilies, familyIdOf, type Family, type FamilyInput, type FamilyResult, type FamilyRule, type FamilyLink } from './stages/families/families.js';
export { familyOptions, type FamilyOptions } from './stages/families/options.js';
export { splitFamilies, isTrainEvidenceAllowed, familyHash, type Split, type Bucket, type SplitFamily, type SplitResult, type BalanceRow } from './stages/splits/splits.js';
export { auditLeakage, type AuditQuery, type LeakageReport, type NearestTrain } from './stages/splits/audit.js';
export { splitOptions, auditOptions, type SplitOptions } from './stages/splits/options.js';
export * from './stages/negatives/index.js';
export * from './stages/false-negatives/index.js';
export { exportDataset, type ExportInput, type ExportResult } from './stages/export/export.js';
export { exportOptions, type ExportOptions } from './stages/export/options.js';
export { renderMarkdown, type Report } from './stages/report/report.js';
export { checklist, QUESTIONS, type Checklist, type QuestionId, type Verdict, type VerdictLevel } from './stages/report/checklist.js';
export { reportOptions, type ReportOptions, type ReportOptionsInput } from './stages/report/options.js';
export { rebuildReport } from './stages/report/rebuild.js';

// retrieval and the built-in model
export { buildBm25, BM25_DEFAULTS, type Bm25Index, type Bm25Options, type Bm25SearchResult } from './retrieval/bm25.js';
export { denseTopK, createDenseSearcher, createOnnxDenseTopK, denseTopKOnnxModel, DENSE_DEFAULTS, ONNX_DENSE_DEFAULTS, type DenseTopKResult, type DenseSearcher, type OnnxDenseOptions } from './retrieval/dense.js';
export { createParallelBm25, searchManySerial, PARALLEL_BM25_DEFAULTS, type ParallelBm25, type ParallelBm25Options, type Bm25BatchResult, type Bm25ManyOptions } from './retrieval/bm25-parallel.js';
export { buildAnn, annRecall, ANN_DEFAULTS, buildApproxDense, type AnnIndex, type AnnOptions, type ApproxDenseIndex, type ApproxDenseOptions, type ApproxSearchOptions } from './retrieval/ann.js';
export { buildIvf, IVF_DEFAULTS, defaultIvfLists, type IvfIndex, type IvfOptions } from './retrieval/ivf.js';
export { familySignalsFromDb } from './stages/families/from-duckdb.js';
export { createModel, loadModel, type BiEncoder } from './model/bi-encoder.js';
export { train, type TrainExample, type TrainStats, type EpochInfo } from './model/train.js';
export { modelOptions, trainOptions, type ModelOptions, type TrainOptions } from './model/options.js';

export * from './stages/balance/index.js';
export { balancePositives, type BalanceSection } from './stages/balance/apply.js';
export { loadWeightedSkips } from './stages/negatives/behavioural-miner.js';
export { loadSessionCoClicks } from './stages/false-negatives/session-clicks.js';
export { IMPRESSION_FEATURES_TABLE } from './stages/ingest/serps.js';
export { RANDOMIZED_TABLE, RANDOMIZED_WHERE } from './stages/ingest/serps.js';

// ports: what stages take and adapters implement
export type * from './ports/index.js';

// adapters
export * from './adapters/embedders/index.js';
export * from './adapters/judges/index.js';
export { createHttpClient, type HttpClient, type HttpClientOptions, type HttpStats } from './adapters/http.js';
export { gradingOptions, gradePair, gradeEvidence, type GradingOptions, type PairSignals, type PairGrade } from './stages/evidence/grading.js';
export { composeBatches, type BatchItem, type BatchPlan } from './stages/export/batches.js';

// side tools
export * from './tools/evaluate/index.js';
export {
  simulateOptions, parseSimulateOptions, buildHelpdeskWorld, buildCollectionWorld, readCranfield, readBeirFolder, simulateLog, examinationCurve,
  presetOptions, simulatePresets, SIMULATE_PRESETS, type SimulatePreset,
  type SimulateOptions, type SimulateOptionsInput, type SimulatedWorld, type SimDoc, type SimQuery, type SimQrel, type Collection, type QueryStyle, type SimulateStats,
} from './tools/simulate/index.js';
export { readYandexRelPred, parseYandexRelPred, createRelPredDictionary, type RelPredResult } from './adapters/sources/yandex-relpred.js';
