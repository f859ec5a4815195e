// Conv2DBackpropFilter for wasm (the shipped backend has none, so convolutions could not train).
// Filters with a multiple of 8 output channels take the SIMD pass over pixel blocks
// (conv2d-backprop-filter-simd.ts, 0.37× this path's time on tl-resnet-s's convolutions); the
// others, and runtimes without WebAssembly SIMD, take per-tap matrix products:
//
// Idea: dW[i,j,c,o] = Σ_{b,y,x} X[b, y·s+i−p, x·s+j−p, c] · dY[b,y,x,o] is, per filter tap, one
// matrix product [C, P]·[P, O] over all P = B·OH·OW output pixels — done by the shipped
// (XNNPACK) BatchMatMul, which runs these long-K products ~2× faster than a conv would.
// Split taps by phase (i = i0 + a·s). The phase image Xp[c, b, m, n] = X[b, m·s+i0−p, n·s+j0−p, c]
// (zero outside X), channel-major on an R×Cw grid that has room for every tap's shift, turns tap
// (a, bb) into Xp read from flat offset a·Cw + bb: X's channel rows for that tap are one contiguous
// [C, B·R·Cw] window of the buffer (a heap view, no copy). dY is zero-padded to the same grid, so
// pixels a window reads past its own row (or into the next channel's row) meet dY = 0.
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterSimd } from './conv2d-backprop-filter-simd.js';
import { simdLoops } from './simd-loops.js';
import {
  type KernelArgs, type WasmBackendLike, disposeAll, f32, heapView, releaseView, runShipped,
} from './wasm-heap.js';

const { backend_util } = tf;

interface Axis { start: number; stride: number }

/** Xp[c, b, m, n] = X[b, rows.start + m·rows.stride, cols.start + n·cols.stride, c] on an R×Cw
 *  grid, 0 outside X; `out` holds C·B·R·Cw values plus slack, all of which end up written. */
export function channelMajorPhase(
  x: Float32Array, xShape: number[], rows: Axis, cols: Axis, R: number, Cw: number, out: Float32Array,
): void {
  const [B, H, W, C] = xShape;
  const Q = B * R * Cw;
  out.fill(0);
  for (let b = 0; b < B; b++) {
    for (let m = 0; m < R; m++) {
      const h = rows.start + m * rows.stride;
      if (h < 0 || h >= H) continue;
      for (let n = 0; n < Cw; n++) {
        const w = cols.start + n * cols.stride;
        if (w < 0 || w >= W) continue;
        const src = ((b * H + h) * W + w) * C;
        const dst = (b * R + m) * Cw + n;
        for (let c = 0; c < C; c++) out[dst + c * Q] = x[src + c];
      }
    }
  }
}

/** dY [B, OH, OW, O] copied into the top-left of a zeroed [B, R, Cw, O] grid. */
export function padGrid(dy: Float32Array, B: number, OH: number, OW: number, O: number, R: number, Cw: number, out: Float32Array): void {
  out.fill(0);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      const src = ((b * OH + y) * OW) * O;
      out.set(dy.subarray(src, src + OW * O), ((b * R + y) * Cw) * O);
    }
  }
}

export function conv2DBackpropFilterWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat != null && dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const [B, , , CI] = x.shape;
  const [, OH, OW, CO] = dy.shape;
  if (OH !== info.outHeight || OW !== info.outWidth || CO !== filterShape[3] || CI !== filterShape[2]) {
    throw new Error(`Conv2DBackpropFilter: dy ${JSON.stringify(dy.shape)} does not fit a conv of ${JSON.stringify(x.shape)} with filter ${JSON.stringify(filterShape)}`);
  }
  const [KH, KW] = filterShape;
  const sy = info.strideHeight;
  const sx = info.strideWidth;
  const out = backend.makeOutput(filterShape, 'float32');
  if (B * OH * OW === 0) {
    f32(backend, out).fill(0);
    return out;
  }
  const loops = CO % 8 === 0 ? simdLoops(backend) : null;
  if (loops) {
    conv2DBackpropFilterSimd(loops, backend, x, dy, info, out);
    return out;
  }
  // One grid for every phase: room for the most taps a phase has along each axis.
  const R = OH + Math.ceil(KH / sy) - 1;
  const Cw = OW + Math.ceil(KW / sx) - 1;
  const Q = B * R * Cw;
  const slack = R * Cw; // ≥ the largest tap offset, so the last channel's window stays in the buffer
  let dyGrid = dy;
  if (R !== OH || Cw !== OW) {
    dyGrid = backend.makeOutput([B, R, Cw, CO], 'float32');
    padGrid(f32(backend, dy), B, OH, OW, CO, R, Cw, f32(backend, dyGrid));
  }
  const rhs: tf.TensorInfo = { dataId: dyGrid.dataId, shape: [Q, CO], dtype: 'float32' };
  const xp = backend.makeOutput([CI * Q + slack], 'float32');
  for (let i0 = 0; i0 < Math.min(sy, KH); i0++) {
    const nh = Math.ceil((KH - i0) / sy);
    for (let j0 = 0; j0 < Math.min(sx, KW); j0++) {
      const nw = Math.ceil((KW - j0) / sx);
      channelMajorPhase(f32(backend, x), x.shape, { start: i0 - info.padInfo.top, stride: sy },
        { start: j0 - info.padInfo.left, stride: sx }, R, Cw, f32(backend, xp));
      for (let a = 0; a < nh; a++) {
        for (let bb = 0; bb < nw; bb++) {
          const view = heapView(backend, xp, a * Cw + bb, [CI, Q]);
          const r = runShipped('BatchMatMul', backend, { a: view, b: rhs }, { transposeA: false, transposeB: false });
          releaseView(backend, view);
          // r [C, O] is exactly the HWIO slice of tap (i0 + a·sy, j0 + bb·sx).
          f32(backend, out).set(f32(backend, r), ((i0 + a * sy) * KW + j0 + bb * sx) * CI * CO);
          disposeAll(backend, r);
        }
      }
    }
  }
  disposeAll(backend, xp);
  if (dyGrid !== dy) disposeAll(backend, dyGrid);
  return out;
}
