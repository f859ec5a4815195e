// The frozen prefix's output of single images, kept from fine-tuning's embedding pass. That pass runs
// the whole base over every image; split at the freeze boundary, it yields the prefix's output on
// the way, and the run needs exactly that output twice more: for the training images (the prefix
// cache, before epoch 1) and for the validation and test images (scoring the fine-tuned model, whose
// prefix never changed). Kept rows skip the prefix there; a row not kept (over the byte budget, or
// embedded by another thread or worker) goes through the whole network as before. Each image is
// computed on its own, so a row's values are the same bits whichever path made them (tested).
import * as tf from '@tensorflow/tfjs';
import type { SplitModel } from './graph.js';

/** Host memory the kept rows may take (tl-resnet-s: 49 KB an image, ~5,300 images). */
export const PREFIX_ROWS_MAX_BYTES = 256 * 1024 * 1024;

export class PrefixRows {
  private readonly kept = new Map<number, Float32Array>();
  private bytes = 0;
  readonly rowSize: number;

  constructor(
    readonly prefix: tf.LayersModel,
    /** Boundary activations → features: the fine-tuned blocks once training changed them. */
    readonly suffix: tf.LayersModel,
    readonly rowShape: number[],
    /** 1 for each image the run will need again (training, validation, test). */
    private readonly wanted: Uint8Array,
    private readonly maxBytes = PREFIX_ROWS_MAX_BYTES,
  ) {
    this.rowSize = rowShape.reduce((a, b) => a * b, 1);
  }

  get size(): number {
    return this.kept.size;
  }

  has(image: number): boolean {
    return this.kept.has(image);
  }

  /** Keeps the rows of `values` ([indices.length, ...rowShape]) that the run wants, while they fit. */
  keep(indices: ArrayLike<number>, values: Float32Array): void {
    for (let k = 0; k < indices.length; k++) {
      const image = indices[k];
      if (!this.wanted[image] || this.kept.has(image)) continue;
      if (this.bytes + this.rowSize * 4 > this.maxBytes) return;
      this.kept.set(image, values.slice(k * this.rowSize, (k + 1) * this.rowSize));
      this.bytes += this.rowSize * 4;
    }
  }

  /** The kept rows of `indices` (every one must be kept) as one batch. */
  batch(indices: ArrayLike<number>): tf.Tensor {
    const out = new Float32Array(indices.length * this.rowSize);
    for (let k = 0; k < indices.length; k++) {
      const row = this.kept.get(indices[k]);
      if (!row) throw new Error(`The frozen blocks' output of image ${indices[k]} was not kept.`);
      out.set(row, k * this.rowSize);
    }
    return tf.tensor(out, [indices.length, ...this.rowShape]);
  }

  /** Copies the kept row of `image` into `out` at `offset`; false where it was not kept. */
  copyInto(image: number, out: Float32Array, offset: number): boolean {
    const row = this.kept.get(image);
    if (!row) return false;
    out.set(row, offset);
    return true;
  }

  /** Forgets rows no longer needed (the training images, once the prefix cache holds them). */
  forget(indices: ArrayLike<number>): void {
    for (let k = 0; k < indices.length; k++) {
      if (this.kept.delete(indices[k])) this.bytes -= this.rowSize * 4;
    }
  }

  /** The base's features of `x` through the split, the prefix's output kept for `indices`. Whole
   *  batches in inference mode (predict's slices of 32 cost the suffix a third more here). */
  features(x: tf.Tensor, indices: ArrayLike<number>): tf.Tensor2D {
    const boundary = this.prefix.apply(x, { training: false }) as tf.Tensor;
    try {
      this.keep(indices, boundary.dataSync() as Float32Array);
      return this.fromBoundary(boundary);
    } finally {
      boundary.dispose();
    }
  }

  /** Features of kept rows (or any boundary activations) through the suffix as it is now. */
  fromBoundary(boundary: tf.Tensor): tf.Tensor2D {
    return this.suffix.apply(boundary, { training: false }) as tf.Tensor2D;
  }

  /** Features of the kept rows of `indices` (every one must be kept). */
  keptFeatures(indices: ArrayLike<number>): tf.Tensor2D {
    return tf.tidy(() => this.fromBoundary(this.batch(indices)));
  }

  /** Whether every image of `indices` was kept. */
  keptAll(indices: ArrayLike<number>): boolean {
    for (let k = 0; k < indices.length; k++) if (!this.kept.has(indices[k])) return false;
    return true;
  }
}

/** Backends where an image's values are tested not to depend on the batch or path computing it; a
 *  GPU rung would also pay a read-back of every batch's activations for rows it barely needs. */
const KEEPING_BACKENDS = new Set(['wasm', 'cpu']);

/** Rows for a fine-tuning run whose prefix output cannot change (inference mode, no augmentation,
 *  a fixed output shape) on a backend above, or null. */
export function prefixRowsFor(
  split: SplitModel | null, wanted: Uint8Array,
  opts: { augment: boolean; trainFrozenBatchNorm: boolean; cachePrefix: boolean; backend?: string },
): PrefixRows | null {
  if (!split?.prefix || !split.suffix || opts.augment || opts.trainFrozenBatchNorm || !opts.cachePrefix) return null;
  if (!KEEPING_BACKENDS.has(opts.backend ?? tf.getBackend())) return null;
  const shape = split.prefix.outputs[0].shape.slice(1);
  if (split.prefix.outputs.length !== 1 || shape.some((d) => d == null)) return null;
  return new PrefixRows(split.prefix, split.suffix, shape as number[], wanted);
}
