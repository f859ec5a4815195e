// The new classifier: one Dense layer with softmax over the backbone's feature vector, initialised
// from the run's seed so both strategies start from the very same head.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from './random.js';

export const HEAD_LAYER_NAME = 'transfer_head';

export function createHead(featureSize: number, numClasses: number, seed: number): tf.layers.Layer {
  const head = tf.layers.dense({
    units: numClasses,
    activation: 'softmax',
    name: HEAD_LAYER_NAME,
    kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'head') }),
    biasInitializer: 'zeros',
  });
  // Built by a symbolic call (not build()) so its weights get the layer's name scope,
  // "transfer_head/kernel", which is what a saved model is matched against on load.
  head.apply(tf.input({ shape: [featureSize], name: `${HEAD_LAYER_NAME}_features` }));
  return head;
}

export function headVariables(head: tf.layers.Layer): tf.Variable[] {
  return head.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function createOptimizer(name: 'adam' | 'sgd' | 'rmsprop', learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam': return tf.train.adam(learningRate);
    // Momentum 0.9: what "SGD" means in practice for transfer learning (e.g. torch.optim.SGD recipes).
    case 'sgd': return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop': return tf.train.rmsprop(learningRate);
  }
}
