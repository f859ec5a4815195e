import { describe, expect, it } from 'vitest';
import { capSizes, ladderProblem } from './sweep-ladder.js';

describe('capSizes', () => {
  it('keeps the sizes below the largest class and ends with "all" when a size reaches it', () => {
    // The digits: 690–902 per class.
    expect(capSizes([5, 10, 30, 100, 300, 1000, 3000], [801, 902, 690])).toEqual([5, 10, 30, 100, 300, 902]);
    expect(capSizes([3000, 5, 30, 30], [6000, 6000])).toEqual([5, 30, 3000]);
    expect(capSizes([5, 10], [10, 8])).toEqual([5, 10]);
  });
  it('drops sizes a run cannot split', () => {
    expect(capSizes([2, 5, 10], [20], 3)).toEqual([5, 10]);
  });
});

describe('ladderProblem', () => {
  it('accepts two sizes or more', () => {
    expect(ladderProblem([5, 10], [6])).toBeNull();
  });
  it('names the minimum when only one size fits', () => {
    expect(ladderProblem([5, 10, 30], [5, 4])).toBe(
      'A sweep needs at least two sizes to compare, but the largest class of this data set has only 5 images, so only one size (5 per class) fits. '
      + 'It needs at least 6 images in a class (one more than the smallest size, 5 per class); add images or choose smaller sizes.',
    );
    expect(ladderProblem([5, 10], [1], 3)).toMatch(/only 1 image, so no size fits\. It needs at least 6 images in a class/);
  });
});
