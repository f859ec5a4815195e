// The training side of the contract: start (one run or a linked pair, over one or more seeds),
// cancel, queue, export a trained model, the device report and the flowchart's data analysis — all
// backed by the worker.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceReport, FlowchartAnalysis, methods, type Emit, type Handlers, type RungReport, type TrainConfig, type TrainRequest, type WindowGpuState } from '../../contract/index.js';
import { ModelDescription } from '../../models/facts.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import { NotFoundError } from '../dispatcher.js';
import { trainableImages } from './dataset-images.js';
import { planRequest } from './plan-runs.js';
import type { RunRecorder } from './run-recorder.js';
import { LocalPoolRunner } from './local-runner.js';
import { TrainingQueue, type Job, type JobRunner } from './training-queue.js';
import { WindowRunner } from './window-runner.js';
import type { WindowGpuSource } from './window-source.js';
import { WorkerHost, type SpawnWorker } from './worker-host.js';
import { isSoftwareGpu } from '../../contract/gpu-names.js';

export interface TrainingServiceOptions {
  store: RunRecorder;
  emit: Emit;
  spawnWorker: SpawnWorker;
  workerEnv: () => WorkerEnv;
  /** How many workers train at once (read when a job starts; a smaller pool lets busy workers finish). */
  poolSize?: () => number;
  /** At most this many threads per run (default: the cores the pool's share gives it). */
  maxThreadsPerRun?: () => number;
  dataDir: string;
  identity: () => { studentName: string; classSession: string };
  log?: (msg: string) => void;
  /** Lab workers on other machines (BullMQ, --redis): jobs they can train go there; the rest stay here. */
  remote?: { runner: JobRunner; accepts(config: TrainConfig): boolean };
  /** The window GPU rung: a hidden window (desktop) or an opted-in tab (browser mode). */
  windowGpu?: WindowGpuSource;
}

export { defaultRunName } from './plan-runs.js';

/**
 * Where a job trains, by the backend it asks for (the Settings' default in place of 'auto'). Asked
 * for by name, the window rung is the window runner's, which fails the job with a clear message
 * when no window is connected (it does not move to another rung). 'auto' trains in a connected
 * window only where no CUDA GPU is and the window's GPU is not a software renderer (slower than
 * wasm), after lab workers that accept it.
 */
export function placeFor(wanted: TrainConfig['backend'], here: { windowConnected: boolean; cuda: boolean; remote: boolean; windowSoftware?: boolean }): 'window' | 'remote' | 'local' {
  if (wanted === 'window-gpu') return 'window';
  if (here.remote) return 'remote';
  if (wanted === 'auto' && !here.cuda && here.windowConnected && !here.windowSoftware) return 'window';
  return 'local';
}

/**
 * The worker process's ladder with the window rung in its place (below CUDA, above the CPU rungs).
 * 'auto' trains there when a window is connected and no CUDA GPU is: the route above agrees.
 */
export function withWindowRung(report: DeviceReport, rung: RungReport, window: WindowGpuState): DeviceReport {
  const rungs = report.rungs.filter((r) => r.rung !== 'window-gpu');
  const at = rungs.findIndex((r) => r.rung === 'tfjs-node-gpu') + 1;
  rungs.splice(at, 0, rung);
  const cudaOk = rungs.some((r) => r.rung === 'tfjs-node-gpu' && r.available);
  let active = report.active;
  if (report.forced === 'window-gpu') active = rung.available ? 'window-gpu' : null;
  else if (report.forced === 'auto' && !cudaOk && rung.available && window.connected && !isSoftwareGpu(rung.gpuName ?? rung.device)) active = 'window-gpu';
  return { ...report, active, rungs, window };
}

export type TrainingHandlers = Pick<Handlers, 'training.start' | 'training.cancel' | 'training.queue' | 'runs.exportModel' | 'device.probe' | 'flowchart.analyze'>;

export function createTrainingService(opts: TrainingServiceOptions) {
  const { store, emit } = opts;
  // Worker processes start on first use; slot i's messages go to slot i's job.
  const hosts: WorkerHost[] = [];
  const hostFor = (slot: number): WorkerHost => (hosts[slot] ??= new WorkerHost(
    opts.spawnWorker,
    opts.workerEnv,
    (m) => local.onWorkerMessage(slot, m),
    (reason) => {
      opts.log?.(`training process ${slot + 1} died: ${reason}`);
      local.onWorkerDied(slot, reason);
    },
    opts.log,
  ));
  const local = new LocalPoolRunner({ size: () => Math.max(1, opts.poolSize?.() ?? 1), host: hostFor, maxThreads: opts.maxThreadsPerRun });
  const remote = opts.remote;
  const windowRunner = opts.windowGpu ? new WindowRunner(opts.windowGpu, opts.workerEnv, opts.log) : null;
  // Without a window source (no window worker bundle built) a job asking for the rung still fails clearly.
  const noWindow: JobRunner = {
    capacity: () => 1, workers: () => 0, cancel: () => undefined,
    start: async () => { throw new Error('This app has no window to train on a GPU with: the window worker is not built (run `npm run build`).'); },
  };
  /** Whether the last device probe found a CUDA GPU (then 'auto' keeps to the worker processes). */
  let cuda = false;
  const route = (job: Job): JobRunner => {
    const place = placeFor(job.config.backend === 'auto' ? opts.workerEnv().backend : job.config.backend, {
      windowConnected: !!opts.windowGpu?.state().connected, cuda, remote: !!remote?.accepts(job.config),
      windowSoftware: isSoftwareGpu(windowRunner?.gpuName()),
    });
    return place === 'window' ? windowRunner ?? noWindow : place === 'remote' ? remote!.runner : local;
  };
  const runners = [...(remote ? [remote.runner] : []), local, windowRunner ?? noWindow];
  const queue = new TrainingQueue(store, emit, runners, route);
  /** Request/reply work goes to a worker that is not training, when there is one. */
  const host = { request: ((...args: Parameters<WorkerHost['request']>) => local.idleHost().request(...args)) as WorkerHost['request'] };

  /** Queues the request's runs: one or a pair (the pair rule sets the budget) for each of its seeds. */
  async function start(request: Pick<TrainRequest, 'config' | 'name'> & { seeds?: number }): Promise<{ runIds: string[]; pairId: string | null; repeatId: string | null }> {
    const size = request.config.strategy === 'both' ? await trainableImages(request.config.dataset, { resourcesDir: opts.workerEnv().resourcesDir, dataDir: opts.dataDir }) : null;
    const groups = planRequest(request, size);
    const repeatId = groups.length > 1 ? randomUUID() : null;
    const who = opts.identity();
    const jobs: Array<{ id: string; config: TrainConfig }> = [];
    let firstPair: string | null = null;
    for (const group of groups) {
      const pairId = group.paired ? store.createPair() : null;
      firstPair ??= pairId;
      for (const run of group.runs) jobs.push({ id: store.createRun({ name: run.name, pairId, config: run.config, repeatId, ...who }).id, config: run.config });
    }
    for (const job of jobs) queue.enqueue(job.id, job.config);
    return { runIds: jobs.map((j) => j.id), pairId: firstPair, repeatId };
  }

  const handlers: TrainingHandlers = {
    'training.start': (request) => start(request),
    'training.cancel': async ({ runId }) => {
      if (!queue.cancel(runId)) throw new NotFoundError(`Run ${runId} is not queued or running.`);
      return { ok: true };
    },
    'training.queue': async () => queue.state(),
    'runs.exportModel': async ({ runId }) => {
      const run = store.get(runId);
      if (run.status !== 'completed') throw new Error(`Only a completed run can be exported (this one is ${run.status}).`);
      const config = store.getConfig(runId);
      const safeName = run.name.replace(/[^\w.-]+/g, '-').replace(/-+/g, '-').slice(0, 60);
      const outDir = join(opts.dataDir, 'exports', `${safeName}-${runId.slice(0, 8)}`);
      mkdirSync(outDir, { recursive: true });
      const reply = await host.request(methods['runs.exportModel'].result, (requestId) => ({ type: 'exportModel', requestId, runId, config, outDir }));
      store.setExportedModel(runId, reply.path);
      return reply;
    },
    'device.probe': async ({ refresh }) => {
      const report = await host.request(DeviceReport, (requestId) => ({ type: 'device', requestId, refresh }), 120_000);
      cuda = report.rungs.some((r) => r.rung === 'tfjs-node-gpu' && r.available);
      if (!windowRunner) return report;
      return withWindowRung(report, await windowRunner.rungReport(refresh), opts.windowGpu!.state());
    },
    'flowchart.analyze': async ({ dataset, backboneId }) =>
      host.request(FlowchartAnalysis, (requestId) => ({ type: 'analyze', requestId, dataset, backboneId })),
  };

  /** The worker loads the model and reports its facts (the models service keeps them). */
  const describeModel = (id: string): Promise<ModelDescription> =>
    host.request(ModelDescription, (requestId) => ({ type: 'describeModel', requestId, id }));

  return {
    handlers, rerun: (config: TrainConfig, name: string) => start({ config, name }), describeModel, queue,
    /** The worker process of each slot started so far (tests kill them). */
    hosts: () => [...hosts],
    close: () => { for (const h of hosts) h.stop(); windowRunner?.stop(); },
  };
}
