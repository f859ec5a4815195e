// The input gradient of a strided convolution (a "transposed convolution") computed as s×s dense
// stride-1 convolutions, one per output phase, so no multiply is spent on inserted zeros.
//
// 1-D view: forward y[o] = Σ_k x[o·s + k − p]·w[k]. An input index i = q·s + r (phase r) only
// receives taps k ≡ (r + p) mod s, i.e. k = k0 + j·s, from o = q + c − j with c = (r + p − k0)/s.
// So dx_r[q] = Σ_j dy[q + c − j]·w[k0 + j·s]: a stride-1 correlation of dy with the flipped
// sub-filter, padded by nj−1−c in front. Rows and columns are independent, so a 2-D phase is a pair
// of 1-D phases. Stride 1 is the single phase r = 0 whose result already is dx.
import type * as tf from '@tensorflow/tfjs';
import { type WasmBackendLike, disposeAll, f32, runShipped } from './wasm-heap.js';

export interface Phase1D {
  /** Residue of the input index this phase produces. */
  r: number;
  /** First filter tap and number of taps (nj = 0: the phase gets no gradient). */
  k0: number;
  nj: number;
  /** Inputs of this phase: q = 0..count-1 ↔ i = q·s + r. */
  count: number;
  /** Front/back zero padding of dy for the stride-1 correlation, and where q = 0 lands in its output. */
  front: number;
  back: number;
  offset: number;
}

/** The s phases of one spatial axis: I inputs, O outputs, K taps, stride s, front padding p. */
export function phases1D(I: number, O: number, K: number, s: number, p: number): Phase1D[] {
  const out: Phase1D[] = [];
  for (let r = 0; r < s; r++) {
    const k0 = (r + p) % s;
    const nj = k0 < K ? Math.ceil((K - k0) / s) : 0;
    const c = (r + p - k0) / s;
    const count = r < I ? Math.ceil((I - r) / s) : 0;
    const wanted = nj - 1 - c;
    const front = Math.max(0, wanted);
    out.push({ r, k0, nj, count, front, back: Math.max(0, count + c - O), offset: front - wanted });
  }
  return out;
}

export interface TransposedConvSpec {
  dy: tf.TensorInfo;
  /** [B, H, W, C] of the gradient to produce. */
  inputShape: number[];
  kernel: [number, number];
  strides: [number, number];
  padTop: number;
  padLeft: number;
  /** The shipped stride-1 kernel to run each phase with ('Conv2D' or 'DepthwiseConv2dNative'). */
  convKernel: 'Conv2D' | 'DepthwiseConv2dNative';
  /** Writes the flipped (and for Conv2D channel-swapped) sub-filter of a phase; returns it. */
  subFilter(py: Phase1D, px: Phase1D): tf.TensorInfo;
}

export function transposedConv(backend: WasmBackendLike, spec: TransposedConvSpec): tf.TensorInfo {
  const { dy, inputShape, kernel, strides } = spec;
  const [B, H, W, C] = inputShape;
  const [, OH, OW] = dy.shape;
  const rows = phases1D(H, OH, kernel[0], strides[0], spec.padTop);
  const cols = phases1D(W, OW, kernel[1], strides[1], spec.padLeft);
  const convPhase = (py: Phase1D, px: Phase1D): tf.TensorInfo => {
    const filter = spec.subFilter(py, px);
    const res = runShipped(spec.convKernel, backend, { x: dy, filter }, {
      strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined,
      pad: [[0, 0], [py.front, py.back], [px.front, px.back], [0, 0]],
    });
    disposeAll(backend, filter);
    return res;
  };
  if (rows.length === 1 && cols.length === 1) {
    const res = convPhase(rows[0], cols[0]);
    if (rows[0].offset === 0 && cols[0].offset === 0 && res.shape[1] === H && res.shape[2] === W) return res;
    disposeAll(backend, res);
  }
  const dx = backend.makeOutput(inputShape, 'float32');
  if (rows.some((p) => p.nj === 0) || cols.some((p) => p.nj === 0)) f32(backend, dx).fill(0);
  for (const py of rows) {
    for (const px of cols) {
      if (py.nj === 0 || px.nj === 0 || py.count === 0 || px.count === 0) continue;
      const res = convPhase(py, px);
      interleave(f32(backend, res), res.shape, f32(backend, dx), [B, H, W, C], py, px, strides);
      disposeAll(backend, res);
    }
  }
  return dx;
}

/** dx[b, q·sy + ry, t·sx + rx, :] = res[b, q + offsetY, t + offsetX, :]. */
function interleave(
  res: Float32Array, resShape: number[], dx: Float32Array, dxShape: number[],
  py: Phase1D, px: Phase1D, strides: [number, number],
): void {
  const [, RH, RW] = resShape;
  const [B, H, W, C] = dxShape;
  for (let b = 0; b < B; b++) {
    for (let q = 0; q < py.count; q++) {
      const resRow = ((b * RH + q + py.offset) * RW + px.offset) * C;
      const dxRow = ((b * H + q * strides[0] + py.r) * W + px.r) * C;
      const step = strides[1] * C;
      for (let t = 0; t < px.count; t++) {
        const src = resRow + t * C;
        const dst = dxRow + t * step;
        for (let c = 0; c < C; c++) dx[dst + c] = res[src + c];
      }
    }
  }
}
