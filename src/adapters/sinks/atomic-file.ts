import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ClickforgeError, internalError, usageError } from '../../errors.js';
import { tempPathFor } from '../../util/fs.js';

/** Options shared by the file sinks. */
export interface FileSinkOptions {
  /**
   * Rows are copied into buffers of this many bytes, and each full buffer is one write: few
   * syscalls, whatever the row size. Default 1 MiB (1 MiB and 4 MiB write at the same speed on
   * the export bench; 64 KiB costs more CPU a byte).
   */
  readonly chunkBytes?: number;
  /** Bytes queued in the stream before `write()` waits for it to drain. Default 4 chunks. */
  readonly highWaterMark?: number;
  /**
   * fsync the file before the rename and the folder after it, so a committed file survives a power
   * loss, not only a crash of the process (the rename alone gives that: old file or whole new one).
   * Default true: it costs little because a large write is paced by the disk anyway (1M rows,
   * 17.3 GiB: commit() 1.7 s of a 179 s write; 1.7 GiB: 0.6 s) and ~5-11 ms per small file; without
   * it a power loss can leave a renamed file empty or truncated. false for scratch output.
   */
  readonly fsync?: boolean;
}

export const DEFAULT_CHUNK_BYTES = 1 << 20;

/** An error that names the file and says what to check. */
export function writeError(path: string, err: unknown): ClickforgeError {
  if (err instanceof ClickforgeError) return err;
  const e = err as NodeJS.ErrnoException;
  const hint =
    e?.code === 'ENOSPC' ? 'the disk is full: free space or choose another output folder'
      : e?.code === 'EACCES' || e?.code === 'EPERM' || e?.code === 'EROFS' ? 'the output folder is not writable: choose another one or fix its permissions'
        : e?.code === 'ENOTDIR' || e?.code === 'EEXIST' ? 'a file stands where a folder of the output path should be'
          : 'check the output folder';
  return usageError('output_write_failed', `cannot write ${path}: ${e?.message ?? String(err)} (${hint}).`, { stage: 'export', cause: err });
}

/**
 * A file being written: text goes into reusable buffers of `chunkBytes`, full buffers go to a
 * write stream on a temp file beside `path`. Not exported from the package; the sinks wrap it.
 */
export interface AtomicFile {
  readonly path: string;
  readonly tempPath: string;
  /** Bytes appended so far. */
  readonly bytes: number;
  /** Times an append had to wait for the stream to drain (back-pressure episodes). */
  readonly drainWaits: number;
  /** Append a string; the returned promise is pending only while the stream is over its high-water mark. */
  append(s: string): Promise<void>;
  /** Append `s` and a line feed. */
  appendLine(s: string): Promise<void>;
  /** Flush and close the temp file (fsync if asked), without renaming it. Idempotent. */
  close(): Promise<void>;
  /** close(), then rename the temp file over `path`. */
  commit(): Promise<void>;
  /** Destroy the stream and remove the temp file. Idempotent; never throws. */
  abort(): Promise<void>;
  /** The error that failed the file, if any. */
  readonly failure: ClickforgeError | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** Open a temp file beside `path` (creating the folder), failing with the path in the message. */
export async function openAtomicFile(path: string, opts: FileSinkOptions = {}): Promise<AtomicFile> {
  const chunkBytes = Math.max(64, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const highWaterMark = Math.max(1, opts.highWaterMark ?? 4 * chunkBytes);
  const fsync = opts.fsync ?? true;
  const tempPath = tempPathFor(path);
  let stream: WriteStream;
  try {
    await mkdir(dirname(path), { recursive: true });
    // flush: fsync before the descriptor is closed (Node >= 20.10)
    const s = createWriteStream(tempPath, { flags: 'wx', highWaterMark, flush: fsync });
    await new Promise<void>((resolve, reject) => {
      s.once('ready', resolve);
      s.once('error', reject);
    });
    stream = s;
  } catch (err) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw writeError(path, err);
  }

  let failure: ClickforgeError | undefined;
  let state: 'open' | 'closing' | 'closed' | 'committed' | 'aborted' = 'open';
  let bytes = 0;
  let drainWaits = 0;
  const pool: Buffer[] = [];
  let buf: Buffer = Buffer.allocUnsafe(chunkBytes);
  let off = 0;
  let drain: Promise<void> | null = null;
  let settleDrain: ((err?: unknown) => void) | null = null;
  let closing: Promise<void> | null = null;
  let committing: Promise<void> | null = null;

  stream.on('error', (err) => {
    failure ??= writeError(path, err);
    settleDrain?.(failure);
  });

  const recycle = (b: Buffer) => () => {
    if (b.length === chunkBytes && pool.length < 8) pool.push(b);
  };

  /** Hand the filled part of the buffer to the stream; returns false when the stream is over its mark. */
  const flush = (): boolean => {
    if (off === 0) return true;
    const full = buf;
    const ok = stream.write(full.subarray(0, off), recycle(full));
    buf = pool.pop() ?? Buffer.allocUnsafe(chunkBytes);
    off = 0;
    return ok;
  };

  const waitDrain = (): Promise<void> => {
    if (drain) return drain;
    drainWaits++;
    drain = new Promise<void>((resolve, reject) => {
      const onDrain = () => settleDrain?.();
      settleDrain = (err) => {
        stream.off('drain', onDrain);
        drain = null;
        settleDrain = null;
        if (err) reject(err);
        else resolve();
      };
      stream.once('drain', onDrain);
    });
    return drain;
  };

  const check = (): void => {
    if (failure) throw failure;
    if (state !== 'open') throw internalError('sink_closed', `${path}: write after the sink was ${state === 'aborted' ? 'aborted' : 'committed'}.`, { stage: 'export' });
  };

  /** Copy `s` into the buffer; returns false when a flush left the stream over its mark. */
  const put = (s: string): boolean => {
    const room = chunkBytes - off;
    // a UTF-16 code unit is at most 3 UTF-8 bytes: rows well below the room skip byteLength
    if (s.length * 3 <= room) {
      const n = buf.write(s, off);
      off += n;
      bytes += n;
      return true;
    }
    const n = Buffer.byteLength(s);
    bytes += n;
    if (n <= room) {
      off += buf.write(s, off);
      return true;
    }
    let ok = flush();
    if (n <= chunkBytes) {
      off = buf.write(s, 0);
      return ok;
    }
    ok = stream.write(Buffer.from(s)) && ok;
    return ok;
  };

  const putNewline = (): boolean => {
    let ok = true;
    if (off === chunkBytes) ok = flush();
    buf[off++] = 0x0a;
    bytes++;
    return ok;
  };

  const result = (ok: boolean): Promise<void> => (failure ? Promise.reject(failure) : ok && !drain ? RESOLVED : waitDrain());

  const close = (): Promise<void> => {
    if (closing) return closing;
    if (failure) return Promise.reject(failure);
    state = 'closing';
    closing = new Promise<void>((resolve, reject) => {
      flush();
      stream.once('close', () => (failure ? reject(failure) : resolve()));
      stream.once('error', (err) => reject(failure ?? writeError(path, err)));
      stream.end();
    }).then(() => {
      state = 'closed';
    });
    return closing;
  };

  return {
    path,
    tempPath,
    get bytes() {
      return bytes;
    },
    get drainWaits() {
      return drainWaits;
    },
    get failure() {
      return failure;
    },
    append(s) {
      try {
        check();
        return result(put(s));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    appendLine(s) {
      try {
        check();
        const a = put(s);
        return result(putNewline() && a);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    close,
    commit() {
      if (state === 'aborted') return Promise.reject(internalError('sink_closed', `${path}: commit after the sink was aborted.`, { stage: 'export' }));
      committing ??= (async () => {
        try {
          await close();
          await rename(tempPath, path);
          if (fsync) {
            const dir = await open(dirname(path), 'r');
            try {
              await dir.sync();
            } finally {
              await dir.close();
            }
          }
          state = 'committed';
        } catch (err) {
          failure ??= writeError(path, err);
          await rm(tempPath, { force: true }).catch(() => undefined);
          throw failure;
        }
      })();
      return committing;
    },
    async abort() {
      if (state === 'committed' || state === 'aborted') return;
      state = 'aborted';
      // a writer waiting for 'drain' is released; its next write fails with sink_closed
      settleDrain?.();
      if (!stream.closed) {
        await new Promise<void>((resolve) => {
          stream.once('close', () => resolve());
          stream.destroy();
        });
      }
      await rm(tempPath, { force: true }).catch(() => undefined);
    },
  };
}
