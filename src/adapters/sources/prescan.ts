import { open, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { createWriteStream } from 'node:fs';
import { inputError } from '../../errors.js';

/** A line that the text pre-scan removed (replaced by an empty line in the cleaned copy). */
export interface BadLine {
  readonly line: number;
  readonly reason: 'invalid_utf8' | 'malformed_json';
  readonly detail: string;
  /** The line decoded with U+FFFD replacement, truncated. */
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

const CHUNK = 8 << 20;
const NL = 0x0a;
const US = 0x1f;
export const RAW_MAX = 2000;

function isBlank(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/**
 * One fast pass over a text file (JSONL or CSV) before DuckDB reads it: counts lines, finds blank
 * lines, and lines that are not valid UTF-8 (DuckDB's readers fail on the whole file for those).
 * For JSONL it also flags lines holding the 0x1F byte (our raw-line delimiter; never valid in JSON).
 * The clean case costs one `isUtf8` + `indexOf` per 8 MB chunk. Only when a bad line exists, a
 * cleaned copy is written with that line emptied, so line numbers stay the same.
 */
export async function prescanTextFile(path: string, opts: { jsonl: boolean; collectBlank: boolean; tmpPath: () => string }): Promise<PrescanResult> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (cause) {
    throw inputError('input_missing', `cannot read input file ${path}: ${(cause as Error).message}. Check the path in input.* of your config.`, { stage: 'ingest', cause });
  }
  const fh = await open(path, 'r');
  const blankLines: number[] = [];
  const badLines: BadLine[] = [];
  let lines: number;
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry = Buffer.alloc(0);
    let pos = 0;
    let lineNo = 0; // lines completed so far
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      pos += bytesRead;
      const eof = bytesRead === 0;
      let data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let end: number;
      if (eof) end = data.length;
      else {
        const lastNl = data.lastIndexOf(NL);
        if (lastNl < 0) { carry = Buffer.from(data); continue; }
        end = lastNl + 1;
      }
      const part = data.subarray(0, end);
      const clean = isUtf8(part) && (!opts.jsonl || part.indexOf(US) < 0);
      const needBlank = opts.collectBlank;
      if (clean && !needBlank) {
        let i = part.indexOf(NL);
        while (i >= 0) { lineNo++; i = part.indexOf(NL, i + 1); }
        if (eof && part.length && part[part.length - 1] !== NL) lineNo++;
      } else {
        let s = 0;
        while (s < part.length) {
          let e = part.indexOf(NL, s);
          if (e < 0) e = part.length;
          lineNo++;
          if (needBlank && isBlank(part, s, e)) blankLines.push(lineNo);
          else if (!clean) {
            const ln = part.subarray(s, e);
            if (!isUtf8(ln)) badLines.push({ line: lineNo, reason: 'invalid_utf8', detail: 'the line is not valid UTF-8: re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)', raw: ln.toString('utf8').slice(0, RAW_MAX) });
            else if (opts.jsonl && ln.indexOf(US) >= 0) badLines.push({ line: lineNo, reason: 'malformed_json', detail: 'the line holds a raw control character (0x1F), which JSON does not allow: escape it as \\u001f', raw: ln.toString('utf8').slice(0, RAW_MAX) });
          }
          s = e + 1;
        }
      }
      data = data.subarray(end);
      carry = Buffer.from(data);
      if (eof) break;
    }
    lines = lineNo;
  } finally {
    await fh.close();
  }
  let cleanedPath: string | undefined;
  if (badLines.length) cleanedPath = await writeCleaned(path, new Set(badLines.map((b) => b.line)), opts.tmpPath());
  return { bytes: size, lines, blankLines, badLines, cleanedPath };
}

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
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry = Buffer.alloc(0);
    let pos = 0;
    let lineNo = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      pos += bytesRead;
      const eof = bytesRead === 0;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let s = 0;
      for (;;) {
        const e = data.indexOf(NL, s);
        if (e < 0) break;
        lineNo++;
        await write(drop.has(lineNo) ? Buffer.from('\n') : data.subarray(s, e + 1));
        s = e + 1;
      }
      carry = Buffer.from(data.subarray(s));
      if (eof) {
        if (carry.length) { lineNo++; if (!drop.has(lineNo)) await write(carry); }
        break;
      }
    }
  } finally {
    await fh.close();
    await new Promise<void>((res) => ws.end(res));
  }
  return out;
}
