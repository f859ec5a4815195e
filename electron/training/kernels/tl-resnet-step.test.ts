// A whole tl-resnet-s training step (BatchNorm in training mode, with the fused kernels on wasm):
// every weight gradient and every moving statistic against the cpu backend and against wasm with
// tfjs's own BatchNorm composition.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTlResnet } from '../backbones/tl-resnet.js';
import { installFusedBatchNorm, uninstallFusedBatchNorm } from './batch-norm-layer.js';
import { setSimdLoopsEnabled } from './simd-loops.js';
import { type HostTensor, randomTensor, relativeMaxDiff, useBackend } from './testing/kernel-checks.js';

// Small: the cpu backend's filter gradient is a plain loop (seconds per image here).
const BATCH = 2;
const CLASSES = 5;

function model(): tf.LayersModel {
  const base = buildTlResnet({ seed: 3 });
  const head = tf.layers.dense({ name: 'head', units: CLASSES, activation: 'softmax' }).apply(base.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: base.inputs, outputs: head });
}

/** Weight gradients of one batch's cross-entropy, and the moving statistics after that batch. */
function step(weights: HostTensor[], x: HostTensor, labels: number[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  tf.tidy(() => {
    const m = model();
    m.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
    const xt = tf.tensor(x.data, x.shape);
    const y = tf.oneHot(labels, CLASSES).toFloat();
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(xt, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    // Keyed by position: weight names get unique suffixes each time a model is built.
    m.trainableWeights.forEach((w, i) => out.set(`d ${i} ${w.originalName}`, grads[vars[i].name].dataSync() as Float32Array));
    m.weights.forEach((w, i) => {
      if (w.originalName.includes('moving')) out.set(`${i} ${w.originalName}`, w.read().dataSync() as Float32Array);
    });
    m.dispose();
  });
  return out;
}

afterEach(() => {
  installFusedBatchNorm();
  setSimdLoopsEnabled(true);
});

describe('tl-resnet-s training step on wasm with fused BatchNorm', () => {
  it('gives the weight gradients and moving statistics of cpu and of tfjs\'s BatchNorm on wasm', async () => {
    await useBackend('cpu');
    const init = model();
    // Non-trivial BatchNorm parameters, so gamma and the moving statistics matter.
    const weights = init.weights.map((w, i) => {
      const v = w.read();
      const data = v.dataSync() as Float32Array;
      const r = randomTensor(v.shape, 500 + i).data;
      if (w.name.endsWith('gamma')) return { shape: v.shape, data: data.map((_, j) => 1 + 0.3 * r[j]) };
      if (w.name.endsWith('beta')) return { shape: v.shape, data: r.map((e) => 0.2 * e) };
      if (w.name.endsWith('kernel') && v.shape.length === 2) return { shape: v.shape, data: r.map((e) => 0.3 * e) };
      return { shape: v.shape, data: Float32Array.from(data) };
    });
    init.dispose();
    const x = randomTensor([BATCH, 28, 28, 1], 42);
    x.data = x.data.map((v) => 0.5 + 0.5 * v);
    const labels = [1, 3];

    const cpu = step(weights, x, labels);
    await useBackend('wasm');
    uninstallFusedBatchNorm();
    const unfused = step(weights, x, labels);
    installFusedBatchNorm();
    const fused = step(weights, x, labels);
    setSimdLoopsEnabled(false);
    const fusedJs = step(weights, x, labels);

    expect([...fused.keys()].filter((k) => k.startsWith('d ')).length).toBeGreaterThan(20);
    for (const [name, ref] of cpu) {
      expect(relativeMaxDiff(ref, fused.get(name)!), `${name} vs cpu`).toBeLessThanOrEqual(1e-4);
      expect(relativeMaxDiff(unfused.get(name)!, fused.get(name)!), `${name} vs tfjs BatchNorm on wasm`).toBeLessThanOrEqual(1e-4);
      expect(relativeMaxDiff(ref, fusedJs.get(name)!), `${name} (JS loops) vs cpu`).toBeLessThanOrEqual(1e-4);
    }
  }, 60_000);
});
