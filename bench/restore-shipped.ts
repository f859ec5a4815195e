// Puts the wasm backend's own kernels back in place of ours (used to measure before/after).
import * as tf from '@tensorflow/tfjs';
import { shippedKernel } from '../electron/training/kernels/wasm-heap.js';

export function restoreShippedKernels(names: string[]): void {
  for (const name of names) {
    const fn = shippedKernel(name);
    if (!fn) throw new Error(`the wasm backend ships no '${name}' kernel`);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
  }
}
