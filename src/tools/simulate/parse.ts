import { usageError } from '../../errors.js';
import { simulateOptions, type SimulateOptions, type SimulateOptionsInput } from './options.js';

/** Validate simulator options; a bad value names the option and says what is expected. */
export function parseSimulateOptions(input: SimulateOptionsInput | SimulateOptions = {}): SimulateOptions {
  const r = simulateOptions.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw usageError('bad_options', `invalid simulate options:\n${lines.join('\n')}\nSee docs/simulate.md for every option and its default.`, { stage: 'simulate' });
  }
  const o = r.data;
  if (Date.parse(o.end) < Date.parse(o.start)) throw usageError('bad_options', `simulate: end (${o.end}) is before start (${o.start}); swap them.`, { stage: 'simulate' });
  return o;
}
