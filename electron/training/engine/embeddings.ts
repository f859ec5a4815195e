// Feature extraction's cache: the frozen base's embeddings of every image, computed once in
// inference mode and kept in memory and on disk, keyed by backbone (its model files' hashes and its
// weights), data and preprocessing, so a second run on the same data skips the expensive forward
// passes and a different model under a reused id never gets the old one's embeddings.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedBackbone, LoadedData } from '../types.js';
import { inputBatch, PREPROCESSING_VERSION } from './images.js';
import { preprocessingDigest } from './preprocessing.js';
import { CancelledError } from './loop.js';
import { yieldToEventLoop } from './progress.js';

export interface Embeddings { features: Float32Array; count: number; dim: number }
export type EmbeddingSource = 'memory' | 'disk' | 'computed';

const MAGIC = 'TLEMB001';
const MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
const memory = new Map<string, Embeddings>();

/** Runs the frozen base in inference mode: images → [n, featureSize]. */
export function extractFeatures(backbone: LoadedBackbone, x: tf.Tensor4D): tf.Tensor2D {
  if (backbone.model) return backbone.model.predict(x) as tf.Tensor2D;
  if (backbone.predictFeatures) return backbone.predictFeatures(x);
  throw new Error(`Backbone "${backbone.id}" has neither a layers model nor a feature function.`);
}

/** Fingerprint of the backbone's current weights, so re-trained or re-imported weights miss the cache. */
export function weightsDigest(backbone: LoadedBackbone): string {
  const hash = createHash('sha1').update(backbone.id).update(backbone.inputShape.join('x'));
  for (const w of backbone.model?.weights ?? []) {
    const v = w.read().dataSync();
    hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return hash.digest('hex');
}

/** A loaded backbone that came from a model folder carries the files as read (backbones/load.ts). */
interface FromFolder { folder?: { contents?: Map<string, Uint8Array> } }

/**
 * sha256 of every file of the backbone's model folder (the hashes integrity.json records), or ''
 * for a backbone built in memory. A graph model's weights cannot be read back like a layers model's,
 * so without this a graph model re-imported under a freed id would hit the old model's cache.
 */
export function modelFilesDigest(backbone: LoadedBackbone): string {
  const contents = (backbone as LoadedBackbone & FromFolder).folder?.contents;
  if (!contents) return '';
  const hash = createHash('sha256');
  for (const name of [...contents.keys()].sort()) hash.update(`${name}\t${createHash('sha256').update(contents.get(name)!).digest('hex')}\n`);
  return hash.digest('hex');
}

/** Images cached together: all of a data set's, or one part of them (its fixed test pool). */
interface Part { fingerprint: string; indices: Int32Array }

export function embeddingCacheKey(backbone: LoadedBackbone, data: Pick<LoadedData, 'fingerprint' | 'labels'>, part?: Part): { key: string; file: string } {
  const digest = createHash('sha256')
    // The backend is part of the key: float results differ slightly between wasm, cpu and native.
    .update([
      part?.fingerprint ?? data.fingerprint, PREPROCESSING_VERSION, preprocessingDigest(backbone), modelFilesDigest(backbone), weightsDigest(backbone),
      String(part?.indices.length ?? data.labels.length), tf.getBackend(),
    ].join('|'))
    .digest('hex').slice(0, 24);
  const safeId = backbone.id.replace(/[^A-Za-z0-9._-]/g, '_');
  return { key: `${safeId}-${digest}`, file: `${safeId}-${digest}.bin` };
}

export function cacheDir(dataDir: string): string {
  return path.join(dataDir, 'cache', 'embeddings');
}

async function readDisk(file: string, expectCount: number): Promise<Embeddings | null> {
  let buf: Buffer;
  try { buf = await readFile(file); } catch { return null; }
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) return null;
  const headerLength = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as { count: number; dim: number };
  const offset = 12 + headerLength;
  if (header.count !== expectCount || buf.length - offset !== header.count * header.dim * 4) return null;
  const features = new Float32Array(header.count * header.dim);
  new Uint8Array(features.buffer).set(buf.subarray(offset));
  return { features, count: header.count, dim: header.dim };
}

async function writeDisk(file: string, e: Embeddings): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const header = Buffer.from(JSON.stringify({ count: e.count, dim: e.dim, preprocessing: PREPROCESSING_VERSION }));
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, Buffer.concat([prefix, header, Buffer.from(e.features.buffer, e.features.byteOffset, e.features.byteLength)]));
  await rename(tmp, file);
}

function remember(key: string, e: Embeddings): void {
  memory.delete(key);
  memory.set(key, e);
  let total = [...memory.values()].reduce((s, v) => s + v.features.byteLength, 0);
  for (const [k, v] of memory) {
    if (total <= MEMORY_LIMIT_BYTES || k === key) break;
    memory.delete(k);
    total -= v.features.byteLength;
  }
}

/** Embeddings of the images at `indices` (all images when omitted), batch by batch. */
export async function computeEmbeddings(
  backbone: LoadedBackbone, data: LoadedData, opts: { indices?: Int32Array; batchSize?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<Embeddings> {
  const indices = opts.indices ?? Int32Array.from({ length: data.labels.length }, (_, i) => i);
  const batch = opts.batchSize ?? 128;
  let features: Float32Array | null = null;
  let dim = 0;
  for (let i = 0; i < indices.length; i += batch) {
    if (opts.signal?.aborted) throw new CancelledError();
    const idx = indices.subarray(i, Math.min(indices.length, i + batch));
    const out = tf.tidy(() => extractFeatures(backbone, inputBatch(data, idx, backbone)));
    const values = await out.data() as Float32Array;
    dim = out.shape[1];
    out.dispose();
    features ??= new Float32Array(indices.length * dim);
    features.set(values, i * dim);
    opts.onProgress?.(i + idx.length, indices.length);
    await yieldToEventLoop();
  }
  return { features: features ?? new Float32Array(0), count: indices.length, dim };
}

type Cached = { embeddings: Embeddings; source: EmbeddingSource; file: string; diskError?: string };
type CacheOptions = { signal?: AbortSignal; onProgress?: (done: number, total: number) => void };

/** One part's embeddings: memory first, then disk, else computed and stored in both. */
async function cachedPart(backbone: LoadedBackbone, data: LoadedData, dataDir: string, part: Part | undefined, opts: CacheOptions): Promise<Cached> {
  const { key, file: name } = embeddingCacheKey(backbone, data, part);
  const file = path.join(cacheDir(dataDir), name);
  const count = part?.indices.length ?? data.labels.length;
  const inMemory = memory.get(key);
  if (inMemory) return { embeddings: inMemory, source: 'memory', file };
  const onDisk = await readDisk(file, count);
  if (onDisk) {
    remember(key, onDisk);
    return { embeddings: onDisk, source: 'disk', file };
  }
  const embeddings = await computeEmbeddings(backbone, data, { ...opts, indices: part?.indices });
  remember(key, embeddings);
  try {
    await writeDisk(file, embeddings);
    return { embeddings, source: 'computed', file };
  } catch (err) {
    return { embeddings, source: 'computed', file, diskError: (err as Error).message };
  }
}

/**
 * Cached embeddings of every image. A shipped target's fixed test pool is cached on its own, so
 * every run on the set, whatever subset and seed it trains on, embeds those images only once.
 */
export async function cachedEmbeddings(backbone: LoadedBackbone, data: LoadedData, dataDir: string, opts: CacheOptions = {}): Promise<Cached> {
  const test = data.fixedTest;
  if (!test?.length || !data.testFingerprint) return cachedPart(backbone, data, dataDir, undefined, opts);
  const held = new Uint8Array(data.labels.length);
  for (const i of test) held[i] = 1;
  const pool = Int32Array.from(data.labels.keys()).filter((i) => !held[i]);
  const total = data.labels.length;
  const progress = (offset: number) => (done: number) => opts.onProgress?.(offset + done, total);
  const a = await cachedPart(backbone, data, dataDir, { fingerprint: `${data.fingerprint}|pool`, indices: pool }, { ...opts, onProgress: progress(0) });
  const b = await cachedPart(backbone, data, dataDir, { fingerprint: data.testFingerprint, indices: test }, { ...opts, onProgress: progress(pool.length) });
  const dim = Math.max(a.embeddings.dim, b.embeddings.dim);
  const features = new Float32Array(total * dim);
  pool.forEach((row, k) => features.set(a.embeddings.features.subarray(k * dim, (k + 1) * dim), row * dim));
  test.forEach((row, k) => features.set(b.embeddings.features.subarray(k * dim, (k + 1) * dim), row * dim));
  const sources = [a.source, b.source];
  const source: EmbeddingSource = sources.includes('computed') ? 'computed' : sources.includes('disk') ? 'disk' : 'memory';
  return { embeddings: { features, count: total, dim }, source, file: a.file, diskError: a.diskError ?? b.diskError };
}
