// What the lab server and its lab workers (npm run worker) say to each other through Redis: BullMQ
// job data, progress and return values, plus the keys and channels beside the queue. Both sides
// validate everything they read, because either may be another version or half-written.
import { z } from 'zod';
import { BatchLoss, EpochMetrics, JobWorker, RunResult, TrainConfig } from '../../contract/index.js';
import { FromWorker } from '../../worker-protocol/messages.js';

export const PREFIX = 'transfer-lab';
/** One queue per app version: a worker of another version never sees this server's jobs. */
export const queueName = (version: string) => `training-${version.replace(/[^\w.-]/g, '_')}`;
/** The server's version, for workers to check before they take anything. */
export const SERVER_KEY = `${PREFIX}:server`;
/** Each lab worker's heartbeat (expires when the worker is gone). */
export const workerKey = (id: string) => `${PREFIX}:worker:${id}`;
/** Set by the server for a worker it refuses; the worker reads it, says why, and stops. */
export const refusedKey = (id: string) => `${PREFIX}:refused:${id}`;
/** Run ids to cancel, published by the server to every worker. */
export const CANCEL_CHANNEL = `${PREFIX}:cancel`;

export const ServerInfo = z.object({ version: z.string(), startedAt: z.string() });
export const WorkerInfo = z.object({ id: z.string(), machine: z.string(), version: z.string(), concurrency: z.number().int().min(1), pid: z.number() });

export const JobData = z.object({ runId: z.string(), config: TrainConfig, version: z.string() });

/** Job progress: where it trains, or one protocol message (shown live; the completion records it). */
export const ProgressData = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('where'), where: JobWorker }),
  z.object({ kind: z.literal('message'), message: FromWorker }),
]);

/** A run's files (model and predictions), relative to its run folder. */
export const Artifact = z.object({ path: z.string(), base64: z.string() });

/** Everything a completed attempt produced, recorded by the server in one go. */
export const JobOutcome = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('completed'),
    epochs: z.array(EpochMetrics),
    batches: z.array(BatchLoss),
    result: RunResult,
    /** The model folder's path relative to the run folder (e.g. "model"), or null when none was saved. */
    modelDir: z.string().nullable(),
    artifacts: z.array(Artifact),
  }),
  z.object({ kind: z.literal('cancelled') }),
]);

export type JobData = z.output<typeof JobData>;
export type ProgressData = z.output<typeof ProgressData>;
export type JobOutcome = z.output<typeof JobOutcome>;
export type WorkerInfo = z.output<typeof WorkerInfo>;
export type Artifact = z.output<typeof Artifact>;
