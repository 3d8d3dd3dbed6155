import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemas, serpRecord } from '../../../src/formats/index.js';
import { exportJsonSchemas } from '../../../src/stages/export/schemas.js';

describe('input format schemas', () => {
  it('the committed docs/schemas equal freshly generated ones (run `npm run schemas`)', async () => {
    for (const [name, text] of Object.entries(jsonSchemas())) {
      expect(await readFile(join(import.meta.dirname, '..', '..', '..', 'docs', 'schemas', name), 'utf8'), name).toBe(text);
    }
  });
  it('the committed docs/schemas/export equal freshly generated ones (run `npm run schemas`)', async () => {
    for (const [name, text] of Object.entries(exportJsonSchemas())) {
      expect(await readFile(join(import.meta.dirname, '..', '..', '..', 'docs', 'schemas', 'export', name), 'utf8'), name).toBe(text);
    }
  });
  it('accepts a SERP record and rejects one without results', () => {
    expect(serpRecord.safeParse({ serp_id: 's', ts: 1, query: 'q', results: ['d'] }).success).toBe(true);
    expect(serpRecord.safeParse({ serp_id: 's', ts: 1, query: 'q' }).success).toBe(false);
  });
});
