// tfjs model folders on disk (model.json + weight shards), read and checked without TensorFlow.js:
// the manifest, shard sizes and sha256 integrity. The services and the worker share this; only the
// worker turns a folder into a model (training/backbones/model-io.ts).
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readFolderFile, statFolderFile } from './folder-file.js';

/** One weight in model.json's manifest (the fields of tfjs's WeightsManifestEntry this app reads). */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number; original_dtype?: string };
}
export interface WeightsGroup { paths: string[]; weights: WeightsManifestEntry[] }

export const MODEL_JSON = 'model.json';
/** Hashes recorded when a model entered the cache (download or import), checked on every load. */
export const INTEGRITY_FILE = 'integrity.json';

export interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest: WeightsGroup[];
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Bytes a weight entry occupies in its shard, from its shape and (quantized) dtype. */
export function weightBytes(w: WeightsManifestEntry): number {
  const dtype = w.quantization?.dtype ?? w.dtype;
  const per = BYTES[dtype];
  if (per == null) throw new Error(`weight '${w.name}' has dtype '${dtype}', which this app cannot size`);
  return w.shape.reduce((a, b) => a * b, 1) * per;
}

/** 'layers' or 'graph', from model.json's format field or, for older files, its topology. */
export function modelFormat(json: ModelJson): 'layers' | 'graph' {
  if (json.format === 'layers-model') return 'layers';
  if (json.format === 'graph-model') return 'graph';
  const topo = json.modelTopology as Record<string, unknown> | undefined;
  if (topo && (Array.isArray(topo.node) || 'versions' in topo)) return 'graph';
  if (topo && ('class_name' in topo || 'model_config' in topo || 'config' in topo)) return 'layers';
  throw new Error(`${MODEL_JSON} is neither a tfjs layers model nor a graph model (no recognisable "format" or "modelTopology")`);
}

/** Parses and shape-checks model.json; errors name the field that is wrong. */
export function parseModelJson(text: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${MODEL_JSON} is not valid JSON (${(e as Error).message})`);
  }
  const j = json as Partial<ModelJson> | null;
  if (!j || typeof j !== 'object') throw new Error(`${MODEL_JSON} is not a JSON object`);
  if (j.modelTopology == null) throw new Error(`${MODEL_JSON} has no "modelTopology"`);
  if (!Array.isArray(j.weightsManifest)) throw new Error(`${MODEL_JSON} has no "weightsManifest" list`);
  for (const [gi, g] of j.weightsManifest.entries()) {
    if (!Array.isArray(g?.paths) || !Array.isArray(g?.weights)) throw new Error(`${MODEL_JSON}: weightsManifest[${gi}] needs "paths" and "weights"`);
    for (const p of g.paths) {
      // Shards must sit beside model.json: a path leaving the folder is refused.
      if (typeof p !== 'string' || p.includes('/') || p.includes('\\') || p === '..' || p === '.') {
        throw new Error(`${MODEL_JSON}: weight file "${String(p)}" must be a plain file name in the model folder`);
      }
    }
  }
  return j as ModelJson;
}

export interface ShardCheck { file: string; bytes: number }

/** Checks that every group's shards exist and together hold exactly the bytes the manifest implies. */
export function checkShardSizes(manifest: WeightsGroup[], sizeOf: (file: string) => number | null): ShardCheck[] {
  const files: ShardCheck[] = [];
  for (const [gi, g] of manifest.entries()) {
    const expected = g.weights.reduce((a, w) => a + weightBytes(w), 0);
    let total = 0;
    for (const file of g.paths) {
      const bytes = sizeOf(file);
      if (bytes == null) throw new Error(`weight file ${file} is missing`);
      total += bytes;
      files.push({ file, bytes });
    }
    if (total !== expected) {
      throw new Error(`weight file${g.paths.length > 1 ? 's' : ''} ${g.paths.join(', ')} hold${g.paths.length > 1 ? '' : 's'} ${total} bytes but the manifest's shapes and dtypes need ${expected} (weights group ${gi + 1}: truncated or corrupt download?)`);
    }
  }
  return files;
}

export interface ModelFolder {
  dir: string;
  json: ModelJson;
  format: 'layers' | 'graph';
  files: ShardCheck[];
  sizeBytes: number;
  /** model.json and every shard exactly as read and checked, so a copy needs no second read. */
  contents: Map<string, Buffer>;
}

/** A graph model's topology can be large, but a model.json beyond this is no model. */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
const MAX_INTEGRITY_BYTES = 4 * 1024 * 1024;

/**
 * Reads a tfjs model folder, checking shard sizes (and recorded hashes when `verifyIntegrity` is set).
 * Nothing outside the folder is read: links are refused, FIFOs and devices too (without blocking),
 * and every shard's size is checked against the manifest before any of its bytes are read.
 */
export async function readModelFolder(dir: string, opts: { verifyIntegrity?: boolean } = {}): Promise<ModelFolder> {
  const jsonText = (await readFolderFile(path.join(dir, MODEL_JSON), MODEL_JSON, MAX_MODEL_JSON_BYTES))?.toString('utf8');
  if (jsonText == null) throw new Error(`no ${MODEL_JSON} in ${dir}`);
  const json = parseModelJson(jsonText);
  const format = modelFormat(json);
  const names = [...new Set(json.weightsManifest.flatMap((g) => g.paths))];
  const sizes = new Map<string, number>();
  for (const p of names) {
    const size = await statFolderFile(path.join(dir, p), `weight file ${p}`);
    if (size != null) sizes.set(p, size);
  }
  const files = checkShardSizes(json.weightsManifest, (f) => sizes.get(f) ?? null);
  const buffers = new Map<string, Buffer>();
  for (const p of names) {
    // Capped at the size just checked against the manifest: a file that grows meanwhile is refused.
    const data = await readFolderFile(path.join(dir, p), `weight file ${p}`, sizes.get(p)!);
    if (data == null) throw new Error(`weight file ${p} disappeared while it was read`);
    buffers.set(p, data);
  }
  const contents = new Map([[MODEL_JSON, Buffer.from(jsonText)], ...buffers]);
  if (opts.verifyIntegrity) await verifyIntegrity(dir, contents);
  const sizeBytes = Buffer.byteLength(jsonText) + files.reduce((a, f) => a + f.bytes, 0);
  return { dir, json, format, files, sizeBytes, contents };
}

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export interface Integrity { files: Record<string, { bytes: number; sha256: string }>; recordedAt: string; origin: string }

/** Records the sha256 of model.json and every shard, as they are now. */
export async function writeIntegrity(dir: string, origin: string): Promise<Integrity> {
  const json = parseModelJson(await readFile(path.join(dir, MODEL_JSON), 'utf8'));
  const names = [MODEL_JSON, ...json.weightsManifest.flatMap((g) => g.paths)];
  const files: Integrity['files'] = {};
  for (const name of names) {
    const data = await readFile(path.join(dir, name));
    files[name] = { bytes: data.length, sha256: sha256(data) };
  }
  const integrity: Integrity = { files, recordedAt: new Date().toISOString(), origin };
  await writeFile(path.join(dir, INTEGRITY_FILE), JSON.stringify(integrity, null, 2));
  return integrity;
}

/** The hashes recorded in a folder's integrity.json; null when it has none. */
export async function readIntegrity(dir: string): Promise<Integrity | null> {
  const text = await readFolderFile(path.join(dir, INTEGRITY_FILE), INTEGRITY_FILE, MAX_INTEGRITY_BYTES);
  if (text == null) return null;
  try {
    return JSON.parse(text.toString('utf8')) as Integrity;
  } catch (e) {
    throw new Error(`${INTEGRITY_FILE} is not valid JSON (${(e as Error).message})`);
  }
}

async function verifyIntegrity(dir: string, contents: Map<string, Buffer>): Promise<void> {
  const rec = await readIntegrity(dir);
  if (rec == null) throw new Error(`${INTEGRITY_FILE} is missing, so its files cannot be verified`);
  for (const [name, data] of contents) {
    const want = rec.files?.[name];
    if (!want) throw new Error(`${name} has no recorded hash in ${INTEGRITY_FILE}`);
    if (sha256(data) !== want.sha256) throw new Error(`${name} changed since it was stored (sha256 mismatch)`);
  }
}
