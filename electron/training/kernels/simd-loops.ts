// WebAssembly SIMD loops over the wasm backend's heap, for the training kernels whose work is a
// plain pass over channels-last activations (BatchNorm, the depthwise filter gradient) or a small
// product summed over pixels (the dense filter gradient, simd-filter-rows.ts). V8 does not
// vectorise JS: as JS these loops ran about 10× slower (bench/profile-kernels.ts). The BatchNorm and
// depthwise loops handle four channels at a time, so callers use them where C % 4 == 0 and keep a
// JS loop for the rest.
// Pointers and strides are in bytes; counts are ≥ 1 (callers check).
import { filterRows } from './simd-filter-rows.js';
import { type Code, I32, V128, type WasmFunction, assemble, memoryBinder, op } from '../engine/wasm-asm.js';
import { type WasmBackendLike, heapMemory } from './wasm-heap.js';

const { get, set, tee, i32, add, sub, ltU, loop, end, brIf } = op;

/** `do { rowStart; for (q = 0; q < C4; q += 16) body } while (rowPtr < rowEnd)`; the body
 *  advances rowPtr. */
function rowsOfGroups(q: number, c4: number, rowPtr: number, rowEnd: number, body: Code[], rowStart: Code[] = []): Code[] {
  return [
    loop,
    i32(0), set(q), ...rowStart,
    loop,
    ...body,
    get(q), i32(16), add, tee(q), get(c4), ltU, brIf(0),
    end,
    get(rowPtr), get(rowEnd), ltU, brIf(0),
    end,
  ];
}
const advance = (p: number, bytes: number): Code[] => [get(p), i32(bytes), add, set(p)];
const at = (base: number, q: number): Code[] => [get(base), get(q), add];
/** acc[off] += value (f64x2 in memory at local `a`). */
const accumulate = (a: number, off: number, value: Code[]): Code[] => [
  get(a), get(a), op.v128Load(off), ...value, op.f64x2Add, op.v128Store(off),
];
const promoteBoth = (v: number, lo: number, hi: number): Code[] => [
  get(v), op.f64x2PromoteLow, set(lo), get(v), get(v), op.highHalf, op.f64x2PromoteLow, set(hi),
];

// moments(x, end, C4, shift, acc): per group of 4 channels, acc holds Σ(x − shift) as two f64x2
// and Σ(x − shift)² as two more (64 bytes a group).
const moments: WasmFunction = (() => {
  const [x, e, c4, shift, acc, q, a, v, lo, hi] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  return {
    name: 'moments', params: [I32, I32, I32, I32, I32], locals: [I32, I32, V128, V128, V128],
    body: rowsOfGroups(q, c4, x, e, [
      get(x), op.v128Load(), ...at(shift, q), op.v128Load(), op.f32x4Sub, set(v),
      ...promoteBoth(v, lo, hi),
      ...accumulate(a, 0, [get(lo)]), ...accumulate(a, 16, [get(hi)]),
      ...accumulate(a, 32, [get(lo), get(lo), op.f64x2Mul]), ...accumulate(a, 48, [get(hi), get(hi), op.f64x2Mul]),
      ...advance(x, 16), ...advance(a, 64),
    ], [get(acc), set(a)]),
  };
})();

// normalize(x, end, C4, y, mean, scale, beta): y = (x − mean)·scale + beta.
const normalize: WasmFunction = (() => {
  const [x, e, c4, y, mean, scale, beta, q] = [0, 1, 2, 3, 4, 5, 6, 7];
  return {
    name: 'normalize', params: [I32, I32, I32, I32, I32, I32, I32], locals: [I32],
    body: rowsOfGroups(q, c4, x, e, [
      get(y),
      get(x), op.v128Load(), ...at(mean, q), op.v128Load(), op.f32x4Sub,
      ...at(scale, q), op.v128Load(), op.f32x4Mul, ...at(beta, q), op.v128Load(), op.f32x4Add,
      op.v128Store(),
      ...advance(x, 16), ...advance(y, 16),
    ]),
  };
})();

// normalizeStored(x, end, C4, y, mean, scale, norm, offset): y = offset + (x − mean)·scale / norm, the
// shipped FusedBatchNorm's expression: (x − mean)·scale in float, then divided by norm = √(variance + ε)
// and offset added in double (norm and offset are float64 arrays here), rounded to float once. The
// same operations in the same precision, so bit for bit the same.
const normalizeStored: WasmFunction = (() => {
  const [x, e, c4, y, mean, scale, norm, offset, q, t, lo] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const twice = (base: number): Code[] => [get(base), get(q), get(q), add, add];
  const half = (high: boolean): Code[] => [
    get(t), ...(high ? [get(t), op.highHalf] : []), op.f64x2PromoteLow,
    ...twice(norm), op.v128Load(high ? 16 : 0), op.f64x2Div, ...twice(offset), op.v128Load(high ? 16 : 0), op.f64x2Add,
    op.f32x4DemoteZero,
  ];
  return {
    name: 'normalizeStored', params: [I32, I32, I32, I32, I32, I32, I32, I32], locals: [I32, V128, V128],
    body: rowsOfGroups(q, c4, x, e, [
      get(x), op.v128Load(), ...at(mean, q), op.v128Load(), op.f32x4Sub, ...at(scale, q), op.v128Load(), op.f32x4Mul, set(t),
      ...half(false), set(lo),
      get(y), get(lo), ...half(true), op.joinLow, op.v128Store(),
      ...advance(x, 16), ...advance(y, 16),
    ]),
  };
})();

// gradStats(dy, end, C4, x, mean, acc): acc holds Σdy and Σdy·(x − mean), f64x2 pairs as above.
const gradStats: WasmFunction = (() => {
  const [dy, e, c4, x, mean, acc, q, a, v, dlo, dhi, xlo, xhi] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  return {
    name: 'gradStats', params: [I32, I32, I32, I32, I32, I32], locals: [I32, I32, V128, V128, V128, V128, V128],
    body: rowsOfGroups(q, c4, dy, e, [
      get(dy), op.v128Load(), set(v), ...promoteBoth(v, dlo, dhi),
      get(x), op.v128Load(), ...at(mean, q), op.v128Load(), op.f32x4Sub, set(v), ...promoteBoth(v, xlo, xhi),
      ...accumulate(a, 0, [get(dlo)]), ...accumulate(a, 16, [get(dhi)]),
      ...accumulate(a, 32, [get(dlo), get(xlo), op.f64x2Mul]), ...accumulate(a, 48, [get(dhi), get(xhi), op.f64x2Mul]),
      ...advance(dy, 16), ...advance(x, 16), ...advance(a, 64),
    ], [get(acc), set(a)]),
  };
})();

// gradInput(dy, end, C4, x, dx, mean, a, k, b): dx = a·dy + k·(x − mean) + b.
const gradInput: WasmFunction = (() => {
  const [dy, e, c4, x, dx, mean, a, k, b, q] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  return {
    name: 'gradInput', params: [I32, I32, I32, I32, I32, I32, I32, I32, I32], locals: [I32],
    body: rowsOfGroups(q, c4, dy, e, [
      get(dx),
      get(dy), op.v128Load(), ...at(a, q), op.v128Load(), op.f32x4Mul,
      get(x), op.v128Load(), ...at(mean, q), op.v128Load(), op.f32x4Sub, ...at(k, q), op.v128Load(), op.f32x4Mul,
      op.f32x4Add, ...at(b, q), op.v128Load(), op.f32x4Add,
      op.v128Store(),
      ...advance(dy, 16), ...advance(x, 16), ...advance(dx, 16),
    ]),
  };
})();

// depthwiseTap(x, xRow, xCol, dy, dyRow, rows, cols, C4, dw): one filter tap's gradient over a
// rows × cols block of output pixels: dw[c] += Σ x[r·xRow + j·xCol + c] · dy[r·dyRow + j·C4 + c].
const depthwiseTap: WasmFunction = (() => {
  const [x, xRow, xCol, dy, dyRow, rows, cols, c4, dw, q, px, pd, n, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  return {
    name: 'depthwiseTap', params: [I32, I32, I32, I32, I32, I32, I32, I32, I32], locals: [I32, I32, I32, I32, V128],
    body: [
      loop,
      i32(0), set(q),
      loop,
      ...at(x, q), set(px), ...at(dy, q), set(pd), get(cols), set(n), op.f32(0), op.f32x4Splat, set(acc),
      loop,
      get(acc), get(px), op.v128Load(), get(pd), op.v128Load(), op.f32x4Mul, op.f32x4Add, set(acc),
      get(px), get(xCol), add, set(px), get(pd), get(c4), add, set(pd),
      get(n), i32(1), sub, tee(n), brIf(0),
      end,
      ...at(dw, q), ...at(dw, q), op.v128Load(), get(acc), op.f32x4Add, op.v128Store(),
      get(q), i32(16), add, tee(q), get(c4), ltU, brIf(0),
      end,
      get(x), get(xRow), add, set(x), get(dy), get(dyRow), add, set(dy),
      get(rows), i32(1), sub, tee(rows), brIf(0),
      end,
    ],
  };
})();

export interface SimdLoops {
  moments(x: number, end: number, c4: number, shift: number, acc: number): void;
  normalize(x: number, end: number, c4: number, y: number, mean: number, scale: number, beta: number): void;
  normalizeStored(x: number, end: number, c4: number, y: number, mean: number, scale: number, norm: number, offset: number): void;
  gradStats(dy: number, end: number, c4: number, x: number, mean: number, acc: number): void;
  gradInput(dy: number, end: number, c4: number, x: number, dx: number, mean: number, a: number, k: number, b: number): void;
  depthwiseTap(x: number, xRow: number, xCol: number, dy: number, dyRow: number, rows: number, cols: number, c4: number, dw: number): void;
  filterRows(
    x0: number, x1: number, x2: number, x3: number, dy: number, d0: number, d1: number, d2: number, d3: number, oBytes: number,
    images: number, xImage: number, dyImage: number, rows: number, xRow: number, dyRow: number, pixels: number, xPixel: number, dyPixel: number,
  ): void;
}

export const instantiateSimdLoops = memoryBinder<SimdLoops>(
  assemble([moments, normalize, normalizeStored, gradStats, gradInput, depthwiseTap, filterRows]),
);
let enabled = true;

/** Turns the SIMD loops off (or back on): the JS loops then run, as where SIMD is missing. */
export function setSimdLoopsEnabled(on: boolean): void {
  enabled = on;
}

/** The loops bound to `backend`'s heap; null where they are off or SIMD is unavailable. */
export function simdLoops(backend: WasmBackendLike): SimdLoops | null {
  if (!enabled) return null;
  const memory = heapMemory(backend);
  return memory ? instantiateSimdLoops(memory) : null;
}
