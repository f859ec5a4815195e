import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildTlResnet, tlResnetBlocks, TL_RESNET_FEATURES, TL_RESNET_POOL } from './tl-resnet.js';

describe('buildTlResnet', () => {
  it('maps 28×28×1 images to 64 features with the specified layers', () => {
    const model = buildTlResnet({ seed: 1 });
    expect(model.inputs[0].shape).toEqual([null, 28, 28, 1]);
    expect(model.outputs[0].shape).toEqual([null, TL_RESNET_FEATURES]);
    const y = tf.tidy(() => model.predict(tf.ones([2, 28, 28, 1])) as tf.Tensor);
    expect(y.shape).toEqual([2, 64]);
    y.dispose();
    // stem 208 + block1 4,736 + block2 14,720 + block3 58,112 (BN moving stats included)
    expect(model.countParams()).toBe(77_776);
    const bn = model.getLayer('block2_proj_bn').getConfig();
    expect(bn.epsilon).toBe(1e-3);
    expect(model.getLayer('block2_proj_conv').getConfig().strides).toEqual([2, 2]);
    expect(model.getLayer('block3_conv1').getConfig().strides).toEqual([2, 2]);
    expect(() => model.getLayer('block1_proj_conv')).toThrow();
    model.dispose();
  });

  it('lists 4 blocks bottom → top covering every layer once', () => {
    const model = buildTlResnet({ seed: 1 });
    const blocks = tlResnetBlocks(model);
    expect(blocks.length).toBe(4);
    expect(blocks[0]).toEqual(['stem_conv', 'stem_bn', 'stem_relu']);
    expect(blocks[1].every((n) => n.startsWith('block1_'))).toBe(true);
    expect(blocks[3].at(-1)).toBe(TL_RESNET_POOL);
    const all = blocks.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(model.layers.length - 1);
    model.dispose();
  });

  it('same seed → identical weights; another seed → different weights', () => {
    const a = buildTlResnet({ seed: 7 });
    const b = buildTlResnet({ seed: 7 });
    const c = buildTlResnet({ seed: 8 });
    const w = (m: tf.LayersModel) => m.getLayer('block3_conv2').getWeights()[0].dataSync();
    expect(Array.from(w(a))).toEqual(Array.from(w(b)));
    expect(Array.from(w(a))).not.toEqual(Array.from(w(c)));
    // Different convs of one model do not share a seed.
    const k1 = a.getLayer('block1_conv1').getWeights()[0].dataSync();
    const k2 = a.getLayer('block1_conv2').getWeights()[0].dataSync();
    expect(Array.from(k1)).not.toEqual(Array.from(k2));
    [a, b, c].forEach((m) => m.dispose());
  });
});
