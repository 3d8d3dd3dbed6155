export * from './types.js';
export * from './errors.js';
export { configSchema, parseConfig, loadConfigFile, type Config, type ConfigInput } from './config.js';
export { normalizeQuery } from './text/normalize.js';
export { createRng, hash32, type Rng } from './util/rng.js';
