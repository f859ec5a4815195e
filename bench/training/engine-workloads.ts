// The timed workloads, through the app's own engine: the functions a run calls, with EngineDeps
// that inject the bench's backbone, data and fixed split (as the engine's tests do) and everything
// else real (backend ladder, augmentation). Forward = computeEmbeddings, the frozen base's pass that
// caches feature extraction's embeddings; feature extraction and fine-tuning = runTraining, the
// whole run a student starts, timed from outside and by the loop's own per-epoch clock.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../electron/contract/budget.js';
import type { TrainConfig } from '../../electron/contract/index.js';
import type { EngineDeps } from '../../electron/training/engine/deps.js';
import { computeEmbeddings } from '../../electron/training/engine/embeddings.js';
import { embedHelpers, type EmbedHelpers } from '../../electron/training/engine/embedding-threads.js';
import { realEngineDeps } from '../../electron/training/engine/parts.js';
import { runTraining } from '../../electron/training/engine/run-training.js';
import type { LoadedBackbone, LoadedData } from '../../electron/training/types.js';
import type { FromWorker, WorkerEnv } from '../../electron/worker-protocol/messages.js';
import { loadBenchBackbone } from './engine-backbones.js';
import { benchData, fixedSplit } from './engine-data.js';
import { resourcesDir } from './data.js';
import { measure } from './measure.js';
import { medianRound, pairedRounds } from '../rounds.js';
import { disposeBackbone } from '../../electron/training/engine/run-setup.js';
import { watchPeakMemory } from './peak-memory.js';
import type { EngineResult, EpochTiming, Timing, WorkloadSpec } from './spec.js';

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

function runConfig(spec: WorkloadSpec): TrainConfig {
  const fe = spec.kind === 'feature-extraction';
  return {
    ...defaultConfig(fe ? 'feature-extraction' : 'fine-tuning', spec.sizes.train),
    backboneId: spec.arch, dataset: { id: spec.datasetId, perClass: null },
    epochs: fe ? spec.headEpochs : spec.ftEpochs, batchSize: spec.batch, seed: 1,
    unfreezeBlocks: fe ? 0 : spec.unfreeze, twoPhase: false, headEpochs: 0,
    earlyStopping: { enabled: false, patience: 4 }, augment: false, backend: spec.backend,
  };
}

/** Wall and CPU clock at every phase change and every finished epoch of a run. */
class RunClock {
  readonly phases: { phase: string; t: number; cpu: number }[] = [];
  readonly epochs: { trainWallS: number; wallS: number; t: number; cpu: number }[] = [];
  constructor(private readonly trainImages: number) {}

  readonly emit = (m: FromWorker): void => {
    if (m.type === 'progress' && m.progress.phase !== this.phases.at(-1)?.phase) {
      this.phases.push({ phase: m.progress.phase, t: performance.now(), cpu: cpuNow() });
    } else if (m.type === 'epoch') {
      const { imagesPerSec, seconds } = m.metrics;
      this.epochs.push({ trainWallS: imagesPerSec > 0 ? this.trainImages / imagesPerSec : seconds, wallS: seconds, t: performance.now(), cpu: cpuNow() });
    }
  };

  phaseWalls(end: number): { phase: string; wallS: number }[] {
    return this.phases.map((p, i) => ({ phase: p.phase, wallS: ((this.phases[i + 1]?.t ?? end) - p.t) / 1000 }));
  }

  /** Wall seconds from entering `phase` to the start of its first epoch (one-off work such as the
   *  frozen prefix's single pass over the training images). */
  beforeFirstEpoch(phase: string): number | undefined {
    const start = this.phases.find((p) => p.phase === phase);
    const first = this.epochs[0];
    return start && first ? Math.max(0, (first.t - start.t) / 1000 - first.wallS) : undefined;
  }

  /** Per epoch of `phase`: its training part and the whole epoch (with validation) in CPU time. */
  epochTimings(phase: string): EpochTiming[] {
    let cpu = this.phases.find((p) => p.phase === phase)?.cpu ?? NaN;
    return this.epochs.map((e) => {
      const out = { trainWallS: e.trainWallS, wallS: e.wallS, cpuS: e.cpu - cpu };
      cpu = e.cpu;
      return out;
    });
  }
}

async function trainRun(spec: WorkloadSpec, env: WorkerEnv, deps: EngineDeps): Promise<{ timing: Timing; clock: RunClock; end: number; embeddingCache: string }> {
  const clock = new RunClock(spec.sizes.train);
  let outcome: Awaited<ReturnType<typeof runTraining>> | undefined;
  const timing = await measure(async () => {
    outcome = await runTraining('bench-run', runConfig(spec), env, clock.emit, new AbortController().signal, deps, { threads: spec.threads, cores: spec.cores });
  });
  const end = performance.now();
  if (outcome?.status !== 'completed') throw new Error(`the ${spec.kind} run ${outcome?.status ?? 'did not finish'}${outcome?.status === 'failed' ? `: ${outcome.error}` : ''}`);
  return { timing, clock, end, embeddingCache: outcome.result.embeddingCache };
}

const fastest = <T extends { wallS: number }>(xs: T[]): T => xs.reduce((a, b) => (b.wallS < a.wallS ? b : a));

/** One warm-up batch of the forward pass (XNNPACK operator set-up, JIT), then the timed pass, on
 *  as many threads as a run gets (their start inside the time, as in a run). */
async function forwardOver(backbone: LoadedBackbone, data: LoadedData, indices: Int32Array, threads: number, deps: EngineDeps): Promise<Timing> {
  await computeEmbeddings(backbone, data, { indices: indices.subarray(0, Math.min(indices.length, 128)) });
  let helpers: EmbedHelpers | null = null;
  try {
    return await measure(() => {
      helpers = embedHelpers(backbone.model, deps.host.baseThreads, { now: threads }, tf.getBackend());
      return computeEmbeddings(backbone, data, { indices, helpers });
    });
  } finally {
    (helpers as EmbedHelpers | null)?.close();
  }
}

async function timesOver(repeats: number, work: (repeat: number) => Promise<Timing>): Promise<Timing[]> {
  const out: Timing[] = [];
  for (let r = 0; r < Math.max(1, repeats); r++) out.push(await work(r));
  return out;
}

export async function runEngineWorkload(spec: WorkloadSpec): Promise<EngineResult> {
  // As the training worker does: no debug checks.
  tf.env().set('PROD', true);
  const env: WorkerEnv = { resourcesDir, dataDir: mkdtempSync(path.join(tmpdir(), 'tl-bench-engine-')), backend: spec.backend };
  try {
    const real = realEngineDeps();
    const selection = await real.selectBackend(spec.backend);
    const backbone = await loadBenchBackbone(spec.arch, env, real);
    const data = await benchData(spec.datasetId, spec.sizes, backbone.inputShape);
    const split = fixedSplit(spec.sizes);
    // A fingerprint of its own per repeat: the embedding cache (memory and disk) never answers a
    // repeated run, so each one computes its embeddings as a first run does.
    const depsFor = (repeat: number): EngineDeps => ({
      ...real,
      loadBackbone: async () => backbone,
      dataSource: () => ({ load: async () => ({ ...data, fingerprint: `${data.fingerprint}:${repeat}` }) }),
      split: () => split,
    });
    const memory = watchPeakMemory();
    const out = { rung: selection.rung, device: selection.device };
    if (spec.kind === 'forward') {
      const main = fastest(await timesOver(spec.repeats, () => forwardOver(backbone, data, split.train, spec.threads ?? 1, real)));
      return { ...out, main, peak: memory.read() };
    }
    if (spec.kind === 'feature-extraction') {
      // Paired rounds (forward, run; run, forward; …), one ratio each: the machine's drift slows both
      // sides of a round alike. runTraining frees the backbone it was given, and the forward pass
      // must not run on a freed one: each side of a round loads its own copy.
      const all = Int32Array.from({ length: data.labels.length }, (_, i) => i);
      // One untimed run first (on the copy loaded above, which it frees), as the forward pass has its
      // untimed batch: the first run in a process also compiles the run's own code paths (~0.1 s
      // here), which a worker that trained before has done.
      await trainRun(spec, env, { ...depsFor(-1), loadBackbone: async () => backbone });
      const rounds = await pairedRounds(Math.max(1, spec.repeats),
        async () => {
          const own = await loadBenchBackbone(spec.arch, env, real);
          try {
            return await forwardOver(own, data, all, spec.threads ?? 1, real);
          } finally {
            disposeBackbone(own);
          }
        },
        async (r) => {
          const own = await loadBenchBackbone(spec.arch, env, real);
          const run = await trainRun(spec, env, { ...depsFor(r), loadBackbone: async () => own });
          return { ...run.timing, phases: run.clock.phaseWalls(run.end), embeddingCache: run.embeddingCache };
        });
      const shown = rounds[Math.max(0, medianRound(rounds.map((x) => x.b.cpuS / x.a.cpuS)))];
      const { phases, embeddingCache: _, ...main } = shown.b;
      return {
        ...out, main, forwardAll: shown.a, phases, embeddingCache: rounds.map((x) => x.b.embeddingCache),
        cachedRounds: rounds.map((x) => ({ run: { wallS: x.b.wallS, cpuS: x.b.cpuS }, forward: x.a })), peak: memory.read(),
      };
    }
    const { clock, end } = await trainRun(spec, env, depsFor(0));
    const epochs = clock.epochTimings('fine-tuning');
    if (epochs.length === 0) throw new Error('the fine-tuning run reported no epoch');
    const best = epochs.reduce((a, b) => (b.trainWallS < a.trainWallS ? b : a));
    return {
      ...out, main: { wallS: best.trainWallS, cpuS: best.cpuS }, epochs, beforeFirstEpochS: clock.beforeFirstEpoch('fine-tuning'),
      phases: clock.phaseWalls(end), peak: memory.read(),
    };
  } finally {
    rmSync(env.dataDir, { recursive: true, force: true });
  }
}
