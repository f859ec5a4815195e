import { batchToInner } from '../electron/training/kernels/conv2d-backprop-filter.js';
const B = 64, P = 784, C = 16;
const src = new Float32Array(B * P * C).map(() => Math.random());
const out = new Float32Array(B * P * C);
for (let k = 0; k < 5; k++) { const t0 = process.cpuUsage(); batchToInner(src, B, P, C, out); console.log('js', (process.cpuUsage(t0).user/1000).toFixed(2)); }
const mem = new WebAssembly.Memory({ initial: 2000 });
const s2 = new Float32Array(mem.buffer, 0, B * P * C); s2.set(src);
const o2 = new Float32Array(mem.buffer, B * P * C * 4, B * P * C);
for (let k = 0; k < 5; k++) { const t0 = process.cpuUsage(); batchToInner(s2, B, P, C, o2); console.log('wasm mem', (process.cpuUsage(t0).user/1000).toFixed(2)); }
for (let k = 0; k < 5; k++) { const t0 = process.cpuUsage(); for (let b = 0; b < B; b++) for (let p = 0; p < P; p++) o2.set(s2.subarray((b * P + p) * C, (b * P + p + 1) * C), (p * B + b) * C); console.log('set', (process.cpuUsage(t0).user/1000).toFixed(2)); }
