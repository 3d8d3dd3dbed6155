import { open, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { createWriteStream } from 'node:fs';
import { inputError } from '../../errors.js';

/** A line that the text pre-scan removed (replaced by an empty line in the cleaned copy). */
export interface BadLine {
  readonly line: number;
  readonly reason: 'invalid_utf8' | 'malformed_json' | 'row_too_long';
  readonly detail: string;
  /** The line decoded with U+FFFD replacement, truncated (a row_too_long line: its beginning). */
  readonly raw: string;
}

export interface PrescanResult {
  readonly bytes: number;
  /** Number of lines (a final line without a newline counts). */
  readonly lines: number;
  /** 1-based numbers of empty or whitespace-only lines. Collected only when `collectBlank`. */
  readonly blankLines: readonly number[];
  readonly badLines: readonly BadLine[];
  /** Path of a cleaned copy (bad lines blanked) to read instead of the original; undefined when the file was clean. */
  readonly cleanedPath: string | undefined;
}

export interface PrescanOptions {
  readonly jsonl: boolean;
  readonly collectBlank: boolean;
  readonly tmpPath: () => string;
  /** Lines longer than this (bytes, newline excluded) are `row_too_long`; default: no limit. */
  readonly maxRowBytes?: number;
}

const CHUNK = 8 << 20;
const NL = 0x0a;
const US = 0x1f;
export const RAW_MAX = 2000;
/** Bytes kept of an over-long line for its preview (RAW_MAX characters of UTF-8 fit in it). */
const PREVIEW_BYTES = RAW_MAX * 4;

function isBlank(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

const fmt = (n: number) => n.toLocaleString('en');

export const tooLongDetail = (bytes: number, max: number): string =>
  `the line is ${fmt(bytes)} bytes, above input.maxRowBytes (${fmt(max)}): raw shows its beginning. Fix what wrote it (a runaway field, a missing newline), or raise input.maxRowBytes if rows this long are real`;

/**
 * One fast pass over a text file (JSONL or CSV) before DuckDB reads it: counts lines, finds blank
 * lines, lines longer than `maxRowBytes` and lines that are not valid UTF-8 (DuckDB's readers fail
 * on the whole file for those). For JSONL it also flags lines holding the 0x1F byte (our raw-line
 * delimiter; never valid in JSON). The clean case costs one `isUtf8` + `indexOf` per 8 MB chunk.
 * Memory is bounded: of a line longer than `maxRowBytes` only its first bytes are kept. Only when
 * a bad line exists, a cleaned copy is written with that line emptied, so line numbers stay the same.
 */
export async function prescanTextFile(path: string, opts: PrescanOptions): Promise<PrescanResult> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (cause) {
    throw inputError('input_missing', `cannot read input file ${path}: ${(cause as Error).message}. Check the path in input.* of your config.`, { stage: 'ingest', cause });
  }
  const max = opts.maxRowBytes ?? Number.MAX_SAFE_INTEGER;
  const fh = await open(path, 'r');
  const blankLines: number[] = [];
  const badLines: BadLine[] = [];
  let lineNo = 0; // lines completed so far
  // the line that continues into the next chunk: its bytes (while not over-long), or its length and preview
  let carry: Buffer[] = [];
  let carryLen = 0;
  let preview: Buffer | undefined;

  const tooLong = (line: number, bytes: number, head: Buffer) => badLines.push({ line, reason: 'row_too_long', detail: tooLongDetail(bytes, max), raw: head.toString('utf8').slice(0, RAW_MAX) });
  /** Check one complete line (not over-long). */
  const checkLine = (ln: Buffer, line: number, clean: boolean) => {
    if (opts.collectBlank && isBlank(ln, 0, ln.length)) blankLines.push(line);
    else if (!clean) {
      if (!isUtf8(ln)) badLines.push({ line, reason: 'invalid_utf8', detail: 'the line is not valid UTF-8: re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)', raw: ln.toString('utf8').slice(0, RAW_MAX) });
      else if (opts.jsonl && ln.indexOf(US) >= 0) badLines.push({ line, reason: 'malformed_json', detail: 'the line holds a raw control character (0x1F), which JSON does not allow: escape it as \\u001f', raw: ln.toString('utf8').slice(0, RAW_MAX) });
    }
  };
  /** Append bytes to the carried line, switching to length-only once it is over-long. */
  const extend = (b: Buffer) => {
    if (b.length === 0) return;
    carryLen += b.length;
    if (preview) return;
    if (carryLen > max) {
      preview = Buffer.concat([...carry, b]).subarray(0, PREVIEW_BYTES);
      preview = Buffer.from(preview);
      carry = [];
    } else carry.push(Buffer.from(b));
  };
  const endCarried = () => {
    lineNo++;
    if (preview) tooLong(lineNo, carryLen, preview);
    else {
      const ln = carry.length === 1 ? carry[0]! : Buffer.concat(carry);
      checkLine(ln, lineNo, false);
    }
    carry = [];
    carryLen = 0;
    preview = undefined;
  };

  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      pos += bytesRead;
      if (bytesRead === 0) {
        if (carryLen > 0) endCarried();
        break;
      }
      const data = buf.subarray(0, bytesRead);
      const firstNl = data.indexOf(NL);
      if (firstNl < 0) { extend(data); continue; }
      let s = 0;
      if (carryLen > 0) {
        extend(data.subarray(0, firstNl));
        endCarried();
        s = firstNl + 1;
      }
      const lastNl = data.lastIndexOf(NL);
      const part = data.subarray(s, lastNl + 1);
      const clean = isUtf8(part) && (!opts.jsonl || part.indexOf(US) < 0);
      if (clean && !opts.collectBlank) {
        let prev = -1;
        let i = part.indexOf(NL);
        while (i >= 0) {
          lineNo++;
          if (i - prev - 1 > max) tooLong(lineNo, i - prev - 1, part.subarray(prev + 1, prev + 1 + PREVIEW_BYTES));
          prev = i;
          i = part.indexOf(NL, i + 1);
        }
      } else {
        let a = 0;
        while (a < part.length) {
          const e = part.indexOf(NL, a);
          lineNo++;
          if (e - a > max) tooLong(lineNo, e - a, part.subarray(a, a + PREVIEW_BYTES));
          else checkLine(part.subarray(a, e), lineNo, clean);
          a = e + 1;
        }
      }
      extend(data.subarray(lastNl + 1));
    }
  } finally {
    await fh.close();
  }
  badLines.sort((a, b) => a.line - b.line);
  let cleanedPath: string | undefined;
  if (badLines.length) cleanedPath = await writeCleaned(path, new Set(badLines.map((b) => b.line)), opts.tmpPath());
  return { bytes: size, lines: lineNo, blankLines, badLines, cleanedPath };
}

/** Copy `path` to `out` with the lines in `drop` emptied (their newline kept); streams, any line length. */
async function writeCleaned(path: string, drop: Set<number>, out: string): Promise<string> {
  const fh = await open(path, 'r');
  const ws = createWriteStream(out);
  let failed: Error | undefined;
  ws.on('error', (e) => { failed = e; });
  const write = (b: Buffer) => new Promise<void>((res, rej) => {
    if (failed) rej(failed);
    else if (ws.write(b)) res();
    else ws.once('drain', res);
  });
  try {
    let pos = 0;
    let line = 1;
    let dropping = drop.has(1);
    for (;;) {
      // a fresh buffer per chunk: the stream may still hold the previous one
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(chunk, 0, CHUNK, pos);
      pos += bytesRead;
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      let run = dropping ? -1 : 0;
      let i = data.indexOf(NL);
      while (i >= 0) {
        if (dropping) await write(Buffer.from('\n'));
        line++;
        const next = drop.has(line);
        if (next && run >= 0) { await write(data.subarray(run, i + 1)); run = -1; }
        else if (!next && run < 0) run = i + 1;
        dropping = next;
        i = data.indexOf(NL, i + 1);
      }
      if (run >= 0 && run < bytesRead) await write(data.subarray(run, bytesRead));
    }
  } finally {
    await fh.close();
    await new Promise<void>((res) => ws.end(res));
  }
  if (failed) throw failed;
  return out;
}
