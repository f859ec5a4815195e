// The shard gradients' weighted sum: the two-shard pass gives the very bits of the general one
// (a running float32 sum from +0, term by term), signed zeros included.
import { describe, expect, it } from 'vitest';
import { weightedSum } from './data-parallel.js';

/** The general loop, written out: out starts at +0 and takes one rounded term at a time. */
function reference(parts: Float32Array[], weights: number[]): Float32Array {
  const out = new Float32Array(parts[0].length);
  parts.forEach((p, k) => { for (let i = 0; i < out.length; i++) out[i] += weights[k] * p[i]; });
  return out;
}

const bits = (a: Float32Array) => Buffer.from(a.buffer).toString('base64');

describe('weightedSum', () => {
  it.each([[32, 32], [33, 31], [16, 48]])('two shards of %i and %i images: the general loop bit for bit', (a, b) => {
    const n = 5000;
    let s = a * 97 + b;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 * 2 - 1);
    const parts = [0, 1].map(() => Float32Array.from({ length: n }, (_, i) => rand() * 10 ** ((i % 13) - 8)));
    // Signed zeros and cancelling terms, where the starting +0 decides the sign.
    for (let i = 0; i < 40; i++) { parts[0][i] = i % 2 ? -0 : 0; parts[1][i] = i % 4 < 2 ? -0 : 0; }
    const w = [a / (a + b), b / (a + b)];
    expect(bits(weightedSum(parts, w))).toBe(bits(reference(parts, w)));
    expect(Object.is(weightedSum([Float32Array.of(-0)], [1])[0], 0)).toBe(true);
  });

  it('three shards: the general loop', () => {
    const parts = [Float32Array.of(1, -0, 3e-30), Float32Array.of(2, -0, -3e-30), Float32Array.of(0.5, -0, 1)];
    const w = [0.25, 0.5, 0.25];
    expect(bits(weightedSum(parts, w))).toBe(bits(reference(parts, w)));
  });
});
