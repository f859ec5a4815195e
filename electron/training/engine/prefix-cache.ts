// Partial fine-tuning without paying for the frozen blocks every epoch. When the frozen prefix runs
// in inference mode and no augmentation changes the images, its output for an image never changes:
// compute it once for the training images (like feature extraction's embeddings) and feed the
// unfrozen blocks from host memory. The values are the very tensors the uncached path would compute,
// so the run is the same, only faster.
import * as tf from '@tensorflow/tfjs';
import type { LoadedBackbone, LoadedData } from '../types.js';
import { inputBatch } from './images.js';
import { CancelledError } from './loop.js';
import type { PrefixRows } from './prefix-rows.js';

/** Above this the activations stay uncached (a 224 px backbone's early blocks are large). */
export const PREFIX_CACHE_MAX_BYTES = 512 * 1024 * 1024;

export interface PrefixCache {
  /** The cached prefix output of these images (training indices into LoadedData), as one batch. */
  batch(indices: Int32Array): tf.Tensor;
  readonly bytes: number;
}

/** Bytes the cache would take for `count` images, or null when the prefix output shape is not fixed. */
export function prefixCacheBytes(prefix: tf.LayersModel, count: number): number | null {
  const shape = prefix.outputs[0].shape.slice(1);
  if (shape.some((d) => d == null)) return null;
  return count * (shape as number[]).reduce((a, b) => a * b, 1) * 4;
}

/** The prefix output of the training images at `indices`: rows the embedding pass kept (`kept`,
 *  then forgotten there) copied, the others computed batch by batch. */
export async function buildPrefixCache(
  prefix: tf.LayersModel, data: LoadedData, backbone: LoadedBackbone, indices: Int32Array,
  opts: { batchSize: number; signal: AbortSignal; onProgress?: (done: number, total: number) => void; kept?: PrefixRows },
): Promise<PrefixCache & { reused: number }> {
  const rowShape = (prefix.outputs[0].shape.slice(1) as number[]);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(indices.length * rowSize);
  const position = new Map<number, number>();
  indices.forEach((v, i) => position.set(v, i));
  const kept = opts.kept;
  const todo = kept ? indices.filter((i, k) => !kept.copyInto(i, values, k * rowSize)) : indices;
  kept?.forget(indices);
  for (let start = 0; start < todo.length; start += opts.batchSize) {
    if (opts.signal.aborted) throw new CancelledError();
    const chunk = todo.subarray(start, Math.min(todo.length, start + opts.batchSize));
    const out = tf.tidy(() => prefix.apply(inputBatch(data, chunk, backbone), { training: false }) as tf.Tensor);
    const batch = await out.data() as Float32Array;
    out.dispose();
    chunk.forEach((image, k) => values.set(batch.subarray(k * rowSize, (k + 1) * rowSize), position.get(image)! * rowSize));
    opts.onProgress?.(start + chunk.length, todo.length);
  }
  return {
    reused: indices.length - todo.length,
    bytes: values.byteLength,
    batch(idx) {
      const out = new Float32Array(idx.length * rowSize);
      for (let i = 0; i < idx.length; i++) {
        const row = position.get(idx[i]);
        if (row === undefined) throw new Error(`Image ${idx[i]} is not among the cached training images.`);
        out.set(values.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
      }
      return tf.tensor(out, [idx.length, ...rowShape]);
    },
  };
}
