// The embedding cache on disk: one file per key under <dataDir>/cache/embeddings/, float rows after
// a small header. Shared by the worker process and the services (which keep the cache for a window
// training on its GPU), so both read and write the same files.
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readRegularFile } from './safe-read.js';

const MAGIC = 'TLEMB001';
/** Embeddings of a large set (60k images × 2048 floats) stay below this; a bigger file is not ours. */
export const MAX_EMBEDDING_FILE_BYTES = 1024 * 1024 * 1024;
const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export const isValidCacheKey = (key: string) => KEY.test(key) && !key.includes('..');

export function cacheDir(dataDir: string): string {
  return path.join(dataDir, 'cache', 'embeddings');
}

function fileOf(dataDir: string, key: string): string {
  if (!isValidCacheKey(key)) throw new Error(`"${key.slice(0, 80)}" is not a valid embedding cache key.`);
  return path.join(cacheDir(dataDir), `${key}.bin`);
}

/**
 * The floats stored under `key`, or null when there are none (or the file is not a cache file).
 * The header names the float count; files written before it did name count × dim instead.
 */
export async function readEmbeddingFile(dataDir: string, key: string): Promise<Float32Array | null> {
  let buf: Buffer;
  try { buf = await readRegularFile(fileOf(dataDir, key), { maxBytes: MAX_EMBEDDING_FILE_BYTES }); } catch (e) {
    if (!isValidCacheKey(key)) throw e;
    return null;
  }
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) return null;
  const headerLength = buf.readUInt32LE(8);
  let header: { floats?: number; count?: number; dim?: number };
  try { header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)); } catch { return null; }
  const floats = header.floats ?? (header.count ?? NaN) * (header.dim ?? NaN);
  const offset = 12 + headerLength;
  if (!Number.isSafeInteger(floats) || buf.length - offset !== floats * 4) return null;
  const out = new Float32Array(floats);
  new Uint8Array(out.buffer).set(buf.subarray(offset));
  return out;
}

/** Stores `data` under `key` (written to a temporary file first, so a reader never sees half of it). */
export async function writeEmbeddingFile(dataDir: string, key: string, data: Float32Array): Promise<void> {
  const file = fileOf(dataDir, key);
  if (data.byteLength > MAX_EMBEDDING_FILE_BYTES) throw new Error(`${(data.byteLength / 1048576).toFixed(0)} MB of embeddings is more than the cache keeps (${MAX_EMBEDDING_FILE_BYTES / 1048576} MB).`);
  await mkdir(path.dirname(file), { recursive: true });
  const header = Buffer.from(JSON.stringify({ floats: data.length }));
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  await writeFile(tmp, Buffer.concat([prefix, header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
  await rename(tmp, file);
}

/** Keys stored under `prefix` (files whose write finished: temporary files are not listed). */
export async function listEmbeddingKeys(dataDir: string, prefix: string): Promise<string[]> {
  let names: string[];
  try { names = await readdir(cacheDir(dataDir)); } catch { return []; }
  return names.filter((n) => n.endsWith('.bin') && n.startsWith(prefix)).map((n) => n.slice(0, -4)).filter(isValidCacheKey);
}

/** The cache as a store (the engine's EmbeddingStore shape) for one data folder. */
export function embeddingFileStore(dataDir: string) {
  return {
    get: (key: string) => readEmbeddingFile(dataDir, key),
    put: (key: string, data: Float32Array) => writeEmbeddingFile(dataDir, key, data),
    list: (prefix: string) => listEmbeddingKeys(dataDir, prefix),
  };
}
