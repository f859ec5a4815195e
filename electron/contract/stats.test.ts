import { describe, expect, it } from 'vitest';
import { comparePaired, discordant, mcnemarExact, meanSd, packCorrect, pairedVerdict, unpackCorrect, wilson } from './stats.js';

describe('wilson', () => {
  it('matches published values', () => {
    // Newcombe (1998), table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605.
    const a = wilson(81, 263);
    expect(a.low).toBeCloseTo(0.2553, 4);
    expect(a.high).toBeCloseTo(0.3662, 4);
    const b = wilson(15, 148);
    expect(b.low).toBeCloseTo(0.0624, 4);
    expect(b.high).toBeCloseTo(0.1605, 4);
  });
  it('stays inside [0, 1] at the edges and is wide for no data', () => {
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(10, 10).high).toBe(1);
    expect(wilson(10, 10).low).toBeCloseTo(0.7225, 4);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('mcnemarExact', () => {
  it('is the two-sided binomial tail', () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(5, 5)).toBe(1);
    // b=1, c=9: 2·(C(10,0)+C(10,1))/2^10 = 22/1024.
    expect(mcnemarExact(1, 9)).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarExact(9, 1)).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarExact(0, 20)).toBeCloseTo(2 / 2 ** 20, 15);
  });
  it('handles thousands of discordant images', () => {
    const p = mcnemarExact(1000, 1200);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(0.001);
  });
});

describe('comparePaired', () => {
  it('reports the difference, an interval containing it, and p', () => {
    const c = comparePaired(1000, 40, 104);
    expect(c.difference).toBeCloseTo(0.064, 6);
    expect(c.interval.low).toBeLessThan(0.064);
    expect(c.interval.high).toBeGreaterThan(0.064);
    expect(c.interval.low).toBeGreaterThan(0);
    expect(c.p).toBeLessThan(0.001);
    expect(pairedVerdict(c, ['feature extraction', 'fine-tuning'])).toMatch(/^fine-tuning is better than feature extraction by 6\.4 points on 1,000 test images/);
  });
  it('gives the interval for the winner minus the loser, whichever was named first', () => {
    const c = comparePaired(1000, 104, 40);
    expect(pairedVerdict(c, ['feature extraction', 'fine-tuning'])).toMatch(/^feature extraction is better than fine-tuning by 6\.4 points on 1,000 test images \(95 % CI [0-9.]+ to [0-9.]+ points\)/);
  });
  it('says when there is no clear difference', () => {
    const c = comparePaired(100, 6, 8);
    expect(c.interval.low).toBeLessThan(0);
    expect(pairedVerdict(c, ['A', 'B'])).toMatch(/^No clear difference on these 100 test images/);
  });
});

describe('helpers', () => {
  it('counts discordant images and refuses different lengths', () => {
    expect(discordant([true, true, false, false], [true, false, true, true])).toEqual({ onlyFirst: 1, onlySecond: 2 });
    expect(() => discordant([true], [true, false])).toThrow(/different numbers of images/);
  });
  it('packs and unpacks correctness flags', () => {
    const flags = Array.from({ length: 37 }, (_, i) => i % 3 === 0 || i === 36);
    expect(unpackCorrect(packCorrect(flags), 37)).toEqual(flags);
    expect(() => unpackCorrect(packCorrect(flags), 80)).toThrow(/expected 80/);
  });
  it('gives mean and sample sd', () => {
    expect(meanSd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, sd: expect.closeTo(2.138, 3), n: 8 });
    expect(meanSd([3]).sd).toBe(0);
  });
});
