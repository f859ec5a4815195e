// The bench's data as the engine sees it (LoadedData) and its fixed split: the first train + val +
// test images of a shipped 28×28×1 set. For a 224 px backbone the images are stored at the
// backbone's input size, as the folder source decodes a student's own photos (straight to the
// backbone's input with sharp), so no batch is resized; pixel values do not change timings.
import { createHash } from 'node:crypto';
import { readShippedData } from '../../electron/datasets/shipped.js';
import type { LoadedData, Split } from '../../electron/training/types.js';
import { resourcesDir } from './data.js';

export interface SplitSizes { train: number; val: number; test: number }

export const totalOf = (s: SplitSizes) => s.train + s.val + s.test;

/** Nearest-neighbour upscaling of 28×28×1 bytes to size×size×channels (size a multiple of 28). */
export function upscale(pixels: Uint8Array, n: number, size: number, channels: number): Uint8Array {
  if (size % 28 !== 0) throw new Error(`bench images upscale from 28 px by a whole factor, not to ${size} px`);
  const f = size / 28;
  const out = new Uint8Array(n * size * size * channels);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < size; y++) {
      const src = i * 784 + Math.floor(y / f) * 28;
      let dst = ((i * size + y) * size) * channels;
      for (let x = 0; x < size; x++) {
        const v = pixels[src + Math.floor(x / f)];
        for (let c = 0; c < channels; c++) out[dst++] = v;
      }
    }
  }
  return out;
}

export async function benchData(datasetId: string, sizes: SplitSizes, shape: [number, number, number]): Promise<LoadedData> {
  const shipped = await readShippedData(resourcesDir, datasetId);
  const [h, w, c] = shipped.meta.imageSize;
  if (h !== 28 || w !== 28 || c !== 1) throw new Error(`bench data set ${datasetId} is ${h}×${w}×${c}, not 28×28×1`);
  const n = totalOf(sizes);
  if (n > shipped.labels.length) throw new Error(`bench wants ${n} images, ${datasetId} has ${shipped.labels.length}`);
  const native = shipped.pixels.subarray(0, n * 784);
  const pixels = shape[0] === 28 && shape[2] === 1 ? native.slice() : upscale(native, n, shape[0], shape[2]);
  return {
    datasetId, classes: [...shipped.meta.classes], shape, pixels,
    labels: Int32Array.from(shipped.labels.subarray(0, n)),
    sampleIds: Array.from({ length: n }, (_, i) => `bench/${i}`),
    fingerprint: createHash('sha256').update(JSON.stringify({ kind: 'bench', datasetId, n, shape })).digest('hex'),
  };
}

/** Train = the first `train` images, then validation, then test: every run sees the same sets. */
export function fixedSplit(sizes: SplitSizes): Split {
  const range = (from: number, count: number) => Int32Array.from({ length: count }, (_, i) => from + i);
  return { train: range(0, sizes.train), val: range(sizes.train, sizes.val), test: range(sizes.train + sizes.val, sizes.test) };
}
