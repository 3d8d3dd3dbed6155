import { z } from 'zod';
import { presentationItem, timestamp } from './serp.js';

const id = z.union([z.string().min(1), z.number().int()]);

/** One row per event (a warehouse table). Which fields are required depends on `type`. */
export const flatEvent = z.object({
  type: z.enum(['search', 'impression', 'click', 'conversion', 'session_end']),
  ts: timestamp,
  user_id: z.string().optional(),
  session_id: z.string().optional(),
  serp_id: id.optional().describe('Required for search and impression. A click without it is linked to the latest earlier serp of its session (else user) that showed the doc.'),
  query: z.string().optional().describe('Required for search.'),
  doc_id: id.optional().describe('Required for impression, click, conversion.'),
  rank: z.number().int().min(1).optional().describe('Required for impression (1-based).'),
  dwell_ms: z.number().nonnegative().optional(),
  value: z.number().optional(),
  kind: z.string().optional().describe('Required for conversion.'),
  success: z.boolean().optional().describe('For session_end.'),
  presentation: presentationItem.optional().describe('For impression: how the result was shown, e.g. {"thumbnail": true, "badge": "new"} (see the SERP field presentation). A bad one is quarantined alone (the impression is kept).'),
}).describe('Flat event: search / impression / click / conversion / session_end.');
