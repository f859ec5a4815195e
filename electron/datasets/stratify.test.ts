import { describe, expect, it } from 'vitest';
import { MIN_IMAGES_PER_CLASS, stratifiedSplit, stratifiedSubset, takeImages, threeWaySplit } from './stratify.js';

// 3 classes, unbalanced, sorted by class like the digits set: 40 × 0, 25 × 1, 7 × 2.
const labels = Int32Array.from([...Array(40).fill(0), ...Array(25).fill(1), ...Array(7).fill(2)]);
const countOf = (idx: Int32Array, c: number) => Array.from(idx).filter((i) => labels[i] === c).length;

describe('stratifiedSubset', () => {
  it('takes perClass of each class (all of a smaller class), deterministically by seed', () => {
    const a = stratifiedSubset(labels, 10, 7);
    expect([0, 1, 2].map((c) => countOf(a, c))).toEqual([10, 10, 7]);
    expect(Array.from(a)).toEqual(Array.from(stratifiedSubset(labels, 10, 7)));
    expect(Array.from(a)).not.toEqual(Array.from(stratifiedSubset(labels, 10, 8)));
    expect(Array.from(a)).toEqual([...a].sort((x, y) => x - y)); // keeps the data's order
  });

  it('nests: a smaller subset is inside a larger one with the same seed', () => {
    const small = new Set(stratifiedSubset(labels, 3, 42));
    const large = new Set(stratifiedSubset(labels, 12, 42));
    for (const i of small) expect(large.has(i)).toBe(true);
  });

  it('null means every image; bad sizes are refused', () => {
    expect(stratifiedSubset(labels, null, 1).length).toBe(labels.length);
    expect(() => stratifiedSubset(labels, 0, 1)).toThrow(/positive whole number/);
    expect(() => stratifiedSubset([0, -1], 1, 1)).toThrow(/not a class index/);
  });
});

describe('stratifiedSplit', () => {
  it('is a deterministic partition with every class in validation', () => {
    const s = stratifiedSplit(labels, 0.2, 3);
    const all = [...s.train, ...s.val].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: labels.length }, (_, i) => i));
    expect([0, 1, 2].map((c) => countOf(s.val, c))).toEqual([8, 5, 1]);
    const again = stratifiedSplit(labels, 0.2, 3);
    expect(Array.from(again.train)).toEqual(Array.from(s.train));
    expect(Array.from(again.val)).toEqual(Array.from(s.val));
    expect(Array.from(stratifiedSplit(labels, 0.2, 4).val)).not.toEqual(Array.from(s.val));
  });

  it('interleaves classes in the training order even when the data is sorted by class', () => {
    const firstTen = Array.from(stratifiedSplit(labels, 0.2, 3).train.slice(0, 10), (i) => labels[i]);
    expect(new Set(firstTen).size).toBeGreaterThan(1);
  });

  it('keeps ≥ 1 image per class in both parts when a class has 2; a single image goes to training', () => {
    const tiny = [0, 0, 1, 1, 2];
    const s = stratifiedSplit(tiny, 0.05, 0);
    expect(Array.from(s.val).map((i) => tiny[i]).sort()).toEqual([0, 1]);
    expect(Array.from(s.train).map((i) => tiny[i]).sort()).toEqual([0, 1, 2]);
    const big = stratifiedSplit([0, 0, 1, 1], 0.9, 0);
    expect(big.train.length).toBe(2);
    expect(() => stratifiedSplit(tiny, 1, 0)).toThrow(/between 0 and 1/);
  });
});

describe('threeWaySplit', () => {
  const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);
  const all = Array.from({ length: labels.length }, (_, i) => i);

  it('partitions every class three ways by seed, test carved first', () => {
    const s = threeWaySplit(labels, 0.2, 3);
    expect(sorted([...s.train, ...s.val, ...s.test])).toEqual(all);
    expect([0, 1, 2].map((c) => countOf(s.test, c))).toEqual([8, 5, 1]);
    expect([0, 1, 2].map((c) => countOf(s.val, c))).toEqual([6, 4, 1]);
    expect([0, 1, 2].map((c) => countOf(s.train, c))).toEqual([26, 16, 5]);
    expect(Array.from(s.test)).toEqual(sorted(s.test));
    // The test images do not depend on the validation share: such runs are scored on the same images.
    expect(Array.from(threeWaySplit(labels, 0.4, 3).test)).toEqual(Array.from(s.test));
    expect(Array.from(threeWaySplit(labels, 0.2, 4).test)).not.toEqual(Array.from(s.test));
  });

  it('keeps at least one image per class in each part, and refuses a class too small for that', () => {
    const s = threeWaySplit([0, 0, 0, 1, 1, 1], 0.05, 1);
    for (const part of [s.train, s.val, s.test]) expect(Array.from(part).map((i) => [0, 0, 0, 1, 1, 1][i]).sort()).toEqual([0, 1]);
    expect(MIN_IMAGES_PER_CLASS).toBe(3);
    expect(() => threeWaySplit([0, 0, 0, 1, 1], 0.2, 1)).toThrow(/Class 1 has 2 images; every class needs at least 3 \(one each to train, validate and test\)/);
  });

  it('with a fixed test pool, the test set is exactly the pool and the rest splits into train and validation', () => {
    const pool = Int32Array.from([60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71]);
    const s = threeWaySplit(labels, 0.25, 9, pool);
    expect(Array.from(s.test)).toEqual(Array.from(pool));
    const rest = all.filter((i) => !pool.includes(i));
    expect(sorted([...s.train, ...s.val])).toEqual(rest);
    expect(Array.from(threeWaySplit(labels, 0.25, 10, pool).test)).toEqual(Array.from(pool));
  });
});

describe('takeImages', () => {
  it('copies the chosen images with their labels and ids', () => {
    const data = { shape: [1, 2, 1] as [number, number, number], pixels: Uint8Array.from([1, 2, 3, 4, 5, 6]), labels: Int32Array.from([0, 1, 0]), sampleIds: ['a', 'b', 'c'] };
    const t = takeImages(data, Int32Array.from([2, 0]));
    expect(Array.from(t.pixels)).toEqual([5, 6, 1, 2]);
    expect(Array.from(t.labels)).toEqual([0, 0]);
    expect(t.sampleIds).toEqual(['c', 'a']);
  });
});
