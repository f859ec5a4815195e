// TlBatchNormTraining and its gradient, including gradients that reach the mean and variance
// outputs themselves, against tfjs's composition (tf.moments + tf.batchNorm) on cpu.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { BN_TRAINING } from './batch-norm-training.js';
import { setSimdLoopsEnabled } from './simd-loops.js';
import { type HostTensor, randomTensor, relativeMaxDiff, useBackend } from './testing/kernel-checks.js';

type Parts = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor[];

const composed: Parts = (x, gamma, beta) => {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return [tf.batchNorm(x, mean, variance, beta, gamma, 1e-3), mean, variance];
};
const fused: Parts = (x, gamma, beta) => tf.engine().runKernel(BN_TRAINING, { x, gamma, beta }, { epsilon: 1e-3 }) as tf.Tensor[];

/** Gradients of Σ y·r + Σ mean·rm + Σ variance·rv w.r.t. x, gamma, beta, and the three outputs. */
function evaluate(parts: Parts, x: HostTensor, r: HostTensor, rm: HostTensor, rv: HostTensor): Float32Array[] {
  return tf.tidy(() => {
    const C = x.shape[x.shape.length - 1];
    const [xt, rt] = [x, r].map((h) => tf.tensor(h.data, h.shape));
    const gamma = tf.add(1, tf.mul(0.3, tf.tensor1d(rm.data)));
    const beta = tf.tensor1d(rv.data);
    const [rmt, rvt] = [rm, rv].map((h) => tf.tensor1d(h.data).reshape([C]));
    const loss = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
      const [y, mean, variance] = parts(xi, gi, bi);
      return tf.addN([tf.sum(tf.mul(y, rt)), tf.sum(tf.mul(mean, rmt)), tf.sum(tf.mul(variance, rvt))]) as tf.Scalar;
    };
    const grads = tf.grads(loss)([xt, gamma, beta]);
    return [...parts(xt, gamma, beta), ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

afterEach(() => setSimdLoopsEnabled(true));

describe('TlBatchNormTraining', () => {
  it.each([[[3, 5, 4, 8]], [[2, 7, 3, 5]], [[9, 12]], [[1, 1, 1, 4]]])('matches tf.moments + tf.batchNorm for x %j', async (shape) => {
    const C = shape[shape.length - 1];
    const x = randomTensor(shape, 1);
    x.data = x.data.map((v, i) => 2 * v + (i % C));
    const args = [x, randomTensor(shape, 2), randomTensor([C], 3), randomTensor([C], 4)] as const;
    await useBackend('cpu');
    const ref = evaluate(composed, ...args);
    await useBackend('wasm');
    for (const simd of [true, false]) {
      setSimdLoopsEnabled(simd);
      const got = evaluate(fused, ...args);
      ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => {
        expect(relativeMaxDiff(ref[i], got[i]), `${name}, ${simd ? 'SIMD' : 'JS'} loops`).toBeLessThanOrEqual(1e-4);
      });
    }
  });
});
