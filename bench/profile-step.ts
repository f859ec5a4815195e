// `npx tsx bench/profile-step.ts [wasm|cpu] [batch]`: where one tl-resnet-s fine-tuning step of the
// engine spends its time, per tfjs kernel (tf.profile), so kernel work goes after what dominates.
import * as tf from '@tensorflow/tfjs';
import { buildTlResnet, TL_RESNET_FEATURES } from '../electron/training/backbones/tl-resnet.js';
import { createHead, createOptimizer } from '../electron/training/engine/head.js';
import { lossOf } from '../electron/training/engine/loss.js';
import { initWasmBackend } from '../electron/training/kernels/wasm-setup.js';

export interface KernelShare { kernel: string; ms: number; calls: number; share: number }

/** Makes tf.profile time kernels in process CPU time: on a shared machine wall time mostly
 *  measures the neighbours. Returns a function that restores the backend's own timer. */
export function timeKernelsInCpuTime(): () => void {
  const backend = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> };
  const own = backend.time;
  backend.time = async (f) => {
    const c = process.cpuUsage();
    f();
    const d = process.cpuUsage(c);
    return { kernelMs: (d.user + d.system) / 1000 };
  };
  return () => { backend.time = own; };
}

/**
 * Runs `steps` of the engine's own single-thread fine-tuning step (loop.ts: optimizer.minimize over
 * the base in training mode and the run's head, the engine's fused Adam, its loss) after a warm-up,
 * and sums kernel times by kernel name.
 */
export async function profileTrainingStep(batch: number, classes = 10, steps = 3): Promise<{ stepMs: number; kernels: KernelShare[] }> {
  const base = buildTlResnet({ seed: 1 });
  const head = createHead(TL_RESNET_FEATURES, classes, 1);
  const optimizer = createOptimizer('adam', 1e-4);
  const variables = [...base.trainableWeights.map((w) => w.read() as tf.Variable), ...head.variables()];
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % classes);
  const step = () => {
    const loss = optimizer.minimize(() => lossOf(head.apply(base.apply(x, { training: true }) as tf.Tensor, true), labels, classes), true, variables);
    loss?.dataSync();
    loss?.dispose();
  };
  step();
  const totals = new Map<string, { ms: number; calls: number }>();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const info = await tf.profile(step);
    for (const k of info.kernels) {
      if (k.name.endsWith('__op')) continue; // op wrappers: their kernels are listed too
      const e = totals.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += await k.kernelTimeMs as number;
      e.calls += 1;
      totals.set(k.name, e);
    }
  }
  const stepMs = (performance.now() - t0) / steps;
  const sum = [...totals.values()].reduce((a, e) => a + e.ms, 0);
  const kernels = [...totals.entries()]
    .map(([kernel, e]) => ({ kernel, ms: e.ms / steps, calls: e.calls / steps, share: e.ms / sum }))
    .sort((a, b) => b.ms - a.ms);
  tf.dispose(x);
  optimizer.dispose();
  base.dispose();
  head.layers.forEach((l) => l.dispose());
  return { stepMs, kernels };
}

async function main() {
  const rung = process.argv[2] ?? 'wasm';
  const batch = Number(process.argv[3] ?? 64);
  if (rung === 'wasm') await initWasmBackend();
  else await tf.setBackend(rung);
  if (process.env.SHIPPED_ONLY) {
    // Compare against the shipped kernels: drop ours again (the filter backprop stays, it is needed).
    const { restoreShippedKernels } = await import('./restore-shipped.js');
    restoreShippedKernels(process.env.SHIPPED_ONLY.split(','));
  }
  timeKernelsInCpuTime();
  const { stepMs, kernels } = await profileTrainingStep(batch);
  console.log(`${rung}, batch ${batch}: ${stepMs.toFixed(0)} ms per profiled step`);
  for (const k of kernels.slice(0, 18)) {
    console.log(`${k.kernel.padEnd(28)} ${k.ms.toFixed(1).padStart(8)} ms ${String(k.calls).padStart(4)} calls ${(100 * k.share).toFixed(1).padStart(5)} %`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
