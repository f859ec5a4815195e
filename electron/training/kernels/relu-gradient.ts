// ReLU's (and ReLU6's) gradient as one pass. tfjs-core computes it as dy · cast(step(x)) — Step, Cast
// and Multiply, three passes over the activation and two temporaries per layer (ReLU6 four ops); in
// a fine-tuning step of tl-resnet-s they took about 4 % of the CPU time. Here one SIMD loop forms the
// same mask (1 where x > 0 [and x ≤ 6], else 0) and the same product dy · mask, so the result is the
// shipped ops' bit for bit: −0 for a negative dy under a zero mask, NaN where dy is NaN or ±∞ there.
import * as tf from '@tensorflow/tfjs';
import { I32, V128, type WasmFunction, assemble, memoryBinder, op } from '../engine/wasm-asm.js';
import { type KernelArgs, type WasmBackendLike, f32, heapAddress, heapMemory } from './wasm-heap.js';

export const RELU_GRAD = 'TlReluGrad';

/** `cap`: 6 for ReLU6's gradient, null for ReLU's. */
export interface ReluGradAttrs { cap: number | null }

const { get, set, tee, i32, add, ltU, loop, end, brIf } = op;
const splat = (v: number, local: number) => [op.f32(v), op.f32x4Splat, set(local)];

/** reluGrad(dy, x, dx, bytes) / relu6Grad(…): dx = dy · mask over `bytes` (a multiple of 16, ≥ 16). */
function maskedProduct(name: string, capped: boolean): WasmFunction {
  const [dy, x, dx, n, i, zero, one, six] = [0, 1, 2, 3, 4, 5, 6, 7];
  const xAt = [get(x), get(i), add, op.v128Load()];
  return {
    name, params: [I32, I32, I32, I32], locals: [I32, V128, V128, V128],
    body: [
      ...splat(0, zero), ...splat(1, one), ...splat(6, six),
      loop,
      get(dx), get(i), add,
      get(dy), get(i), add, op.v128Load(),
      ...xAt, get(zero), op.f32x4Gt,
      ...(capped ? [...xAt, get(six), op.f32x4Le, op.v128And] : []),
      get(one), op.v128And,
      op.f32x4Mul,
      op.v128Store(),
      get(i), i32(16), add, tee(i), get(n), ltU, brIf(0),
      end,
    ],
  };
}

interface ReluLoops { reluGrad(dy: number, x: number, dx: number, bytes: number): void; relu6Grad(dy: number, x: number, dx: number, bytes: number): void }

const bindReluLoops = memoryBinder<ReluLoops>(assemble([maskedProduct('reluGrad', false), maskedProduct('relu6Grad', true)]));

function loopsFor(backend: WasmBackendLike): ReluLoops | null {
  const memory = heapMemory(backend);
  return memory ? bindReluLoops(memory) : null;
}

/** dx[i] = dy[i] · (x[i] > 0 [and ≤ cap] ? 1 : 0) for i in [from, to), in JS (the tail past the SIMD part). */
export function maskedProductInto(dy: Float32Array, x: Float32Array, dx: Float32Array, cap: number | null, from = 0, to = dx.length): void {
  for (let i = from; i < to; i++) {
    const xi = x[i];
    dx[i] = dy[i] * (xi > 0 && (cap === null || xi <= cap) ? 1 : 0);
  }
}

export function reluGradWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, x } = args.inputs;
  const { cap } = (args.attrs ?? {}) as unknown as ReluGradAttrs;
  if (cap !== null && cap !== 6) throw new Error(`${RELU_GRAD}: cap must be 6 or null, got ${String(cap)}`);
  if (!tf.util.arraysEqual(dy.shape, x.shape)) {
    throw new Error(`${RELU_GRAD}: dy ${JSON.stringify(dy.shape)} and x ${JSON.stringify(x.shape)} differ`);
  }
  const out = backend.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  const loops = loopsFor(backend);
  const simd = loops ? n - (n % 4) : 0;
  if (simd > 0) {
    const fn = cap === null ? loops!.reluGrad : loops!.relu6Grad;
    fn(heapAddress(backend, dy), heapAddress(backend, x), heapAddress(backend, out), 4 * simd);
  }
  if (simd < n) maskedProductInto(f32(backend, dy), f32(backend, x), f32(backend, out), cap, simd, n);
  return out;
}

/** tfjs-core's own formulas, for every backend without the kernel. */
function shippedGradient(dy: tf.Tensor, x: tf.Tensor, cap: number | null): tf.Tensor {
  const mask = cap === null ? tf.step(x) : tf.mul(tf.lessEqual(x, cap), tf.step(x));
  return tf.mul(dy, tf.cast(mask, 'float32'));
}

function gradConfig(kernelName: 'Relu' | 'Relu6', cap: number | null): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      const fused = tf.getBackend() === 'wasm' && tf.getKernel(RELU_GRAD, 'wasm') != null && x.dtype === 'float32';
      return {
        x: () => (fused
          ? tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }, { cap } as unknown as tf.NamedAttrMap) as tf.Tensor
          : shippedGradient(dy as tf.Tensor, x, cap)),
      };
    },
  };
}

export const reluGradConfig = gradConfig('Relu', null);
export const relu6GradConfig = gradConfig('Relu6', 6);

/** Replaces tfjs-core's Relu and Relu6 gradients (shared by every backend; only wasm takes the
 *  one-pass kernel). Idempotent. */
export function registerReluGradients(): void {
  for (const c of [reluGradConfig, relu6GradConfig]) if (tf.getGradient(c.kernelName) !== c) tf.registerGradient(c);
}
