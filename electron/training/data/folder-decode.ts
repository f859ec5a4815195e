// Decodes a user's folder straight to the backbone's input size for training.
import { createHash } from 'node:crypto';
import type { LoadedData } from '../types.js';
import { forEachLimit, throttledProgress } from './concurrency.js';
import { checkClasses, listFolder, type SkippedFile } from './folder-walk.js';
import { decodeTo, DEFAULT_FIT, readImageBytes, SkipError, type Fit } from './image-file.js';
import { stratifiedSubset } from './stratify.js';

const CONCURRENCY = 4;

export interface DecodeOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Images per class drawn by seed before decoding (so a big folder is not decoded in full); null = all. */
  perClass?: number | null;
  seed?: number;
  fit?: Fit;
  /** Data set id recorded in the result (defaults to the folder's real path). */
  datasetId?: string;
}

export type DecodedFolder = LoadedData & { skipped: SkippedFile[] };

/**
 * Every usable image of the folder as [H, W, C] bytes (C = 1: grayscale, C = 3: RGB), resized with
 * `fit` ('cover' by default: scale the short side, centre-crop). Files that fail to decode are left
 * out and listed in `skipped`. The fingerprint hashes every decoded file's bytes with the
 * preprocessing, so an edited folder never reuses stale embeddings.
 */
export async function decodeFolder(path: string, targetShape: [number, number, number], opts: DecodeOptions = {}): Promise<DecodedFolder> {
  const [h, w, c] = targetShape;
  if (![h, w].every((n) => Number.isInteger(n) && n >= 1 && n <= 4096) || (c !== 1 && c !== 3)) {
    throw new Error(`Cannot decode to [${targetShape.join(', ')}]: expected [height, width, 1 or 3].`);
  }
  const fit = opts.fit ?? DEFAULT_FIT;
  const perClass = opts.perClass ?? null;
  const seed = opts.seed ?? 0;
  const listing = await listFolder(path, opts.signal);
  const chosen = Array.from(stratifiedSubset(listing.files.map((f) => f.label), perClass, seed), (i) => listing.files[i]);

  const size = h * w * c;
  const images: Array<Uint8Array | null> = new Array(chosen.length).fill(null);
  const hashes: string[] = new Array(chosen.length).fill('');
  const skipped = [...listing.skipped];
  const tick = throttledProgress(chosen.length, opts.onProgress);
  await forEachLimit(chosen, CONCURRENCY, async (f, i) => {
    try {
      const bytes = await readImageBytes(f.abs);
      images[i] = await decodeTo(bytes, targetShape, fit);
      hashes[i] = createHash('sha256').update(bytes).digest('hex');
    } catch (e) {
      if (!(e instanceof SkipError)) throw e;
      skipped.push({ file: f.rel, reason: e.message });
    }
    tick();
  }, opts.signal, 'Decoding the folder');

  const kept = chosen.map((f, i) => ({ f, i })).filter(({ i }) => images[i] !== null);
  const counts = listing.classes.map((_, label) => kept.filter(({ f }) => f.label === label).length);
  checkClasses(path, listing.classes, counts, skipped);

  const pixels = new Uint8Array(kept.length * size);
  const labels = new Int32Array(kept.length);
  const fp = createHash('sha256').update(JSON.stringify({ kind: 'folder', classes: listing.classes, targetShape, fit, perClass, seed: perClass === null ? null : seed }));
  kept.forEach(({ f, i }, k) => {
    pixels.set(images[i]!, k * size);
    labels[k] = f.label;
    fp.update(`\n${f.label}\t${f.rel}\t${hashes[i]}`);
  });
  return {
    datasetId: opts.datasetId ?? listing.root,
    classes: listing.classes,
    shape: [h, w, c],
    pixels,
    labels,
    sampleIds: kept.map(({ f }) => f.rel),
    fingerprint: fp.digest('hex'),
    skipped: skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
  };
}
