import { readFile } from 'node:fs/promises';

/** One non-blank line of a JSONL source file: its 1-based line, raw text, and parsed object (or the parse error). */
export type JsonlLine = { readonly line: number; readonly raw: string } & ({ readonly value: Record<string, unknown> } | { readonly error: string });

/** The lines of a small JSONL file (source files are read whole, in TypeScript); blank lines are skipped and counted. */
export async function readJsonlLines(file: string): Promise<{ lines: JsonlLine[]; blank: number }> {
  const text = await readFile(file, 'utf8');
  const lines: JsonlLine[] = [];
  let blank = 0;
  const parts = text.split('\n');
  if (parts.at(-1) === '') parts.pop();
  parts.forEach((raw, i) => {
    if (raw.trim() === '') { blank++; return; }
    try {
      const v: unknown = JSON.parse(raw);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) lines.push({ line: i + 1, raw, error: 'the line is not a JSON object' });
      else lines.push({ line: i + 1, raw, value: v as Record<string, unknown> });
    } catch (e) {
      lines.push({ line: i + 1, raw, error: `the line is not valid JSON (${(e as Error).message})` });
    }
  });
  return { lines, blank };
}
