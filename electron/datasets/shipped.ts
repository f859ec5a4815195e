// Shipped data sets (resources/datasets/<id>/): listing for the UI and loading for training.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DatasetInfo } from '../contract/index.js';
import type { LoadedData } from './types.js';
import { CARD_FILE, IMAGES_FILE, LABELS_FILE, META_FILE, ShippedMeta, shippedSampleId } from './shipped-format.js';
import { stratifiedSubset, takeImages } from './stratify.js';

export const datasetsDir = (resourcesDir: string) => join(resourcesDir, 'datasets');

function readMeta(dir: string, text: string): ShippedMeta {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`Shipped data set ${dir}: ${META_FILE} is not valid JSON (${(e as Error).message}).`);
  }
  const parsed = ShippedMeta.safeParse(json);
  if (!parsed.success) throw new Error(`Shipped data set ${dir}: ${META_FILE} is invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}).`);
  return parsed.data;
}

/** Every shipped set with its card, ordered source first, then targets (small files: read synchronously). */
export function listShippedDatasets(resourcesDir: string): DatasetInfo[] {
  const root = datasetsDir(resourcesDir);
  if (!existsSync(root)) return [];
  const infos: DatasetInfo[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const dir = join(root, entry.name);
    if (!entry.isDirectory() || !existsSync(join(dir, META_FILE))) continue;
    const meta = readMeta(dir, readFileSync(join(dir, META_FILE), 'utf8'));
    if (meta.id !== entry.name) throw new Error(`Shipped data set ${dir}: ${META_FILE} says id "${meta.id}" but the folder is "${entry.name}".`);
    const card = existsSync(join(dir, CARD_FILE)) ? readFileSync(join(dir, CARD_FILE), 'utf8') : undefined;
    infos.push({ ...meta, source: 'shipped', card });
  }
  const order = { source: 0, 'similar-target': 1, 'different-target': 2, user: 3 };
  return infos.sort((a, b) => order[a.role] - order[b.role] || a.id.localeCompare(b.id));
}

/** A shipped set fully in memory, with a hash of its files' contents. */
export interface ShippedData { meta: ShippedMeta; pixels: Uint8Array; labels: Uint8Array; contentHash: string }

// Decompressing the 35,000-image similar target takes ~200 ms; keep each set once per process.
const cache = new Map<string, Promise<ShippedData>>();

async function readShipped(dir: string, id: string): Promise<ShippedData> {
  if (!existsSync(join(dir, META_FILE))) throw new Error(`No shipped data set "${id}" (looked in ${dir}).`);
  const meta = readMeta(dir, await readFile(join(dir, META_FILE), 'utf8'));
  const [gz, labels] = await Promise.all([readFile(join(dir, IMAGES_FILE)), readFile(join(dir, LABELS_FILE))]);
  let pixels: Uint8Array;
  try {
    pixels = new Uint8Array(gunzipSync(gz));
  } catch (e) {
    throw new Error(`Shipped data set "${id}": ${IMAGES_FILE} is corrupt (${(e as Error).message}).`);
  }
  const [h, w, c] = meta.imageSize;
  const n = labels.length;
  if (pixels.length !== n * h * w * c) throw new Error(`Shipped data set "${id}": ${IMAGES_FILE} holds ${pixels.length} bytes, expected ${n} images × ${h}×${w}×${c}.`);
  const poolSize = meta.counts.reduce((a, b) => a + b, 0);
  const tally = (from: number, to: number) => {
    const counts = new Array(meta.classes.length).fill(0);
    for (let i = from; i < to; i++) {
      if (labels[i] >= meta.classes.length) throw new Error(`Shipped data set "${id}": label ${labels[i]} but only ${meta.classes.length} classes.`);
      counts[labels[i]]++;
    }
    return counts;
  };
  const check = (what: string, counts: number[], want: number[]) => {
    if (counts.length !== want.length || counts.some((k, i) => k !== want[i])) throw new Error(`Shipped data set "${id}": the ${what} labels count ${counts.join('/')} but ${META_FILE} says ${want.join('/')}.`);
  };
  check('pool', tally(0, Math.min(poolSize, n)), meta.counts);
  check('test pool', tally(Math.min(poolSize, n), n), meta.testCounts ?? new Array(meta.classes.length).fill(0));
  // Hash the uncompressed bytes: a rebuild with another zlib changes the .gz but not the images.
  const contentHash = createHash('sha256').update(id).update(pixels).update(labels).digest('hex');
  return { meta, pixels, labels: new Uint8Array(labels), contentHash };
}

export function readShippedData(resourcesDir: string, id: string): Promise<ShippedData> {
  if (!/^[a-z0-9-]+$/.test(id)) return Promise.reject(new Error(`"${id}" is not a shipped data set id.`));
  const dir = join(datasetsDir(resourcesDir), id);
  let p = cache.get(dir);
  if (!p) {
    p = readShipped(dir, id);
    cache.set(dir, p);
    p.catch(() => cache.delete(dir)); // a failed read may succeed later (e.g. after a rebuild)
  }
  return p;
}

export const isShippedDatasetId = (resourcesDir: string, id: string) =>
  /^[a-z0-9-]+$/.test(id) && existsSync(join(datasetsDir(resourcesDir), id, META_FILE));

/**
 * Loads a shipped set at its native size (28×28×1); the engine resizes per batch. `perClass` draws a
 * seeded, stratified subset of the pool; the fixed test pool, when the set has one, is always loaded
 * whole after it (`fixedTest`). The fingerprint covers the files' contents and the subset; the seed
 * only enters it when a subset is drawn, so "all images" runs with different seeds share embeddings.
 */
export async function loadShippedDataset(resourcesDir: string, id: string, perClass: number | null, seed: number): Promise<LoadedData> {
  const data = await readShippedData(resourcesDir, id);
  const shape = data.meta.imageSize;
  const n = data.labels.length;
  const poolSize = data.meta.counts.reduce((a, b) => a + b, 0);
  const all = {
    shape,
    pixels: data.pixels,
    labels: Int32Array.from(data.labels),
    sampleIds: Array.from(data.labels, (_, i) => shippedSampleId(id, i)),
  };
  const fromPool = stratifiedSubset(all.labels.subarray(0, poolSize), perClass, seed);
  const chosen = Int32Array.from([...fromPool, ...Array.from({ length: n - poolSize }, (_, k) => poolSize + k)]);
  // Always copies, so no caller can change the cached set.
  const picked = perClass === null ? { ...all, pixels: data.pixels.slice() } : takeImages(all, chosen);
  const fixedTest = n > poolSize ? Int32Array.from({ length: n - poolSize }, (_, k) => fromPool.length + k) : undefined;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ kind: 'shipped', id, content: data.contentHash, perClass, seed: perClass === null ? null : seed }))
    .digest('hex');
  const testFingerprint = createHash('sha256').update(JSON.stringify({ kind: 'shipped-test-pool', id, content: data.contentHash })).digest('hex');
  // The sample ids name each image's place in the files, whose contents this covers.
  const setFingerprint = createHash('sha256').update(JSON.stringify({ kind: 'shipped-images', id, content: data.contentHash })).digest('hex');
  return { datasetId: id, classes: [...data.meta.classes], shape: [...shape], ...picked, fingerprint, setFingerprint, ...(fixedTest ? { fixedTest, testFingerprint } : {}) };
}
