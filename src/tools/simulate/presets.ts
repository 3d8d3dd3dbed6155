import { mergeConfig } from '../../config.js';
import { usageError } from '../../errors.js';
import type { SimulateOptionsInput } from './options.js';

/**
 * Named harder worlds, so that defaults are not tuned to one easy world. Each preset is a set of
 * option values over the default help-desk world; the truth files stay complete in all of them.
 */
export const simulatePresets = {
  /** Dwell is drawn from one distribution for every click: it says nothing about relevance. */
  'no-dwell-signal': { behaviour: { dwellSignal: false } },
  /** Many documents relevant to each query (TREC-like): a random shown result is often relevant. */
  'broad-topic': { world: { extraArticles: 4 } },
  /** The log lists only the clicked results of a page (logs that keep only clicks). */
  'click-only': { logging: 'clicked-only' },
  /** A few hundred sessions of the default world. */
  small: { sessions: 300 },
} as const satisfies Record<string, SimulateOptionsInput>;

export type SimulatePreset = keyof typeof simulatePresets;
export const SIMULATE_PRESETS = Object.keys(simulatePresets) as SimulatePreset[];

const isPreset = (name: string): name is SimulatePreset => Object.hasOwn(simulatePresets, name);

/**
 * Options of one or more presets (merged left to right), then `overrides` on top.
 * `simulateOptions.parse(presetOptions('no-dwell-signal', { sessions: 500 }))`;
 * `presetOptions(['small', 'click-only'])` combines them. An unknown name is a usage error that
 * lists the presets.
 */
export function presetOptions(presets: string | readonly string[], overrides: SimulateOptionsInput = {}): SimulateOptionsInput {
  let out: unknown = {};
  for (const name of typeof presets === 'string' ? [presets] : presets) {
    if (!isPreset(name)) throw usageError('bad_preset', `unknown simulate preset "${name}": use ${SIMULATE_PRESETS.join(', ')} (several joined by commas).`, { stage: 'simulate' });
    out = mergeConfig(out, simulatePresets[name]);
  }
  return mergeConfig(out, overrides) as SimulateOptionsInput;
}
