// FusedBatchNorm (BatchNormalization in inference mode: the embedding pass, the frozen prefix,
// every prediction) as one SIMD pass over channels-last activations. The shipped kernel is a scalar
// loop that wraps four parameter indices and divides in double once per value; it took 0.44× the
// time of the convolutions in a tl-resnet-s forward pass. The same operations in the same precision
// (simd-loops.ts, normalizeStored), so the output is the shipped kernel's bit for bit (tested) and
// embeddings cached before stay valid. Shapes the loop does not cover (channels not a multiple of 4,
// a missing offset or scale, parameters that broadcast another way) go to the shipped kernel.
import * as tf from '@tensorflow/tfjs';
import { simdLoops } from './simd-loops.js';
import { type KernelArgs, type WasmBackendLike, disposeAll, f32, heapAddress, runShipped } from './wasm-heap.js';

interface FusedBatchNormAttrs { varianceEpsilon: number }

export function fusedBatchNormWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, mean, variance, offset, scale } = args.inputs;
  const C = x.shape[x.shape.length - 1] ?? 0;
  const size = tf.util.sizeFromShape(x.shape);
  const perChannel = (t: tf.TensorInfo | undefined) => t != null && t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === C;
  const loops = C > 0 && C % 4 === 0 && size > 0 && x.dtype === 'float32'
    && [mean, variance, offset, scale].every(perChannel) ? simdLoops(backend) : null;
  if (!loops) return runShipped('FusedBatchNorm', backend, args.inputs, args.attrs);
  // As the shipped kernel: ε a C float, sqrtf(variance + ε) kept as a double, offset added in double.
  const eps = Math.fround((args.attrs as unknown as FusedBatchNormAttrs).varianceEpsilon);
  const v = f32(backend, variance);
  const o = f32(backend, offset);
  const doubles = new Float64Array(2 * C);
  for (let c = 0; c < C; c++) {
    doubles[c] = Math.fround(Math.sqrt(Math.fround(v[c] + eps)));
    doubles[C + c] = o[c];
  }
  // Written as floats: the heap tensor is not sure to be 8-byte aligned for a Float64Array view.
  const params = backend.makeOutput([4 * C], 'float32');
  const y = backend.makeOutput(x.shape, 'float32');
  f32(backend, params).set(new Float32Array(doubles.buffer));
  const px = heapAddress(backend, x);
  const pp = heapAddress(backend, params);
  loops.normalizeStored(px, px + 4 * size, 4 * C, heapAddress(backend, y), heapAddress(backend, mean),
    heapAddress(backend, scale), pp, pp + 8 * C);
  disposeAll(backend, params);
  return y;
}
