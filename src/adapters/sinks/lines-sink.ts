import { usageError } from '../../errors.js';
import { openAtomicFile, type FileSinkOptions } from './atomic-file.js';
import { fileRowSink, type FileRowSink } from './jsonl-sink.js';

/**
 * Plain text, one line per `write(line)` (a line feed is added), written atomically like
 * `createJsonlSink`. A line that contains a CR or an LF is refused (it would read back as two).
 */
export async function createLinesSink(path: string, opts: FileSinkOptions = {}): Promise<FileRowSink<string>> {
  const file = await openAtomicFile(path, opts);
  return fileRowSink<string>(file, (f, line, i) => {
    if (/[\r\n]/.test(line)) throw usageError('bad_line', `${path}: line ${i + 1} contains a line break: ${JSON.stringify(line.slice(0, 80))}.`, { stage: 'export' });
    return f.appendLine(line);
  });
}
