import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../electron/training/kernels/wasm-setup.js';
await initWasmBackend();
for (const be of ['wasm', 'cpu']) {
  await tf.setBackend(be);
  const feats = tf.randomNormal([64, 64]);
  const y = tf.oneHot(tf.randomUniform([64], 0, 5, 'int32') as tf.Tensor1D, 5);
  for (const variant of ['softmax+cce', 'logits+softmaxCE']) {
    const head = tf.sequential({ layers: [tf.layers.dense({ inputShape: [64], units: 5, activation: variant === 'softmax+cce' ? 'softmax' : 'linear' })] });
    const vars = head.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = tf.train.adam(1e-3);
    const step = () => tf.tidy(() => {
      const l = opt.minimize(() => variant === 'softmax+cce'
        ? tf.mean(tf.metrics.categoricalCrossentropy(y, head.apply(feats) as tf.Tensor)) as tf.Scalar
        : tf.losses.softmaxCrossEntropy(y, head.apply(feats) as tf.Tensor) as tf.Scalar, true, vars);
      l!.dataSync();
    });
    for (let i = 0; i < 20; i++) step();
    const c = process.cpuUsage();
    let kernels = 0;
    const prof = await tf.profile(() => { step(); });
    kernels = prof.kernels.length;
    for (let i = 0; i < 100; i++) step();
    console.log(be, variant, ((process.cpuUsage(c).user) / 1000 / 100).toFixed(2), 'ms/step', kernels, 'kernels');
  }
}
