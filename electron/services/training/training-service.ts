// The training side of the contract: start (one run or a linked pair), cancel, queue, export a
// trained model, the device report and the flowchart's data analysis — all backed by the worker.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceReport, FlowchartAnalysis, methods, STRATEGY_LABEL, type Emit, type Handlers, type Strategy, type TrainConfig, type TrainRequest } from '../../contract/index.js';
import { ModelDescription } from '../../models/facts.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import { NotFoundError } from '../dispatcher.js';
import type { RunRecorder } from './run-recorder.js';
import { TrainingQueue } from './training-queue.js';
import { WorkerHost, type SpawnWorker } from './worker-host.js';

export interface TrainingServiceOptions {
  store: RunRecorder;
  emit: Emit;
  spawnWorker: SpawnWorker;
  workerEnv: () => WorkerEnv;
  dataDir: string;
  identity: () => { studentName: string; classSession: string };
  log?: (msg: string) => void;
}


export function defaultRunName(config: TrainConfig): string {
  const subset = config.dataset.perClass ? ` ×${config.dataset.perClass}/class` : ' (all)';
  return `${STRATEGY_LABEL[config.strategy]} · ${config.dataset.id}${subset} · ${config.backboneId}`;
}

/**
 * A pair shares one budget. Its feature-extraction run trains only a new head, so it uses the head's
 * learning rate (the fine-tuning rate would leave the head undertrained), and as many epochs as the
 * fine-tuning run trains in total (head phase + unfreezing) so neither gets more optimizer steps.
 */
function pairedFeatureExtraction(config: Omit<TrainConfig, 'strategy'>): TrainConfig {
  const epochs = config.twoPhase ? config.headEpochs + config.epochs : config.epochs;
  return { ...config, strategy: 'feature-extraction', learningRate: config.headLearningRate, epochs: Math.min(500, epochs) };
}

export type TrainingHandlers = Pick<Handlers, 'training.start' | 'training.cancel' | 'training.queue' | 'runs.exportModel' | 'device.probe' | 'flowchart.analyze'>;

export function createTrainingService(opts: TrainingServiceOptions) {
  const { store, emit } = opts;
  let queue: TrainingQueue;
  const host = new WorkerHost(
    opts.spawnWorker,
    opts.workerEnv,
    (m) => queue.onWorkerMessage(m),
    (reason) => {
      opts.log?.(`training process died: ${reason}`);
      queue.onWorkerDied(reason);
    },
    opts.log,
  );
  queue = new TrainingQueue(store, emit, () => host);

  function start(request: TrainRequest): { runIds: string[]; pairId: string | null } {
    const { strategy, ...rest } = request.config;
    const strategies: Strategy[] = strategy === 'both' ? ['feature-extraction', 'fine-tuning'] : [strategy];
    const pairId = strategies.length > 1 ? store.createPair() : null;
    const who = opts.identity();
    const jobs = strategies.map((s) => {
      const config: TrainConfig = pairId && s === 'feature-extraction' ? pairedFeatureExtraction(rest) : { ...rest, strategy: s };
      const name = request.name ? (pairId ? `${request.name} · ${STRATEGY_LABEL[s]}` : request.name) : defaultRunName(config);
      return { id: store.createRun({ name, pairId, config, ...who }).id, config };
    });
    for (const job of jobs) queue.enqueue(job.id, job.config);
    return { runIds: jobs.map((j) => j.id), pairId };
  }

  const handlers: TrainingHandlers = {
    'training.start': async (request) => start(request),
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
    'device.probe': async ({ refresh }) => host.request(DeviceReport, (requestId) => ({ type: 'device', requestId, refresh }), 120_000),
    'flowchart.analyze': async ({ dataset, backboneId }) =>
      host.request(FlowchartAnalysis, (requestId) => ({ type: 'analyze', requestId, dataset, backboneId })),
  };

  /** The worker loads the model and reports its facts (the models service keeps them). */
  const describeModel = (id: string): Promise<ModelDescription> =>
    host.request(ModelDescription, (requestId) => ({ type: 'describeModel', requestId, id }));

  return { handlers, rerun: (config: TrainConfig, name: string) => Promise.resolve(start({ config, name })), describeModel, host, queue, close: () => host.stop() };
}
