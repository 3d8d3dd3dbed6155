import { usageError } from '../../errors.js';
import { openAtomicFile, type FileSinkOptions } from './atomic-file.js';
import { fileRowSink, type FileRowSink } from './jsonl-sink.js';

export type TsvField = string | number;

/** Why `value` cannot be a TSV field, or null when it can. */
export function tsvFieldProblem(value: string): string | null {
  if (/[\t\r\n]/.test(value)) return 'contains a tab or a line break';
  if (value.startsWith('"')) return 'starts with a double quote';
  return null;
}

/**
 * Tab-separated values: `header` on the first line, then one line per `write(fields)`, written
 * atomically like `createJsonlSink`. Fields are written as they are, never quoted or escaped.
 *
 * A field that contains a tab, a CR or an LF, or that starts with a double quote, is refused with
 * an error naming the file, the row, the column and the value (the row is not written). Why not
 * quote it: BEIR's `GenericDataLoader` reads qrels with Python's `csv.reader(delimiter='\t',
 * quoting=QUOTE_MINIMAL)` on a file opened without `newline=''`, so a quoted field with a tab or LF
 * would load there, but a CR turns into an LF, and every reader that splits lines on tabs
 * (`clickforge evaluate --beir`, trec_eval-style tools, `cut`) would misread it. An unquoted field
 * that starts with `"` makes csv.reader open a quoted field and swallow the lines up to the next
 * quote, so it is refused too; a quote inside a field is read as is and is allowed.
 * (BEIR also parses the score column with `int()`: write integer grades.)
 */
export async function createTsvSink(path: string, header: readonly string[], opts: FileSinkOptions = {}): Promise<FileRowSink<readonly TsvField[]>> {
  for (const h of header) {
    const p = tsvFieldProblem(h);
    if (p) throw usageError('bad_tsv_field', `${path}: header ${JSON.stringify(h)} ${p}.`, { stage: 'export' });
  }
  const file = await openAtomicFile(path, opts);
  const headerLine = header.join('\t');
  try {
    await file.appendLine(headerLine);
  } catch (err) {
    await file.abort();
    throw err;
  }
  const width = header.length;
  return fileRowSink<readonly TsvField[]>(
    file,
    (f, fields, i) => {
      if (fields.length !== width) throw usageError('bad_tsv_row', `${path}: row ${i + 1} has ${fields.length} fields, the header has ${width} (${header.join(', ')}).`, { stage: 'export' });
      let line = '';
      for (let j = 0; j < width; j++) {
        const v = fields[j]!;
        const s = typeof v === 'number' ? String(v) : v;
        const p = typeof v === 'number' ? (Number.isFinite(v) ? null : 'is not a finite number') : tsvFieldProblem(s);
        if (p) {
          throw usageError(
            'bad_tsv_field',
            `${path}: row ${i + 1}, column "${header[j]}": the value ${JSON.stringify(s)} ${p}, which TSV readers (BEIR's qrels loader among them) would split or merge into other rows. Rename that id in the input (e.g. the corpus doc_id) so it has no tabs, line breaks or leading quote.`,
            { stage: 'export' },
          );
        }
        line = j === 0 ? s : line + '\t' + s;
      }
      return f.appendLine(line);
    },
  );
}
