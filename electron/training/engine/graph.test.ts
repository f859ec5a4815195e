import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildTlResnet, tlResnetBlocks } from '../backbones/tl-resnet.js';
import { composeModel, frozenLayerNames, splitAtBoundary } from './graph.js';
import { createHead } from './head.js';

describe('splitting a backbone at the freeze boundary', () => {
  it('prefix then suffix computes exactly what the whole model does, at every boundary', () => {
    const model = buildTlResnet({ seed: 5 });
    const blocks = tlResnetBlocks(model);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const whole = model.predict(x) as tf.Tensor;
    for (let n = 1; n <= blocks.length; n++) {
      const frozen = frozenLayerNames(model, blocks, n);
      expect([...frozen].some((name) => blocks.slice(blocks.length - n).flat().includes(name))).toBe(false);
      const split = splitAtBoundary(model, frozen);
      const y = tf.tidy(() => {
        const mid = split.prefix ? split.prefix.apply(x, { training: false }) as tf.Tensor : x;
        return split.suffix!.apply(mid, { training: false }) as tf.Tensor;
      });
      expect(tf.max(tf.abs(tf.sub(y, whole))).dataSync()[0]).toBeLessThan(1e-5);
      y.dispose();
    }
    expect(splitAtBoundary(model, frozenLayerNames(model, blocks, 0)).suffix).toBeNull();
    expect(splitAtBoundary(model, frozenLayerNames(model, blocks, 'all')).prefix).toBeNull();
    tf.dispose([x, whole]);
    model.dispose();
  });

  it('refuses a boundary crossed by a skip connection', () => {
    const model = buildTlResnet({ seed: 5 });
    const frozen = new Set(model.layers.map((l) => l.name).filter((n) => !n.startsWith('block3') && n !== 'features_pool'));
    frozen.add('block3_conv1'); // the projection shortcut still reads block2's output
    expect(() => splitAtBoundary(model, frozen)).toThrow(/tensors cross the freeze boundary/);
    model.dispose();
  });

  it('composes base and head into one model that shares their weights', () => {
    const model = buildTlResnet({ seed: 5 });
    const head = createHead(64, 3, 1);
    const full = composeModel(model, head, 'full');
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const a = full.predict(x) as tf.Tensor;
    const b = tf.tidy(() => head.apply(model.predict(x) as tf.Tensor));
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(full.countParams()).toBe(model.countParams() + 64 * 3 + 3 + 4 * 64);
    tf.dispose([x, a, b]);
  });
});
