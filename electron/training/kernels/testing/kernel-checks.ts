// Shared by the kernel tests: run one kernel on 'cpu' and on 'wasm' (with our kernels) from the
// same host arrays and compare.
import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../wasm-setup.js';

export interface HostTensor { shape: number[]; data: Float32Array }

/** Deterministic uniform values in [-1, 1) (mulberry32), so a failure can be replayed. */
export function randomTensor(shape: number[], seed: number): HostTensor {
  let a = seed >>> 0;
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    data[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return { shape, data };
}

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') await initWasmBackend();
  else if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend unavailable');
}

/** Runs kernel `name` on the current backend; returns its output's shape and values. */
export function runKernel(name: string, inputs: Record<string, HostTensor>, attrs: object): HostTensor {
  return tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ins[k] = tf.tensor(v.data, v.shape, 'float32');
    const out = tf.engine().runKernel(name, ins, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { shape: out.shape.slice(), data: out.dataSync() as Float32Array };
  });
}

export async function runOnBoth(name: string, inputs: Record<string, HostTensor>, attrs: object) {
  await useBackend('cpu');
  const cpu = runKernel(name, inputs, attrs);
  await useBackend('wasm');
  const wasm = runKernel(name, inputs, attrs);
  return { cpu, wasm };
}

/** max |a-b| divided by max(1, max |a|): the tolerance measure of the kernel tests. */
export function relativeMaxDiff(ref: Float32Array, got: Float32Array): number {
  if (ref.length !== got.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i] - got[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}
