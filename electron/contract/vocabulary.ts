// Words every part of the api uses: strategies, rungs, the training config, settings and the device report.
import { z } from 'zod';
import { Id, Text } from './fields.js';

export const Strategy = z.enum(['feature-extraction', 'fine-tuning']);
export const StrategyChoice = z.enum(['feature-extraction', 'fine-tuning', 'both']);
/** The backend ladder, best first. 'window-gpu' trains in a renderer (a hidden window, or a browser
 *  tab that opted in) on whatever GPU its Chromium sees, through WebGPU or WebGL. */
export const Rung = z.enum(['tfjs-node-gpu', 'window-gpu', 'tfjs-node', 'wasm', 'cpu']);
export const BackendChoice = z.enum(['auto', 'tfjs-node-gpu', 'window-gpu', 'tfjs-node', 'wasm', 'cpu']);
export const Optimizer = z.enum(['adam', 'sgd', 'rmsprop']);
export const RunStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']);
export const Phase = z.enum(['queued', 'loading', 'decoding', 'caching-embeddings', 'training-head', 'fine-tuning', 'evaluating', 'done']);
export const Theme = z.enum(['system', 'light', 'dark']);
/** How BatchNorm layers that fine-tuning unfroze behave: batch statistics (and updated moving
 *  averages, tfjs' default), or inference mode with their moving statistics kept (Keras' advice). */
export const UnfrozenBatchNorm = z.enum(['batch-statistics', 'inference']);

/** A data set to train on: a shipped one (optionally a stratified per-class subset) or a user folder. */
export const DatasetRef = z.object({
  id: Id,
  /** Images per class drawn deterministically by seed, stratified; null = all images. */
  perClass: z.number().int().min(2).max(100_000).nullable(),
  /** A folder's fixed test pool: this many images of every class, chosen from the sample ids (not
   *  the seed), are every run's test set and are never drawn to train or validate. A sweep on a
   *  folder sets it, so all its runs are scored on the same images. Shipped sets have their own pool. */
  testPerClass: z.number().int().min(1).max(100_000).optional(),
});

export const TrainConfig = z.object({
  strategy: Strategy,
  backboneId: Id,
  dataset: DatasetRef,
  epochs: z.number().int().min(1).max(500),
  batchSize: z.number().int().min(1).max(1024),
  learningRate: z.number().positive().max(1),
  optimizer: Optimizer,
  validationSplit: z.number().min(0.05).max(0.5),
  seed: z.number().int().min(0).max(2_147_483_647),
  /** Fine-tuning: how many of the backbone's blocks (counted from the top) to unfreeze. */
  unfreezeBlocks: z.union([z.number().int().min(0).max(1000), z.literal('all')]),
  /** Fine-tuning: train the new head alone first, then unfreeze and continue at `learningRate`. */
  twoPhase: z.boolean(),
  headEpochs: z.number().int().min(0).max(500),
  headLearningRate: z.number().positive().max(1),
  /** Experiment switch: let BatchNorm layers in the frozen part update their moving statistics. */
  trainFrozenBatchNorm: z.boolean(),
  unfrozenBatchNorm: UnfrozenBatchNorm.default('batch-statistics'),
  augment: z.boolean(),
  earlyStopping: z.object({ enabled: z.boolean(), patience: z.number().int().min(1).max(100) }),
  backend: BackendChoice,
});
/** What the form sends: one strategy, or both as a linked pair with the same data, seed and budget. */
export const TrainRequest = z.object({
  config: TrainConfig.omit({ strategy: true }).extend({ strategy: StrategyChoice }),
  name: Text(200).optional(),
  /** Repeat the run (or pair) over this many seeds: seed, seed+1, …; History and Compare aggregate them. */
  seeds: z.number().int().min(1).max(10).default(1),
});

/** How many training processes run at once: 'auto' = one per physical core, fewer where memory is short. */
export const TrainingWorkers = z.union([z.literal('auto'), z.number().int().min(1).max(64)]);

export const Settings = z.object({
  studentName: Text(100),
  classSession: Text(100),
  theme: Theme,
  backend: BackendChoice,
  trainingWorkers: TrainingWorkers,
});
export const SettingsPatch = Settings.partial();

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  dataDir: z.string(),
  platform: z.string(),
});

// Device (backend ladder)
export const RungReport = z.object({
  rung: Rung,
  available: z.boolean(),
  /** Why the rung is unavailable, or what it runs on, in words a student can act on. */
  reason: z.string(),
  device: z.string().optional(),
  gpuName: z.string().optional(),
  memoryMB: z.number().optional(),
});
/** The window GPU rung of this shell: a hidden window (desktop) or a browser tab that opted in. */
export const WindowGpuState = z.object({
  /** Whether this shell can train in a window at all (desktop: Chromium reports a GPU; browser mode: a tab may opt in). */
  offered: z.boolean(),
  /** A window worker is connected now (browser mode: a tab opted in and is open). */
  connected: z.boolean(),
  /** What its Chromium trains on, e.g. "WebGL · ANGLE (…)", once connected. */
  gpuName: z.string().nullable(),
  /** Why it is not offered or not connected, or what it runs on, in words. */
  reason: z.string(),
});
export const DeviceReport = z.object({
  active: Rung.nullable(),
  forced: BackendChoice,
  rungs: z.array(RungReport),
  window: WindowGpuState.optional(),
});


export type TrainConfig = z.output<typeof TrainConfig>;
export type StrategyChoice = z.output<typeof StrategyChoice>;
export type Optimizer = z.output<typeof Optimizer>;
export type Theme = z.output<typeof Theme>;
export type SettingsPatch = z.output<typeof SettingsPatch>;
export type AppInfo = z.output<typeof AppInfo>;
export type UnfrozenBatchNorm = z.output<typeof UnfrozenBatchNorm>;
export type TrainingWorkers = z.output<typeof TrainingWorkers>;
export type TrainRequestInput = z.input<typeof TrainRequest>;
export type DatasetRef = z.output<typeof DatasetRef>;
export type BackendChoice = z.output<typeof BackendChoice>;
export type Phase = z.output<typeof Phase>;
export type TrainRequest = z.output<typeof TrainRequest>;
export type Settings = z.output<typeof Settings>;
export type DeviceReport = z.output<typeof DeviceReport>;
export type RungReport = z.output<typeof RungReport>;
export type WindowGpuState = z.output<typeof WindowGpuState>;
export type RunStatus = z.output<typeof RunStatus>;
export type Rung = z.output<typeof Rung>;
export type Strategy = z.output<typeof Strategy>;
