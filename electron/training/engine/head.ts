// The new classifier: feature standardisation (fixed from the training images' embeddings) and one
// Dense layer with softmax, initialised from the run's seed so both strategies start from the very
// same head. Pooled features of a ReLU network share a large common offset; without standardising
// them a linear head needs many times more steps to learn the same thing.
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from './fused-adam.js';
import { deriveSeed } from './random.js';

export const HEAD_LAYER_NAME = 'transfer_head';
export const STANDARDIZE_LAYER_NAME = 'transfer_standardize';

export class Head {
  /** BatchNormalization with fixed scale 1 and offset 0 (frozen), always in inference mode:
   *  (x - mean) / sqrt(var + eps). Scale and offset exist only because tfjs's BatchNorm gradient
   *  expects them. */
  readonly standardize: tf.layers.Layer;
  readonly dense: tf.layers.Layer;

  constructor(readonly featureSize: number, numClasses: number, seed: number) {
    this.standardize = tf.layers.batchNormalization({ name: STANDARDIZE_LAYER_NAME, epsilon: 1e-3, trainable: false });
    this.dense = tf.layers.dense({
      units: numClasses,
      activation: 'softmax',
      name: HEAD_LAYER_NAME,
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'head') }),
      biasInitializer: 'zeros',
    });
    // Built by a symbolic call (not build()) so the weights get their layer's name scope,
    // e.g. "transfer_head/kernel", which is what a saved model is matched against on load.
    this.applySymbolic(tf.input({ shape: [featureSize], name: `${HEAD_LAYER_NAME}_features` }));
  }

  get layers(): tf.layers.Layer[] {
    return [this.standardize, this.dense];
  }

  applySymbolic(features: tf.SymbolicTensor): tf.SymbolicTensor {
    return this.dense.apply(this.standardize.apply(features)) as tf.SymbolicTensor;
  }

  /** Class probabilities; the standardisation never updates its statistics here. */
  apply(features: tf.Tensor, training = false): tf.Tensor2D {
    return this.dense.apply(this.standardize.apply(features, { training: false }), { training }) as tf.Tensor2D;
  }

  variables(): tf.Variable[] {
    return this.dense.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /** Sets the standardisation from [count, featureSize] training embeddings. */
  fitStandardization(features: Float32Array, count: number): void {
    const d = this.featureSize;
    const mean = new Float64Array(d);
    const sq = new Float64Array(d);
    for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) mean[j] += features[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= Math.max(1, count);
    for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) sq[j] += (features[i * d + j] - mean[j]) ** 2;
    const variance = Float32Array.from(sq, (s) => s / Math.max(1, count));
    const values = [tf.ones([d]), tf.zeros([d]), tf.tensor1d(Float32Array.from(mean)), tf.tensor1d(variance)];
    this.standardize.setWeights(values);
    tf.dispose(values);
  }
}

/**
 * The head as one Dense layer with the standardisation folded in, for exported models: a frozen
 * BatchNorm inside an export would be trained by a plain fit() (tfjs passes training: true to every
 * layer) and drift. With s = sqrt(var + eps): W'[j] = W[j]·γ_j/s_j and b' = b + Σ_j (β_j − γ_j·μ_j/s_j)·W[j].
 * The caller owns the returned layer's weights.
 */
export function foldedHead(head: Head): { layer: tf.layers.Layer; applySymbolic(features: tf.SymbolicTensor): tf.SymbolicTensor } {
  const [gamma, beta, mean, variance] = head.standardize.getWeights().map((t) => t.dataSync() as Float32Array);
  const [kernel, bias] = head.dense.getWeights().map((t) => t.dataSync() as Float32Array);
  const d = head.featureSize;
  const k = bias.length;
  const eps = (head.standardize.getConfig() as { epsilon: number }).epsilon;
  const w = new Float32Array(d * k);
  const b = Float64Array.from(bias);
  for (let j = 0; j < d; j++) {
    const scale = gamma[j] / Math.sqrt(variance[j] + eps);
    const shift = beta[j] - scale * mean[j];
    for (let c = 0; c < k; c++) {
      w[j * k + c] = kernel[j * k + c] * scale;
      b[c] += shift * kernel[j * k + c];
    }
  }
  const layer = tf.layers.dense({ units: k, activation: 'softmax', name: HEAD_LAYER_NAME });
  return {
    layer,
    applySymbolic(features) {
      const out = layer.apply(features) as tf.SymbolicTensor;
      const values = [tf.tensor2d(w, [d, k]), tf.tensor1d(Float32Array.from(b))];
      layer.setWeights(values);
      tf.dispose(values);
      return out;
    },
  };
}

export function createHead(featureSize: number, numClasses: number, seed: number): Head {
  return new Head(featureSize, numClasses, seed);
}

export function createOptimizer(name: 'adam' | 'sgd' | 'rmsprop', learningRate: number): tf.Optimizer {
  switch (name) {
    // tf.train.adam's very arithmetic, in one kernel call per variable where the backend has it.
    case 'adam': return new FusedAdamOptimizer(learningRate);
    // Momentum 0.9: what "SGD" means in practice for transfer learning (e.g. torch.optim.SGD recipes).
    case 'sgd': return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop': return tf.train.rmsprop(learningRate);
  }
}
