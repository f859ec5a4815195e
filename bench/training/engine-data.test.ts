import { describe, expect, it } from 'vitest';
import { benchData, fixedSplit, upscale } from './engine-data.js';

describe('bench data for the engine', () => {
  it('upscales 28×28×1 bytes by a whole factor, every channel the same pixel', () => {
    const one = Uint8Array.from({ length: 784 }, (_, i) => i % 251);
    const big = upscale(one, 1, 56, 3);
    expect(big.length).toBe(56 * 56 * 3);
    // Output pixel (y, x) is input pixel (y / 2, x / 2) in all three channels.
    for (const [y, x] of [[0, 0], [1, 1], [13, 40], [55, 55]]) {
      const want = one[Math.floor(y / 2) * 28 + Math.floor(x / 2)];
      expect(Array.from(big.subarray((y * 56 + x) * 3, (y * 56 + x) * 3 + 3))).toEqual([want, want, want]);
    }
    expect(() => upscale(one, 1, 50, 3)).toThrow(/whole factor/);
  });

  it('splits train, then validation, then test, disjoint and in order', () => {
    const s = fixedSplit({ train: 4, val: 2, test: 3 });
    expect([Array.from(s.train), Array.from(s.val), Array.from(s.test)]).toEqual([[0, 1, 2, 3], [4, 5], [6, 7, 8]]);
  });

  it('takes the first images of a shipped set at the backbone input size, with a fingerprint of its own per size', async () => {
    const small = await benchData('fashion-target', { train: 8, val: 2, test: 2 }, [28, 28, 1]);
    const big = await benchData('fashion-target', { train: 8, val: 2, test: 2 }, [224, 224, 3]);
    expect(small.labels.length).toBe(12);
    expect(small.pixels.length).toBe(12 * 784);
    expect(big.pixels.length).toBe(12 * 224 * 224 * 3);
    expect(big.labels).toEqual(small.labels);
    expect(small.classes).toHaveLength(5);
    expect(small.fingerprint).not.toBe(big.fingerprint);
    await expect(benchData('fashion-target', { train: 40_000, val: 0, test: 0 }, [28, 28, 1])).rejects.toThrow(/wants 40000 images/);
  });
});
