import { z } from 'zod';

export const labelRow = z.object({
  query: z.string().min(1),
  doc_id: z.union([z.string().min(1), z.number().int()]),
  grade: z.number().describe('Relevance grade (numeric; a numeric string is accepted in CSV).'),
  source: z.string().optional().describe('Who graded: e.g. "judge", "llm".'),
}).describe('Relevance label.');
