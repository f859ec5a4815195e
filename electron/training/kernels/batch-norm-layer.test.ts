// The fused BatchNormalization training path on wasm against tfjs's own composition, on cpu and on
// wasm with the hook removed: output, moving statistics and the gradients of x, gamma and beta.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { fusedBatchNormInstalled, installFusedBatchNorm, uninstallFusedBatchNorm } from './batch-norm-layer.js';
import { setSimdLoopsEnabled } from './simd-loops.js';
import { type HostTensor, randomTensor, relativeMaxDiff, useBackend } from './testing/kernel-checks.js';

interface Result { y: Float32Array; dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array; movingMean: Float32Array; movingVariance: Float32Array }

/** One training-mode call of a BatchNormalization layer and the gradients of Σ y·r. */
function trainingCall(x: HostTensor, r: HostTensor, gamma: HostTensor, beta: HostTensor): Result {
  return tf.tidy(() => {
    const C = x.shape[x.shape.length - 1];
    const layer = tf.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.9 });
    layer.build(x.shape);
    layer.setWeights([tf.tensor1d(gamma.data), tf.tensor1d(beta.data), tf.fill([C], 0.25), tf.fill([C], 2)]);
    const [g, b] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const xv = tf.variable(tf.tensor(x.data, x.shape));
    const rt = tf.tensor(r.data, r.shape);
    const y = layer.apply(xv, { training: true }) as tf.Tensor;
    const values = layer.getWeights().map((w) => w.dataSync() as Float32Array);
    const loss = () => tf.sum(tf.mul(layer.apply(xv, { training: true }) as tf.Tensor, rt)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, [xv, g, b]);
    const [dx, dgamma, dbeta] = [xv, g, b].map((v) => grads[v.name]);
    xv.dispose();
    return {
      y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array,
      dgamma: dgamma.dataSync() as Float32Array, dbeta: dbeta.dataSync() as Float32Array,
      movingMean: values[2], movingVariance: values[3],
    };
  });
}

const shapes = [
  [16, 7, 5, 3], [1, 9, 11, 8], [4, 3, 3, 1], [2, 13, 1, 64], [16, 5, 7, 17], [8, 1, 1, 32], [3, 6, 9, 40], [5, 20],
];

afterEach(() => {
  installFusedBatchNorm();
  setSimdLoopsEnabled(true);
});

describe('fused BatchNormalization training path on wasm', () => {
  it.each(shapes.map((s, i) => [s.join('x'), s, i] as const))('matches tfjs (cpu and unfused wasm) for x %s', async (_, shape, i) => {
    const C = shape[shape.length - 1];
    const x = randomTensor(shape, 100 + i);
    // An offset and a spread per channel, as real activations have.
    x.data = x.data.map((v, j) => 3 * v + (j % C) - C / 2);
    const r = randomTensor(shape, 200 + i);
    const gamma = randomTensor([C], 300 + i);
    gamma.data = gamma.data.map((v) => 1 + 0.5 * v);
    const beta = randomTensor([C], 400 + i);

    await useBackend('cpu');
    const cpu = trainingCall(x, r, gamma, beta);
    await useBackend('wasm');
    uninstallFusedBatchNorm();
    const unfused = trainingCall(x, r, gamma, beta);
    installFusedBatchNorm();
    expect(fusedBatchNormInstalled()).toBe(true);
    const fused = { simd: trainingCall(x, r, gamma, beta), js: (setSimdLoopsEnabled(false), trainingCall(x, r, gamma, beta)) };

    for (const [loops, got] of Object.entries(fused)) {
      for (const key of Object.keys(cpu) as (keyof Result)[]) {
        expect(relativeMaxDiff(cpu[key], got[key]), `${key} (${loops} loops) vs cpu`).toBeLessThanOrEqual(1e-4);
        expect(relativeMaxDiff(unfused[key], got[key]), `${key} (${loops} loops) vs unfused wasm`).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it('runs the fused kernels, not tfjs\'s composition, for a training step', async () => {
    await useBackend('wasm');
    const layer = tf.layers.batchNormalization({});
    layer.build([4, 6, 6, 8]);
    const x = tf.randomNormal([4, 6, 6, 8]);
    const info = await tf.profile(() => tf.tidy(() => {
      tf.grads((xi: tf.Tensor) => tf.sum(tf.square(layer.apply(xi, { training: true }) as tf.Tensor)))([x]);
    }));
    const kernels = new Set(info.kernelNames);
    expect([...kernels]).toEqual(expect.arrayContaining(['TlBatchNormTraining', 'TlBatchNormGradStats', 'TlBatchNormGradInput']));
    expect(kernels.has('FusedBatchNorm')).toBe(false);
    x.dispose();
  });

  it('leaves inference mode, and layers it does not cover, to tfjs', async () => {
    await useBackend('wasm');
    const x = randomTensor([4, 5, 5, 6], 7);
    const run = (layer: tf.layers.Layer, training: boolean) => tf.tidy(() =>
      (layer.apply(tf.tensor(x.data, x.shape), { training }) as tf.Tensor).dataSync() as Float32Array);
    const channelsLast = tf.layers.batchNormalization({});
    const channelsFirst = tf.layers.batchNormalization({ axis: 1 });
    const inference = run(channelsLast, false);
    const trainingChannelsFirst = run(channelsFirst, true);
    uninstallFusedBatchNorm();
    expect(run(channelsLast, false)).toEqual(inference);
    expect(run(channelsFirst, true)).toEqual(trainingChannelsFirst);
  });

  it('frees everything but the layer output', async () => {
    await useBackend('wasm');
    const layer = tf.layers.batchNormalization({});
    layer.build([4, 6, 6, 8]);
    const x = tf.randomNormal([4, 6, 6, 8]);
    const step = () => tf.tidy(() => {
      const [g, b] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, [g, b]);
    });
    step();
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
