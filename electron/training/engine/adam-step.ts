// Adam's step: tfjs's arithmetic as plain JS (adamUpdateInto), and as one WebAssembly SIMD loop, four
// weights at a time. The update is the serial part of every fine-tuning step (after the shards'
// gradients are in, before the helper threads can go on): as JS it took 2.5–4.4 ms for tl-resnet-s's
// 78 k weights on a 2-core Xeon, about 2 % of a step on one thread and more of a data-parallel one.
//
// Bit for bit adamUpdateInto: f32x4 add, mul, div and sqrt are IEEE float32 operations, correctly
// rounded, and the JS computes each in double and rounds it to float32 once, which gives the same
// float (double carries more than twice float's precision), in the same order of operations.
import type { AdamUpdateAttrs } from './fused-adam.js';
import { I32, V128, type WasmFunction, assemble, memoryBinder, op } from './wasm-asm.js';

const r = Math.fround;

/** One Adam step of `value` in place of tfjs's twelve ops. The wasm kernel (kernels/adam-update.ts)
 *  shares it; it lives in the engine because the window's engine may not import the Node-side kernels. */
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

const { get, set, tee, i32, add, ltU, loop, end, brIf } = op;

/** adam(value, m, v, g, outValue, outM, outV, bytes, consts): every pointer in bytes; `bytes` a
 *  multiple of 16, ≥ 16; consts = 8 floats: β₁, β₂, 1−β₁, 1−β₂, 1−β₁ᵗ, 1−β₂ᵗ, ε, −lr. */
const adamFunction: WasmFunction = (() => {
  const [value, m, v, g, outValue, outM, outV, n, consts] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, b1, b2, c1, c2, d1, d2, eps, step, gi, mi, vi] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const at = (p: number) => [get(p), get(i), add];
  return {
    name: 'adam', params: [I32, I32, I32, I32, I32, I32, I32, I32, I32], locals: [I32, ...Array<typeof V128>(11).fill(V128)],
    body: [
      ...[b1, b2, c1, c2, d1, d2, eps, step].flatMap((local, k) => [get(consts), op.v128Load32Splat(4 * k), set(local)]),
      loop,
      ...at(g), op.v128Load(), set(gi),
      // m = m·β₁ + g·(1−β₁)
      ...at(m), op.v128Load(), get(b1), op.f32x4Mul, get(gi), get(c1), op.f32x4Mul, op.f32x4Add, set(mi),
      // v = v·β₂ + (g·g)·(1−β₂)
      ...at(v), op.v128Load(), get(b2), op.f32x4Mul, get(gi), get(gi), op.f32x4Mul, get(c2), op.f32x4Mul, op.f32x4Add, set(vi),
      ...at(outM), get(mi), op.v128Store(),
      ...at(outV), get(vi), op.v128Store(),
      // value = ((m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε))·(−lr) + value
      ...at(outValue),
      get(mi), get(d1), op.f32x4Div,
      get(vi), get(d2), op.f32x4Div, op.f32x4Sqrt, get(eps), op.f32x4Add,
      op.f32x4Div, get(step), op.f32x4Mul, ...at(value), op.v128Load(), op.f32x4Add,
      op.v128Store(),
      get(i), i32(16), add, tee(i), get(n), ltU, brIf(0),
      end,
    ],
  };
})();

interface AdamExports { adam(...pointers: number[]): void }

/** The loop bound to `memory`; null where WebAssembly SIMD is unavailable or compiling is not
 *  allowed (a page whose CSP forbids it): callers then take adamUpdateInto. */
const adamOn = memoryBinder<AdamExports>(assemble([adamFunction]));

/** The float32 constants of one step, in the loop's order. */
export function adamConstants(a: AdamUpdateAttrs): Float32Array {
  return Float32Array.of(a.beta1, a.beta2, 1 - a.beta1, 1 - a.beta2, a.oneMinusAccBeta1, a.oneMinusAccBeta2, a.epsilon, -a.learningRate);
}

/** Arrays of one Adam update that all lie in `memory` (inputs may be the outputs: in place). */
export interface AdamArrays { value: Float32Array; m: Float32Array; v: Float32Array; g: Float32Array; outValue: Float32Array; outM: Float32Array; outV: Float32Array }

/**
 * One Adam update over arrays in `memory`, with the 8 constants at byte `consts` of it (adamConstants):
 * the SIMD loop over the first n − n mod 4 weights, adamUpdateInto for the rest (and for everything
 * where the loop is unavailable). Returns whether the loop ran.
 */
export function adamUpdateIn(memory: WebAssembly.Memory, consts: number, a: AdamArrays, attrs: AdamUpdateAttrs): boolean {
  const n = a.value.length;
  const loops = n >= 4 ? adamOn(memory) : null;
  const simd = loops ? n - (n % 4) : 0;
  if (loops && simd > 0) {
    const p = (x: Float32Array) => x.byteOffset;
    loops.adam(p(a.value), p(a.m), p(a.v), p(a.g), p(a.outValue), p(a.outM), p(a.outV), 4 * simd, consts);
  }
  if (simd < n) {
    const tail = (x: Float32Array) => x.subarray(simd);
    adamUpdateInto(tail(a.value), tail(a.m), tail(a.v), tail(a.g), attrs, tail(a.outValue), tail(a.outM), tail(a.outV));
  }
  return simd > 0;
}

/**
 * A memory of our own for Adam on host arrays (the data-parallel step's weights): each update
 * copies value, m, v and the gradient in, runs the loop in place and copies them back, a few
 * hundred kilobytes of memcpy against the loop's 4× fewer, cheaper operations.
 */
export class AdamArena {
  private memory: WebAssembly.Memory | null = null;

  /** Updates value, m and v in place from g. */
  update(value: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, attrs: AdamUpdateAttrs): void {
    const n = value.length;
    const memory = n >= 4 ? this.fit(32 + 16 * n) : null;
    if (!memory) return adamUpdateInto(value, m, v, g, attrs, value, m, v);
    const heap = new Float32Array(memory.buffer);
    heap.set(adamConstants(attrs), 0);
    const [hv, hm, hs, hg] = [0, 1, 2, 3].map((k) => heap.subarray(8 + k * n, 8 + (k + 1) * n));
    hv.set(value);
    hm.set(m);
    hs.set(v);
    hg.set(g);
    adamUpdateIn(memory, 0, { value: hv, m: hm, v: hs, g: hg, outValue: hv, outM: hm, outV: hs }, attrs);
    value.set(hv);
    m.set(hm);
    v.set(hs);
  }

  /** A memory of at least `size` bytes, or null where the loop cannot run here. */
  private fit(size: number): WebAssembly.Memory | null {
    if (this.memory === null) {
      try {
        this.memory = new WebAssembly.Memory({ initial: Math.ceil(size / 65536) });
      } catch {
        return null;
      }
    }
    if (!adamOn(this.memory)) return null;
    const have = this.memory.buffer.byteLength;
    if (have < size) this.memory.grow(Math.ceil((size - have) / 65536));
    return this.memory;
  }
}
