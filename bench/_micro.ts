import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../electron/training/kernels/wasm-setup.js';
await initWasmBackend();
const layers: Array<[string, number[], number, number, number]> = [
  ['stem', [64, 28, 28, 1], 16, 3, 1],
  ['b1', [64, 28, 28, 16], 16, 3, 1],
  ['b2c1', [64, 28, 28, 16], 32, 3, 2],
  ['b2c2', [64, 14, 14, 32], 32, 3, 1],
  ['b2p', [64, 28, 28, 16], 32, 1, 2],
  ['b3c1', [64, 14, 14, 32], 64, 3, 2],
  ['b3c2', [64, 7, 7, 64], 64, 3, 1],
  ['b3p', [64, 14, 14, 32], 64, 1, 2],
];
function time(f: () => tf.Tensor, n = 7) {
  f().dispose();
  let best = Infinity;
  for (let i = 0; i < n; i++) { const c = process.cpuUsage(); const r = f(); r.dataSync(); r.dispose(); const d = process.cpuUsage(c); best = Math.min(best, (d.user + d.system) / 1000); }
  return best;
}
for (const [name, xs, co, k, s] of layers) {
  const x = tf.randomNormal(xs) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, xs[3], co]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const fwd = time(() => tf.conv2d(x, w, s, 'same'));
  const bf = time(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape }) as tf.Tensor);
  const bi = time(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor);
  console.log(name.padEnd(6), 'fwd', fwd.toFixed(1), 'bFilter', bf.toFixed(1), 'bInput', bi.toFixed(1));
}
