// Adam's SIMD loop against its JS arithmetic (adamUpdateInto, itself checked against tf.train.adam
// in kernels/adam-update.test.ts): the same bits on lengths with and without a tail, over several
// steps, with gradients from 1e-24 (subnormal squares) to 1e3.
import { describe, expect, it } from 'vitest';
import { AdamArena, adamUpdateIn, adamUpdateInto } from './adam-step.js';
import type { AdamUpdateAttrs } from './fused-adam.js';

function values(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 * 2 - 1) * scale;
  });
}

const attrsAt = (step: number, learningRate: number): AdamUpdateAttrs => ({
  learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7,
  oneMinusAccBeta1: Math.fround(1 - Math.fround(0.9 ** step)), oneMinusAccBeta2: Math.fround(1 - Math.fround(0.999 ** step)),
});

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('Adam step', () => {
  it.each([1, 3, 4, 5, 64, 1027, 78_426])('arena (SIMD loop) = adamUpdateInto bit for bit, %i weights', (n) => {
    const arena = new AdamArena();
    const simd = { value: values(n, n, 1), m: new Float32Array(n), v: new Float32Array(n) };
    const js = { value: simd.value.slice(), m: new Float32Array(n), v: new Float32Array(n) };
    for (let step = 1; step <= 5; step++) {
      const g = values(n, 7 * n + step, 10 ** (3 * step - 12)).map((x, i) => (i % 5 === 0 ? x * 1e-12 : x));
      const attrs = attrsAt(step, step === 3 ? 0.5 : 1e-3);
      arena.update(simd.value, simd.m, simd.v, g, attrs);
      adamUpdateInto(js.value, js.m, js.v, g, attrs, js.value, js.m, js.v);
    }
    expect(bits(simd.value)).toBe(bits(js.value));
    expect(bits(simd.m)).toBe(bits(js.m));
    expect(bits(simd.v)).toBe(bits(js.v));
    // Something was learnt: the weights moved.
    expect(simd.value.some((x, i) => x !== values(n, n, 1)[i])).toBe(true);
  });

  it('runs the SIMD loop for every whole group of 4, in a memory that grows to fit', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new Float32Array(memory.buffer);
    const n = 10;
    const at = (k: number) => heap.subarray(8 + k * n, 8 + (k + 1) * n);
    const [value, m, v, g] = [0, 1, 2, 3].map(at);
    g.set(values(n, 3, 1));
    const attrs = attrsAt(1, 1e-3);
    heap.set(Float32Array.of(0.9, 0.999, 0.1, 0.001, attrs.oneMinusAccBeta1, attrs.oneMinusAccBeta2, 1e-7, -1e-3), 0);
    expect(adamUpdateIn(memory, 0, { value, m, v, g, outValue: value, outM: m, outV: v }, attrs)).toBe(true);
    const js = { value: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) };
    adamUpdateInto(new Float32Array(n), new Float32Array(n), new Float32Array(n), g, attrs, js.value, js.m, js.v);
    expect(bits(value)).toBe(bits(js.value));
    // Larger than its first memory: the arena grows.
    const arena = new AdamArena();
    for (const size of [16, 100_000]) {
      const w = new Float32Array(size);
      arena.update(w, new Float32Array(size), new Float32Array(size), new Float32Array(size).fill(1), attrs);
      expect(w.every((x) => x < 0)).toBe(true);
    }
  });
});
