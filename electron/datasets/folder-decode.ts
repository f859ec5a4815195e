// Decodes a user's folder straight to the backbone's input size for training.
import { createHash } from 'node:crypto';
import type { LoadedData } from './types.js';
import { forEachLimit } from './concurrency.js';
import { checkClasses } from './folder-problems.js';
import { listFolder, type SkippedFile } from './folder-walk.js';
import { decodeTo, DEFAULT_FIT, readImageBytes, SkipError, type Fit } from './image-file.js';
import { indicesByClass, shuffledClasses } from './stratify.js';

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
  /** Holds out this many images of every class as a fixed test pool (`fixedTest`), chosen by their
   *  paths alone, so every seed and subset size gets the same pool; the subset is drawn from the rest. */
  testPerClass?: number;
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
  const listing = await listFolder(path, { signal: opts.signal });
  const files = listing.files;
  const size = h * w * c;
  const images: Array<Uint8Array | null> = new Array(files.length).fill(null);
  const hashes: string[] = new Array(files.length).fill('');
  const skipped = [...listing.skipped];

  // With a subset, each class's files are tried in seeded order until `perClass` decode, so unusable
  // files do not shrink the subset and a big folder is never decoded in full. A fixed test pool is
  // taken first, the same way, in an order that depends on the paths alone.
  const labels = files.map((f) => f.label);
  const testPerClass = opts.testPerClass ?? 0;
  const inTest = new Uint8Array(files.length);
  const tried = new Uint8Array(files.length);
  let done = 0;
  let total = 0;
  let lastReport = 0;
  if (testPerClass > 0) {
    const byPath = [...indicesByClass(labels).values()].map((idx) => idx.sort((a, b) => pathRank(files[a].rel) - pathRank(files[b].rel) || (files[a].rel < files[b].rel ? -1 : 1)));
    for (const i of await decodeUntil(byPath, testPerClass)) inTest[i] = 1;
  }
  const drawn = shuffledClasses(labels, seed).map(([, idx]) => idx.filter((i) => !tried[i]));
  await decodeUntil(drawn, perClass ?? Infinity);

  /** Decodes each class's files in the given order until `want` of them decode; answers those. */
  async function decodeUntil(order: number[][], want: number): Promise<number[]> {
    const queues = order.map((idx) => ({ idx, next: 0, good: 0 }));
    for (;;) {
      const round: number[] = [];
      for (const q of queues) {
        const take = Math.min(want - q.good, q.idx.length - q.next);
        round.push(...q.idx.slice(q.next, q.next + take));
        q.next += take;
      }
      if (round.length === 0) break;
      for (const i of round) tried[i] = 1;
      await decodeRound(round);
      for (const q of queues) q.good = q.idx.slice(0, q.next).filter((i) => images[i] !== null).length;
    }
    return queues.flatMap((q) => q.idx.slice(0, q.next).filter((i) => images[i] !== null));
  }

  async function decodeRound(round: number[]): Promise<void> {
    total += round.length;
    await forEachLimit(round, CONCURRENCY, async (i) => {
      const f = files[i];
      try {
        const bytes = await readImageBytes(f.abs);
        images[i] = await decodeTo(bytes, targetShape, fit);
        hashes[i] = createHash('sha256').update(bytes).digest('hex');
      } catch (e) {
        if (!(e instanceof SkipError)) throw e;
        skipped.push({ file: f.rel, reason: e.message });
      }
      done++;
      const now = Date.now();
      if (done === total || now - lastReport >= 100) {
        lastReport = now;
        opts.onProgress?.(done, total);
      }
    }, opts.signal, 'Decoding the folder');
  }
  const kept = files.map((f, i) => ({ f, i })).filter(({ i }) => images[i] !== null);
  const counts = new Array(listing.classes.length).fill(0);
  for (const { f } of kept) counts[f.label]++;
  checkClasses(path, listing.classes, counts, skipped);

  const pixels = new Uint8Array(kept.length * size);
  const imageLabels = new Int32Array(kept.length);
  const fp = createHash('sha256').update(JSON.stringify({ kind: 'folder', classes: listing.classes, targetShape, fit, perClass, seed: perClass === null ? null : seed, ...(testPerClass > 0 ? { testPerClass } : {}) }));
  const testFp = createHash('sha256').update(JSON.stringify({ kind: 'folder-test-pool', classes: listing.classes, targetShape, fit, testPerClass }));
  const fixedTest: number[] = [];
  kept.forEach(({ f, i }, k) => {
    pixels.set(images[i]!, k * size);
    imageLabels[k] = f.label;
    fp.update(`\n${f.label}\t${f.rel}\t${hashes[i]}`);
    if (inTest[i]) {
      fixedTest.push(k);
      testFp.update(`\n${f.label}\t${f.rel}\t${hashes[i]}`);
    }
  });
  return {
    datasetId: opts.datasetId ?? listing.root,
    classes: listing.classes,
    shape: [h, w, c],
    pixels,
    labels: imageLabels,
    sampleIds: kept.map(({ f }) => f.rel),
    fingerprint: fp.digest('hex'),
    // Each image is its path and its bytes' digest, decoded the same way: rows are shared by subsets.
    setFingerprint: createHash('sha256').update(JSON.stringify({ kind: 'folder-images', datasetId: opts.datasetId ?? listing.root, targetShape, fit })).digest('hex'),
    sampleDigests: kept.map(({ i }) => hashes[i]),
    ...(testPerClass > 0 ? { fixedTest: Int32Array.from(fixedTest), testFingerprint: testFp.digest('hex') } : {}),
    skipped: skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
  };
}

/** A file's place in the fixed test pool's order: a hash of its path (FNV-1a), the same on every machine. */
function pathRank(rel: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < rel.length; i++) h = Math.imul(h ^ rel.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
