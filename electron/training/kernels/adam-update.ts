// The fused Adam step on wasm (engine/fused-adam.ts): m, v and the value in one pass over the heap.
// Every operation is rounded to float32 as tfjs's ops round it (mul, add, square, div, sqrt are
// correctly rounded; a double computation rounded once per op gives the same float), so the new
// value, m and v are bit-identical to tf.train.adam's.
import type * as tf from '@tensorflow/tfjs';
import type { AdamUpdateAttrs } from '../engine/fused-adam.js';
import { type KernelArgs, type WasmBackendLike, f32 } from './wasm-heap.js';

const r = Math.fround;

export function adamUpdateInto(
  value: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, a: AdamUpdateAttrs,
  outValue: Float32Array, outM: Float32Array, outV: Float32Array,
): void {
  const b1 = r(a.beta1);
  const b2 = r(a.beta2);
  const c1 = r(1 - a.beta1);
  const c2 = r(1 - a.beta2);
  const d1 = r(a.oneMinusAccBeta1);
  const d2 = r(a.oneMinusAccBeta2);
  const eps = r(a.epsilon);
  const step = r(-a.learningRate);
  for (let i = 0; i < value.length; i++) {
    const gi = g[i];
    const mi = r(r(m[i] * b1) + r(gi * c1));
    const vi = r(r(v[i] * b2) + r(r(gi * gi) * c2));
    const denominator = r(r(Math.sqrt(r(vi / d2))) + eps);
    outM[i] = mi;
    outV[i] = vi;
    outValue[i] = r(r(r(r(mi / d1) / denominator) * step) + value[i]);
  }
}

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
