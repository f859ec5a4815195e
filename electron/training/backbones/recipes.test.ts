import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { frozenLayerNames, splitAtBoundary } from '../engine/graph.js';
import { CAFFE_BGR_MEANS, cutBase, preprocessFn, singleTensorCuts } from './recipes.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * An imported-style residual classifier: stem conv, then two blocks of conv → BN → ReLU → conv → BN
 * added to the skip (the second with a 1×1 projection conv on the skip, as ResNet50 has), pool, dense.
 */
function buildMiniResidual(): tf.LayersModel {
  let seed = 1;
  const sym = (l: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => l.apply(x) as tf.SymbolicTensor;
  const conv = (name: string, x: tf.SymbolicTensor, kernelSize = 3) =>
    sym(tf.layers.conv2d({ name, filters: 4, kernelSize, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }), x);
  const input = tf.input({ shape: [8, 8, 3], name: 'image' });
  let x = conv('stem', input);
  for (const b of [1, 2]) {
    const skip = b === 2 ? conv('res2_proj', x, 1) : x;
    let y = sym(tf.layers.batchNormalization({ name: `res${b}_bn1` }), conv(`res${b}_conv1`, x));
    y = sym(tf.layers.activation({ name: `res${b}_relu1`, activation: 'relu' }), y);
    y = sym(tf.layers.batchNormalization({ name: `res${b}_bn2` }), conv(`res${b}_conv2`, y));
    x = sym(tf.layers.activation({ name: `res${b}_out`, activation: 'relu' }), sym(tf.layers.add({ name: `res${b}_add` }), [y, skip]));
  }
  const pooled = sym(tf.layers.globalAveragePooling2d({ name: 'pool' }), x);
  const out = sym(tf.layers.dense({ name: 'logits', units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }), pooled);
  return tf.model({ inputs: input, outputs: out, name: 'mini_residual' });
}

describe('generic blocks of a residual model', () => {
  it('end only at single-tensor cuts, so every number of unfrozen blocks can be split', () => {
    const { model, blocks } = cutBase(buildMiniResidual());
    const weighted = (names: string[]) => names.filter((n) => model.getLayer(n).trainableWeights.length > 0 && !n.includes('_bn'));
    // One block per residual unit: its convs (projection included) cannot be unfrozen apart.
    expect(blocks.map((b) => weighted(b).sort())).toEqual([['stem'], ['res1_conv1', 'res1_conv2'], ['res2_conv1', 'res2_conv2', 'res2_proj']]);
    expect(blocks.flat().sort()).toEqual(model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name).sort());
    const cuts = singleTensorCuts(model);
    for (const block of blocks.slice(0, -1)) {
      const last = model.layers.findIndex((l) => l.name === block[block.length - 1]);
      expect(cuts[last], `after ${block[block.length - 1]}`).toBe(true);
    }
    for (let n = 0; n <= blocks.length; n++) {
      const split = splitAtBoundary(model, frozenLayerNames(model, blocks, n));
      const trainable = new Set(blocks.slice(blocks.length - n).flat());
      expect(split.trainableLayers.map((l) => l.name).sort(), `unfreeze ${n}`).toEqual(model.layers.filter((l) => trainable.has(l.name)).map((l) => l.name).sort());
    }
    model.dispose();
  });
});

describe('preprocessFn', () => {
  it("'caffe' turns [0,1] RGB into BGR bytes minus the ImageNet means", () => {
    const x = tf.tensor4d([0.1, 0.5, 1, 0, 0, 0], [2, 1, 1, 3]);
    const y = preprocessFn('caffe')(x);
    const [b, g, r] = CAFFE_BGR_MEANS;
    const got = Array.from(y.dataSync());
    const want = [255 - b, 127.5 - g, 25.5 - r, -b, -g, -r];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 3));
    tf.dispose([x, y]);
  });
});
