// MaxPoolGrad for wasm, replacing the shipped kernel.
//
// Idea: one pass over the pooling windows: find each window's first maximum in the forward input
// (the same tie rule as the cpu backend) and add dY there. Channels innermost, so the window search
// runs over contiguous memory, one running max per channel.
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackendLike, f32 } from './wasm-heap.js';

const { backend_util } = tf;

export function maxPoolGradWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, input } = args.inputs;
  const { filterSize, strides, pad, dimRoundingMode } = (args.attrs ?? {}) as unknown as tf.MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const out = backend.makeOutput(input.shape, 'float32');
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  const xv = f32(backend, input);
  const dyv = f32(backend, dy);
  const dx = f32(backend, out);
  dx.fill(0);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < OH; y++) {
      const r0 = Math.max(0, y * info.strideHeight - info.padInfo.top);
      const r1 = Math.min(H, y * info.strideHeight - info.padInfo.top + info.filterHeight);
      for (let x = 0; x < OW; x++) {
        const c0 = Math.max(0, x * info.strideWidth - info.padInfo.left);
        const c1 = Math.min(W, x * info.strideWidth - info.padInfo.left + info.filterWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const off = ((b * H + r) * W + c) * C;
            for (let ch = 0; ch < C; ch++) {
              const v = xv[off + ch];
              if (v > best[ch]) {
                best[ch] = v;
                where[ch] = off + ch;
              }
            }
          }
        }
        const dyOff = ((b * OH + y) * OW + x) * C;
        for (let ch = 0; ch < C; ch++) if (where[ch] >= 0) dx[where[ch]] += dyv[dyOff + ch];
      }
    }
  }
  return out;
}
