// Conv2DBackpropFilter for wasm (the shipped backend has none, so convolutions could not train).
//
// Idea: the filter gradient is itself a convolution. dW[i,j,c,o] = Σ_{b,y,x} X[b, y·s+i−p, x·s+j−p, c]
// · dY[b,y,x,o]. Split the taps by phase (i = i0 + a·s): with the phase image
// Xp[c, m, n, b] = X[b, m·s+i0−p, n·s+j0−p, c] (zero outside X), dW[i0+a·s, j0+b·s] is a plain
// stride-1 'valid' correlation of Xp (a batch of C images with B channels) with dY read as a filter
// [OH, OW, B, O]. So: one copy of X into phase images (it also applies the padding and skips pixels
// no tap reads), one row-move of dY, and s×s XNNPACK convs whose multiplies are exactly the forward's.
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackendLike, disposeAll, f32, runShipped } from './wasm-heap.js';

const { backend_util } = tf;

/** [B, P, C] → [P, B, C]: moves whole channel rows. */
export function batchToInner(src: Float32Array, B: number, P: number, C: number, out: Float32Array): void {
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      const s = (b * P + p) * C;
      const d = (p * B + b) * C;
      for (let c = 0; c < C; c++) out[d + c] = src[s + c];
    }
  }
}

interface Axis { start: number; stride: number; count: number; size: number }

/** Xp[c, m, n, b] = X[b, rows.start + m·rows.stride, cols.start + n·cols.stride, c], 0 outside X. */
export function phaseImage(x: Float32Array, xShape: number[], rows: Axis, cols: Axis, out: Float32Array): void {
  const [B, H, W, C] = xShape;
  const plane = rows.count * cols.count * B;
  out.fill(0);
  for (let b = 0; b < B; b++) {
    for (let m = 0; m < rows.count; m++) {
      const h = rows.start + m * rows.stride;
      if (h < 0 || h >= H) continue;
      for (let n = 0; n < cols.count; n++) {
        const w = cols.start + n * cols.stride;
        if (w < 0 || w >= W) continue;
        const src = ((b * H + h) * W + w) * C;
        const dst = (m * cols.count + n) * B + b;
        for (let c = 0; c < C; c++) out[dst + c * plane] = x[src + c];
      }
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

  const dyT = backend.makeOutput([OH, OW, B, CO], 'float32');
  batchToInner(f32(backend, dy), B, OH * OW, CO, f32(backend, dyT));
  const out = backend.makeOutput(filterShape, 'float32');
  for (let i0 = 0; i0 < Math.min(sy, KH); i0++) {
    const nh = Math.ceil((KH - i0) / sy);
    const rows = { start: i0 - info.padInfo.top, stride: sy, count: OH + nh - 1, size: nh };
    for (let j0 = 0; j0 < Math.min(sx, KW); j0++) {
      const nw = Math.ceil((KW - j0) / sx);
      const cols = { start: j0 - info.padInfo.left, stride: sx, count: OW + nw - 1, size: nw };
      const xp = backend.makeOutput([CI, rows.count, cols.count, B], 'float32');
      phaseImage(f32(backend, x), x.shape, rows, cols, f32(backend, xp));
      const r = runShipped('Conv2D', backend, { x: xp, filter: dyT }, {
        strides: [1, 1], dilations: [1, 1], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined,
      });
      // r[c, a, b, o] → dW[i0 + a·sy, j0 + b·sx, c, o]
      const rv = f32(backend, r);
      const dw = f32(backend, out);
      for (let c = 0; c < CI; c++) {
        for (let a = 0; a < nh; a++) {
          for (let bb = 0; bb < nw; bb++) {
            const src = ((c * nh + a) * nw + bb) * CO;
            const dst = (((i0 + a * sy) * KW + j0 + bb * sx) * CI + c) * CO;
            for (let o = 0; o < CO; o++) dw[dst + o] = rv[src + o];
          }
        }
      }
      disposeAll(backend, xp, r);
    }
  }
  disposeAll(backend, dyT);
  return out;
}
