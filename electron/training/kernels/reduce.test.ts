import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomTensor, relativeMaxDiff, runOnBoth, useBackend } from './testing/kernel-checks.js';

describe('Sum and Mean on wasm match cpu', () => {
  const cases: Array<[number[], number | number[], boolean]> = [
    [[5, 7, 9, 3], [0, 1, 2], false],
    [[5, 7, 9, 3], [0, 1, 2], true],
    [[4, 6, 5], [1], false],
    [[4, 6, 5], -1, true],
    [[3, 10], [0], false],
    [[2, 3, 4, 5], [1, 2], false],
    [[2, 3, 4, 5], [0, 2], false], // not adjacent: the shipped kernel
    [[11], [0], false],
  ];
  it.each(cases)('shape %j axis %j keepDims %s', async (shape, axis, keepDims) => {
    const x = randomTensor(shape, shape.reduce((a, b) => a + b, 0));
    for (const kernel of ['Sum', 'Mean']) {
      const { cpu, wasm } = await runOnBoth(kernel, { x }, { axis, keepDims });
      expect(wasm.shape, kernel).toEqual(cpu.shape);
      expect(relativeMaxDiff(cpu.data, wasm.data), kernel).toBeLessThanOrEqual(1e-5);
    }
  });

  it('leaves int32 sums to the shipped kernel', async () => {
    await useBackend('wasm');
    const s = tf.tidy(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0).arraySync());
    expect(s).toEqual([4, 6]);
  });
});

describe('Identity on wasm', () => {
  it('shares the buffer and keeps it alive while either tensor lives', async () => {
    await useBackend('wasm');
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.engine().runKernel('Identity', { x: a }) as tf.Tensor;
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
  });
});
