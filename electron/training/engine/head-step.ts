// The head's training step in closed form, for the head on cached embeddings. Through the tape a
// step of a 64 × 5 softmax layer is ~40 tiny kernels and their bookkeeping (~1.2 ms on wasm, the
// whole cost of feature extraction's epochs, and the pair rule gives FE hundreds of them). The
// forward pass here is the layers' own kernels (BatchNorm in inference mode, the dense layer's
// matMul, bias and softmax), so probabilities, loss and correct counts are what the tape path reports;
// the gradient of mean cross-entropy over a softmax is (p − y)/n, which the tape reaches through
// tfjs's normalise-clip-log chain equal up to float rounding (tested).
import * as tf from '@tensorflow/tfjs';
import type { Head } from './head.js';
import { lossOf, predictedCorrect } from './loss.js';

export type HeadStep = (input: tf.Tensor, labels: Int32Array) => Promise<{ loss: number; correct: number }>;

/** One optimizer step of `head` (standardisation frozen) on [n, featureSize] embeddings. */
export function closedFormHeadStep(head: Head, optimizer: tf.Optimizer, numClasses: number): HeadStep {
  const eps = (head.standardize.getConfig() as { epsilon: number }).epsilon;
  return async (input, labels) => {
    const [gamma, beta, mean, variance] = head.standardize.weights.map((w) => w.read());
    const [kernel, bias] = head.variables();
    const { loss, probs, grads } = tf.tidy(() => {
      const x = tf.batchNorm(input as tf.Tensor2D, mean, variance, beta, gamma, eps);
      // As the dense layer computes under the tape: matMul, then the bias, then softmax.
      const p = tf.softmax(tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias)) as tf.Tensor2D;
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses);
      const dz = tf.div(tf.sub(p, y), labels.length);
      return {
        loss: tf.keep(lossOf(p, labels, numClasses)), probs: tf.keep(p),
        // In the variables' own order: Adam keeps its moments by position.
        grads: { [kernel.name]: tf.keep(tf.matMul(x, dz, true, false)), [bias.name]: tf.keep(tf.sum(dz, 0)) },
      };
    });
    try {
      optimizer.applyGradients(grads);
      return { loss: (await loss.data())[0], correct: predictedCorrect(probs, labels) };
    } finally {
      tf.dispose([loss, probs, ...Object.values(grads)]);
    }
  };
}
