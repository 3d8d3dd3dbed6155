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
  const stream = await openTempStream(path, tempPath, highWaterMark, fsync);
  const file: FileState = { path, tempPath, fsync, stream, failure: undefined, state: 'open', closing: null, committing: null };
  const drain = drainWaiter(stream);
  const chunks = chunkWriter(stream, chunkBytes);
  stream.on('error', (err) => {
    file.failure ??= writeError(path, err);
    drain.settle(file.failure);
  });
  const result = (ok: boolean): Promise<void> => (file.failure ? Promise.reject(file.failure) : ok && !drain.pending ? RESOLVED : drain.wait());
  const close = () => closeFile(file, chunks);

  return {
    path,
    tempPath,
    get bytes() {
      return chunks.bytes;
    },
    get drainWaits() {
      return drain.waits;
    },
    get failure() {
      return file.failure;
    },
    append(s) {
      try {
        assertWritable(file);
        return result(chunks.put(s));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    appendLine(s) {
      try {
        assertWritable(file);
        const a = chunks.put(s);
        return result(chunks.putNewline() && a);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    close,
    commit: () => commitFile(file, close),
    abort: () => abortFile(file, drain),
  };
}

type FileLifecycle = 'open' | 'closing' | 'closed' | 'committed' | 'aborted';

/** What the lifecycle helpers share about one file. */
interface FileState {
  readonly path: string;
  readonly tempPath: string;
  readonly fsync: boolean;
  readonly stream: WriteStream;
  failure: ClickforgeError | undefined;
  state: FileLifecycle;
  closing: Promise<void> | null;
  committing: Promise<void> | null;
}

/** The temp file's write stream, once open; on failure the temp file is removed and the error names `path`. */
async function openTempStream(path: string, tempPath: string, highWaterMark: number, fsync: boolean): Promise<WriteStream> {
  try {
    await mkdir(dirname(path), { recursive: true });
    // flush: fsync before the descriptor is closed (Node >= 20.10)
    const s = createWriteStream(tempPath, { flags: 'wx', highWaterMark, flush: fsync });
    await new Promise<void>((resolve, reject) => {
      s.once('ready', resolve);
      s.once('error', reject);
    });
    return s;
  } catch (err) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw writeError(path, err);
  }
}

/** Text copied into reusable buffers of `chunkBytes`; each full buffer is one stream write. */
interface ChunkWriter {
  /** Bytes accepted so far. */
  readonly bytes: number;
  /** Copy `s` in; false when a flush left the stream over its mark. */
  put(s: string): boolean;
  /** Copy a line feed in; false when a flush left the stream over its mark. */
  putNewline(): boolean;
  /** Hand the filled part of the buffer to the stream; false when the stream is over its mark. */
  flush(): boolean;
}

function chunkWriter(stream: WriteStream, chunkBytes: number): ChunkWriter {
  const pool: Buffer[] = [];
  let buf: Buffer = Buffer.allocUnsafe(chunkBytes);
  let off = 0;
  let bytes = 0;

  const recycle = (b: Buffer) => () => {
    if (b.length === chunkBytes && pool.length < 8) pool.push(b);
  };

  const flush = (): boolean => {
    if (off === 0) return true;
    const full = buf;
    const ok = stream.write(full.subarray(0, off), recycle(full));
    buf = pool.pop() ?? Buffer.allocUnsafe(chunkBytes);
    off = 0;
    return ok;
  };

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

  return {
    get bytes() {
      return bytes;
    },
    put,
    putNewline,
    flush,
  };
}

/** One shared wait for the stream's 'drain' at a time, released early (rejected) by a stream error. */
interface DrainWaiter {
  /** Times a wait began (back-pressure episodes). */
  readonly waits: number;
  /** A wait is in progress. */
  readonly pending: boolean;
  wait(): Promise<void>;
  /** End the wait in progress, if any: rejected with `err`, else resolved. */
  settle(err?: unknown): void;
}

function drainWaiter(stream: WriteStream): DrainWaiter {
  let drain: Promise<void> | null = null;
  let settleDrain: ((err?: unknown) => void) | null = null;
  let waits = 0;
  return {
    get waits() {
      return waits;
    },
    get pending() {
      return drain !== null;
    },
    wait() {
      if (drain) return drain;
      waits++;
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
    },
    settle: (err) => settleDrain?.(err),
  };
}

function assertWritable(file: FileState): void {
  if (file.failure) throw file.failure;
  if (file.state !== 'open') throw internalError('sink_closed', `${file.path}: write after the sink was ${file.state === 'aborted' ? 'aborted' : 'committed'}.`, { stage: 'export' });
}

/** Flush the last chunk and end the stream (fsync'd when asked); once, however often it is called. */
function closeFile(file: FileState, chunks: ChunkWriter): Promise<void> {
  if (file.closing) return file.closing;
  if (file.failure) return Promise.reject(file.failure);
  if (file.state === 'aborted') return Promise.reject(internalError('sink_closed', `${file.path}: close after the sink was aborted.`, { stage: 'export' }));
  file.state = 'closing';
  const { stream } = file;
  file.closing = new Promise<void>((resolve, reject) => {
    chunks.flush();
    stream.once('close', () => (file.failure ? reject(file.failure) : resolve()));
    stream.once('error', (err) => reject(file.failure ?? writeError(file.path, err)));
    stream.end();
  }).then(() => {
    file.state = 'closed';
  });
  return file.closing;
}

/** close(), rename the temp file over the target and (fsync) sync the folder; on failure remove the temp file. */
function commitFile(file: FileState, close: () => Promise<void>): Promise<void> {
  if (file.state === 'aborted') return Promise.reject(internalError('sink_closed', `${file.path}: commit after the sink was aborted.`, { stage: 'export' }));
  file.committing ??= (async () => {
    try {
      await close();
      await rename(file.tempPath, file.path);
      if (file.fsync) await syncFolder(dirname(file.path));
      file.state = 'committed';
    } catch (err) {
      file.failure ??= writeError(file.path, err);
      await rm(file.tempPath, { force: true }).catch(() => undefined);
      throw file.failure;
    }
  })();
  return file.committing;
}

/** fsync a folder, so a rename in it survives a power loss. */
async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Destroy the stream and remove the temp file; a no-op once committed or aborted. Never throws. */
async function abortFile(file: FileState, drain: DrainWaiter): Promise<void> {
  if (file.state === 'committed' || file.state === 'aborted') return;
  file.state = 'aborted';
  // a writer waiting for 'drain' is released; its next write fails with sink_closed
  drain.settle();
  const { stream } = file;
  if (!stream.closed) {
    await new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.destroy();
    });
  }
  await rm(file.tempPath, { force: true }).catch(() => undefined);
}
