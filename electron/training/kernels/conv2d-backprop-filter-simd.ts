// The dense filter gradient as one pass over pixel blocks, where WebAssembly SIMD is available and
// the filter has a multiple of 8 output channels (every conv of tl-resnet-s and MobileNet).
//
// Why not per-tap matrix products (conv2d-backprop-filter.ts): each of those streams the whole input
// and output gradient through the cache once per tap, and a one-channel stem makes them [1, P]·[P, O]
// products that run at a tenth of the machine's speed. Here the pixels are cut into blocks that fit
// in L2 and every tap and channel of a block is done before the next block, four filter rows at a time.
//
// Layout (the grid of the per-tap path, but pixel-major): per stride phase, the input image
// Xp[b, m, n, c] = X[b, m·s + i0 − pad, n·s + j0 − pad, c] (zero outside X) on an R×Cw grid. Tap
// (i0 + a·s, j0 + bb·s) of output pixel (b, y, x) reads Xp[b, y + a, x + bb], so each filter row
// (tap, c) walks Xp from a constant offset with the same strides as dY's walk over its own pixels.
import * as tf from '@tensorflow/tfjs';
import type { SimdLoops } from './simd-loops.js';
import { type WasmBackendLike, disposeAll, f32, heapAddress } from './wasm-heap.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
interface Axis { start: number; stride: number }

/** Floats of input and output gradient a pixel block may hold (two ~64 KB halves: L2-resident). */
const BLOCK_FLOATS = 32_768;

/** Xp[b, m, n, c] = X[b, rows.start + m·rows.stride, cols.start + n·cols.stride, c], 0 outside X. */
function pixelMajorPhase(x: Float32Array, xShape: number[], rows: Axis, cols: Axis, R: number, Cw: number, out: Float32Array): void {
  const [B, H, W, C] = xShape;
  out.fill(0);
  // The grid columns that land inside X: n with 0 ≤ cols.start + n·cols.stride < W.
  const nLo = Math.max(0, Math.ceil(-cols.start / cols.stride));
  const nHi = Math.min(Cw, Math.ceil((W - cols.start) / cols.stride));
  for (let b = 0; b < B; b++) {
    for (let m = 0; m < R; m++) {
      const h = rows.start + m * rows.stride;
      if (h < 0 || h >= H || nHi <= nLo) continue;
      const dst = ((b * R + m) * Cw + nLo) * C;
      const src = ((b * H + h) * W + cols.start + nLo * cols.stride) * C;
      if (cols.stride === 1) {
        out.set(x.subarray(src, src + (nHi - nLo) * C), dst);
        continue;
      }
      for (let n = 0; n < nHi - nLo; n++) {
        const s = src + n * cols.stride * C;
        for (let c = 0; c < C; c++) out[dst + n * C + c] = x[s + c];
      }
    }
  }
}

/** Fills `out` (HWIO, on the heap) with the filter gradient; the caller checked CO % 8 == 0. */
export function conv2DBackpropFilterSimd(
  loops: SimdLoops, backend: WasmBackendLike, x: tf.TensorInfo, dy: tf.TensorInfo, info: ConvInfo, out: tf.TensorInfo,
): void {
  const [B, , , C] = x.shape;
  const { outHeight: OH, outWidth: OW, outChannels: O, filterHeight: KH, filterWidth: KW, strideHeight: sy, strideWidth: sx } = info;
  const R = OH + Math.ceil(KH / sy) - 1;
  const Cw = OW + Math.ceil(KW / sx) - 1;
  const phases: { i0: number; j0: number; t: tf.TensorInfo }[] = [];
  for (let i0 = 0; i0 < Math.min(sy, KH); i0++) {
    for (let j0 = 0; j0 < Math.min(sx, KW); j0++) phases.push({ i0, j0, t: backend.makeOutput([B * R * Cw * C], 'float32') });
  }
  const spare = backend.makeOutput([3 * O], 'float32'); // where a last group's missing rows go
  // No allocation below: heap views stay valid.
  for (const ph of phases) {
    pixelMajorPhase(f32(backend, x), x.shape, { start: ph.i0 - info.padInfo.top, stride: sy },
      { start: ph.j0 - info.padInfo.left, stride: sx }, R, Cw, f32(backend, ph.t));
  }
  f32(backend, out).fill(0);

  // Filter rows in HWIO order (tap-major, then input channel): where each reads Xp, where it adds to.
  const rowX: number[] = [];
  const rowD: number[] = [];
  const outAt = heapAddress(backend, out);
  for (let i = 0; i < KH; i++) {
    for (let j = 0; j < KW; j++) {
      const base = heapAddress(backend, phases.find((p) => p.i0 === i % sy && p.j0 === j % sx)!.t);
      const shift = Math.floor(i / sy) * Cw + Math.floor(j / sx);
      for (let c = 0; c < C; c++) {
        rowX.push(base + 4 * (shift * C + c));
        rowD.push(outAt + 4 * ((i * KW + j) * C + c) * O);
      }
    }
  }
  const spareAt = heapAddress(backend, spare);
  while (rowX.length % 4 !== 0) {
    rowD.push(spareAt + 4 * O * (rowX.length % 4 - 1));
    rowX.push(rowX[0]);
  }
  const dyAt = heapAddress(backend, dy);
  const stride = { xPixel: 4 * C, xRow: 4 * Cw * C, xImage: 4 * R * Cw * C, dyPixel: 4 * O, dyRow: 4 * OW * O, dyImage: 4 * OH * OW * O };
  const run = (images: number, rows: number, xOff: number, dyOff: number) => {
    for (let r = 0; r < rowX.length; r += 4) {
      loops.filterRows(rowX[r] + xOff, rowX[r + 1] + xOff, rowX[r + 2] + xOff, rowX[r + 3] + xOff, dyAt + dyOff,
        rowD[r], rowD[r + 1], rowD[r + 2], rowD[r + 3], 4 * O,
        images, stride.xImage, stride.dyImage, rows, stride.xRow, stride.dyRow, OW, stride.xPixel, stride.dyPixel);
    }
  };
  // Blocks of whole images where an image is small, else of whole rows of one image.
  const blockPixels = Math.max(16, Math.floor(BLOCK_FLOATS / (C + O)));
  if (OH * OW <= blockPixels) {
    const per = Math.floor(blockPixels / (OH * OW));
    for (let b = 0; b < B; b += per) run(Math.min(per, B - b), OH, b * stride.xImage, b * stride.dyImage);
  } else {
    const per = Math.max(1, Math.floor(blockPixels / OW));
    for (let b = 0; b < B; b++) {
      for (let y = 0; y < OH; y += per) {
        run(1, Math.min(per, OH - y), b * stride.xImage + y * stride.xRow, b * stride.dyImage + y * stride.dyRow);
      }
    }
  }
  disposeAll(backend, spare, ...phases.map((p) => p.t));
}
