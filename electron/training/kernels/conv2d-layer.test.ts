// Conv2D layers without bias or activation on wasm: the same training, bit for bit, with the hook
// and without; and the first convolution's input gradient (the image's) is no longer computed.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTlResnet } from '../backbones/tl-resnet.js';
import { installPlainConv2D, uninstallPlainConv2D } from './conv2d-layer.js';
import { initWasmBackend } from './wasm-setup.js';

function model(): tf.LayersModel {
  const base = buildTlResnet({ seed: 5 });
  const head = tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) })
    .apply(base.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: base.inputs, outputs: head });
}

const x = () => tf.tidy(() => tf.randomUniform([6, 28, 28, 1], 0, 1, 'float32', 3));
const y = () => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1, 2], 'int32'), 4);

/** Three SGD steps of the whole net in training mode; every weight afterwards, and the kernels run. */
async function train(): Promise<{ weights: Float32Array[]; kernels: string[] }> {
  const m = model();
  const opt = tf.train.sgd(0.1);
  const [xs, ys] = [x(), y()];
  const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, m.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, false, vars);
  step();
  step();
  const info = await tf.profile(() => { step(); });
  const weights = m.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  tf.dispose([xs, ys]);
  m.dispose();
  opt.dispose();
  return { weights, kernels: info.kernels.map((k) => k.name) };
}

const count = (names: string[], name: string) => names.filter((n) => n === name).length;

describe('plain Conv2D layers on wasm', () => {
  beforeAll(async () => { await initWasmBackend(); });
  afterEach(() => installPlainConv2D());

  it('train bit for bit as tfjs\'s own call, and skip the image\'s gradient', async () => {
    uninstallPlainConv2D();
    const own = await train();
    installPlainConv2D();
    const plain = await train();
    expect(plain.weights).toEqual(own.weights);
    // tl-resnet-s has 9 convolutions; the stem's input is the image, which needs no gradient.
    expect(count(own.kernels, 'Conv2DBackpropInput')).toBe(9);
    expect(count(plain.kernels, 'Conv2DBackpropInput')).toBe(8);
    expect(count(plain.kernels, 'Conv2DBackpropFilter')).toBe(9);
  }, 60_000);

  it('leave a convolution with a bias or an activation to tfjs', () => {
    installPlainConv2D();
    for (const layer of [
      tf.layers.conv2d({ filters: 8, kernelSize: 3, useBias: true, biasInitializer: 'ones' }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, useBias: false, activation: 'relu' }),
    ]) {
      const input = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 1);
      const got = layer.apply(input) as tf.Tensor;
      uninstallPlainConv2D();
      const want = layer.apply(input) as tf.Tensor;
      installPlainConv2D();
      expect(got.dataSync()).toEqual(want.dataSync());
      tf.dispose([input, got, want]);
    }
  });
});
