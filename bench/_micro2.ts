import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../electron/training/kernels/wasm-setup.js';
await initWasmBackend();
function time(f: () => tf.Tensor, n = 9) {
  f().dispose();
  let best = Infinity;
  for (let i = 0; i < n; i++) { const c = process.cpuUsage(); const r = f(); r.dataSync(); r.dispose(); const d = process.cpuUsage(c); best = Math.min(best, (d.user + d.system) / 1000); }
  return best.toFixed(2);
}
const x = tf.randomNormal([64, 28, 28, 16]) as tf.Tensor4D;
const dy = tf.randomNormal([64, 28, 28, 16]) as tf.Tensor4D;
const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
console.log('transpose x', time(() => tf.transpose(x, [3, 1, 2, 0])));
console.log('transpose dy', time(() => tf.transpose(dy, [1, 2, 0, 3])));
console.log('conv dil', time(() => tf.conv2d(xT, dyT, 1, [[0, 0], [1, 1], [1, 1], [0, 0]])));
const w = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D;
console.log('fwd conv', time(() => tf.conv2d(x, w, 1, 'same')));
console.log('fwd conv explicit', time(() => tf.conv2d(x, w, 1, [[0, 0], [1, 1], [1, 1], [0, 0]])));
console.log('mul', time(() => tf.mul(x, dy)));
console.log('add', time(() => tf.add(x, dy)));
console.log('matmul 50176x144 * 144x16', time(() => tf.matMul(tf.reshape(tf.slice(x,[0,0,0,0],[64,28,28,9]).tile([1,1,1,16]),[50176,144]), tf.randomNormal([144,16]))));
const a = tf.randomNormal([16, 50176]); const b = tf.randomNormal([50176, 144]);
console.log('matmul 16x50176 * 50176x144', time(() => tf.matMul(a, b)));
const a2 = tf.randomNormal([50176, 16]);
console.log('matmul T 16x50176 * 50176x144', time(() => tf.matMul(a2, b, true, false)));
