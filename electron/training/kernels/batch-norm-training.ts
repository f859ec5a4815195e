// BatchNorm in training mode as three wasm kernels over the heap, channels last, instead of tfjs's
// composition (moments: Cast, Mean, Sub, Square, Mean; then FusedBatchNorm, whose gradient alone is
// a dozen full-size elementwise ops and a Tile, plus the gradients back through the moments).
//
//   TlBatchNormTraining      x, gamma, beta → y, mean, variance      one statistics pass + one output pass
//   TlBatchNormGradStats     dy, x, mean, variance → dgamma, dbeta   one pass
//   TlBatchNormGradInput     … → dx                                  one pass
//
// With N values per channel, rstd = 1/√(var + ε) and x̂ = (x − mean)·rstd, the gradient of
// y = γ·x̂ + β through the batch statistics is dx = γ·rstd·(dy − Σdy/N − x̂·Σ(dy·x̂)/N); gradients
// that reach the mean and variance outputs themselves add dmean/N + dvar·2(x − mean)/N.
import * as tf from '@tensorflow/tfjs';
import { type SimdLoops, simdLoops } from './simd-loops.js';
import { type KernelArgs, type WasmBackendLike, disposeAll, f32, heapAddress } from './wasm-heap.js';

export const BN_TRAINING = 'TlBatchNormTraining';
export const BN_GRAD_STATS = 'TlBatchNormGradStats';
export const BN_GRAD_INPUT = 'TlBatchNormGradInput';

interface EpsilonAttrs { epsilon: number }

const channelsOf = (x: tf.TensorInfo) => x.shape[x.shape.length - 1];
const rowsOf = (x: tf.TensorInfo) => tf.util.sizeFromShape(x.shape) / channelsOf(x);

/** The SIMD loops where they apply (four channels at a time), else null for the JS loops. */
function loopsFor(backend: WasmBackendLike, C: number, N: number): SimdLoops | null {
  return C % 4 === 0 && N > 0 ? simdLoops(backend) : null;
}

/** Per-channel sums [Σa, Σb] from the SIMD loops' accumulator layout (8 doubles a group of 4). */
function groupSums(acc: Float32Array, C: number): [Float64Array, Float64Array] {
  const d = new Float64Array(acc.slice().buffer);
  const a = new Float64Array(C);
  const b = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    a[c] = d[(c >> 2) * 8 + (c & 3)];
    b[c] = d[(c >> 2) * 8 + 4 + (c & 3)];
  }
  return [a, b];
}

/** Mean and (biased) variance from sums of x − shift and their squares, in float64. Shifted by
 *  the first row, so one pass is as accurate as two wherever |mean| is not orders above the spread. */
function finishMoments(s1: Float64Array, s2: Float64Array, shift: Float32Array, N: number, mean: Float32Array, variance: Float32Array): void {
  for (let c = 0; c < s1.length; c++) {
    const m = s1[c] / N;
    mean[c] = shift[c] + m;
    variance[c] = Math.max(0, s2[c] / N - m * m);
  }
}

/** The JS moments pass: x viewed as [N, C]. */
export function channelMoments(x: Float32Array, N: number, C: number, mean: Float32Array, variance: Float32Array): void {
  const s1 = new Float64Array(C);
  const s2 = new Float64Array(C);
  const shift = x.slice(0, C);
  for (let r = 0; r < N; r++) {
    const o = r * C;
    for (let c = 0; c < C; c++) {
      const d = x[o + c] - shift[c];
      s1[c] += d;
      s2[c] += d * d;
    }
  }
  finishMoments(s1, s2, shift, N, mean, variance);
}

export function batchNormTrainingWasm(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { x, gamma, beta } = args.inputs;
  const { epsilon } = args.attrs as unknown as EpsilonAttrs;
  const C = channelsOf(x);
  const N = rowsOf(x);
  const y = backend.makeOutput(x.shape, 'float32');
  const meanOut = backend.makeOutput([C], 'float32');
  const varOut = backend.makeOutput([C], 'float32');
  if (N === 0) {
    f32(backend, meanOut).fill(NaN);
    f32(backend, varOut).fill(NaN);
    return [y, meanOut, varOut];
  }
  const loops = loopsFor(backend, C, N);
  const scaleOut = backend.makeOutput([C], 'float32');
  const acc = loops ? backend.makeOutput([4 * C], 'float32') : null;
  const mean = f32(backend, meanOut);
  const variance = f32(backend, varOut);
  if (loops && acc) {
    f32(backend, acc).fill(0);
    const px = heapAddress(backend, x);
    loops.moments(px, px + 4 * N * C, 4 * C, px, heapAddress(backend, acc));
    const [s1, s2] = groupSums(f32(backend, acc), C);
    finishMoments(s1, s2, f32(backend, x).slice(0, C), N, mean, variance);
  } else {
    channelMoments(f32(backend, x), N, C, mean, variance);
  }
  // y = (x − mean)·scale + beta per channel, scale = γ/√(var + ε).
  const scale = f32(backend, scaleOut);
  const g = f32(backend, gamma);
  for (let c = 0; c < C; c++) scale[c] = g[c] / Math.sqrt(variance[c] + epsilon);
  if (loops) {
    const px = heapAddress(backend, x);
    loops.normalize(px, px + 4 * N * C, 4 * C, heapAddress(backend, y), heapAddress(backend, meanOut),
      heapAddress(backend, scaleOut), heapAddress(backend, beta));
  } else {
    const xv = f32(backend, x);
    const yv = f32(backend, y);
    const b = f32(backend, beta);
    for (let r = 0; r < N; r++) {
      const o = r * C;
      for (let c = 0; c < C; c++) yv[o + c] = (xv[o + c] - mean[c]) * scale[c] + b[c];
    }
  }
  disposeAll(backend, scaleOut, ...(acc ? [acc] : []));
  return [y, meanOut, varOut];
}

export function batchNormGradStatsWasm(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { dy, x, mean, variance } = args.inputs;
  const { epsilon } = args.attrs as unknown as EpsilonAttrs;
  const C = channelsOf(x);
  const N = rowsOf(x);
  const dgOut = backend.makeOutput([C], 'float32');
  const dbOut = backend.makeOutput([C], 'float32');
  const loops = loopsFor(backend, C, N);
  let sdy: Float64Array = new Float64Array(C);
  let sdyx: Float64Array = new Float64Array(C);
  if (loops) {
    const acc = backend.makeOutput([4 * C], 'float32');
    f32(backend, acc).fill(0);
    const pdy = heapAddress(backend, dy);
    loops.gradStats(pdy, pdy + 4 * N * C, 4 * C, heapAddress(backend, x), heapAddress(backend, mean), heapAddress(backend, acc));
    [sdy, sdyx] = groupSums(f32(backend, acc), C);
    disposeAll(backend, acc);
  } else {
    const dyv = f32(backend, dy);
    const xv = f32(backend, x);
    const m = f32(backend, mean);
    for (let r = 0; r < N; r++) {
      const o = r * C;
      for (let c = 0; c < C; c++) {
        const d = dyv[o + c];
        sdy[c] += d;
        sdyx[c] += d * (xv[o + c] - m[c]);
      }
    }
  }
  const v = f32(backend, variance);
  const dg = f32(backend, dgOut);
  const db = f32(backend, dbOut);
  for (let c = 0; c < C; c++) {
    dg[c] = sdyx[c] / Math.sqrt(v[c] + epsilon);
    db[c] = sdy[c];
  }
  return [dgOut, dbOut];
}

export function batchNormGradInputWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, x, mean, variance, gamma, dgamma, dbeta, dmean, dvariance } = args.inputs;
  const { epsilon } = args.attrs as unknown as EpsilonAttrs;
  const C = channelsOf(x);
  const N = rowsOf(x);
  const out = backend.makeOutput(x.shape, 'float32');
  if (N === 0) return out;
  const loops = loopsFor(backend, C, N);
  const coefs = backend.makeOutput([3 * C], 'float32');
  const [v, g, dg, db, dm, dv] = [variance, gamma, dgamma, dbeta, dmean, dvariance].map((t) => f32(backend, t));
  // dx = a·dy + k·(x − mean) + b per channel.
  const all = f32(backend, coefs);
  const a = all.subarray(0, C);
  const k = all.subarray(C, 2 * C);
  const b = all.subarray(2 * C);
  for (let c = 0; c < C; c++) {
    const rstd = 1 / Math.sqrt(v[c] + epsilon);
    a[c] = g[c] * rstd;
    k[c] = (-a[c] * rstd * dg[c] + 2 * dv[c]) / N;
    b[c] = (-a[c] * db[c] + dm[c]) / N;
  }
  if (loops) {
    const pdy = heapAddress(backend, dy);
    const pc = heapAddress(backend, coefs);
    loops.gradInput(pdy, pdy + 4 * N * C, 4 * C, heapAddress(backend, x), heapAddress(backend, out),
      heapAddress(backend, mean), pc, pc + 4 * C, pc + 8 * C);
  } else {
    const dyv = f32(backend, dy);
    const xv = f32(backend, x);
    const m = f32(backend, mean);
    const dx = f32(backend, out);
    for (let r = 0; r < N; r++) {
      const o = r * C;
      for (let c = 0; c < C; c++) dx[o + c] = a[c] * dyv[o + c] + k[c] * (xv[o + c] - m[c]) + b[c];
    }
  }
  disposeAll(backend, coefs);
  return out;
}

/** The gradient of TlBatchNormTraining: statistics once (small tensors), dx on demand. */
export const batchNormTrainingGradConfig: tf.GradConfig = {
  kernelName: BN_TRAINING,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as tf.Tensor[];
    const [x, gamma, mean, variance] = saved;
    const engine = tf.engine();
    const [dgamma, dbeta] = engine.runKernel(BN_GRAD_STATS, { dy, x, mean, variance }, attrs) as tf.Tensor[];
    return {
      x: () => engine.runKernel(BN_GRAD_INPUT, { dy, x, mean, variance, gamma, dgamma, dbeta, dmean, dvariance }, attrs) as tf.Tensor,
      // Clones: the tape disposes a gradient once it has been added to another.
      gamma: () => tf.clone(dgamma),
      beta: () => tf.clone(dbeta),
    };
  },
};

/** Registers TlBatchNormTraining's gradient (registered for every backend; it runs only where the
 *  kernel ran). Idempotent. */
export function registerBatchNormTrainingGradient(): void {
  if (tf.getGradient(BN_TRAINING) !== batchNormTrainingGradConfig) tf.registerGradient(batchNormTrainingGradConfig);
}
