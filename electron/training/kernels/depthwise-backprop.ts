// DepthwiseConv2dNativeBackpropFilter / BackpropInput for wasm (missing in the shipped backend, so
// MobileNet-style nets could not be fine-tuned).
//
// Input gradient, channel multiplier 1, no dilation: like a dense conv, dX is the full depthwise
// convolution of (spread) dY with the spatially flipped filter — one XNNPACK depthwise conv.
// Otherwise, and for the filter gradient (a per-channel correlation that no XNNPACK op expresses
// without C-fold waste), a direct loop over the heap with channels innermost (contiguous in x, dy, w).
import * as tf from '@tensorflow/tfjs';
import { spreadIntoPadded } from './conv2d-backprop-input.js';
import { type KernelArgs, type WasmBackendLike, disposeAll, f32, runShipped } from './wasm-heap.js';

const { backend_util } = tf;
type Args = KernelArgs;
type DwAttrs = { strides: number | [number, number]; dilations?: number | [number, number]; pad: tf.DepthwiseConv2dNativeAttrs['pad']; dimRoundingMode?: 'floor' | 'round' | 'ceil' };

function convInfo(xShape: number[], filterShape: number[], a: DwAttrs) {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
}

type Info = ReturnType<typeof convInfo>;

/** Visits every (input pixel, output pixel, tap) triple of a depthwise conv, channels left to `body`. */
function forEachTap(info: Info, body: (xOff: number, dyOff: number, wOff: number) => void): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const M = info.outChannels / C;
  const KH = info.filterHeight;
  const KW = info.filterWidth;
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      for (let i = 0; i < KH; i++) {
        const ih = y * info.strideHeight + i * info.dilationHeight - info.padInfo.top;
        if (ih < 0 || ih >= H) continue;
        for (let x = 0; x < OW; x++) {
          const dyOff = ((b * OH + y) * OW + x) * C * M;
          for (let j = 0; j < KW; j++) {
            const iw = x * info.strideWidth + j * info.dilationWidth - info.padInfo.left;
            if (iw < 0 || iw >= W) continue;
            body(((b * H + ih) * W + iw) * C, dyOff, (i * KW + j) * C * M);
          }
        }
      }
    }
  }
}

export function depthwiseBackpropFilterWasm(args: Args): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs;
  const attrs = (args.attrs ?? {}) as unknown as DwAttrs & { filterShape: [number, number, number, number] };
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  const dw = f32(backend, out);
  dw.fill(0);
  const C = info.inChannels;
  const M = info.outChannels / C;
  if (M === 1) {
    forEachTap(info, (xo, dyo, wo) => {
      for (let c = 0; c < C; c++) dw[wo + c] += xv[xo + c] * dyv[dyo + c];
    });
  } else {
    forEachTap(info, (xo, dyo, wo) => {
      for (let c = 0; c < C; c++) {
        const xc = xv[xo + c];
        for (let m = 0; m < M; m++) dw[wo + c * M + m] += xc * dyv[dyo + c * M + m];
      }
    });
  }
  return out;
}

export function depthwiseBackpropInputWasm(args: Args): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs;
  const attrs = (args.attrs ?? {}) as unknown as DwAttrs & { inputShape: [number, number, number, number] };
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  const [B, H, W, C] = attrs.inputShape;
  const [KH, KW, , M] = filter.shape;
  const undilated = info.dilationHeight === 1 && info.dilationWidth === 1;
  if (M === 1 && undilated) return viaFlippedDepthwise(backend, dy, filter, info, [B, H, W, C], KH, KW);

  const out = backend.makeOutput(attrs.inputShape, 'float32');
  const dx = f32(backend, out);
  const dyv = f32(backend, dy);
  const wv = f32(backend, filter);
  dx.fill(0);
  forEachTap(info, (xo, dyo, wo) => {
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let m = 0; m < M; m++) acc += dyv[dyo + c * M + m] * wv[wo + c * M + m];
      dx[xo + c] += acc;
    }
  });
  return out;
}

function viaFlippedDepthwise(
  backend: WasmBackendLike, dy: tf.TensorInfo, filter: tf.TensorInfo, info: Info,
  inputShape: number[], KH: number, KW: number,
): tf.TensorInfo {
  const [B, H, W, C] = inputShape;
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
  const wf = backend.makeOutput([KH, KW, C, 1], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, wf);
  for (let i = 0; i < KH; i++) {
    for (let j = 0; j < KW; j++) {
      dst.set(src.subarray(((KH - 1 - i) * KW + (KW - 1 - j)) * C, ((KH - 1 - i) * KW + (KW - 1 - j) + 1) * C), (i * KW + j) * C);
    }
  }
  const top = KH - 1 - info.padInfo.top;
  const left = KW - 1 - info.padInfo.left;
  const bottom = H + info.padInfo.top - ((OH - 1) * sh + 1);
  const right = W + info.padInfo.left - ((OW - 1) * sw + 1);
  const dwAttrs = { strides: [1, 1], dilations: [1, 1], dimRoundingMode: undefined };
  let out: tf.TensorInfo;
  if (sh === 1 && sw === 1 && top >= 0 && left >= 0 && bottom >= 0 && right >= 0) {
    out = runShipped('DepthwiseConv2dNative', backend, { x: dy, filter: wf }, { ...dwAttrs, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] });
  } else {
    const PH = H + KH - 1;
    const PW = W + KW - 1;
    const spread = backend.makeOutput([B, PH, PW, C], 'float32');
    spreadIntoPadded(f32(backend, dy), dy.shape, f32(backend, spread), PH, PW, top, left, sh, sw);
    out = runShipped('DepthwiseConv2dNative', backend, { x: spread, filter: wf }, { ...dwAttrs, pad: 'valid' });
    disposeAll(backend, spread);
  }
  disposeAll(backend, wf);
  return out;
}
