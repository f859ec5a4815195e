// `npx tsx bench/profile-kernels.ts [repetitions]`: before/after figures of the wasm training kernels,
// side by side in one run, repetitions interleaved so a busy neighbour slows every variant alike.
//  - one tl-resnet-s fine-tuning step (batch 64, 28×28): BatchNorm as tfjs composes it, our fused
//    kernels with JS loops, and with the SIMD loops;
//  - the depthwise filter gradient on MobileNet v1 0.25 at 224 px (batch 16): JS loop vs SIMD;
//  - the dense filter gradients of tl-resnet-s (one shard of 32) and of MobileNet's full and
//    pointwise convolutions (batch 16): per-tap matrix products vs the SIMD pass over pixel blocks.
// Times are process CPU time (a shared machine's wall time mostly measures the neighbours); wall
// time is printed beside it.
import * as tf from '@tensorflow/tfjs';
import { buildTlResnet } from '../electron/training/backbones/tl-resnet.js';
import { installFusedBatchNorm, uninstallFusedBatchNorm } from '../electron/training/kernels/batch-norm-layer.js';
import { setSimdLoopsEnabled } from '../electron/training/kernels/simd-loops.js';
import { initWasmBackend } from '../electron/training/kernels/wasm-setup.js';

export interface Variant { name: string; setup(): void }
export interface Timing { name: string; cpuMs: number; wallMs: number }

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs `task` under every variant `reps` times (after one warm-up each), interleaved; medians. */
export async function compareVariants(variants: Variant[], task: () => Promise<void> | void, reps: number): Promise<Timing[]> {
  const cpu = variants.map(() => [] as number[]);
  const wall = variants.map(() => [] as number[]);
  for (let r = -1; r < reps; r++) {
    for (const [i, v] of variants.entries()) {
      v.setup();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await task();
      const dc = process.cpuUsage(c0);
      if (r < 0) continue;
      wall[i].push(performance.now() - t0);
      cpu[i].push((dc.user + dc.system) / 1000);
    }
  }
  return variants.map((v, i) => ({ name: v.name, cpuMs: median(cpu[i]), wallMs: median(wall[i]) }));
}

/** A trainOnBatch step of tl-resnet-s with a 10-class head. */
function tlResnetStep(batch: number) {
  const base = buildTlResnet({ seed: 1 });
  const head = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(base.outputs[0]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: head });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
  return {
    step: async () => { await model.trainOnBatch(x, y); },
    dispose: () => { tf.dispose([x, y]); model.dispose(); },
  };
}

/** MobileNet v1 0.25 at 224 px: the input of each depthwise layer, and its stride. */
export const MOBILENET_025_DEPTHWISE: { h: number; c: number; s: number }[] = [
  { h: 112, c: 8, s: 1 }, { h: 112, c: 16, s: 2 }, { h: 56, c: 32, s: 1 }, { h: 56, c: 32, s: 2 },
  { h: 28, c: 64, s: 1 }, { h: 28, c: 64, s: 2 },
  ...Array.from({ length: 5 }, () => ({ h: 14, c: 128, s: 1 })),
  { h: 14, c: 128, s: 2 }, { h: 7, c: 256, s: 1 },
];

/** All of MobileNet's depthwise filter gradients for one batch, as the kernel runs them. */
function depthwiseFilterGrads(batch: number) {
  const layers = MOBILENET_025_DEPTHWISE.map(({ h, c, s }) => {
    const o = Math.ceil(h / s);
    return { x: tf.randomNormal([batch, h, h, c]), dy: tf.randomNormal([batch, o, o, c]), c, s };
  });
  return {
    run: () => {
      for (const l of layers) {
        const attrs = { strides: [l.s, l.s], pad: 'same', dilations: [1, 1], filterShape: [3, 3, l.c, 1] };
        const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: l.x, dy: l.dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        dw.dispose();
      }
    },
    dispose: () => tf.dispose(layers.flatMap((l) => [l.x, l.dy])),
  };
}

/** tl-resnet-s's nine convolutions (input side, channels in → out, kernel, stride). */
const TL_RESNET_CONVS = [
  { h: 28, c: 1, o: 16, k: 3, s: 1 }, { h: 28, c: 16, o: 16, k: 3, s: 1 }, { h: 28, c: 16, o: 16, k: 3, s: 1 },
  { h: 28, c: 16, o: 32, k: 3, s: 2 }, { h: 14, c: 32, o: 32, k: 3, s: 1 }, { h: 28, c: 16, o: 32, k: 1, s: 2 },
  { h: 14, c: 32, o: 64, k: 3, s: 2 }, { h: 7, c: 64, o: 64, k: 3, s: 1 }, { h: 14, c: 32, o: 64, k: 1, s: 2 },
];
/** MobileNet v1 0.25 at 224 px: the first convolution and the pointwise ones. */
const MOBILENET_025_DENSE = [
  { h: 224, c: 3, o: 8, k: 3, s: 2 }, { h: 112, c: 8, o: 16, k: 1, s: 1 }, { h: 56, c: 16, o: 32, k: 1, s: 1 },
  { h: 56, c: 32, o: 32, k: 1, s: 1 }, { h: 28, c: 32, o: 64, k: 1, s: 1 }, { h: 28, c: 64, o: 64, k: 1, s: 1 },
  { h: 14, c: 64, o: 128, k: 1, s: 1 }, ...Array.from({ length: 5 }, () => ({ h: 14, c: 128, o: 128, k: 1, s: 1 })),
  { h: 7, c: 128, o: 256, k: 1, s: 1 }, { h: 7, c: 256, o: 256, k: 1, s: 1 },
];

/** Every listed convolution's filter gradient for one batch, as the kernel runs them. */
function denseFilterGrads(batch: number, convs: typeof TL_RESNET_CONVS) {
  const layers = convs.map((l) => {
    const o = Math.ceil(l.h / l.s);
    return { ...l, x: tf.randomNormal([batch, l.h, l.h, l.c]), dy: tf.randomNormal([batch, o, o, l.o]) };
  });
  return {
    run: () => {
      for (const l of layers) {
        const attrs = { strides: [l.s, l.s], pad: 'same', dataFormat: 'NHWC', filterShape: [l.k, l.k, l.c, l.o] };
        (tf.engine().runKernel('Conv2DBackpropFilter', { x: l.x, dy: l.dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor).dispose();
      }
    },
    dispose: () => tf.dispose(layers.flatMap((l) => [l.x, l.dy])),
  };
}

function print(title: string, rows: Timing[]): void {
  const base = rows[0];
  console.log(title);
  for (const r of rows) {
    const ratio = base.cpuMs / r.cpuMs;
    console.log(`  ${r.name.padEnd(42)} ${r.cpuMs.toFixed(1).padStart(8)} ms CPU ${r.wallMs.toFixed(1).padStart(8)} ms wall   ×${ratio.toFixed(2)} vs first`);
  }
}

async function main() {
  const reps = Number(process.argv[2] ?? 7);
  await initWasmBackend();
  const fusedOn = (simd: boolean) => () => { installFusedBatchNorm(); setSimdLoopsEnabled(simd); };

  const step = tlResnetStep(64);
  print(`tl-resnet-s fine-tuning step, batch 64, 28×28 (median of ${reps})`, await compareVariants([
    { name: 'tfjs BatchNorm (moments + FusedBatchNorm)', setup: () => { uninstallFusedBatchNorm(); setSimdLoopsEnabled(true); } },
    { name: 'fused BatchNorm, JS loops', setup: fusedOn(false) },
    { name: 'fused BatchNorm, SIMD loops', setup: fusedOn(true) },
  ], step.step, reps));
  step.dispose();

  const dw = depthwiseFilterGrads(16);
  print(`depthwise filter gradients of MobileNet v1 0.25 at 224, batch 16, all 13 layers (median of ${reps})`, await compareVariants([
    { name: 'JS loop', setup: () => setSimdLoopsEnabled(false) },
    { name: 'SIMD per tap', setup: () => setSimdLoopsEnabled(true) },
  ], dw.run, reps));
  dw.dispose();

  const filterVariants = [
    { name: 'per-tap matrix products (XNNPACK)', setup: () => setSimdLoopsEnabled(false) },
    { name: 'SIMD pass over pixel blocks', setup: () => setSimdLoopsEnabled(true) },
  ];
  for (const [title, batch, convs] of [
    ['tl-resnet-s, one shard of 32, all 9 convolutions', 32, TL_RESNET_CONVS],
    ['MobileNet v1 0.25 at 224, batch 16, first + 13 pointwise convolutions', 16, MOBILENET_025_DENSE],
  ] as const) {
    const grads = denseFilterGrads(batch, convs);
    print(`dense filter gradients of ${title} (median of ${reps})`, await compareVariants(filterVariants, grads.run, reps));
    grads.dispose();
  }
  installFusedBatchNorm();
  setSimdLoopsEnabled(true);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
