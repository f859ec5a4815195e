// The host head step against the tape (optimizer.minimize over the head's own layers): the same
// loss to float rounding and count, and weights equal to float rounding after one step and after
// many; the host optimizers against tfjs's own, bit for bit on the same gradients.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initWasmBackend } from '../kernels/wasm-setup.js';
import { hostHeadStep } from './host-head-step.js';
import { hostOptimizer } from './host-optimizers.js';
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

/** Every batch's rows in one table, as the embedding cache holds them, and each batch's row numbers. */
function asEmbeddings(batches: { x: Float32Array; labels: Int32Array }[]) {
  const features = new Float32Array(batches.reduce((n, b) => n + b.x.length, 0));
  let row = 0;
  const indices = batches.map((b) => {
    features.set(b.x, row * D);
    const idx = Int32Array.from(b.labels, (_, i) => row + i);
    row += b.labels.length;
    return idx;
  });
  return { embeddings: { features, count: row, dim: D }, indices };
}

describe.each(['wasm', 'cpu'] as const)('host head step on %s', (backend) => {
  afterAll(() => tf.disposeVariables());

  it.each(['adam', 'sgd', 'rmsprop'] as const)('equals the tape with %s: one step in count and to float rounding, 300 steps to float rounding', async (opt) => {
    if (backend === 'wasm') await initWasmBackend();
    else await tf.setBackend('cpu');
    const batches = batchesOf(3, 20, 32);
    const { embeddings, indices } = asEmbeddings(batches);
    const heads = [freshHead(batches), freshHead(batches)];
    const optimizers = heads.map(() => createOptimizer(opt, { adam: 1e-2, sgd: 0.5, rmsprop: 1e-3 }[opt]));
    const step = hostHeadStep(heads[1], optimizers[1], embeddings, K)!;
    expect(step).not.toBeNull();
    let worst = 0;
    for (let s = 0; s < 300; s++) {
      const { x, labels } = batches[s % batches.length];
      const t = tf.tensor2d(x, [labels.length, D]);
      const a = await tapeStep(heads[0], optimizers[0], t, labels);
      t.dispose();
      const b = step.step(indices[s % batches.length], labels);
      step.writeBack();
      if (s === 0) {
        expect(b.correct).toBe(a.correct);
        expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-6);
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

  it('leaves the variables alone until written back', async () => {
    if (backend === 'wasm') await initWasmBackend();
    else await tf.setBackend('cpu');
    const batches = batchesOf(5, 2, 16);
    const { embeddings, indices } = asEmbeddings(batches);
    const head = freshHead(batches);
    const optimizer = createOptimizer('adam', 1e-2);
    const before = weightsOf(head);
    const step = hostHeadStep(head, optimizer, embeddings, K)!;
    step.step(indices[0], batches[0].labels);
    expect(maxDiff(weightsOf(head), before)).toBe(0);
    step.writeBack();
    expect(maxDiff(weightsOf(head), before)).toBeGreaterThan(0);
    optimizer.dispose();
  });
});

describe.each(['wasm', 'cpu'] as const)('host optimizers on %s', (backend) => {
  it.each(['adam', 'sgd', 'rmsprop'] as const)('%s: bit for bit what tfjs gives for the same gradients over 50 steps', async (opt) => {
    if (backend === 'wasm') await initWasmBackend();
    else await tf.setBackend('cpu');
    const rand = random(11);
    const shapes = [[D, K], [K]];
    const start = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b) }, () => rand() - 0.5));
    const vars = start.map((v, i) => tf.variable(tf.tensor(v, shapes[i]), true, `host_opt_${opt}_${backend}_${i}`));
    const tfOpt = createOptimizer(opt, { adam: 1e-2, sgd: 0.1, rmsprop: 1e-3 }[opt]);
    // The JS loops, and Adam's WebAssembly loop (the others have none: the option changes nothing).
    const hosts = [hostOptimizer(tfOpt)!, hostOptimizer(tfOpt, { simd: true })!];
    const runs = hosts.map(() => start.map((v) => v.slice()));
    for (let s = 0; s < 50; s++) {
      const grads = start.map((v) => Float32Array.from(v, () => (rand() - 0.5) * (s % 7 === 0 ? 10 : 0.1)));
      const named = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(grads[i], shapes[i])]));
      tfOpt.applyGradients(named);
      tf.dispose(Object.values(named));
      hosts.forEach((host, h) => {
        runs[h].forEach((v, i) => host.update(i, v, grads[i]));
        host.endStep();
      });
    }
    for (const values of runs) vars.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(values[i])));
    tfOpt.dispose();
    tf.dispose(vars);
  });

  it('has no host version for variants it does not compute, or for an optimizer that already stepped', async () => {
    await tf.setBackend('cpu');
    expect(hostOptimizer(tf.train.momentum(0.1, 0.9, true))).toBeNull();
    expect(hostOptimizer(tf.train.rmsprop(1e-3, 0.9, 0, 1e-7, true))).toBeNull();
    expect(hostOptimizer(tf.train.adagrad(0.1))).toBeNull();
    const used = createOptimizer('adam', 1e-2);
    const w = tf.variable(tf.zeros([2]), true, 'host_opt_used');
    used.applyGradients({ [w.name]: tf.ones([2]) });
    expect(hostOptimizer(used)).toBeNull();
    used.dispose();
    w.dispose();
  });
});
