import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../electron/training/kernels/wasm-setup.js';
import { runShipped, disposeAll } from '../electron/training/kernels/wasm-heap.js';
await initWasmBackend();
const backend = tf.backend() as any;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function mm(M: number, K: number, N: number, reps: number, tb = false) {
  const a = backend.makeOutput([1, M, K], 'float32'); const b = backend.makeOutput(tb ? [1, N, K] : [1, K, N], 'float32');
  const N2 = 5; let best = 1e9;
  for (let r = 0; r < N2; r++) { const t = cpu(); for (let i = 0; i < reps; i++) { const o = runShipped('BatchMatMul', backend, { a, b }, { transposeA: false, transposeB: tb }); disposeAll(backend, o); } best = Math.min(best, cpu() - t); }
  disposeAll(backend, a, b); return best;
}
const P1 = 64*30*30;
console.log('block1 single [144,50176]x[50176,16]', mm(144, 50176, 16, 1).toFixed(2));
console.log('block1 9x [16,57600]x[57600,16]', mm(16, P1, 16, 9).toFixed(2));
console.log('block1 9x tB', mm(16, P1, 16, 9, true).toFixed(2));
console.log('stem 9x [1,57600]x[57600,16]', mm(1, P1, 16, 9).toFixed(2));
console.log('stem 9x [16,57600]x[57600,1]', mm(16, P1, 1, 9).toFixed(2));
console.log('block2c2 9x [32,64*16*16]x[.,32]', mm(32, 64*256, 32, 9).toFixed(2));
console.log('block3c2 9x [64,64*81]x[.,64]', mm(64, 64*81, 64, 9).toFixed(2));
console.log('proj2 [16,64*196]x[.,32]', mm(16, 64*196, 32, 1).toFixed(2));
