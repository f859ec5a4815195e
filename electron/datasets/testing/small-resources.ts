// A resources folder for tests whose targets hold the first images of each class of the real ones
// (pool, then fixed test pool), written in the shipped format and read by the same loader; every
// other entry (models, the source set, lessons, sweeps) links to the real one. Runs on it score 100
// test images instead of thousands, so a test that trains on a slow backend stays quick.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { IMAGES_FILE, LABELS_FILE, META_FILE, ShippedMeta } from '../shipped-format.js';

export const shippedResourcesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources');

/** Per shipped target: images per class kept from its pool and from its fixed test pool. */
const SMALL: Record<string, [number, number]> = { 'fashion-target': [40, 20], digits: [30, 10] };
let small: string | null = null;

function writeSmallTarget(from: string, to: string, [poolPer, testPer]: [number, number]) {
  const meta = ShippedMeta.parse(JSON.parse(readFileSync(path.join(from, META_FILE), 'utf8')));
  const pixels = gunzipSync(readFileSync(path.join(from, IMAGES_FILE)));
  const labels = readFileSync(path.join(from, LABELS_FILE));
  const size = meta.imageSize.reduce((a, b) => a * b, 1);
  const poolSize = meta.counts.reduce((a, b) => a + b, 0);
  const pick = (start: number, end: number, per: number) => {
    const taken = new Array<number>(meta.classes.length).fill(0);
    const out: number[] = [];
    for (let i = start; i < end; i++) if (taken[labels[i]]++ < per) out.push(i);
    return out;
  };
  const chosen = [...pick(0, poolSize, poolPer), ...pick(poolSize, labels.length, testPer)];
  mkdirSync(to);
  writeFileSync(path.join(to, IMAGES_FILE), gzipSync(Buffer.concat(chosen.map((i) => pixels.subarray(i * size, (i + 1) * size)))));
  writeFileSync(path.join(to, LABELS_FILE), Uint8Array.from(chosen, (i) => labels[i]));
  const counts = meta.classes.map(() => poolPer);
  writeFileSync(path.join(to, META_FILE), JSON.stringify({ ...meta, counts, testCounts: meta.classes.map(() => testPer) } satisfies ShippedMeta));
}

/** The small resources folder (made once per process). */
export function smallResourcesDir(): string {
  if (small) return small;
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-resources-'));
  for (const entry of readdirSync(shippedResourcesDir)) {
    if (entry !== 'datasets') symlinkSync(path.join(shippedResourcesDir, entry), path.join(dir, entry));
  }
  mkdirSync(path.join(dir, 'datasets'));
  for (const id of readdirSync(path.join(shippedResourcesDir, 'datasets'))) {
    const from = path.join(shippedResourcesDir, 'datasets', id);
    const to = path.join(dir, 'datasets', id);
    if (SMALL[id]) writeSmallTarget(from, to, SMALL[id]);
    else symlinkSync(from, to);
  }
  small = dir;
  return dir;
}
