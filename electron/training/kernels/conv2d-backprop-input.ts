// Conv2DBackpropInput for wasm, replacing the shipped kernel (a slow direct loop that dominated
// training steps).
//
// Idea: dX is the "full" convolution of dY with the spatially flipped filter whose in/out channel
// axes are swapped. For stride 1 that is one XNNPACK conv with explicit padding (kh-1-padTop, ...).
// For stride s, dY is first spread onto an s-times finer zero grid (inside one padded buffer), then
// convolved the same way with 'valid' padding.
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackendLike, disposeAll, f32, runShipped } from './wasm-heap.js';

const { backend_util } = tf;

/** W[kh,kw,ci,co] → W'[i,j,o,c] = W[kh-1-i, kw-1-j, c, o] (flip spatially, swap channel axes). */
export function flipAndSwapFilter(w: Float32Array, kh: number, kw: number, ci: number, co: number, out: Float32Array): void {
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = ((kh - 1 - i) * kw + (kw - 1 - j)) * ci * co;
      const dst = (i * kw + j) * co * ci;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) out[dst + o * ci + c] = w[src + c * co + o];
      }
    }
  }
}

/**
 * Copies dY [B,OH,OW,C] into a zero buffer [B,PH,PW,C] at rows top + y·sh and columns left + x·sw
 * (entries falling outside are dropped: their taps never reach the input).
 */
export function spreadIntoPadded(
  dy: Float32Array, shape: number[], out: Float32Array, PH: number, PW: number,
  top: number, left: number, sh: number, sw: number,
): void {
  const [B, OH, OW, C] = shape;
  out.fill(0);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      const row = top + y * sh;
      if (row < 0 || row >= PH) continue;
      for (let x = 0; x < OW; x++) {
        const col = left + x * sw;
        if (col < 0 || col >= PW) continue;
        const src = ((b * OH + y) * OW + x) * C;
        out.set(dy.subarray(src, src + C), ((b * PH + row) * PW + col) * C);
      }
    }
  }
}

export function conv2DBackpropInputWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  if (dataFormat != null && dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropInput on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
  const info = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
  const [B, H, W, CI] = inputShape;
  const [KH, KW, , CO] = filter.shape;
  const [, OH, OW] = dy.shape;
  if (OH !== info.outHeight || OW !== info.outWidth) {
    throw new Error(`Conv2DBackpropInput: dy is ${OH}x${OW}, the convolution gives ${info.outHeight}x${info.outWidth}`);
  }
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  // Padding of the full convolution around the (spread) dY.
  const top = KH - 1 - info.padInfo.top;
  const left = KW - 1 - info.padInfo.left;
  const bottom = H + info.padInfo.top - ((OH - 1) * sh + 1);
  const right = W + info.padInfo.left - ((OW - 1) * sw + 1);

  const wf = backend.makeOutput([KH, KW, CO, CI], 'float32');
  flipAndSwapFilter(f32(backend, filter), KH, KW, CI, CO, f32(backend, wf));
  const convAttrs = { strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined };
  let out: tf.TensorInfo;
  if (sh === 1 && sw === 1 && top >= 0 && left >= 0 && bottom >= 0 && right >= 0) {
    out = runShipped('Conv2D', backend, { x: dy, filter: wf }, { ...convAttrs, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] });
  } else {
    const PH = H + KH - 1;
    const PW = W + KW - 1;
    const spread = backend.makeOutput([B, PH, PW, CO], 'float32');
    spreadIntoPadded(f32(backend, dy), dy.shape, f32(backend, spread), PH, PW, top, left, sh, sw);
    out = runShipped('Conv2D', backend, { x: spread, filter: wf }, { ...convAttrs, pad: 'valid' });
    disposeAll(backend, spread);
  }
  disposeAll(backend, wf);
  return out;
}
