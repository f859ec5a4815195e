// The fused Adam step on wasm (engine/fused-adam.ts): m, v and the value in one pass over the heap.
// The arithmetic is engine/host-optimizers.ts's adamUpdateInto, float32 op by op as tfjs rounds
// it, so the new value, m and v are bit-identical to tf.train.adam's.
import type * as tf from '@tensorflow/tfjs';
import type { AdamUpdateAttrs } from '../engine/fused-adam.js';
import { adamUpdateInto } from '../engine/host-optimizers.js';
import { type KernelArgs, type WasmBackendLike, f32 } from './wasm-heap.js';

export function adamUpdateWasm(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { value, m, v, gradient } = args.inputs;
  const attrs = args.attrs as unknown as AdamUpdateAttrs;
  const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  // Views after the last allocation (the heap may have grown).
  const [outValue, outM, outV] = outs.map((t) => f32(backend, t));
  adamUpdateInto(f32(backend, value), f32(backend, m), f32(backend, v), f32(backend, gradient), attrs, outValue, outM, outV);
  return outs;
}
