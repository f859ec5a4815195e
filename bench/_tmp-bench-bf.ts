import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '/work/main/electron/training/kernels/wasm-setup.js';
await initWasmBackend();
const shapes: Array<[number[], number[], number]> = [
  [[64,28,28,1],[3,3,1,16],1], [[64,28,28,16],[3,3,16,16],1], [[64,28,28,16],[3,3,16,16],1],
  [[64,28,28,16],[3,3,16,32],2], [[64,14,14,32],[3,3,32,32],1], [[64,28,28,16],[1,1,16,32],2],
  [[64,14,14,32],[3,3,32,64],2], [[64,7,7,64],[3,3,64,64],1], [[64,14,14,32],[1,1,32,64],2],
];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let totF = 0, totB = 0;
for (const [xs, fs, s] of shapes) {
  const x = tf.randomUniform(xs) as tf.Tensor4D; const w = tf.randomUniform(fs) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, 'same'); const dy = tf.randomUniform(y.shape);
  const time = (f: () => tf.Tensor) => { f().dispose(); let best = 1e9; for (let r = 0; r < 5; r++) { const t = cpu(); const o = f(); o.dataSync(); best = Math.min(best, cpu() - t); o.dispose(); } return best; };
  const fwd = time(() => tf.conv2d(x, w, s, 'same'));
  const bf = time(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [s, s], pad: 'same', dataFormat: 'NHWC', filterShape: fs }) as tf.Tensor);
  totF += fwd; totB += bf;
  console.log(JSON.stringify(xs), JSON.stringify(fs), s, 'fwd', fwd.toFixed(2), 'bf', bf.toFixed(2));
  tf.dispose([x, w, y, dy]);
}
console.log('total fwd', totF.toFixed(1), 'bf', totB.toFixed(1));
