// Conv2DBackpropInput for wasm, replacing the shipped kernel (a direct loop that took ~35 % of a
// training step).
//
// Idea: dX is the "full" convolution of dY with the spatially flipped filter whose in/out channel
// axes are swapped. Stride 1: one XNNPACK conv with padding kh−1−padTop etc. Stride s: s×s stride-1
// convs with the phase sub-filters, interleaved into dX (see transposed-conv.ts).
import * as tf from '@tensorflow/tfjs';
import { type Phase1D, transposedConv } from './transposed-conv.js';
import { type KernelArgs, type WasmBackendLike, f32 } from './wasm-heap.js';

const { backend_util } = tf;

/**
 * Sub-filter of one phase: F[ty,tx,o,c] = W[k0y + (njy−1−ty)·sy, k0x + (njx−1−tx)·sx, c, o]
 * (taps of the phase, flipped, channel axes swapped) from W [KH, KW, CI, CO].
 */
export function phaseFilter(
  w: Float32Array, KW: number, CI: number, CO: number, py: Phase1D, px: Phase1D, sy: number, sx: number, out: Float32Array,
): void {
  for (let ty = 0; ty < py.nj; ty++) {
    const ky = py.k0 + (py.nj - 1 - ty) * sy;
    for (let tx = 0; tx < px.nj; tx++) {
      const kx = px.k0 + (px.nj - 1 - tx) * sx;
      const src = (ky * KW + kx) * CI * CO;
      const dst = (ty * px.nj + tx) * CO * CI;
      for (let c = 0; c < CI; c++) {
        for (let o = 0; o < CO; o++) out[dst + o * CI + c] = w[src + c * CO + o];
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
  const [KH, KW, CI, CO] = filter.shape;
  if (dy.shape[1] !== info.outHeight || dy.shape[2] !== info.outWidth || dy.shape[3] !== CO) {
    throw new Error(`Conv2DBackpropInput: dy ${JSON.stringify(dy.shape)} does not fit a conv of ${JSON.stringify(inputShape)} with filter ${JSON.stringify(filter.shape)}`);
  }
  const sy = info.strideHeight;
  const sx = info.strideWidth;
  return transposedConv(backend, {
    dy, inputShape, kernel: [KH, KW], strides: [sy, sx], padTop: info.padInfo.top, padLeft: info.padInfo.left,
    convKernel: 'Conv2D',
    subFilter: (py, px) => {
      const t = backend.makeOutput([py.nj, px.nj, CO, CI], 'float32');
      phaseFilter(f32(backend, filter), KW, CI, CO, py, px, sy, sx, f32(backend, t));
      return t;
    },
  });
}
