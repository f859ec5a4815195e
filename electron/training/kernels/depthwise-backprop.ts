// DepthwiseConv2dNativeBackpropFilter / BackpropInput for wasm (missing in the shipped backend, so
// MobileNet-style nets could not be fine-tuned).
//
// Input gradient, channel multiplier 1, no dilation: like a dense conv, dX is the full depthwise
// convolution of dY with the spatially flipped filter — XNNPACK depthwise convs, one per stride
// phase (transposed-conv.ts).
// Otherwise, and for the filter gradient (a per-channel correlation that no XNNPACK op expresses
// without C-fold waste), a direct loop over the heap with channels innermost (contiguous in x, dy, w):
// WebAssembly SIMD per filter tap where four channels fill a vector, JS elsewhere.
import * as tf from '@tensorflow/tfjs';
import { type SimdLoops, simdLoops } from './simd-loops.js';
import { transposedConv } from './transposed-conv.js';
import { type KernelArgs, type WasmBackendLike, f32, heapAddress } from './wasm-heap.js';

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

/** The common MobileNet case, written out without the per-tap callback (3-4× faster in V8). */
function filterGradMultiplier1(info: Info, xv: Float32Array, dyv: Float32Array, dw: Float32Array): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const KH = info.filterHeight;
  const KW = info.filterWidth;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwid } = info;
  const { top, left } = info.padInfo;
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      for (let x = 0; x < OW; x++) {
        const dyo = ((b * OH + y) * OW + x) * C;
        for (let i = 0; i < KH; i++) {
          const ih = y * sh + i * dh - top;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < KW; j++) {
            const iw = x * sw + j * dwid - left;
            if (iw < 0 || iw >= W) continue;
            const xo = ((b * H + ih) * W + iw) * C;
            const wo = (i * KW + j) * C;
            for (let c = 0; c < C; c++) dw[wo + c] += xv[xo + c] * dyv[dyo + c];
          }
        }
      }
    }
  }
}

/** Output positions o in [lo, hi) whose input o·stride + tap − pad lies inside [0, size). */
function validRange(size: number, outSize: number, stride: number, tap: number, pad: number): [number, number] {
  const lo = Math.max(0, Math.ceil((pad - tap) / stride));
  const hi = Math.min(outSize, Math.floor((size - 1 + pad - tap) / stride) + 1);
  return [lo, hi];
}

/** Multiplier 1, C % 4 == 0: per image and tap, one SIMD pass over the block of output pixels
 *  that tap sees (no per-pixel bounds checks, four channels per instruction). Images outermost,
 *  so one image's x and dy stay in cache across its taps. */
function filterGradSimd(info: Info, loops: SimdLoops, px: number, pdy: number, pdw: number): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwid } = info;
  const { top, left } = info.padInfo;
  const taps: { x: number; dy: number; dw: number; rows: number; cols: number }[] = [];
  for (let i = 0; i < info.filterHeight; i++) {
    const [y0, y1] = validRange(H, OH, sh, i * dh, top);
    for (let j = 0; j < info.filterWidth; j++) {
      const [x0, x1] = validRange(W, OW, sw, j * dwid, left);
      if (y1 <= y0 || x1 <= x0) continue;
      const ih = y0 * sh + i * dh - top;
      const iw = x0 * sw + j * dwid - left;
      taps.push({ x: 4 * (ih * W + iw) * C, dy: 4 * (y0 * OW + x0) * C, dw: pdw + 4 * (i * info.filterWidth + j) * C, rows: y1 - y0, cols: x1 - x0 });
    }
  }
  for (let b = 0; b < B; b++) {
    const xb = px + 4 * b * H * W * C;
    const dyb = pdy + 4 * b * OH * OW * C;
    for (const t of taps) {
      loops.depthwiseTap(xb + t.x, 4 * sh * W * C, 4 * sw * C, dyb + t.dy, 4 * OW * C, t.rows, t.cols, 4 * C, t.dw);
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
  const loops = M === 1 && C % 4 === 0 ? simdLoops(backend) : null;
  if (loops) filterGradSimd(info, loops, heapAddress(backend, x), heapAddress(backend, dy), heapAddress(backend, out));
  else if (M === 1) filterGradMultiplier1(info, xv, dyv, dw);
  else {
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
  const C = inputShape[3];
  const sy = info.strideHeight;
  const sx = info.strideWidth;
  return transposedConv(backend, {
    dy, inputShape, kernel: [KH, KW], strides: [sy, sx], padTop: info.padInfo.top, padLeft: info.padInfo.left,
    convKernel: 'DepthwiseConv2dNative',
    subFilter: (py, px) => {
      // F[ty,tx,c] = W[k0y + (njy−1−ty)·sy, k0x + (njx−1−tx)·sx, c]: the phase's taps, flipped.
      const t = backend.makeOutput([py.nj, px.nj, C, 1], 'float32');
      const w = f32(backend, filter);
      const f = f32(backend, t);
      for (let ty = 0; ty < py.nj; ty++) {
        for (let tx = 0; tx < px.nj; tx++) {
          const src = ((py.k0 + (py.nj - 1 - ty) * sy) * KW + px.k0 + (px.nj - 1 - tx) * sx) * C;
          f.set(w.subarray(src, src + C), (ty * px.nj + tx) * C);
        }
      }
      return t;
    },
  });
}
