// The timed workloads, on whatever tfjs backend is selected: frozen base in inference mode,
// optimizer.minimize per batch, a Dense head on logits with softmax cross-entropy (the fused loss,
// as PyTorch's F.cross_entropy in the reference: half the kernels of softmax + separate loss).
import * as tf from '@tensorflow/tfjs';
import type { BenchData } from './data.js';
import { type Timing, measure } from './measure.js';

export const BATCH = 64;

export interface Net { base: tf.LayersModel; featureSize: number }

function batches(n: number, batch: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += batch) out.push([s, Math.min(n, s + batch)]);
  return out;
}

const images = (d: BenchData, s: number, e: number) => tf.tensor4d(d.pixels.subarray(s * 784, e * 784), [e - s, 28, 28, 1]);
/** One-hot labels of the whole set, made once (like the image tensors, data preparation). */
const oneHotCache = new WeakMap<Int32Array, tf.Tensor2D>();
function oneHot(d: BenchData, s: number, e: number): tf.Tensor {
  let all = oneHotCache.get(d.labels);
  if (!all || all.isDisposed) {
    all = tf.keep(tf.tidy(() => tf.oneHot(tf.tensor1d(d.labels, 'int32'), d.classes) as tf.Tensor2D));
    oneHotCache.set(d.labels, all);
  }
  return all.slice(s, e - s);
}

function makeHead(featureSize: number, classes: number): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [featureSize], units: classes })] });
}

const trainable = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);

function trainStep(opt: tf.Optimizer, forward: () => tf.Tensor, y: tf.Tensor, vars: tf.Variable[]): void {
  const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward()) as tf.Scalar, true, vars);
  loss?.dataSync();
  loss?.dispose();
}

/** Inference-mode features of all images, batch by batch ([N, featureSize]). */
export function embed(net: Net, d: BenchData): tf.Tensor2D {
  const parts = batches(d.n, BATCH).map(([s, e]) => tf.tidy(() => net.base.predict(images(d, s, e)) as tf.Tensor2D));
  const all = tf.concat(parts) as tf.Tensor2D;
  all.dataSync();
  tf.dispose(parts);
  return all;
}

/** One warm-up step of everything timed below (kernel set-up, XNNPACK operators, JIT). */
export async function warmUp(net: Net, d: BenchData): Promise<void> {
  const small = { ...d, n: Math.min(d.n, BATCH) };
  embed(net, small).dispose();
  const whole = tf.model({ inputs: net.base.inputs, outputs: makeHead(net.featureSize, d.classes).apply(net.base.outputs[0]) as tf.SymbolicTensor });
  const opt = tf.train.adam(1e-4);
  tf.tidy(() => trainStep(opt, () => whole.apply(images(small, 0, small.n), { training: true }) as tf.Tensor, oneHot(small, 0, small.n), trainable(whole)));
  opt.dispose();
  await featureExtractionCached(net, small, 2);
}

export function forwardPass(net: Net, d: BenchData): Promise<Timing> {
  return measure(() => embed(net, d).dispose());
}

/** Feature extraction with cached embeddings: one forward pass, then `epochs` of head training on them. */
export function featureExtractionCached(net: Net, d: BenchData, epochs: number): Promise<Timing> {
  return measure(() => {
    const feats = embed(net, d);
    const head = makeHead(net.featureSize, d.classes);
    const opt = tf.train.adam(1e-3);
    const vars = trainable(head);
    for (let ep = 0; ep < epochs; ep++) {
      for (const [s, e] of batches(d.n, BATCH)) {
        tf.tidy(() => trainStep(opt, () => head.apply(feats.slice(s, e - s)) as tf.Tensor, oneHot(d, s, e), vars));
      }
    }
    feats.dispose();
    opt.dispose();
    head.dispose();
  });
}

/** The naive loop: every epoch recomputes the frozen base for every batch. */
export function featureExtractionNaive(net: Net, d: BenchData, epochs: number): Promise<Timing> {
  return measure(() => {
    const head = makeHead(net.featureSize, d.classes);
    const opt = tf.train.adam(1e-3);
    const vars = trainable(head);
    for (let ep = 0; ep < epochs; ep++) {
      for (const [s, e] of batches(d.n, BATCH)) {
        tf.tidy(() => {
          const f = net.base.predict(images(d, s, e)) as tf.Tensor;
          trainStep(opt, () => head.apply(f) as tf.Tensor, oneHot(d, s, e), vars);
        });
      }
    }
    opt.dispose();
    head.dispose();
  });
}

/** One fine-tuning epoch: every layer trainable, BN in training mode, Adam. */
export async function fineTuneEpoch(net: Net, d: BenchData): Promise<Timing> {
  const whole = tf.model({ inputs: net.base.inputs, outputs: makeHead(net.featureSize, d.classes).apply(net.base.outputs[0]) as tf.SymbolicTensor });
  const opt = tf.train.adam(1e-4);
  const vars = trainable(whole);
  const t = await measure(() => {
    for (const [s, e] of batches(d.n, BATCH)) {
      tf.tidy(() => trainStep(opt, () => whole.apply(images(d, s, e), { training: true }) as tf.Tensor, oneHot(d, s, e), vars));
    }
  });
  opt.dispose();
  return t;
}
