import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../electron/training/kernels/wasm-setup.js';
import { buildTlResnet } from '../electron/training/backbones/tl-resnet.js';
await initWasmBackend();
const base = buildTlResnet({ seed: 1 });
const head = tf.layers.dense({ units: 10 }).apply(base.outputs[0]) as tf.SymbolicTensor;
const model = tf.model({ inputs: base.inputs, outputs: head });
const opt = tf.train.adam(1e-3);
const x = tf.randomUniform([32, 28, 28, 1]);
const y = tf.oneHot(tf.randomUniform([32], 0, 10, 'int32') as tf.Tensor1D, 10);
const be = tf.backend() as any;
for (let s = 1; s <= 40; s++) {
  tf.tidy(() => { opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar)!; });
  if (s % 10 === 0) console.log(s, 'tensors', tf.memory().numTensors, 'dataIds', be.numDataIds(), 'heap MB', (be.wasm.HEAPU8.length / 1e6).toFixed(1));
}
