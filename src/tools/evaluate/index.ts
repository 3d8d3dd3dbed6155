export { readTrainingFile, readBeir, docText, type TrainRecord, type BeirData, type BeirDoc } from './readers.js';
export { retrievalMetrics, bootstrapCI, pairedBootstrapDiff, type Qrels, type Run, type MetricsResult, type BootstrapOptions } from './metrics.js';
export { evaluateDataset, compareDatasets, type EvalOptions, type EvalReport, type CompareReport, type SystemResult } from './evaluate.js';
export { datasetQuality, type DatasetQuality, type QualityTruth } from './quality.js';
