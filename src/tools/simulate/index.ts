export { simulateOptions, type SimulateOptions, type SimulateOptionsInput } from './options.js';
export { parseSimulateOptions } from './parse.js';
export { presetOptions, simulatePresets, SIMULATE_PRESETS, type SimulatePreset } from './presets.js';
export { buildHelpdeskWorld, examinationCurve, MAX_HELPDESK_INTENTS, STYLE_WEIGHTS } from './helpdesk-world.js';
export { buildCollectionWorld, readCranfield, readBeirFolder } from './collection-world.js';
export { simulateLog } from './simulate-log.js';
export { measureIntentLeakage, type IntentLeakage } from './leakage.js';
export type { Collection, QueryStyle, SimDoc, SimQrel, SimQuery, SimulatedWorld, SimulateStats, SimulateDetail } from './types.js';
export { sampleLabels, type LabelSampleOptions, type SampledLabel } from './labels.js';
