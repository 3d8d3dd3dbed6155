import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { commitTemp, tempPathFor } from '../../util/fs.js';

const CHUNK = 1 << 20;

/**
 * Buffered line writer: lines are collected in memory and written in ~1 MB chunks; the caller
 * awaits only when a chunk is due (`due`), not per line. Written to a temp file and renamed on
 * close, so a crash never leaves a half file under the final name.
 */
export class LineSink {
  private parts: string[] = [];
  private size = 0;
  /** Bytes written, known after close. */
  bytes = 0;
  lines = 0;
  private constructor(readonly path: string, private readonly tmp: string, private readonly stream: WriteStream) {}

  static async open(path: string): Promise<LineSink> {
    await mkdir(dirname(path), { recursive: true });
    const tmp = tempPathFor(path);
    return new LineSink(path, tmp, createWriteStream(tmp, { highWaterMark: CHUNK }));
  }

  line(s: string): void {
    this.parts.push(s, '\n');
    this.size += s.length + 1;
    this.lines++;
  }

  get due(): boolean {
    return this.size >= CHUNK;
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    this.bytes = this.stream.bytesWritten;
    await commitTemp(this.tmp, this.path);
  }

  /** Close the stream without publishing the file (after an error). */
  abort(): void {
    this.stream.destroy();
  }
}

/** Min-heap of output lines keyed by (timestamp, insertion order): restores chronological order. */
export class TimeHeap {
  private ts: number[] = [];
  private seq: number[] = [];
  private val: string[] = [];
  private n = 0;
  get size(): number { return this.ts.length; }

  push(t: number, v: string): void {
    const ts = this.ts, seq = this.seq, val = this.val;
    let i = ts.length;
    const s = this.n++;
    ts.push(t); seq.push(s); val.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ts[p] as number;
      if (pt < t || (pt === t && (seq[p] as number) < s)) break;
      ts[i] = pt; seq[i] = seq[p] as number; val[i] = val[p] as string;
      i = p;
    }
    ts[i] = t; seq[i] = s; val[i] = v;
  }

  /** Move every line with timestamp <= t (all when t is Infinity) to the sink, in order. */
  drainTo(t: number, sink: LineSink): void {
    const ts = this.ts, seq = this.seq, val = this.val;
    while (ts.length > 0 && (ts[0] as number) <= t) {
      sink.line(val[0] as string);
      const lt = ts.pop() as number, ls = seq.pop() as number, lv = val.pop() as string;
      const n = ts.length;
      if (n === 0) break;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && ((ts[r] as number) < (ts[l] as number) || ((ts[r] as number) === (ts[l] as number) && (seq[r] as number) < (seq[l] as number)))) c = r;
        const ct = ts[c] as number;
        if (lt < ct || (lt === ct && ls < (seq[c] as number))) break;
        ts[i] = ct; seq[i] = seq[c] as number; val[i] = val[c] as string;
        i = c;
      }
      ts[i] = lt; seq[i] = ls; val[i] = lv;
    }
  }
}
