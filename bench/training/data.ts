// The bench's images: the first N of a shipped 28×28×1 data set, scaled to [0,1] once.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readShippedData } from '../../electron/datasets/shipped.js';

export const resourcesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources');

export interface BenchData {
  datasetId: string;
  datasetDir: string;
  n: number;
  classes: number;
  /** N×28×28×1 in [0,1]. */
  pixels: Float32Array;
  labels: Int32Array;
}

export async function loadBenchData(datasetId: string, n: number): Promise<BenchData> {
  const data = await readShippedData(resourcesDir, datasetId);
  const [h, w, c] = data.meta.imageSize;
  if (h !== 28 || w !== 28 || c !== 1) throw new Error(`bench data set ${datasetId} is ${h}×${w}×${c}, not 28×28×1`);
  const total = data.labels.length;
  if (n > total) throw new Error(`bench wants ${n} images, ${datasetId} has ${total}`);
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = data.pixels[i] / 255;
  return {
    datasetId, datasetDir: path.join(resourcesDir, 'datasets', datasetId), n,
    classes: data.meta.classes.length, pixels, labels: Int32Array.from(data.labels.subarray(0, n)),
  };
}
