import { describe, expect, it } from 'vitest';
import { randomTensor, relativeMaxDiff, runOnBoth } from './testing/kernel-checks.js';
import { tileInto } from './tile.js';

describe('Tile on wasm matches cpu', () => {
  const cases: Array<[number[], number[]]> = [
    [[1, 1, 1, 16], [4, 7, 7, 1]],
    [[3, 5], [2, 3]],
    [[2, 1, 3, 4], [1, 5, 1, 2]],
    [[7], [1]],
    [[2, 3, 1], [3, 1, 9]],
  ];
  it.each(cases)('shape %j reps %j', async (shape, reps) => {
    const x = randomTensor(shape, shape.length * 7 + reps[0]);
    const { cpu, wasm } = await runOnBoth('Tile', { x }, { reps });
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeMaxDiff(cpu.data, wasm.data)).toBe(0);
  });

  it('tiles int32 heaps too', () => {
    const out = new Int32Array(12);
    tileInto(new Int32Array([1, 2, 3]), [1, 3], [4, 1], out);
    expect(Array.from(out)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });
});
