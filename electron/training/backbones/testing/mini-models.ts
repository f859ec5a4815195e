// Small real models with the same layer structure as the families the app supports, for tests
// that cannot download the real ones (MobileNet v1 is built exactly as Keras builds it, scaled down).
import * as tf from '@tensorflow/tfjs';

const STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
const FILTERS = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];

/** Keras' MobileNet v1 (layer names included) with width `alpha`, input size and class count. */
export function buildMobileNetV1(alpha: number, size: number, classes: number, seed = 1): tf.LayersModel {
  let s = seed;
  const init = () => tf.initializers.glorotUniform({ seed: s++ });
  const sym = (l: tf.layers.Layer, x: tf.SymbolicTensor) => l.apply(x) as tf.SymbolicTensor;
  const bn = (name: string) => tf.layers.batchNormalization({ name, epsilon: 1e-3, momentum: 0.99 });
  const relu6 = (name: string) => tf.layers.reLU({ name, maxValue: 6 });
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = sym(tf.layers.zeroPadding2d({ name: 'conv1_pad', padding: [[0, 1], [0, 1]] }), input);
  x = sym(tf.layers.conv2d({ name: 'conv1', filters: Math.round(32 * alpha), kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: init() }), x);
  x = sym(relu6('conv1_relu'), sym(bn('conv1_bn'), x));
  STRIDES.forEach((stride, i) => {
    const id = i + 1;
    if (stride === 2) x = sym(tf.layers.zeroPadding2d({ name: `conv_pad_${id}`, padding: [[0, 1], [0, 1]] }), x);
    x = sym(tf.layers.depthwiseConv2d({ name: `conv_dw_${id}`, kernelSize: 3, strides: stride, padding: stride === 1 ? 'same' : 'valid', useBias: false, depthwiseInitializer: init() }), x);
    x = sym(relu6(`conv_dw_${id}_relu`), sym(bn(`conv_dw_${id}_bn`), x));
    x = sym(tf.layers.conv2d({ name: `conv_pw_${id}`, filters: Math.round(FILTERS[i] * alpha), kernelSize: 1, useBias: false, kernelInitializer: init() }), x);
    x = sym(relu6(`conv_pw_${id}_relu`), sym(bn(`conv_pw_${id}_bn`), x));
  });
  const ch = Math.round(1024 * alpha);
  let h = sym(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }), x);
  h = sym(tf.layers.reshape({ name: 'reshape_1', targetShape: [1, 1, ch] }), h);
  h = sym(tf.layers.dropout({ name: 'dropout', rate: 1e-3 }), h);
  h = sym(tf.layers.conv2d({ name: 'conv_preds', filters: classes, kernelSize: 1, kernelInitializer: init() }), h);
  h = sym(tf.layers.activation({ name: 'act_softmax', activation: 'softmax' }), h);
  h = sym(tf.layers.reshape({ name: 'reshape_2', targetShape: [classes] }), h);
  return tf.model({ inputs: input, outputs: h, name: `mobilenet_${alpha}_${size}` });
}

/** A plain imported-style CNN classifier: conv-BN-ReLU-pool, conv-ReLU, flatten, dense. */
export function buildPlainCnn(seed = 1): tf.LayersModel {
  return tf.sequential({
    name: 'plain_cnn',
    layers: [
      tf.layers.conv2d({ inputShape: [16, 16, 3], name: 'c1', filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.batchNormalization({ name: 'c1_bn' }),
      tf.layers.activation({ name: 'c1_relu', activation: 'relu' }),
      tf.layers.maxPooling2d({ name: 'p1', poolSize: 2 }),
      tf.layers.conv2d({ name: 'c2', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ name: 'logits', units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
}

/** A hand-written tfjs graph model (x * w, per channel) in the converter's format: [-1,8,8,3] → [-1,8,8,3]. */
export function miniGraphModelFiles(): { modelJson: object; weights: Buffer } {
  const dim = (n: number) => ({ size: String(n) });
  const modelJson = {
    format: 'graph-model',
    generatedBy: '2.9.1',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [dim(-1), dim(8), dim(8), dim(3)] } } } },
        { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [dim(3)] } } } } },
        { name: 'scaled', op: 'Mul', input: ['x', 'w'], attr: { T: { type: 'DT_FLOAT' } } },
        { name: 'Identity', op: 'Identity', input: ['scaled'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      library: {},
      versions: { producer: 1119 },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [3], dtype: 'float32' }] }],
  };
  return { modelJson, weights: Buffer.from(new Float32Array([1, 2, 3]).buffer) };
}
