// Training cost through the app's own engine (bench/training/engine-workloads.ts: computeEmbeddings
// and runTraining with injected EngineDeps), each workload in a child process of its own, side by
// side with the same workload in PyTorch on every core and on one thread
// (bench/pytorch_reference.py), in one run. Env: TL_BENCH_QUICK=1 (or `npm run bench -- --quick`)
// for a smoke run; BENCH_IMAGES (training images, default 1024), BENCH_MOBILENET_IMAGES (default
// 512), BENCH_DATASET (fashion-target), BENCH_REPEATS (fine-tuning epochs, default 3), BENCH_BACKEND
// (the engine's backend choice, default auto), BENCH_ARCH (only tl-resnet-s or mobilenet-v1-0.25-224),
// BENCH_THREADS (a fine-tuning run's threads, default the physical cores, as a lone run gets), BENCH_PYTHON,
// BENCH_ROUNDS (paired engine/PyTorch rounds of each judged fine-tuning workload, default 3, quick 1).
import os from 'node:os';
import { readShippedData } from '../../electron/datasets/shipped.js';
import type { BackendChoice } from '../../electron/contract/index.js';
import { initWasmBackend } from '../../electron/training/kernels/wasm-setup.js';
import { profileTrainingStep, timeKernelsInCpuTime } from '../profile-step.js';
import { physicalCores } from '../../electron/services/training/pool-size.js';
import type { BenchSection } from '../report.js';
import { medianRound, pairedRounds } from '../rounds.js';
import { runInChild } from '../training/children.js';
import { BENCH_ARCHS, type BenchArch } from '../training/engine-backbones.js';
import { resourcesDir } from '../training/data.js';
import { findTorchPython, runTorchWorkload } from '../training/pytorch.js';
import { type Outcome, type TorchResult, type WorkloadRun, type WorkloadSpec, plan, workloadLabel } from '../training/spec.js';
import { failureLines, hasFineTuneGoal, memoryRows, roundRatio, timingRows, torchColumns, verdictLines } from '../training/table.js';

const envNumber = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const secs = (s: number) => s.toFixed(2);

async function torchSide(python: string | null, spec: WorkloadSpec, classes: number, threads: number): Promise<Outcome<TorchResult> | null> {
  if (!python) return null;
  try {
    return { ok: true, value: await runTorchWorkload(python, spec, classes, threads) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function detailLines(runs: WorkloadRun[]): string[] {
  const out: string[] = [];
  for (const r of runs) {
    const e = r.engine.ok ? r.engine.value : null;
    if (!e) continue;
    if (e.epochs) {
      const oneOff = e.beforeFirstEpochS === undefined ? '' : `; before epoch 1, once per run (the frozen blocks' single pass when their output is cached): ${secs(e.beforeFirstEpochS)} s`;
      out.push(`${workloadLabel(r.spec)}: engine epochs (training part, wall) ${e.epochs.map((x) => secs(x.trainWallS)).join(' / ')} s; with the validation pass ${e.epochs.map((x) => secs(x.wallS)).join(' / ')} s${oneOff}`);
    }
    if (e.phases && r.spec.kind === 'feature-extraction') {
      const embedding = e.phases.find((p) => p.phase === 'caching-embeddings')?.wallS;
      const beyond = embedding === undefined ? '' : `; the run beyond its own embedding pass: ${secs(e.main.wallS - embedding)} s${e.forwardAll ? ` (${((e.main.wallS - embedding) / e.forwardAll.wallS * 100).toFixed(0)} % of one forward pass)` : ''}`;
      out.push(`${r.spec.arch} feature extraction run by phase (wall s): ${e.phases.map((p) => `${p.phase} ${secs(p.wallS)}`).join(', ')}${beyond}`);
    }
    if (r.rounds && r.rounds.length > 1) {
      const wall = (o: Outcome<{ main: { wallS: number } }> | null) => (o?.ok ? secs(o.value.main.wallS) : '—');
      out.push(`${workloadLabel(r.spec)}: rounds in order, engine | pytorch (all cores) fastest epoch: ${r.rounds.map((x) => `${wall(x.engine)} | ${wall(x.torchAll)} s`).join('; ')}`);
    }
    const torchEpochs = r.torchAll?.ok ? r.torchAll.value.epochs : undefined;
    if (torchEpochs) out.push(`${workloadLabel(r.spec)}: pytorch (all cores) epochs ${torchEpochs.map((x) => secs(x.wallS)).join(' / ')} s`);
  }
  return out;
}

async function kernelProfile(batch: number, classes: number): Promise<BenchSection> {
  await initWasmBackend();
  const restore = timeKernelsInCpuTime();
  try {
    const p = await profileTrainingStep(batch, classes, 2);
    return {
      title: `wasm: the engine's full fine-tuning step of tl-resnet-s on one thread (batch ${batch}) by tfjs kernel, tf.profile in CPU ms`,
      rows: p.kernels.slice(0, 12).map((k) => ({ kernel: k.kernel, 'CPU ms': k.ms, calls: k.calls, share: `${(100 * k.share).toFixed(1)} %` })),
      notes: [],
    };
  } finally {
    restore();
  }
}

export async function run(): Promise<BenchSection[]> {
  const quick = process.env.TL_BENCH_QUICK === '1';
  const specs = plan({
    quick, datasetId: process.env.BENCH_DATASET, train: envNumber('BENCH_IMAGES'), mobileNetTrain: envNumber('BENCH_MOBILENET_IMAGES'),
    ftEpochs: envNumber('BENCH_REPEATS'), backend: process.env.BENCH_BACKEND as BackendChoice | undefined,
    arch: process.env.BENCH_ARCH as BenchArch | undefined, threads: envNumber('BENCH_THREADS') ?? physicalCores(),
  });
  const rounds = Math.max(1, envNumber('BENCH_ROUNDS') ?? (quick ? 1 : 3));
  if (specs.length === 0) throw new Error(`BENCH_ARCH=${process.env.BENCH_ARCH} is none of ${BENCH_ARCHS.join(', ')}`);
  const classes = (await readShippedData(resourcesDir, specs[0].datasetId)).meta.classes.length;
  const py = await findTorchPython();
  const python = 'python' in py ? py.python : null;
  const loadBefore = load();
  const started = performance.now();
  const runs: WorkloadRun[] = [];
  // Per workload: the engine, then PyTorch on all cores, then on one thread, so the three see the same
  // load. A workload judged against PyTorch runs in paired rounds, alternating which side goes first.
  for (const spec of specs) {
    console.log(`  training: ${workloadLabel(spec)} …`);
    if (!hasFineTuneGoal(spec) || !python) {
      runs.push({ spec, engine: await runInChild(spec), torchAll: await torchSide(python, spec, classes, 0), torchOne: await torchSide(python, spec, classes, 1) });
      continue;
    }
    const paired = await pairedRounds(rounds, () => runInChild(spec), () => torchSide(python, spec, classes, 0));
    const all = paired.map((p) => ({ engine: p.a, torchAll: p.b }));
    const shown = all[Math.max(0, medianRound(all.map(roundRatio)))];
    runs.push({ spec, ...shown, torchOne: await torchSide(python, spec, classes, 1), rounds: all });
  }
  const minutes = (performance.now() - started) / 60_000;

  const torch = runs.map((r) => (r.torchAll?.ok ? r.torchAll.value : null)).find((t) => t);
  const engine = runs.map((r) => (r.engine.ok ? r.engine.value : null)).find((e) => e);
  const cols = torchColumns(runs);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const notes = [
    `${cpu} × ${os.cpus().length}; load average ${loadBefore} before the suite, ${load()} after (${minutes.toFixed(1)} min); other processes on this machine inflate wall times, CPU times less so`,
    engine ? `engine: the backend ladder chose ${engine.rung} (${engine.device}); each workload may use as many threads as its row says, their start inside the time: fine-tuning cuts every batch into shards; the embedding pass starts threads only once the pass left is long enough to pay for them (at these sizes it does not)` : 'engine: no workload finished',
    python
      ? torch
        ? `pytorch: torch ${torch.torch} via ${python}; "${cols.all}" = torch.set_num_threads(${torch.threads}), every core the process may use; "${cols.one}" = one thread; torch's own default here is ${torch.defaultThreads} thread${torch.defaultThreads === 1 ? '' : 's'}`
        : `pytorch: ${python} has torch but no workload finished`
      : `pytorch: skipped — ${'reason' in py ? py.reason : ''} (Debian: apt-get install python3-torch)`,
    `forward = computeEmbeddings over the training images (batch 128, as a run embeds), fastest of ${specs[0].repeats}${specs.some((s) => s.repeats !== specs[0].repeats) ? ` (MobileNet ${specs.at(-1)!.repeats})` : ''}; feature extraction = runTraining, the whole run incl. loading, validation each epoch, scoring and saving the model, after one untimed run, in as many paired rounds with a forward pass over the run's images (alternating which goes first; the cached-FE ratio is the median round's); fine-tuning epoch = the loop's own clock over one epoch's training batches, fastest of ${specs[0].ftEpochs} epochs of one run, CPU s incl. that epoch's validation pass (epoch 1's also the one-off work before it); ÷ = engine wall ÷ PyTorch wall`,
    'PyTorch runs the loop a student writes: the frozen blocks (partial fine-tuning) run in every epoch; the engine runs them once per run when their output cannot change (see "before epoch 1" below)',
    `data: the first train + 64 validation + 64 test images of ${specs[0].datasetId}; MobileNet's stored at 224×224×3 as a folder of the student's own photos is decoded (no per-batch resize)`,
    `fine-tuning goals: ${rounds} paired round${rounds === 1 ? '' : 's'} each (engine then PyTorch, then PyTorch then engine, …), one ratio per round; the table shows the median round, the verdict is the median ratio's, "rounds met" counts the rounds at or under the goal`,
    ...verdictLines(runs),
    ...detailLines(runs),
    ...failureLines(runs),
  ];
  const sections: BenchSection[] = [
    { title: `Training through the engine vs PyTorch (batch ${specs[0].batch}, ${classes} classes): seconds and ratios, wall clock`, rows: timingRows(runs), notes },
    { title: 'Training: peak memory of each workload (each in a process of its own)', rows: memoryRows(runs), notes: ['engine tf.memory() peak: highest tf.memory().numBytes at any moment of the workload; RSS: the process\'s peak resident set (backend, data and model included)'] },
  ];
  if (!quick) {
    try {
      sections.push(await kernelProfile(specs[0].batch, classes));
    } catch (err) {
      sections[0].notes.push(`kernel profile failed: ${err instanceof Error ? err.message : err}`);
    }
  }
  return sections;
}
