// Each SIMD loop against a plain JS loop computing the same thing, on a memory of our own (so the
// loops are checked apart from tfjs), with channel counts of one and several vectors.
import { describe, expect, it } from 'vitest';
import { instantiateSimdLoops } from './simd-loops.js';
import { randomTensor, relativeMaxDiff } from './testing/kernel-checks.js';

/** A bump allocator over a fresh memory; every block starts 4 bytes past a 16-byte boundary, as
 *  heap tensors may (the loops must not assume alignment). */
function arena() {
  const memory = new WebAssembly.Memory({ initial: 64 });
  let top = 64;
  const alloc = (n: number, values?: Float32Array) => {
    top = Math.ceil(top / 16) * 16 + 4;
    const ptr = top;
    top += 4 * n;
    const view = new Float32Array(memory.buffer, ptr, n);
    if (values) view.set(values);
    return { ptr, view };
  };
  const loops = instantiateSimdLoops(memory);
  if (!loops) throw new Error('WebAssembly SIMD is unavailable in this runtime');
  return { loops, alloc };
}

/** The loops' accumulator layout → [first sums, second sums] per channel. */
function unpack(acc: Float32Array, C: number): [number[], number[]] {
  const d = new Float64Array(acc.slice().buffer);
  const a = Array.from({ length: C }, (_, c) => d[(c >> 2) * 8 + (c & 3)]);
  const b = Array.from({ length: C }, (_, c) => d[(c >> 2) * 8 + 4 + (c & 3)]);
  return [a, b];
}

const rowsAndChannels: [number, number][] = [[1, 4], [7, 8], [33, 16], [5, 64]];

describe('SIMD loops', () => {
  it.each(rowsAndChannels)('moments, normalize, gradStats, gradInput: %i rows × %i channels', (N, C) => {
    const { loops, alloc } = arena();
    const host = (seed: number, n = N * C) => randomTensor([n], seed).data;
    const x = alloc(N * C, host(1).map((v) => 5 * v + 2));
    const dy = alloc(N * C, host(2));
    const shift = alloc(C, host(3, C));
    const per = [4, 5, 6, 7].map((seed) => alloc(C, host(seed, C)));
    const acc = alloc(4 * C);
    const out = alloc(N * C);
    const ref = (f: (r: number, c: number) => number) => Float32Array.from({ length: N * C }, (_, i) => f(Math.floor(i / C), i % C));
    const sums = (f: (i: number, c: number) => number) => Array.from({ length: C }, (_, c) => {
      let s = 0;
      for (let r = 0; r < N; r++) s += f(r * C + c, c);
      return s;
    });
    const end = (p: number) => p + 4 * N * C;
    const [xv, dyv, sv] = [x.view, dy.view, shift.view];
    const [m, a, k, b] = per.map((p) => p.view);

    loops.moments(x.ptr, end(x.ptr), 4 * C, shift.ptr, acc.ptr);
    const [s1, s2] = unpack(acc.view, C);
    expect(relativeMaxDiff(Float32Array.from(sums((i, c) => xv[i] - sv[c])), Float32Array.from(s1))).toBeLessThanOrEqual(1e-6);
    expect(relativeMaxDiff(Float32Array.from(sums((i, c) => (xv[i] - sv[c]) ** 2)), Float32Array.from(s2))).toBeLessThanOrEqual(1e-6);

    acc.view.fill(0);
    loops.gradStats(dy.ptr, end(dy.ptr), 4 * C, x.ptr, per[0].ptr, acc.ptr);
    const [g1, g2] = unpack(acc.view, C);
    expect(relativeMaxDiff(Float32Array.from(sums((i) => dyv[i])), Float32Array.from(g1))).toBeLessThanOrEqual(1e-6);
    expect(relativeMaxDiff(Float32Array.from(sums((i, c) => dyv[i] * (xv[i] - m[c]))), Float32Array.from(g2))).toBeLessThanOrEqual(1e-6);

    loops.normalize(x.ptr, end(x.ptr), 4 * C, out.ptr, per[0].ptr, per[1].ptr, per[2].ptr);
    expect(relativeMaxDiff(ref((r, c) => (xv[r * C + c] - m[c]) * a[c] + k[c]), out.view)).toBeLessThanOrEqual(1e-6);

    loops.gradInput(dy.ptr, end(dy.ptr), 4 * C, x.ptr, out.ptr, per[0].ptr, per[1].ptr, per[2].ptr, per[3].ptr);
    const dx = ref((r, c) => a[c] * dyv[r * C + c] + k[c] * (xv[r * C + c] - m[c]) + b[c]);
    expect(relativeMaxDiff(dx, out.view)).toBeLessThanOrEqual(1e-6);
  });

  it.each([[1, 1, 4], [3, 5, 8], [4, 2, 32]])('depthwiseTap: %i rows × %i cols × %i channels, strided', (rows, cols, C) => {
    const { loops, alloc } = arena();
    // x rows 3 pixels apart, columns 2 apart (as a stride-2 conv reads them); dy dense.
    const xRow = 3 * 2 * cols * C;
    const x = alloc(rows * xRow, randomTensor([rows * xRow], 11).data);
    const dy = alloc(rows * cols * C, randomTensor([rows * cols * C], 12).data);
    const start = randomTensor([C], 13).data;
    const dw = alloc(C, start);
    loops.depthwiseTap(x.ptr, 4 * xRow, 4 * 2 * C, dy.ptr, 4 * cols * C, rows, cols, 4 * C, dw.ptr);
    const expected = Float32Array.from(start, (s, c) => {
      let v = s;
      for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) v += x.view[r * xRow + j * 2 * C + c] * dy.view[(r * cols + j) * C + c];
      return v;
    });
    expect(relativeMaxDiff(expected, dw.view)).toBeLessThanOrEqual(1e-5);
  });

  it.each([[1, 1, 1, 8], [2, 3, 5, 16], [3, 2, 7, 24]])('filterRows: %i images × %i rows × %i pixels, %i outputs, adding to what is there', (images, rows, pixels, O) => {
    const { loops, alloc } = arena();
    // x: rows 9 floats apart inside an image, images 40 apart, pixels 3 apart; the four rows start at
    // unrelated offsets. dy: a dense [images, rows, pixels, O] block.
    const xImage = 40 * rows * pixels;
    const x = alloc(images * xImage + 64, randomTensor([images * xImage + 64], 21).data);
    const starts = [0, 5, 2, 17];
    const dy = alloc(images * rows * pixels * O, randomTensor([images * rows * pixels * O], 22).data);
    const d = [0, 1, 2, 3].map((i) => alloc(O, randomTensor([O], 30 + i).data));
    const before = d.map((r) => r.view.slice());
    const xAt = (i: number, m: number, r: number, q: number) => starts[i] + m * xImage + r * 9 * pixels + q * 3;
    loops.filterRows(...(starts.map((s0) => x.ptr + 4 * s0) as [number, number, number, number]), dy.ptr,
      d[0].ptr, d[1].ptr, d[2].ptr, d[3].ptr, 4 * O,
      images, 4 * xImage, 4 * rows * pixels * O, rows, 4 * 9 * pixels, 4 * pixels * O, pixels, 4 * 3, 4 * O);
    for (let i = 0; i < 4; i++) {
      const expected = Float32Array.from(before[i], (v0, o) => {
        let v = v0;
        for (let m = 0; m < images; m++) for (let r = 0; r < rows; r++) for (let q = 0; q < pixels; q++) {
          v += x.view[xAt(i, m, r, q)] * dy.view[((m * rows + r) * pixels + q) * O + o];
        }
        return v;
      });
      expect(relativeMaxDiff(expected, d[i].view)).toBeLessThanOrEqual(1e-5);
    }
  });
});
