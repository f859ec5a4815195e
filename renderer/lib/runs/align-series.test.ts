import { describe, expect, it } from 'vitest';
import { alignSeries } from './align-series.js';

describe('alignSeries', () => {
  it('puts series with different x onto one sorted axis with nulls where a series has no point', () => {
    const [x, a, b] = alignSeries([
      { x: [1, 2, 3], y: [0.5, 0.6, 0.7] },
      { x: [2, 4], y: [0.1, null] },
    ]);
    expect(x).toEqual([1, 2, 3, 4]);
    expect(a).toEqual([0.5, 0.6, 0.7, null]);
    expect(b).toEqual([null, 0.1, null, null]);
  });

  it('drops non-finite values and handles empty input', () => {
    expect(alignSeries([])).toEqual([[]]);
    expect(alignSeries([{ x: [0, 1], y: [NaN, Infinity] }])).toEqual([[0, 1], [null, null]]);
  });
});
