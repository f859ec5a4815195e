// The inner loop of the dense convolution's filter gradient (conv2d-backprop-filter-simd.ts): four
// rows of the filter gradient, each the product of one strided input row with the output gradient,
//   d_i[o] += Σ_pixels x_i[pixel] · dy[pixel, o]   for i < 4, o < O (O a multiple of 8),
// over a walk of images × rows × pixels (each level its own strides for x and for dy, so the walk
// skips the input's padding and reads dy as it is). 4 × 8 accumulators stay in registers: per pixel
// two vector loads of dy and four splat loads of x feed sixteen multiply-adds. Pointers and strides
// are in bytes; counts are ≥ 1; oBytes = 4·O ≥ 32.
import { I32, V128, type Code, type ValType, type WasmFunction, op } from '../engine/wasm-asm.js';

const { get, set, tee, i32, add, sub, ltU, loop, end, brIf } = op;

const FILTER_ROWS_PARAMS = [
  'x0', 'x1', 'x2', 'x3', 'dy', 'd0', 'd1', 'd2', 'd3', 'oBytes',
  'images', 'xImage', 'dyImage', 'rows', 'xRow', 'dyRow', 'pixels', 'xPixel', 'dyPixel',
] as const;

export const filterRows: WasmFunction = (() => {
  const p = Object.fromEntries(FILTER_ROWS_PARAMS.map((n, i) => [n, i])) as Record<typeof FILTER_ROWS_PARAMS[number], number>;
  const X = [p.x0, p.x1, p.x2, p.x3];
  const D = [p.d0, p.d1, p.d2, p.d3];
  let next = FILTER_ROWS_PARAMS.length;
  const i32s = (n: number) => Array.from({ length: n }, () => next++);
  const ob = next++;
  const XI = i32s(4); // row pointers at the current image
  const XR = i32s(4); // … at the current row
  const XP = i32s(4); // … at the current pixel
  const [dyI, dyR, dyP, img, row, k] = i32s(6);
  const firstV = next;
  const acc = (i: number, h: number) => firstV + 2 * i + h; // row i, lanes 4h … 4h+3
  const [v0, v1, s] = [firstV + 8, firstV + 9, firstV + 10];
  const perRow = (f: (i: number) => Code[]): Code[] => [0, 1, 2, 3].flatMap(f);
  const zero = (i: number, h: number): Code[] => [op.f32(0), op.f32x4Splat, set(acc(i, h))];
  const madd = (i: number, h: number, v: number): Code[] => [get(acc(i, h)), get(s), get(v), op.f32x4Mul, op.f32x4Add, set(acc(i, h))];
  const flush = (i: number, h: number): Code[] => [
    get(D[i]), get(ob), add, get(D[i]), get(ob), add, op.v128Load(16 * h), get(acc(i, h)), op.f32x4Add, op.v128Store(16 * h),
  ];
  const step = (ptr: number, by: number): Code[] => [get(ptr), get(by), add, set(ptr)];
  const countDown = (c: number): Code[] => [get(c), i32(1), sub, tee(c), brIf(0)];
  return {
    name: 'filterRows',
    params: FILTER_ROWS_PARAMS.map((): ValType => I32),
    locals: [...Array.from({ length: firstV - FILTER_ROWS_PARAMS.length }, (): ValType => I32), ...Array.from({ length: 11 }, (): ValType => V128)],
    body: [
      i32(0), set(ob),
      loop, // 8 output columns at a time
      ...perRow((i) => [get(X[i]), set(XI[i]), ...zero(i, 0), ...zero(i, 1)]),
      get(p.dy), get(ob), add, set(dyI), get(p.images), set(img),
      loop, // images
      ...perRow((i) => [get(XI[i]), set(XR[i])]), get(dyI), set(dyR), get(p.rows), set(row),
      loop, // rows
      ...perRow((i) => [get(XR[i]), set(XP[i])]), get(dyR), set(dyP), get(p.pixels), set(k),
      loop, // pixels
      get(dyP), op.v128Load(0), set(v0), get(dyP), op.v128Load(16), set(v1),
      ...perRow((i) => [get(XP[i]), op.v128Load32Splat(), set(s), ...madd(i, 0, v0), ...madd(i, 1, v1), ...step(XP[i], p.xPixel)]),
      ...step(dyP, p.dyPixel),
      ...countDown(k),
      end,
      ...perRow((i) => step(XR[i], p.xRow)), ...step(dyR, p.dyRow),
      ...countDown(row),
      end,
      ...perRow((i) => step(XI[i], p.xImage)), ...step(dyI, p.dyImage),
      ...countDown(img),
      end,
      ...perRow((i) => [...flush(i, 0), ...flush(i, 1)]),
      get(ob), i32(32), add, tee(ob), get(p.oBytes), ltU, brIf(0),
      end,
    ],
  };
})();
