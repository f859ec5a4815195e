// Sum and Mean for wasm over one run of adjacent axes, replacing the shipped kernels for that case.
//
// The shipped kernels first transpose the reduced axes innermost (a full generic copy), which made
// BatchNorm's statistics and gradients — sums over [batch, height, width] of NHWC activations — cost
// more than the convolutions. Reducing axes a..b in place is: view x as [outer, R, inner] and add
// R rows of `inner` values (contiguous, float64 accumulators as the cpu backend uses). Other axis
// sets and dtypes go to the shipped kernel.
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackendLike, f32, runShipped } from './wasm-heap.js';

/** out[a, i] = scale · Σ_r x[a, r, i] for x viewed as [outer, R, inner]. */
export function reduceMiddle(x: Float32Array, outer: number, R: number, inner: number, scale: number, out: Float32Array): void {
  if (inner === 1) {
    for (let a = 0; a < outer; a++) {
      let s = 0;
      const base = a * R;
      for (let r = 0; r < R; r++) s += x[base + r];
      out[a] = s * scale;
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let a = 0; a < outer; a++) {
    acc.fill(0);
    const base = a * R * inner;
    let r = 0;
    // Four rows per pass: a quarter of the accumulator traffic (the loop is load-bound).
    for (; r + 4 <= R; r += 4) {
      const o = base + r * inner;
      const o2 = o + 2 * inner;
      for (let i = 0; i < inner; i++) acc[i] += (x[o + i] + x[o + inner + i]) + (x[o2 + i] + x[o2 + inner + i]);
    }
    for (; r < R; r++) {
      const o = base + r * inner;
      for (let i = 0; i < inner; i++) acc[i] += x[o + i];
    }
    for (let i = 0; i < inner; i++) out[a * inner + i] = acc[i] * scale;
  }
}

function reduceKernel(name: 'Sum' | 'Mean') {
  return (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as WasmBackendLike;
    const { x } = args.inputs;
    const { axis, keepDims } = (args.attrs ?? {}) as unknown as tf.SumAttrs;
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const adjacent = axes.length > 0 && axes[axes.length - 1] - axes[0] === axes.length - 1;
    if (x.dtype !== 'float32' || !adjacent) return runShipped(name, backend, { x }, args.attrs);
    const prod = (dims: number[]) => dims.reduce((p, d) => p * d, 1);
    const outer = prod(x.shape.slice(0, axes[0]));
    const R = prod(x.shape.slice(axes[0], axes[axes.length - 1] + 1));
    const inner = prod(x.shape.slice(axes[axes.length - 1] + 1));
    const outShape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    const out = backend.makeOutput(outShape, 'float32');
    const scale = name === 'Mean' ? 1 / R : 1;
    if (R === 0) f32(backend, out).fill(name === 'Mean' ? NaN : 0);
    else reduceMiddle(f32(backend, x), outer, R, inner, scale, f32(backend, out));
    return out;
  };
}

export const sumWasm = reduceKernel('Sum');
export const meanWasm = reduceKernel('Mean');

/** Identity without a copy: share the buffer and count the reference, as the cpu backend does
 *  (the shipped kernel copied every variable read and gradient pass-through). */
export function identityWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike & { incRef(dataId: object): void };
  const { x } = args.inputs;
  if (x.dtype === 'string') return runShipped('Identity', backend, { x });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
