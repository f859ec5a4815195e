// Turns stored bytes into network input one batch at a time: gather → [0,1] → resize to the
// backbone's input → adapt channels → the backbone's own preprocessing. Done per batch so a 224 px
// backbone never holds 224 px copies of the whole data set.
import * as tf from '@tensorflow/tfjs';
import type { LoadedBackbone, LoadedData } from '../types.js';

/** Bumped whenever the steps below change, so cached embeddings from older code are not reused. */
export const PREPROCESSING_VERSION = 'p1-bilinear-gray-avg';

/** A [n, H, W, C] float tensor of the images at `indices`, scaled to [0,1] (native size). */
export function gatherImages(data: LoadedData, indices: ArrayLike<number>): tf.Tensor4D {
  const [h, w, c] = data.shape;
  const size = h * w * c;
  const out = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i] * size;
    const src = data.pixels.subarray(start, start + size);
    const dst = i * size;
    for (let k = 0; k < size; k++) out[dst + k] = src[k] / 255;
  }
  return tf.tensor4d(out, [indices.length, h, w, c]);
}

/** Resizes and converts channels of [0,1] images to what `backbone` expects, then preprocesses. */
export function toBackboneInput(x: tf.Tensor4D, backbone: LoadedBackbone): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w, c] = backbone.inputShape;
    let y = x;
    if (y.shape[1] !== h || y.shape[2] !== w) y = tf.image.resizeBilinear(y, [h, w], true);
    const have = y.shape[3];
    if (have !== c) {
      if (have === 1) y = tf.tile(y, [1, 1, 1, c]);
      else if (c === 1) y = tf.mean(y, 3, true) as tf.Tensor4D;
      else throw new Error(`Cannot adapt ${have}-channel images to a ${c}-channel backbone.`);
    }
    return backbone.preprocess(y);
  });
}

/** gatherImages + (optional augmentation) + toBackboneInput, as one tidy step. */
export function inputBatch(
  data: LoadedData, indices: ArrayLike<number>, backbone: LoadedBackbone,
  augment?: (x: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    let x = gatherImages(data, indices);
    if (augment) x = augment(x);
    return toBackboneInput(x, backbone);
  });
}

export function labelsOf(data: LoadedData, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = data.labels[indices[i]];
  return out;
}
