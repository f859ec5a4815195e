// The fused Adam step against tfjs's own Adam, on wasm and on cpu, over several steps and varied
// shapes (a scalar-sized bias, a conv kernel, a long vector, gradients spanning magnitudes): the
// values and both moments must be the very same bits.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAM_UPDATE, FusedAdamOptimizer } from '../engine/fused-adam.js';
import { randomTensor, useBackend } from './testing/kernel-checks.js';

const SHAPES = [[1], [5], [7], [3, 3, 16, 16], [1027], [10_000]];
const STEPS = 6;

/** STEPS steps of `make()` on fresh variables; every value and moment afterwards, as host arrays. */
async function train(make: () => tf.Optimizer, seed: number): Promise<Float32Array[]> {
  const vars = SHAPES.map((shape, k) => tf.variable(tf.tensor(randomTensor(shape, seed + k).data, shape)));
  const opt = make();
  for (let s = 0; s < STEPS; s++) {
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, k) => {
      // From 1e-6 to 1e2 in size: rounding shows in every range.
      const scale = 10 ** ((k + s) % 9 - 6);
      grads[v.name] = tf.tensor(randomTensor(v.shape, seed * 31 + s * 7 + k).data.map((x) => x * scale), v.shape);
    });
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const out = vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const moments = (await opt.getWeights()).filter((w) => /\/(m|v)$/.test(w.name)).map((w) => Float32Array.from(w.tensor.dataSync() as Float32Array));
  opt.dispose();
  tf.dispose(vars);
  return [...out, ...moments];
}

const bits = (a: Float32Array[]) => a.map((x) => Buffer.from(x.buffer).toString('base64'));

describe('fused Adam', () => {
  afterAll(async () => { await useBackend('wasm'); });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}, gives tf.train.adam's values and moments bit for bit`, async () => {
      await useBackend(backend);
      expect(tf.getKernel(ADAM_UPDATE, 'wasm') != null).toBe(true);
      for (const [lr, seed] of [[1e-3, 1], [1e-4, 2], [0.5, 3]] as const) {
        const fused = await train(() => new FusedAdamOptimizer(lr), seed);
        const plain = await train(() => tf.train.adam(lr), seed);
        expect(fused).toHaveLength(SHAPES.length * 3);
        expect(bits(fused)).toEqual(bits(plain));
      }
    });
  }

  it('takes the kernel on wasm, one call per variable instead of tfjs\'s chain of ops', async () => {
    await useBackend('wasm');
    const v = tf.variable(tf.ones([4]));
    const opt = new FusedAdamOptimizer(1e-3);
    const g = tf.ones([4]);
    opt.applyGradients([{ name: v.name, tensor: g }]); // creates the moments
    const { kernelNames } = await tf.profile(() => { opt.applyGradients([{ name: v.name, tensor: g }]); });
    expect(kernelNames).toContain(ADAM_UPDATE);
    expect(kernelNames).not.toContain('Sqrt');
    tf.dispose([v, g]);
    opt.dispose();
  });
});
