import { describe, expect, it } from 'vitest';
import { randomTensor, relativeMaxDiff, runOnBoth } from './testing/kernel-checks.js';

describe('MaxPoolGrad on wasm matches cpu', () => {
  interface Case { shape: number[]; filterSize: number[]; strides: number[]; pad: 'same' | 'valid' }
  const cases: Case[] = [
    { shape: [2, 8, 8, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    { shape: [3, 9, 7, 4], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
    { shape: [2, 7, 7, 5], filterSize: [3, 3], strides: [1, 1], pad: 'same' },
    { shape: [1, 11, 9, 2], filterSize: [3, 2], strides: [2, 1], pad: 'valid' },
  ];
  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_, c, i) => {
    const input = randomTensor(c.shape, 50 + i);
    const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
    const { wasm: fwd } = await runOnBoth('MaxPool', { x: input }, attrs);
    const dy = randomTensor(fwd.shape, 60 + i);
    const output = { shape: fwd.shape, data: fwd.data };
    const { cpu, wasm } = await runOnBoth('MaxPoolGrad', { dy, input, output }, attrs);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeMaxDiff(cpu.data, wasm.data)).toBeLessThanOrEqual(1e-4);
  });
});
