import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { meanGradConfig, registerMeanGradient } from './mean-gradient.js';

/** tfjs-core's own formula, written out: (reshape(dy) * ones) / n. */
function reference(x: tf.Tensor, dy: tf.Tensor, axes: number[]): tf.Tensor {
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = axes.reduce((p, a) => p * x.shape[a], 1);
  return tf.div(tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape)), n);
}

describe('Mean gradient', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerMeanGradient();
  });

  it('is registered in place of the shipped one', () => {
    expect(tf.getGradient('Mean')).toBe(meanGradConfig);
  });

  it.each([
    { shape: [4, 7, 5, 3], axes: [0, 1, 2] },
    { shape: [2, 9, 6], axes: [1] },
    { shape: [3, 5], axes: [0, 1] },
    { shape: [6, 4, 2, 8], axes: [0, 2] },
  ])('matches the shipped formula bit for bit: shape $shape, axes $axes', ({ shape, axes }) => {
    tf.tidy(() => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
      const dy = tf.randomNormal(x.shape.map((d, i) => (axes.includes(i) ? 1 : d)).filter((_, i) => !axes.includes(i)), 0, 1, 'float32', 9);
      const grad = tf.grad((t: tf.Tensor) => tf.mean(t, axes))(x, dy);
      const want = reference(x, dy, axes);
      expect(Array.from(grad.dataSync())).toEqual(Array.from(want.dataSync()));
    });
  });

  it('handles keepDims and leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 3);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, [0, 2], true), tf.tensor([1, 2, 3, 4]).reshape([1, 4, 1]))))(x);
      expect(g.shape).toEqual([3, 4, 5]);
      expect(g.dataSync()[0]).toBeCloseTo(1 / 15, 6);
      expect(g.dataSync()[5]).toBeCloseTo(2 / 15, 6);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
