import { inputError, usageError } from '../../errors.js';
import { tsvField } from '../../util/escape.js';
import { openAtomicFile, type FileSinkOptions } from './atomic-file.js';
import type { TsvField } from '../../ports/index.js';
import { fileRowSink, type FileRowSink } from './jsonl-sink.js';

/**
 * `s` as a TSV field: `tsvField`'s rule (no tab, line break or control character), and no leading
 * double quote, which makes Python's csv.reader (BEIR's qrels loader) open a quoted field and
 * swallow the following rows up to the next quote (a quote inside a field is read as is).
 */
function field(s: string, what: string): string {
  if (s.startsWith('"')) throw inputError('bad_tsv_field', `${what} ${JSON.stringify(s)} starts with a double quote, which BEIR's csv.reader-based qrels loader reads as the start of a quoted field spanning the next rows; remove it from the input.`);
  return tsvField(s, what);
}

/**
 * Tab-separated values: `header` on the first line, then one line per `write(fields)`, written
 * atomically like `createJsonlSink`. Fields are written as they are, never quoted or escaped.
 *
 * A field that contains a tab, a line break or another control character, or that starts with a
 * double quote, is refused with an input error naming the file, the row, the column and the value
 * (the row is not written; the sink stays usable). Why not quote it: BEIR's `GenericDataLoader`
 * reads qrels with Python's `csv.reader(delimiter='\t', quoting=QUOTE_MINIMAL)` on a file opened
 * without `newline=''`, so a quoted field with a tab or LF would load there, but a CR turns into
 * an LF, and every reader that splits lines on tabs (`clickforge evaluate --beir`, trec_eval-style
 * tools, `cut`) would misread it. (BEIR also parses the score column with `int()`: write integer grades.)
 */
export async function createTsvSink(path: string, header: readonly string[], opts: FileSinkOptions = {}): Promise<FileRowSink<readonly TsvField[]>> {
  for (const h of header) field(h, `${path}: the header`);
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
        const what = `${path}: row ${i + 1}, column "${header[j]}": the value`;
        if (typeof v === 'number' && !Number.isFinite(v)) throw usageError('bad_tsv_field', `${what} ${v} is not a finite number.`, { stage: 'export' });
        const s = typeof v === 'number' ? String(v) : field(v, what);
        line = j === 0 ? s : line + '\t' + s;
      }
      return f.appendLine(line);
    },
  );
}
