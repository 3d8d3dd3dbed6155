import type { Dialect } from '../db/dialect/index.js';
import { parseConfig } from '../config.js';
import { allEventLevelStatements } from './steps.js';

/** Every event-level statement for `d` under the default options: the golden files of test/golden/sql. */
export function goldenStatements(d: Dialect): (readonly [string, string])[] {
  const c = parseConfig({});
  return allEventLevelStatements(d, c, c.grading);
}
