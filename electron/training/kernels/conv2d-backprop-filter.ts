// Conv2DBackpropFilter for wasm (the shipped backend has none, so convolutions could not train).
//
// Idea: the filter gradient is itself a convolution. dW[i,j,c,o] = Σ_{b,y,x} X[b, y·s+i, x·s+j, c] ·
// dY[b,y,x,o]. Read X transposed to [C, H, W, B] as a batch of C images with B channels, and dY
// transposed to [OH, OW, B, O] as a filter whose taps sit `stride` apart (dilation = stride): one
// stride-1 XNNPACK conv then yields [C, KH, KW, O], transposed back to [KH, KW, C, O].
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackendLike, disposeAll, f32, runShipped } from './wasm-heap.js';

/**
 * [B, P, C] → [P, B, C]: moves whole channel rows (the shipped generic Transpose walks element by
 * element and took longer than the convolution itself).
 */
export function batchToInner(src: Float32Array, B: number, P: number, C: number, out: Float32Array): void {
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      const s = (b * P + p) * C;
      const d = (p * B + b) * C;
      for (let c = 0; c < C; c++) out[d + c] = src[s + c];
    }
  }
}

const { backend_util } = tf;

export function conv2DBackpropFilterWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat != null && dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const [, H, W] = x.shape;
  const [, OH, OW] = dy.shape;
  if (OH !== info.outHeight || OW !== info.outWidth) {
    throw new Error(`Conv2DBackpropFilter: dy is ${OH}x${OW}, the convolution gives ${info.outHeight}x${info.outWidth}`);
  }
  const KH = info.filterHeight;
  const KW = info.filterWidth;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const { top, left } = info.padInfo;
  // Pad the bottom/right only as far as the last tap reaches; any extra rows are cut off below.
  const bottom = Math.max(0, KH + (OH - 1) * sh - H - top);
  const right = Math.max(0, KW + (OW - 1) * sw - W - left);

  const xT = runShipped('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
  const dyT = backend.makeOutput([OH, OW, dy.shape[0], dy.shape[3]], 'float32');
  batchToInner(f32(backend, dy), dy.shape[0], OH * OW, dy.shape[3], f32(backend, dyT));
  let r = runShipped('Conv2D', backend, { x: xT, filter: dyT }, {
    strides: [1, 1], dilations: [sh, sw], dataFormat: 'NHWC', dimRoundingMode: undefined,
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
  });
  disposeAll(backend, xT, dyT);
  if (r.shape[1] !== KH || r.shape[2] !== KW) {
    const cut = runShipped('Slice', backend, { x: r }, { begin: [0, 0, 0, 0], size: [r.shape[0], KH, KW, r.shape[3]] });
    disposeAll(backend, r);
    r = cut;
  }
  const out = runShipped('Transpose', backend, { x: r }, { perm: [1, 2, 0, 3] });
  disposeAll(backend, r);
  return out;
}
