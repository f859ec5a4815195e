import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentBatch, augmentIndices } from './augment.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('augmentBatch', () => {
  // One 3×4 image with 2 channels; pixel (y, x) holds [10y + x, -(10y + x)].
  const img = () => tf.tensor4d(Array.from({ length: 12 }, (_, i) => [10 * Math.floor(i / 4) + (i % 4), -(10 * Math.floor(i / 4) + (i % 4))]).flat(), [1, 3, 4, 2]);

  it('flips left-right with probability ½ and nothing else when shifts are off', () => {
    const seeds = Array.from({ length: 20 }, (_, s) => s);
    let flipped = 0;
    for (const s of seeds) {
      const x = img();
      const y = augmentBatch(x, s, { maxShift: 0 });
      const v = y.arraySync()[0];
      if (v[0][0][0] === 3) {
        flipped++;
        expect(v[1].map((p) => p[0])).toEqual([13, 12, 11, 10]);
        expect(v[1].map((p) => p[1])).toEqual([-13, -12, -11, -10]);
      } else expect(v).toEqual(x.arraySync()[0]);
      tf.dispose([x, y]);
    }
    expect(flipped).toBeGreaterThan(3);
    expect(flipped).toBeLessThan(17);
  });

  it('shifts by at most 2 px, repeating edge pixels, and is deterministic by seed', () => {
    const idx = augmentIndices(64, 28, 28, 11, { flip: false });
    for (let b = 0; b < 64; b++) {
      // The centre pixel (14, 14) comes from within 2 px of itself.
      const src = idx[(b * 28 + 14) * 28 + 14] - b * 784;
      expect(Math.abs(Math.floor(src / 28) - 14)).toBeLessThanOrEqual(2);
      expect(Math.abs((src % 28) - 14)).toBeLessThanOrEqual(2);
    }
    const shifts = new Set(Array.from({ length: 64 }, (_, b) => idx[(b * 28 + 14) * 28 + 14] - b * 784));
    expect(shifts.size).toBeGreaterThan(10); // all 25 offsets are possible
    expect(Array.from(augmentIndices(64, 28, 28, 11, { flip: false }))).toEqual(Array.from(idx));
    expect(Array.from(augmentIndices(64, 28, 28, 12, { flip: false }))).not.toEqual(Array.from(idx));
    // Edge replicate: a shift right by 1 makes column 0 repeat the old column 0.
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    let found = false;
    for (let s = 0; s < 40 && !found; s++) {
      const i = augmentIndices(1, 3, 3, s, { flip: false, maxShift: 1 });
      if (i[1] === 0 && i[3] === 3 && i[0] === 0) {
        const y = augmentBatch(x, s, { flip: false, maxShift: 1 });
        expect(Array.from(y.dataSync())).toEqual([1, 1, 2, 4, 4, 5, 7, 7, 8]);
        y.dispose();
        found = true;
      }
    }
    expect(found).toBe(true);
    x.dispose();
  });

  it('leaves no tensors behind', () => {
    const x = tf.randomUniform([8, 28, 28, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const y = augmentBatch(x, 3);
    expect(y.shape).toEqual([8, 28, 28, 1]);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
  });
});
