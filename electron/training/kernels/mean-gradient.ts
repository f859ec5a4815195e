// Gradient of Mean without the full-size tensor of ones. tfjs-core computes it as
// (reshape(dy) * ones(x.shape)) / n: a fill, a broadcasting multiply and a divide, each a full pass
// over the activation (BatchNorm's moments call Mean twice per layer). Dividing the small dy first
// and broadcasting once gives bit-identical values — every element is dy / n either way.
import * as tf from '@tensorflow/tfjs';

export const meanGradConfig: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
    const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const reduceSize = axes.reduce((n, a) => n * x.shape[a], 1);
    return {
      x: () => tf.tidy(() => tf.broadcastTo(tf.div(tf.reshape(dy as tf.Tensor, expanded), reduceSize), x.shape)),
    };
  },
};

/** Replaces tfjs-core's Mean gradient (gradients are shared by every backend). Idempotent. */
export function registerMeanGradient(): void {
  if (tf.getGradient('Mean') !== meanGradConfig) tf.registerGradient(meanGradConfig);
}
