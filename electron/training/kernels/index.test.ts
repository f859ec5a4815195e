// End-to-end check: gradients of a small conv/BN/ReLU/maxpool/depthwise net on wasm (with our
// kernels) equal the cpu backend's, and our kernels are the ones registered.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from './index.js';
import { type HostTensor, randomTensor, relativeMaxDiff, useBackend } from './testing/kernel-checks.js';

const shapes: Record<string, number[]> = {
  w1: [3, 3, 1, 8], g1: [8], b1: [8],
  w2: [3, 3, 8, 12], g2: [12], b2: [12],
  dw: [3, 3, 12, 1],
  w3: [1, 1, 12, 16],
  dense: [16, 5],
};

function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3) as tf.Tensor4D;
}

function loss(p: Record<string, tf.Tensor>, x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar {
  let h = tf.conv2d(x, p.w1 as tf.Tensor4D, 1, 'same');
  h = tf.relu(batchNorm(h, p.g1 as tf.Tensor1D, p.b1 as tf.Tensor1D));
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.conv2d(h, p.w2 as tf.Tensor4D, 2, 'same');
  h = tf.relu(batchNorm(h, p.g2 as tf.Tensor1D, p.b2 as tf.Tensor1D));
  h = tf.depthwiseConv2d(h, p.dw as tf.Tensor4D, 1, 'same');
  h = tf.relu(tf.conv2d(h, p.w3 as tf.Tensor4D, 1, 'valid'));
  const logits = tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, p.dense as tf.Tensor2D);
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

function gradients(host: Record<string, HostTensor>, x: HostTensor, labels: number[]): Record<string, Float32Array> {
  return tf.tidy(() => {
    const names = Object.keys(shapes);
    const params = names.map((n) => tf.tensor(host[n].data, host[n].shape));
    const xt = tf.tensor4d(x.data, x.shape as [number, number, number, number]);
    const y = tf.oneHot(labels, 5).toFloat() as tf.Tensor2D;
    const f = (...ps: tf.Tensor[]) => loss(Object.fromEntries(names.map((n, i) => [n, ps[i]])), xt, y);
    const grads = tf.grads(f)(params);
    return Object.fromEntries(names.map((n, i) => [n, grads[i].dataSync() as Float32Array]));
  });
}

describe('wasm training kernels', () => {
  it('gives the same gradients as cpu for a whole conv/BN/ReLU/maxpool/depthwise net', async () => {
    const host = Object.fromEntries(Object.entries(shapes).map(([n, s], i) => [n, randomTensor(s, 900 + i)]));
    for (const g of ['g1', 'g2']) host[g].data = host[g].data.map((v) => 1 + 0.2 * v);
    const x = randomTensor([3, 13, 13, 1], 77);
    const labels = [0, 3, 4];
    await useBackend('cpu');
    const cpu = gradients(host, x, labels);
    await useBackend('wasm');
    const wasm = gradients(host, x, labels);
    for (const n of Object.keys(shapes)) {
      expect(relativeMaxDiff(cpu[n], wasm[n]), `gradient of ${n}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('registers our kernels on wasm, idempotently, without leaking tensors', async () => {
    await useBackend('wasm');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    for (const [name, fn] of Object.entries(WASM_TRAINING_KERNELS)) {
      expect(tf.getKernel(name, 'wasm')?.kernelFunc, name).toBe(fn);
    }
    const x = tf.randomNormal([2, 9, 9, 3]);
    const w = tf.randomNormal([3, 3, 3, 4]);
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').square().sum())([x, w]).forEach((g) => g.dataSync()));
    step();
    // Intermediates our kernels make live on the backend only: count the backend's buffers.
    const buffers = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const before = buffers();
    step();
    expect(buffers()).toBe(before);
    tf.dispose([x, w]);
  });
});
