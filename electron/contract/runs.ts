// Runs, their results and the events that stream while they train.
import { z } from 'zod';
import { Id, Text, Count } from './fields.js';
import { Phase, RunStatus, Rung, Strategy, TrainConfig } from './vocabulary.js';

export const EpochMetrics = z.object({
  epoch: Count,
  phase: z.enum(['head', 'fine-tune']),
  trainLoss: z.number(),
  trainAcc: z.number(),
  valLoss: z.number(),
  valAcc: z.number(),
  seconds: z.number(),
  imagesPerSec: z.number(),
});
export const BatchLoss = z.object({ step: Count, loss: z.number(), acc: z.number() });
/** A run's score on its test images: never trained on, never used for any choice (early stopping
 *  and the best epoch use the validation images). */
export const TestScore = z.object({
  n: Count,
  correct: Count,
  accuracy: z.number(),
  /** Wilson 95 % interval of `accuracy`. */
  low: z.number(),
  high: z.number(),
  /** confusion[actual][predicted] on the test images. */
  confusion: z.array(z.array(Count)),
  perClassAcc: z.array(z.number()),
  misclassified: z.array(z.object({ sampleId: z.string(), actual: Count, predicted: Count })),
  /** Same id ⇔ the same test images in the same order: two such runs can be compared image by image. */
  setId: z.string(),
  /** Per-image correctness in that order, packed 8 per byte in base64 (stats.packCorrect). */
  correctFlags: z.string(),
});
/** Why training ended: early stopping (validation loss stopped improving) or the epoch cap. */
export const StopReason = z.object({ kind: z.enum(['early-stopping', 'epoch-cap']), epoch: Count, cap: Count });
export const RunResult = z.object({
  rung: Rung,
  device: z.string(),
  trainableParams: Count,
  frozenParams: Count,
  peakMemoryMB: z.number(),
  bestEpoch: Count,
  bestValAcc: z.number(),
  finalValAcc: z.number(),
  totalSeconds: z.number(),
  imagesPerSec: z.number(),
  classes: z.array(z.string()),
  /** confusion[actual][predicted] on the validation set. */
  confusion: z.array(z.array(Count)),
  perClassAcc: z.array(z.number()),
  misclassified: z.array(z.object({ sampleId: z.string(), actual: Count, predicted: Count })),
  embeddingCache: z.enum(['memory', 'disk', 'off', 'n/a']),
  notes: z.array(z.string()),
  /** Validation images (what early stopping and the best epoch looked at). */
  valN: Count.default(0),
  /** Missing only for runs recorded before the test set existed. */
  test: TestScore.nullable().default(null),
  stopped: StopReason.nullable().default(null),
});
export const RunSummary = z.object({
  id: Id,
  name: z.string(),
  pairId: z.string().nullable(),
  status: RunStatus,
  strategy: Strategy,
  backboneId: z.string(),
  datasetId: z.string(),
  perClass: z.number().nullable(),
  studentName: z.string(),
  classSession: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  rung: Rung.nullable(),
  bestValAcc: z.number().nullable(),
  finalValAcc: z.number().nullable(),
  /** The headline number: accuracy on the test images, with its Wilson interval and n. */
  testAcc: z.number().nullable(),
  testLow: z.number().nullable(),
  testHigh: z.number().nullable(),
  testN: Count.nullable(),
  seed: z.number().int(),
  /** Runs started together as one request over several seeds share this id. */
  repeatId: z.string().nullable(),
  totalSeconds: z.number().nullable(),
  epochsDone: Count,
  tags: z.array(z.string()),
  notes: z.string(),
  error: z.string().nullable(),
});
export const RunDetail = RunSummary.extend({
  config: TrainConfig,
  epochs: z.array(EpochMetrics),
  batches: z.array(BatchLoss),
  result: RunResult.nullable(),
  exportedModelPath: z.string().nullable(),
  reflection: z.string().nullable(),
});
export const RunFilter = z.object({
  strategy: Strategy.optional(),
  datasetId: Id.optional(),
  student: Text(100).optional(),
  status: RunStatus.optional(),
  tag: Text(100).optional(),
  search: Text(200).optional(),
  sort: z.enum(['createdAt', 'testAcc', 'bestValAcc', 'totalSeconds', 'name']).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.number().int().min(1).max(1000).default(200),
  offset: Count.default(0),
});
export const Parity = z.object({ total: Count, samePredictions: Count, accuracy: z.number(), maxAbsDiff: z.number() });

// Events
export const TrainingProgress = z.object({
  runId: Id,
  phase: Phase,
  epoch: Count,
  epochs: Count,
  batch: Count,
  batches: Count,
  /** 0..1 over the whole run, for the progress bar. */
  fraction: z.number().min(0).max(1),
  etaSeconds: z.number().nullable(),
  imagesPerSec: z.number().nullable(),
  loss: z.number().nullable(),
  acc: z.number().nullable(),
  message: z.string().optional(),
});
export const EpochEvent = z.object({ runId: Id, metrics: EpochMetrics });
export const JobState = z.object({ runId: Id, status: RunStatus, error: z.string().nullable() });
/** Runs training now (one per worker process), runs waiting in order, and how many workers train at once. */
/** Where a job trains: this machine's pool, or a lab worker (`npm run worker`) on another machine. */
export const JobWorker = z.object({ machine: z.string(), remote: z.boolean(), rung: Rung.nullable(), gpu: z.string().nullable() });
export const QueueState = z.object({
  running: z.array(Id), queued: z.array(Id), workers: Count,
  /** Running jobs' workers, by run id (once known). */
  where: z.record(z.string(), JobWorker).optional(),
});
export const TransferProgress = z.object({ id: Id, received: Count, total: Count.nullable(), done: z.boolean() });


export type TestScore = z.output<typeof TestScore>;
export type StopReason = z.output<typeof StopReason>;
export type EpochEvent = z.output<typeof EpochEvent>;
export type JobState = z.output<typeof JobState>;
export type TransferProgress = z.output<typeof TransferProgress>;
export type EpochMetrics = z.output<typeof EpochMetrics>;
export type BatchLoss = z.output<typeof BatchLoss>;
export type RunResult = z.output<typeof RunResult>;
export type RunSummary = z.output<typeof RunSummary>;
export type RunDetail = z.output<typeof RunDetail>;
export type RunFilter = z.output<typeof RunFilter>;
export type TrainingProgress = z.output<typeof TrainingProgress>;
export type QueueState = z.output<typeof QueueState>;
export type Parity = z.output<typeof Parity>;
export type JobWorker = z.output<typeof JobWorker>;
