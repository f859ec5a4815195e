// FusedBatchNorm on wasm: the SIMD pass gives the shipped kernel's values bit for bit (so embeddings
// cached before it stay valid), and shapes it does not cover still go to the shipped kernel.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fusedBatchNormWasm } from './batch-norm-inference.js';
import { simdLoops } from './simd-loops.js';
import { shippedKernel } from './wasm-heap.js';
import { randomTensor, useBackend } from './testing/kernel-checks.js';

interface Case { x: number[]; params: 'all' | 'no-offset' | 'no-scale' }

function inputs(c: Case): Record<string, tf.Tensor> {
  const C = c.x[c.x.length - 1];
  const t = (shape: number[], seed: number, map: (v: number) => number) => {
    const h = randomTensor(shape, seed);
    return tf.tensor(h.data.map(map), shape);
  };
  return {
    x: t(c.x, 1, (v) => 3 * v + 0.5),
    mean: t([C], 2, (v) => v),
    variance: t([C], 3, (v) => Math.abs(v) * 2 + 1e-4),
    ...(c.params === 'no-offset' ? {} : { offset: t([C], 4, (v) => v) }),
    ...(c.params === 'no-scale' ? {} : { scale: t([C], 5, (v) => 1 + 0.5 * v) }),
  };
}

function run(kernel: (args: { inputs: Record<string, tf.TensorInfo>; attrs: object; backend: unknown }) => tf.TensorInfo, ins: Record<string, tf.Tensor>): Float32Array {
  const backend = tf.backend();
  const out = kernel({ inputs: ins, attrs: { varianceEpsilon: 1e-3 }, backend });
  const values = (backend as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array }).typedArrayFromHeap(out).slice();
  backend.disposeData(out.dataId);
  return values;
}

describe('FusedBatchNorm on wasm', () => {
  it.each<Case>([
    { x: [32, 28, 28, 16], params: 'all' },
    { x: [3, 7, 7, 64], params: 'all' },
    { x: [1, 1, 1, 4], params: 'all' },
    { x: [5, 12], params: 'all' },
    { x: [2, 3, 3, 6], params: 'all' },
    { x: [2, 5, 5, 8], params: 'no-offset' },
    { x: [2, 5, 5, 8], params: 'no-scale' },
  ])('gives the shipped kernel\'s bits for x %j', async (c) => {
    await useBackend('wasm');
    const shipped = shippedKernel('FusedBatchNorm');
    expect(shipped, 'the shipped kernel was captured').toBeDefined();
    expect(tf.getKernel('FusedBatchNorm', 'wasm')?.kernelFunc).toBe(fusedBatchNormWasm);
    const ins = inputs(c);
    try {
      const ref = run(shipped as never, ins);
      const got = run(fusedBatchNormWasm as never, ins);
      expect(got.length).toBe(ref.length);
      let differing = 0;
      for (let i = 0; i < ref.length; i++) if (!Object.is(ref[i], got[i])) differing++;
      expect(differing, 'values that differ from the shipped kernel').toBe(0);
      // And tf.batchNorm (what BatchNormalization layers call in inference mode) reaches it.
      const viaOp = tf.batchNorm(ins.x, ins.mean, ins.variance, ins.offset, ins.scale, 1e-3);
      expect(Array.from(viaOp.dataSync())).toEqual(Array.from(ref));
      viaOp.dispose();
    } finally {
      tf.dispose(Object.values(ins));
    }
  });

  it('runs the SIMD pass here (so the cases above compared it, not the fallback)', async () => {
    await useBackend('wasm');
    expect(simdLoops(tf.backend() as never)).not.toBeNull();
  });

  it('matches the cpu backend to float rounding', async () => {
    const c: Case = { x: [4, 9, 9, 32], params: 'all' };
    await useBackend('cpu');
    const insCpu = inputs(c);
    const ref = tf.batchNorm(insCpu.x, insCpu.mean, insCpu.variance, insCpu.offset, insCpu.scale, 1e-3).dataSync();
    await useBackend('wasm');
    const ins = inputs(c);
    const got = tf.batchNorm(ins.x, ins.mean, ins.variance, ins.offset, ins.scale, 1e-3).dataSync();
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - got[i]) / Math.max(1, Math.abs(ref[i])));
    expect(worst).toBeLessThan(1e-5);
  });
});
