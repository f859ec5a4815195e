// Messages between the job queue (services) and the training worker process. Internal to the app:
// the renderer never sees these, but every message is still validated on arrival, because a worker
// can die half-way through writing one.
import { z } from 'zod';
import {
  BatchLoss, DatasetRef, EpochMetrics, Rung, RunResult, TrainConfig, TrainingProgress, BackendChoice,
} from '../contract/index.js';

/** Where the worker finds shipped resources and writes caches; sent once at start-up. */
export const WorkerEnv = z.object({
  resourcesDir: z.string(),
  dataDir: z.string(),
  backend: BackendChoice,
});

export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('init'), env: WorkerEnv }),
  /** threads: how many the run may use now (data-parallel fine-tuning on wasm; absent: 1); cores: the
   *  machine's physical cores, which fix the shards of a batch whatever the threads (absent: threads). */
  z.object({
    type: z.literal('start'), runId: z.string(), config: TrainConfig,
    threads: z.number().int().min(1).max(256).optional(), cores: z.number().int().min(1).max(256).optional(),
  }),
  /** The run's share of the cores changed (another run started or ended); it changes speed only. */
  z.object({ type: z.literal('threads'), runId: z.string(), threads: z.number().int().min(1).max(256) }),
  z.object({ type: z.literal('cancel'), runId: z.string() }),
  z.object({ type: z.literal('device'), requestId: z.number(), refresh: z.boolean() }),
  z.object({ type: z.literal('analyze'), requestId: z.number(), dataset: DatasetRef, backboneId: z.string() }),
  /** Copy the run's saved model to outDir, reload it from there and re-score the validation set. */
  z.object({ type: z.literal('exportModel'), requestId: z.number(), runId: z.string(), config: TrainConfig, outDir: z.string() }),
  /** Load a backbone and answer with its facts (electron/models/facts.ts ModelDescription). */
  z.object({ type: z.literal('describeModel'), requestId: z.number(), id: z.string() }),
]);

export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number() }),
  z.object({
    type: z.literal('started'), runId: z.string(), rung: Rung, device: z.string(),
    trainableParams: z.number(), frozenParams: z.number(),
  }),
  z.object({ type: z.literal('progress'), progress: TrainingProgress }),
  z.object({ type: z.literal('epoch'), runId: z.string(), metrics: EpochMetrics }),
  z.object({ type: z.literal('batches'), runId: z.string(), batches: z.array(BatchLoss) }),
  z.object({ type: z.literal('result'), runId: z.string(), result: RunResult, modelDir: z.string().nullable() }),
  z.object({ type: z.literal('cancelled'), runId: z.string() }),
  z.object({ type: z.literal('failed'), runId: z.string(), error: z.string() }),
  z.object({ type: z.literal('reply'), requestId: z.number(), ok: z.boolean(), result: z.unknown().optional(), error: z.string().optional() }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
]);

export type WorkerEnv = z.output<typeof WorkerEnv>;
export type ToWorker = z.output<typeof ToWorker>;
export type FromWorker = z.output<typeof FromWorker>;
