// The loss every training step minimises and the count of right answers it reports, shared by the
// loop and the data-parallel shards (which must compute exactly what the loop would).
import * as tf from '@tensorflow/tfjs';

/** Mean categorical cross-entropy of class probabilities against integer labels. */
export function lossOf(probs: tf.Tensor2D, labels: Int32Array, numClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses);
    return tf.mean(tf.metrics.categoricalCrossentropy(y, probs)) as tf.Scalar;
  });
}

/** How many rows' most probable class is the label. */
export function predictedCorrect(probs: tf.Tensor2D, labels: Int32Array): number {
  const argmax = tf.argMax(probs, 1);
  const predicted = argmax.dataSync();
  argmax.dispose();
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) n++;
  return n;
}
