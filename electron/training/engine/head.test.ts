import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createHead, foldedHead } from './head.js';

describe('the head folded into one Dense layer (for exported models)', () => {
  it('predicts what the standardised head does, with only a kernel and a bias', () => {
    const head = createHead(6, 3, 4);
    const rng = tf.randomUniform([40, 6], -2, 5, 'float32', 9);
    head.fitStandardization(rng.mul(tf.tensor1d([1, 3, 0.5, 10, 2, 7])).add(tf.tensor1d([5, -1, 0, 40, 3, 2])).dataSync() as Float32Array, 40);
    // Train the dense layer a little so its weights are not the initial ones.
    head.dense.setWeights([tf.randomNormal([6, 3], 0, 1, 'float32', 3), tf.tensor1d([0.1, -0.2, 0.3])]);
    const x = tf.randomUniform([8, 6], -5, 50, 'float32', 11);
    const folded = foldedHead(head);
    const input = tf.input({ shape: [6] });
    const model = tf.model({ inputs: input, outputs: folded.applySymbolic(input) });
    const a = head.apply(x).dataSync();
    const b = (model.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    expect(folded.layer.getClassName()).toBe('Dense');
    expect(folded.layer.weights.map((w) => w.originalName)).toEqual(['transfer_head/kernel', 'transfer_head/bias']);
    expect(model.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
  });
});
