// The one-pass ReLU / ReLU6 gradient on wasm against tfjs-core's own formula (Step, Cast, Multiply)
// on wasm and on cpu, bit for bit, on the shapes real layers hit and on odd lengths (the JS tail).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './index.js';
import { RELU_GRAD, maskedProductInto, relu6GradConfig, reluGradConfig } from './relu-gradient.js';
import { randomTensor, useBackend } from './testing/kernel-checks.js';

/** x spread over (−8, 8) with exact zeros, exact sixes and −0 mixed in; dy with −0, ±∞ and NaN. */
function inputs(shape: number[], seed: number): { x: Float32Array; dy: Float32Array } {
  const x = randomTensor(shape, seed).data.map((v) => 8 * v);
  const dy = randomTensor(shape, seed + 1).data;
  for (let i = 0; i < x.length; i += 7) x[i] = [0, 6, -0, 6.000001, 5.999999][i % 5];
  for (let i = 3; i < dy.length; i += 11) dy[i] = [-0, Infinity, -Infinity, NaN][i % 4];
  return { x, dy };
}

/** The gradient of `op` at x times dy, through tf.grad on the current backend. */
function gradient(op: 'relu' | 'relu6', x: Float32Array, dy: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => {
    const f = (t: tf.Tensor) => (op === 'relu' ? tf.relu(t) : tf.relu6(t));
    return tf.grad(f)(tf.tensor(x, shape), tf.tensor(dy, shape)).dataSync() as Float32Array;
  });
}

/** tfjs-core's formula, written out, on the current backend. */
function shipped(op: 'relu' | 'relu6', x: Float32Array, dy: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => {
    const xt = tf.tensor(x, shape);
    const mask = op === 'relu' ? tf.step(xt) : tf.mul(tf.lessEqual(xt, 6), tf.step(xt));
    return tf.mul(tf.tensor(dy, shape), tf.cast(mask, 'float32')).dataSync() as Float32Array;
  });
}

/** Same bits, NaN payloads aside (NaN equals NaN here, −0 differs from 0). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i])));
}

const shapes = [[32, 28, 28, 16], [32, 7, 7, 64], [3, 5, 7, 3], [1, 1, 1, 3], [2, 13], [4]];

describe('ReLU gradient in one pass', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    registerWasmTrainingKernels();
  });

  it('is registered for wasm and replaces both shipped gradients', () => {
    expect(tf.getKernel(RELU_GRAD, 'wasm')).toBeDefined();
    expect(tf.getGradient('Relu')).toBe(reluGradConfig);
    expect(tf.getGradient('Relu6')).toBe(relu6GradConfig);
  });

  it.each(shapes.flatMap((shape, k) => (['relu', 'relu6'] as const).map((op) => ({ op, shape, seed: 40 + k }))))(
    '$op, shape $shape: wasm kernel = the shipped ops on wasm and on cpu, bit for bit',
    async ({ op, shape, seed }) => {
      const { x, dy } = inputs(shape, seed);
      await useBackend('wasm');
      const before = tf.memory().numTensors;
      const fused = gradient(op, x, dy, shape);
      expect(tf.memory().numTensors).toBe(before);
      const onWasm = shipped(op, x, dy, shape);
      await useBackend('cpu');
      const onCpu = gradient(op, x, dy, shape);
      expect(sameBits(fused, onWasm)).toBe(true);
      // cpu's Step maps a NaN x to NaN; x has no NaN here, so the two backends agree exactly.
      expect(sameBits(fused, onCpu)).toBe(true);
      // The gradient really masks: some entries pass dy through, some are zero.
      expect(fused.some((v, i) => v !== 0 && v === dy[i])).toBe(true);
      expect(fused.some((v, i) => v === 0 && dy[i] !== 0)).toBe(true);
    },
  );

  it('takes the one-pass kernel on wasm (no Step, Cast or Multiply in the backward pass)', async () => {
    await useBackend('wasm');
    const { x, dy } = inputs([8, 6, 6, 8], 5);
    const info = await tf.profile(() => gradient('relu', x, dy, [8, 6, 6, 8]));
    const names = info.kernels.map((k) => k.name);
    expect(names).toContain(RELU_GRAD);
    expect(names.filter((n) => n === 'Step' || n === 'Cast' || n === 'Multiply')).toEqual([]);
  });

  it('refuses mismatched shapes and caps other than 6', async () => {
    await useBackend('wasm');
    const run = (x: tf.Tensor, dy: tf.Tensor, cap: number | null) => tf.engine().runKernel(RELU_GRAD, { dy, x }, { cap } as unknown as tf.NamedAttrMap);
    tf.tidy(() => {
      expect(() => run(tf.zeros([2, 3]), tf.zeros([3, 2]), null)).toThrow(/differ/);
      expect(() => run(tf.zeros([4]), tf.zeros([4]), 1)).toThrow(/cap must be 6/);
    });
  });

  it('JS tail: masks at 0 and at the cap', () => {
    const out = new Float32Array(4);
    maskedProductInto(new Float32Array([-2, 3, 4, 5]), new Float32Array([0, 6, 6.5, 1]), out, 6);
    expect([...out]).toEqual([-0, 3, 0, 5]);
  });
});
