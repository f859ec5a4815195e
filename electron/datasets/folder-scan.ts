// Scans a user's folder before it is registered: decodes every file once, reports each skipped file
// with its reason, counts images per class and makes a few thumbnails per class for the preview.
import { checkClasses } from './folder-problems.js';
import { abortError, listFolder, type SkippedFile } from './folder-walk.js';
import { forEachLimit, throttledProgress } from './concurrency.js';
import { probeImage, readImageBytes, SkipError, thumbnailDataUrl, type ImageProbe } from './image-file.js';

export const THUMBNAILS_PER_CLASS = 6;
const CONCURRENCY = 4;

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface ScanResult {
  /** The folder's real path (symlinks resolved): the only place its images are read from. */
  root: string;
  classes: string[];
  counts: number[];
  /** The most common image size as [H, W, C]; C is 3 when any image is in colour. */
  imageSize: [number, number, number];
  /** Usable images' relative paths per class index. */
  files: string[][];
  thumbnails: Record<string, string[]>;
  skipped: SkippedFile[];
}

function mostCommonSize(probes: ImageProbe[]): [number, number, number] {
  const tally = new Map<string, number>();
  for (const p of probes) tally.set(`${p.height}x${p.width}`, (tally.get(`${p.height}x${p.width}`) ?? 0) + 1);
  const best = [...tally].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '0x0';
  const [h, w] = best.split('x').map(Number);
  return [h, w, probes.some((p) => p.color) ? 3 : 1];
}

/**
 * Throws (naming every problem of the folder) when there are fewer than 2 classes or a class has no
 * usable image; throws an AbortError when `signal` fires. Nothing outside the folder is read.
 */
export async function scanFolder(path: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const listing = await listFolder(path, { signal: opts.signal });
  const { root, classes, files } = listing;
  const skipped = [...listing.skipped];
  const probes: Array<ImageProbe | null> = new Array(files.length).fill(null);
  const reasons: Array<string | null> = new Array(files.length).fill(null);
  const tick = throttledProgress(files.length, opts.onProgress);

  await forEachLimit(files, CONCURRENCY, async (f, i) => {
    try {
      probes[i] = await probeImage(await readImageBytes(f.abs));
    } catch (e) {
      if (!(e instanceof SkipError)) throw e;
      reasons[i] = e.message;
    }
    tick();
  }, opts.signal, 'Folder scan');

  const good: string[][] = classes.map(() => []);
  files.forEach((f, i) => {
    if (probes[i]) good[f.label].push(f.rel);
    else skipped.push({ file: f.rel, reason: reasons[i] ?? 'skipped' });
  });
  const counts = good.map((g) => g.length);
  checkClasses(path, classes, counts, skipped);

  const thumbnails: Record<string, string[]> = {};
  const absOf = new Map(files.map((f) => [f.rel, f.abs]));
  for (const [label, name] of classes.entries()) {
    if (opts.signal?.aborted) throw abortError();
    const urls = await Promise.all(good[label].slice(0, THUMBNAILS_PER_CLASS).map(async (rel) => {
      try {
        return await thumbnailDataUrl(await readImageBytes(absOf.get(rel)!));
      } catch {
        return null; // changed on disk since it was checked: no preview, the report stays as scanned
      }
    }));
    thumbnails[name] = urls.filter((u): u is string => u !== null);
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { root, classes, counts, imageSize: mostCommonSize(probes.filter((p): p is ImageProbe => p !== null)), files: good, thumbnails, skipped };
}
