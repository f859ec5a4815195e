import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from './testing/kernel-checks.js';
import { type WasmBackendLike, f32, fromHost, heapView, releaseView } from './wasm-heap.js';

const liveIds = () => (tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds();

describe('heapView on wasm', () => {
  it('aliases a window of its base and is released without freeing the base', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as unknown as WasmBackendLike;
    const base = fromHost(backend, [6], new Float32Array([0, 1, 2, 3, 4, 5]));
    const before = liveIds();
    const view = heapView(backend, base, 2, [2, 2]);
    expect(Array.from(f32(backend, view))).toEqual([2, 3, 4, 5]);
    f32(backend, view)[0] = 9;
    expect(f32(backend, base)[2]).toBe(9);
    releaseView(backend, view);
    expect(liveIds()).toBe(before);
    expect(Array.from(f32(backend, base))).toEqual([0, 1, 9, 3, 4, 5]);
    backend.disposeData(base.dataId);
  });

  it('Conv2DBackpropFilter leaves no heap tensors behind', async () => {
    await useBackend('wasm');
    const x = tf.randomUniform([2, 9, 9, 3]);
    const dy = tf.randomUniform([2, 5, 5, 4]);
    const before = liveIds();
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
      { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] }) as tf.Tensor;
    expect(dw.shape).toEqual([3, 3, 3, 4]);
    dw.dispose();
    expect(liveIds()).toBe(before);
    tf.dispose([x, dy]);
  });
});
