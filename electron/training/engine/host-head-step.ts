// The head's training step on cached embeddings as plain loops over Float32Arrays. The head is a
// 5-to-a-few-hundred-input softmax layer: through tfjs a step was ~15 kernel calls and their
// bookkeeping (~0.9 ms on wasm), a hundred times its arithmetic, and the pair rule gives feature
// extraction thousands of steps. Here a step reads the embedding rows where they lie, computes the
// standardisation, the dense layer and softmax, the loss the tape reports (tfjs's categorical
// cross-entropy: probabilities renormalised and clipped to [1e-7, 1 − 1e-7]), the gradient of mean
// cross-entropy over a softmax, (p − y)/n, and the optimizer's update (host-optimizers.ts). The
// weights live here during the phase and are written to the head's variables before anything
// else reads them (validation, a snapshot for early stopping, the end of the phase).
import * as tf from '@tensorflow/tfjs';
import type { Embeddings } from './embeddings.js';
import type { Head } from './head.js';
import { hostOptimizer, type HostOptimizer } from './host-optimizers.js';
import type { HostStep } from './loop.js';

const r = Math.fround;
/** tfjs's epsilon() on float32 backends, which categoricalCrossentropy clips probabilities by. */
const CLIP = 1e-7;

/** [rows, cols] row-major → [cols, rows]. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

// Four sums in flight: one running sum is a chain of dependent additions.
function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += a[ai + j] * b[bi + j];
    s1 += a[ai + j + 1] * b[bi + j + 1];
    s2 += a[ai + j + 2] * b[bi + j + 2];
    s3 += a[ai + j + 3] * b[bi + j + 3];
  }
  for (; j < n; j++) s0 += a[ai + j] * b[bi + j];
  return (s0 + s1) + (s2 + s3);
}

/** out[oi + j] += g · a[ai + j] for j < n. */
function addScaled(out: Float64Array, oi: number, a: Float32Array, ai: number, g: number, n: number): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    out[oi + j] += g * a[ai + j];
    out[oi + j + 1] += g * a[ai + j + 1];
    out[oi + j + 2] += g * a[ai + j + 2];
    out[oi + j + 3] += g * a[ai + j + 3];
  }
  for (; j < n; j++) out[oi + j] += g * a[ai + j];
}

/** The step's weights, state and scratch. A class, not a closure: its methods are the same
 *  functions in every run, so V8's optimised code for them survives from one run to the next. */
class HostHeadStep implements HostStep {
  private readonly gradKernel: Float32Array;
  private readonly gradBias: Float32Array;
  private readonly z: Float64Array;
  private readonly gk: Float64Array;
  private dz = new Float32Array(0);

  constructor(
    /** Standardised rows, [count, d]. */
    private readonly x: Float32Array,
    /** [k, d]: each class's weights contiguous for its dot products. */
    private readonly kernel: Float32Array,
    private readonly bias: Float32Array,
    private readonly d: number,
    private readonly k: number,
    private readonly optimizer: HostOptimizer,
    private readonly variables: tf.Variable[],
  ) {
    this.gradKernel = new Float32Array(k * d);
    this.gradBias = new Float32Array(k);
    this.z = new Float64Array(k);
    this.gk = new Float64Array(k * d);
  }

  step(indices: Int32Array, labels: Int32Array): { loss: number; correct: number } {
    const { x, kernel, bias, d, k, z, gk, gradKernel, gradBias } = this;
    const n = indices.length;
    if (this.dz.length < n * k) this.dz = new Float32Array(n * k);
    const g = this.dz;
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = indices[i] * d;
      let top = 0;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        const v = r(dot(x, row, kernel, c * d, d) + bias[c]);
        z[c] = v;
        if (v > max) { max = v; top = c; }
      }
      let sum = 0;
      for (let c = 0; c < k; c++) { z[c] = Math.exp(z[c] - max); sum += z[c]; }
      let probSum = 0;
      for (let c = 0; c < k; c++) { z[c] = r(z[c] / sum); probSum += z[c]; }
      const label = labels[i];
      const p = Math.min(1 - CLIP, Math.max(CLIP, z[label] / probSum));
      loss -= Math.log(p);
      if (top === label) correct++;
      for (let c = 0; c < k; c++) g[i * k + c] = r(r(z[c] - (c === label ? 1 : 0)) / n);
    }
    gk.fill(0);
    for (let c = 0; c < k; c++) {
      const w = c * d;
      let gb = 0;
      for (let i = 0; i < n; i++) {
        const gi = g[i * k + c];
        gb += gi;
        addScaled(gk, w, x, indices[i] * d, gi, d);
      }
      gradBias[c] = gb;
    }
    for (let q = 0; q < gk.length; q++) gradKernel[q] = gk[q];
    // The variables' own order: tfjs's optimizers keep their moments by position.
    this.optimizer.update(0, kernel, gradKernel);
    this.optimizer.update(1, bias, gradBias);
    this.optimizer.endStep();
    return { loss: loss / n, correct };
  }

  writeBack(): void {
    const [kernelVar, biasVar] = this.variables;
    tf.tidy(() => {
      kernelVar.assign(tf.tensor(transpose(this.kernel, this.k, this.d), kernelVar.shape));
      biasVar.assign(tf.tensor(this.bias, biasVar.shape));
    });
  }
}

/** A step over rows of `embeddings` (row = image index), or null where the optimizer has no host
 *  version (the loop then takes the tape). */
export function hostHeadStep(head: Head, optimizer: tf.Optimizer, embeddings: Embeddings, numClasses: number): HostStep | null {
  const update = hostOptimizer(optimizer);
  if (!update) return null;
  const d = embeddings.dim;
  const k = numClasses;
  if (d !== head.featureSize) throw new Error(`Embeddings of ${d} values do not fit a head of ${head.featureSize} inputs.`);
  const eps = (head.standardize.getConfig() as { epsilon: number }).epsilon;
  const [gamma, beta, mean, variance] = head.standardize.getWeights().map((w) => w.dataSync() as Float32Array);
  // The standardisation is frozen for the phase: every row's standardised features, once.
  const scale = Float32Array.from(gamma, (g, j) => r(g / r(Math.sqrt(r(variance[j] + eps)))));
  const x = new Float32Array(embeddings.count * d);
  for (let q = 0; q < x.length; q++) {
    const j = q % d;
    x[q] = r(r(r(embeddings.features[q] - mean[j]) * scale[j]) + beta[j]);
  }
  const variables = head.variables();
  const [kernelVar, biasVar] = variables;
  // The optimizer works element by element, so its state follows the kernel's [k, d] layout.
  const kernel = transpose(kernelVar.dataSync() as Float32Array, d, k);
  const bias = biasVar.dataSync().slice() as Float32Array;
  return new HostHeadStep(x, kernel, bias, d, k, update, variables);
}
