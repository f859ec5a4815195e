// Light augmentation for training batches: a random horizontal flip and a random shift of up to
// 2 pixels, chosen per image from a seed so a run can be repeated exactly.
//
// Shifted-in borders repeat the edge pixels (Keras calls this fill mode "nearest") rather than
// filling with black: photos never have black bars, and on the shipped 28×28 sets, whose borders are
// already black, it is the same as zero fill. Two pixels is ~7% of a 28 px image: enough to stop the
// head from memorising exact positions, small enough never to push a garment or digit out of frame.
// The whole batch is one gather, so it costs one kernel on every backend and needs no gradient.
import * as tf from '@tensorflow/tfjs';
import { createRng, randInt } from '../../datasets/prng.js';

export interface AugmentOptions {
  /** Mirror left-right with probability ½ (turn off for data where mirroring changes the class). */
  flip?: boolean;
  /** Largest shift in pixels along each axis. */
  maxShift?: number;
}

/** Source pixel index of every output pixel, for the whole batch. Exported for tests. */
export function augmentIndices(n: number, h: number, w: number, seed: number, { flip = true, maxShift = 2 }: AugmentOptions = {}): Int32Array {
  const rng = createRng(seed);
  const idx = new Int32Array(n * h * w);
  const clamp = (v: number, hi: number) => (v < 0 ? 0 : v > hi ? hi : v);
  for (let b = 0; b < n; b++) {
    const mirror = flip && rng() < 0.5;
    const dy = randInt(rng, 2 * maxShift + 1) - maxShift;
    const dx = randInt(rng, 2 * maxShift + 1) - maxShift;
    for (let y = 0; y < h; y++) {
      const sy = clamp(y - dy, h - 1);
      for (let x = 0; x < w; x++) {
        let sx = clamp(x - dx, w - 1);
        if (mirror) sx = w - 1 - sx;
        idx[(b * h + y) * w + x] = (b * h + sy) * w + sx;
      }
    }
  }
  return idx;
}

/** Returns a new tensor (the caller disposes both); the same seed gives the same batch. */
export function augmentBatch(x: tf.Tensor4D, seed: number, opts: AugmentOptions = {}): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const idx = augmentIndices(n, h, w, seed, opts);
  return tf.tidy(() => tf.gather(x.reshape([n * h * w, c]), tf.tensor1d(idx, 'int32')).reshape([n, h, w, c]) as tf.Tensor4D);
}
