// The closed-form head step against the tape (optimizer.minimize over the head's own layers): the
// same probabilities and loss, and weights equal to float rounding after one step and after many.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initWasmBackend } from '../kernels/wasm-setup.js';
import { closedFormHeadStep } from './head-step.js';
import { createOptimizer, Head } from './head.js';
import { lossOf, predictedCorrect } from './loss.js';

const D = 64;
const K = 5;

/** Deterministic uniform [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function batchesOf(seed: number, count: number, n: number): { x: Float32Array; labels: Int32Array }[] {
  const rand = random(seed);
  // Separable classes (a mean per class) with an offset, as ReLU features have: the head gets
  // confident, so probabilities near 0 and 1 are exercised too.
  const centres = Array.from({ length: K }, () => Float32Array.from({ length: D }, () => 3 * rand()));
  return Array.from({ length: count }, () => {
    const labels = Int32Array.from({ length: n }, () => Math.floor(rand() * K));
    const x = new Float32Array(n * D);
    labels.forEach((c, i) => { for (let j = 0; j < D; j++) x[i * D + j] = 2 + centres[c][j] + rand(); });
    return { x, labels };
  });
}

function freshHead(batches: { x: Float32Array }[]): Head {
  const head = new Head(D, K, 7);
  const all = new Float32Array(batches.length * batches[0].x.length);
  batches.forEach((b, i) => all.set(b.x, i * b.x.length));
  head.fitStandardization(all, all.length / D);
  return head;
}

async function tapeStep(head: Head, optimizer: tf.Optimizer, x: tf.Tensor2D, labels: Int32Array) {
  let probs: tf.Tensor2D | null = null;
  const loss = optimizer.minimize(() => {
    const p = head.apply(x, true);
    probs = tf.keep(p);
    return lossOf(p, labels, K);
  }, true, head.variables())!;
  const out = { loss: (await loss.data())[0], correct: predictedCorrect(probs!, labels) };
  tf.dispose([loss, probs!]);
  return out;
}

const weightsOf = (head: Head) => head.variables().map((v) => v.dataSync().slice() as Float32Array);
const maxDiff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i][j])))));

describe.each(['wasm', 'cpu'] as const)('closed-form head step on %s', (backend) => {
  afterAll(() => tf.disposeVariables());

  it.each(['adam', 'sgd', 'rmsprop'] as const)('equals the tape with %s: one step exactly in loss and count, 300 steps to float rounding', async (opt) => {
    if (backend === 'wasm') await initWasmBackend();
    else await tf.setBackend('cpu');
    const batches = batchesOf(3, 20, 32);
    const heads = [freshHead(batches), freshHead(batches)];
    const optimizers = heads.map(() => createOptimizer(opt, { adam: 1e-2, sgd: 0.5, rmsprop: 1e-3 }[opt]));
    const step = closedFormHeadStep(heads[1], optimizers[1], K);
    let worst = 0;
    for (let s = 0; s < 300; s++) {
      const { x, labels } = batches[s % batches.length];
      const t = tf.tensor2d(x, [labels.length, D]);
      const a = await tapeStep(heads[0], optimizers[0], t, labels);
      const b = await step(t, labels);
      t.dispose();
      if (s === 0) {
        expect(b).toEqual(a);
        expect(maxDiff(weightsOf(heads[0]), weightsOf(heads[1]))).toBeLessThan(1e-6);
      }
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-4);
      worst = Math.max(worst, maxDiff(weightsOf(heads[0]), weightsOf(heads[1])));
    }
    expect(worst).toBeLessThan(1e-4);
    // It learned: the last batches are nearly all right.
    const last = batches[0];
    const probs = tf.tidy(() => heads[1].apply(tf.tensor2d(last.x, [last.labels.length, D])));
    expect(predictedCorrect(probs, last.labels)).toBeGreaterThanOrEqual(30);
    probs.dispose();
    optimizers.forEach((o) => o.dispose());
  }, 60_000);
});
