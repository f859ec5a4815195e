// The fused Adam step on wasm (engine/fused-adam.ts): m, v and the value in one pass over the heap,
// by engine/adam-step.ts's SIMD loop (its JS arithmetic for the last n mod 4 weights), float32 op by
// op as tfjs rounds it, so the new value, m and v are bit-identical to tf.train.adam's.
import type * as tf from '@tensorflow/tfjs';
import { adamConstants, adamUpdateIn } from '../engine/adam-step.js';
import type { AdamUpdateAttrs } from '../engine/fused-adam.js';
import { type KernelArgs, type WasmBackendLike, f32, heapAddress, heapMemory } from './wasm-heap.js';

export function adamUpdateWasm(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { value, m, v, gradient } = args.inputs;
  const attrs = args.attrs as unknown as AdamUpdateAttrs;
  const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const consts = backend.makeOutput([8], 'float32');
  try {
    // Views after the last allocation (the heap may have grown).
    f32(backend, consts).set(adamConstants(attrs));
    const [outValue, outM, outV] = outs.map((t) => f32(backend, t));
    const memory = heapMemory(backend);
    const arrays = { value: f32(backend, value), m: f32(backend, m), v: f32(backend, v), g: f32(backend, gradient), outValue, outM, outV };
    if (!memory) throw new Error('TlAdamUpdate: the wasm backend exposes no heap memory');
    adamUpdateIn(memory, heapAddress(backend, consts), arrays, attrs);
  } finally {
    backend.disposeData(consts.dataId);
  }
  return outs;
}
