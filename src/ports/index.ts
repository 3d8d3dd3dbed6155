/**
 * The interfaces between the stages and the adapters: stages take these, adapters implement
 * them, and neither imports the other. Each port with resources has a required `close()`.
 */
export type { Embedder } from './embedder.js';
export type { Judge, JudgedDoc } from './judge.js';
export type { RelevanceScorer } from './relevance-scorer.js';
export type { ResultPages } from './result-pages.js';
export type { RecordSink, RecordSinks, TableFormat, TsvField } from './record-sink.js';
