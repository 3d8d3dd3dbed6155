import { z } from 'zod';
import { corpusRow } from './corpus.js';
import { flatEvent } from './event.js';
import { labelRow } from './label.js';
import { serpRecord } from './serp.js';

export { corpusRow, flatEvent, labelRow, serpRecord };

/** The input row formats, by the name of their JSON Schema file in docs/schemas/. */
export const FORMATS = { serp: serpRecord, event: flatEvent, corpus: corpusRow, label: labelRow } as const;

/** JSON Schema text of each format (what scripts/gen-schemas.ts writes). */
export function jsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(FORMATS)) {
    out[`${name}.schema.json`] = JSON.stringify({ $id: `clickforge/${name}.schema.json`, ...z.toJSONSchema(schema, { io: 'input' }) }, null, 2) + '\n';
  }
  return out;
}
