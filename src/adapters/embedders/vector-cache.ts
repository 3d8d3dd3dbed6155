import { createHash } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError, usageError } from '../../errors.js';

/**
 * A disk cache of fixed-width float vectors keyed by sha256 digests, one file per owner id
 * (an embedder id, a judge id). The file is append-only: a header (magic, version, dim, the id as
 * JSON), then records of 32 key bytes + dim float32 values. The index is rebuilt in memory when
 * the file is opened, so there is no second file to fall out of step; a record cut short by a
 * crash is ignored (and overwritten by the next append). Memory = the file size. Floats are
 * stored in the platform's byte order, little-endian on every platform Node ships for.
 */
export interface VectorCache {
  readonly id: string;
  readonly dim: number;
  readonly path: string;
  readonly size: number;
  /** Copy the vector stored under `key` into out[offset..offset+dim); false when absent. */
  getInto(key: Buffer, out: Float32Array, offset: number): boolean;
  has(key: Buffer): boolean;
  /** Append entries (vectors row-major, one row per key). Writes are serialised. */
  put(keys: readonly Buffer[], vectors: Float32Array): Promise<void>;
}

const MAGIC = 'CFVC';
const VERSION = 1;
const KEY = 32;

export function sha256(...parts: string[]): Buffer {
  const h = createHash('sha256');
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) h.update('\u0000');
    h.update(parts[i]!);
  }
  return h.digest();
}

/** File name: a readable slug of the id plus a hash of the whole id (ids may hold any character). */
export function cacheFileFor(dir: string, id: string): string {
  const slug = id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return join(dir, `${slug}-${sha256(id).toString('hex').slice(0, 16)}.cfvc`);
}

function header(id: string, dim: number): Buffer {
  const meta = Buffer.from(JSON.stringify({ id, dim }), 'utf8');
  const h = Buffer.alloc(4 + 4 + 4 + meta.length);
  h.write(MAGIC, 0, 'ascii');
  h.writeUInt32LE(VERSION, 4);
  h.writeUInt32LE(meta.length, 8);
  meta.copy(h, 12);
  return h;
}

export async function openVectorCache(dir: string, id: string, dim: number): Promise<VectorCache> {
  if (!dir) throw usageError('bad_cache_options', 'cache folder is empty: set cacheDir to a writable folder.');
  if (!Number.isInteger(dim) || dim < 1) throw usageError('bad_cache_options', `cache for ${id}: dim must be a positive integer (got ${dim}).`);
  await mkdir(dir, { recursive: true });
  const path = cacheFileFor(dir, id);
  const recLen = KEY + dim * 4;
  const index = new Map<string, { buf: Buffer; off: number }>();
  let fileBuf: Buffer | undefined;
  try {
    fileBuf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw inputError('cache_unreadable', `cannot read cache file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let end: number; // byte length of the valid part of the file
  if (fileBuf && fileBuf.length > 0) {
    const bad = (why: string) => inputError('cache_corrupt', `${path} is not a clickforge vector cache for "${id}" (${why}). Delete the file to rebuild the cache.`);
    if (fileBuf.length < 12 || fileBuf.toString('ascii', 0, 4) !== MAGIC) throw bad('wrong magic bytes');
    if (fileBuf.readUInt32LE(4) !== VERSION) throw bad(`version ${fileBuf.readUInt32LE(4)}`);
    const mlen = fileBuf.readUInt32LE(8);
    let meta: { id?: string; dim?: number };
    try {
      meta = JSON.parse(fileBuf.toString('utf8', 12, 12 + mlen));
    } catch {
      throw bad('header is not JSON');
    }
    if (meta.id !== id || meta.dim !== dim) throw bad(`it holds id "${meta.id}" dim ${meta.dim}, expected dim ${dim}`);
    let off = 12 + mlen;
    for (; off + recLen <= fileBuf.length; off += recLen) index.set(fileBuf.toString('hex', off, off + KEY), { buf: fileBuf, off: off + KEY });
    end = off;
  } else {
    end = -1;
  }

  let chain: Promise<void> = Promise.resolve();
  const cache: VectorCache = {
    id,
    dim,
    path,
    get size() {
      return index.size;
    },
    has: (key) => index.has(key.toString('hex')),
    getInto(key, out, offset) {
      const e = index.get(key.toString('hex'));
      if (!e) return false;
      e.buf.copy(new Uint8Array(out.buffer, out.byteOffset + offset * 4, dim * 4), 0, e.off, e.off + dim * 4);
      return true;
    },
    put(keys, vectors) {
      if (vectors.length !== keys.length * dim) throw usageError('bad_cache_put', `cache ${id}: ${vectors.length} values for ${keys.length} keys x dim ${dim}.`);
      const fresh: number[] = [];
      const seen = new Set<string>();
      for (let i = 0; i < keys.length; i++) {
        const hex = keys[i]!.toString('hex');
        if (!index.has(hex) && !seen.has(hex)) {
          seen.add(hex);
          fresh.push(i);
        }
      }
      if (fresh.length === 0) return chain;
      const buf = Buffer.alloc(fresh.length * recLen);
      for (let r = 0; r < fresh.length; r++) {
        const i = fresh[r]!;
        const off = r * recLen;
        keys[i]!.copy(buf, off);
        buf.set(new Uint8Array(vectors.buffer, vectors.byteOffset + i * dim * 4, dim * 4), off + KEY);
        index.set(keys[i]!.toString('hex'), { buf, off: off + KEY });
      }
      chain = chain.then(async () => {
        const fh = await open(path, end < 0 ? 'w' : 'r+');
        try {
          if (end < 0) {
            const h = header(id, dim);
            await fh.write(h, 0, h.length, 0);
            end = h.length;
          }
          await fh.write(buf, 0, buf.length, end);
          end += buf.length;
          await fh.truncate(end); // drops a torn record left by an earlier crash
        } finally {
          await fh.close();
        }
      });
      return chain;
    },
  };
  return cache;
}
