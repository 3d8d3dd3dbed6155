import { z } from 'zod';
import { timestamp } from './serp.js';

export const corpusRow = z.object({
  doc_id: z.union([z.string().min(1), z.number().int()]),
  text: z.string().min(1).describe('Non-empty document text.'),
  title: z.string().optional(),
  category: z.string().optional(),
  entity: z.string().optional(),
  published_at: timestamp.optional(),
}).catchall(z.unknown()).describe('Corpus row; any other field is kept in `extra` (JSON).');
