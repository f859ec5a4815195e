// THE api of Transfer Lab: every request/response method and every event stream, with zod schemas
// for each payload and result. Both transports (Electron IPC and the browser-mode WebSocket) and the
// renderer client are driven from the tables at the bottom; no channel is named anywhere else.
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Shared vocabulary
// ---------------------------------------------------------------------------------------------
const Id = z.string().min(1).max(200);
const Text = (max = 2000) => z.string().max(max);
const Count = z.number().int().nonnegative();

export const Strategy = z.enum(['feature-extraction', 'fine-tuning']);
export const StrategyChoice = z.enum(['feature-extraction', 'fine-tuning', 'both']);
export const Rung = z.enum(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
export const BackendChoice = z.enum(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
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

// ---------------------------------------------------------------------------------------------
// Device (backend ladder)
// ---------------------------------------------------------------------------------------------
export const RungReport = z.object({
  rung: Rung,
  available: z.boolean(),
  /** Why the rung is unavailable, or what it runs on, in words a student can act on. */
  reason: z.string(),
  device: z.string().optional(),
  gpuName: z.string().optional(),
  memoryMB: z.number().optional(),
});
export const DeviceReport = z.object({
  active: Rung.nullable(),
  forced: BackendChoice,
  rungs: z.array(RungReport),
});

// ---------------------------------------------------------------------------------------------
// Data sets
// ---------------------------------------------------------------------------------------------
export const DatasetInfo = z.object({
  id: Id,
  name: z.string(),
  source: z.enum(['shipped', 'folder']),
  /** The role a shipped set plays in the lesson: the backbone's pretraining source, or a target. */
  role: z.enum(['source', 'similar-target', 'different-target', 'user']),
  description: z.string(),
  classes: z.array(z.string()),
  /** Images per class a run draws its training and validation images from (and, for a folder,
   *  its test images too). */
  counts: z.array(Count),
  /** Shipped targets: images per class of the fixed test pool, besides `counts`, that every run on
   *  the set is scored on. */
  testCounts: z.array(Count).optional(),
  imageSize: z.tuple([Count, Count, Count]),
  card: z.string().optional(),
  path: z.string().optional(),
});
export const SkippedFile = z.object({ file: z.string(), reason: z.string() });
export const FolderScan = z.object({
  dataset: DatasetInfo,
  thumbnails: z.record(z.string(), z.array(z.string())),
  skipped: z.array(SkippedFile),
});
export const SampleImage = z.object({ id: z.string(), label: z.string(), dataUrl: z.string() });

// ---------------------------------------------------------------------------------------------
// Backbones (models)
// ---------------------------------------------------------------------------------------------
export const BackboneInfo = z.object({
  id: Id,
  name: z.string(),
  source: z.enum(['shipped', 'catalog', 'imported']),
  format: z.enum(['layers', 'graph']),
  /** Graph models can only serve as frozen feature extractors. */
  canFineTune: z.boolean(),
  inputShape: z.tuple([Count, Count, Count]),
  available: z.boolean(),
  sizeBytes: Count,
  totalParams: Count,
  /** Parameters per unfreezable block, bottom to top; the Train form's slider sums from the top. */
  blockParams: z.array(Count),
  /** Parameters of the new classification head for `classes` classes ≈ headParamsPerClass*classes. */
  headParamsPerClass: Count,
  description: z.string(),
  license: z.string(),
  card: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------
// Runs and their results
// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// Lessons, guided mode and the flowchart
// ---------------------------------------------------------------------------------------------
export const LessonSummary = z.object({
  id: Id,
  title: z.string(),
  order: z.number(),
  summary: z.string(),
  pageCount: Count,
  source: z.enum(['shipped', 'user']),
  /** Set when the file could not be read; the player shows it as an error card. */
  error: z.string().optional(),
});
export const Lesson = LessonSummary.extend({ pages: z.array(z.object({ title: z.string(), markdown: z.string() })) });
export const DataSize = z.enum(['small', 'medium', 'large']);
export const Similarity = z.enum(['very-similar', 'somewhat-similar', 'very-different']);
export const Compute = z.enum(['limited', 'ample']);
export const FlowchartAnalysis = z.object({
  imageCount: Count,
  classCount: Count,
  minPerClass: Count,
  maxPerClass: Count,
  similarity: Similarity,
  /** Accuracy of a k-NN on the frozen backbone's embeddings, and chance level, to explain it. */
  probeAccuracy: z.number(),
  chanceAccuracy: z.number(),
  compute: Compute,
  rung: Rung,
  imagesPerSec: z.number(),
  explanation: z.array(z.string()),
});
export const GuidedState = z.object({
  step: z.number().int().min(0).max(20),
  lessonId: z.string().nullable(),
  pairId: z.string().nullable(),
  recommendation: Strategy.nullable(),
  reflection: z.string().nullable(),
});

// ---------------------------------------------------------------------------------------------
// Sweeps: both strategies trained at a ladder of data sizes over several seeds
// ---------------------------------------------------------------------------------------------
/** The default ladder of training images per class (capped at what the data set has). */
export const SWEEP_DEFAULT_SIZES = [5, 10, 30, 100, 300, 1000, 3000] as const;
/** Fewest test images a sweep is scored on: fewer cannot tell two strategies apart at a few points. */
export const SWEEP_MIN_TEST_IMAGES = 100;
export const SweepStatus = z.enum(['running', 'completed', 'cancelled', 'failed']);
export const SweepRequest = z.object({
  /** A shipped target or a registered folder; every size draws its subset from it by seed. */
  datasetId: Id,
  backboneId: Id.default('tl-resnet-s'),
  name: Text(200).optional(),
  /** Training images per class, ascending after capping; sizes above the largest class become "all". */
  sizes: z.array(z.number().int().min(2).max(100_000)).min(2).max(12).default([...SWEEP_DEFAULT_SIZES]),
  strategies: z.array(Strategy).min(1).max(2).default(['feature-extraction', 'fine-tuning']),
  /** Fine-tuning's unfreeze choice, as in a pair; the pair rule derives feature extraction's budget. */
  unfreezeBlocks: z.union([z.number().int().min(0).max(1000), z.literal('all')]).default(2),
  seeds: z.number().int().min(1).max(10).default(3),
  /** The first seed; the others are seed+1, … (as a request repeated over seeds). */
  seed: z.number().int().min(0).max(2_147_483_647).default(42),
  /** Overrides fine-tuning's budget (unfreezing phase, head phase) for a quick look; unset = the budget rule. */
  budget: z.object({ epochs: z.number().int().min(1).max(500), headEpochs: z.number().int().min(0).max(500) }).partial().strict().optional(),
  /** The flowchart's other answers, for its verdict between 1,000 and 10,000 images. Unset: a
   *  shipped target's role answers it (similar / very different), a folder is "somewhat similar". */
  similarity: Similarity.optional(),
  compute: Compute.default('ample'),
  backend: BackendChoice.default('auto'),
});
/** A sweep as stored: the request with every default and the data set's answers filled in. */
export const SweepConfig = SweepRequest.required({ name: true, similarity: true }).extend({
  datasetName: z.string(),
  classes: z.array(z.string()),
  /** The ladder after capping: images per class and the images a run trains and validates on. */
  ladder: z.array(z.object({ perClass: Count, images: Count })),
  /** Test images every run is scored on (a shipped target's fixed pool), or null for a folder,
   *  whose runs are scored on the test share carved from their own subset. */
  testImages: Count.nullable(),
});
export const SweepRun = z.object({
  perClass: Count,
  images: Count,
  seed: z.number().int(),
  strategy: Strategy,
  /** Null when the run was deleted from the history; a resume trains it again. */
  runId: Id.nullable(),
  status: RunStatus.nullable(),
  testAcc: z.number().nullable(),
  testLow: z.number().nullable(),
  testHigh: z.number().nullable(),
  testN: Count.nullable(),
  /** Training seconds of the run (as the run card shows them). */
  seconds: z.number().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The test score's image set and per-image correctness, for the paired test between strategies. */
  setId: z.string().nullable(),
  correctFlags: z.string().nullable(),
  error: z.string().nullable(),
});
export const SweepProgress = z.object({
  sweepId: Id,
  status: SweepStatus,
  done: Count,
  total: Count,
  failed: Count,
  /** Seconds until the last run finishes, from the runs done so far; null until there is a basis. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export const SweepSummary = SweepProgress.omit({ sweepId: true }).extend({
  id: Id,
  name: z.string(),
  config: SweepConfig,
  studentName: z.string(),
  classSession: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** Shipped sweeps (resources/sweeps) are read-only. */
  source: z.enum(['stored', 'shipped']),
});
export const SweepDetail = SweepSummary.extend({ runs: z.array(SweepRun) });
export const SweepExportFormat = z.enum(['csv', 'svg', 'png', 'json']);

// ---------------------------------------------------------------------------------------------
// A lab: one server shared by a class (teacher and student roles, uploads)
// ---------------------------------------------------------------------------------------------
export const Role = z.enum(['teacher', 'student']);
/** Who this connection is: the teacher (everything), or one student of the class link. */
export const LabMe = z.object({
  role: Role,
  student: z.string().nullable(),
  classSession: z.string(),
  /** The teacher has shared the class's results: students may read (never change) everyone's runs. */
  shared: z.boolean(),
});
export const LabStudent = z.object({
  name: z.string(),
  claimedAt: z.string().nullable(),
  runs: Count,
  /** Runs queued or training now. */
  active: Count,
  lastRunName: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  guided: z.object({ step: Count, lessonId: z.string().nullable() }).nullable(),
});
export const LabClass = z.object({
  /** The link students open (null where no lab is served, e.g. the desktop app). */
  classUrl: z.string().nullable(),
  classSession: z.string(),
  shared: z.boolean(),
  students: z.array(LabStudent),
});
/** What one upload of a folder (browser mode, POST /lab/upload) may hold. */
export const UPLOAD_LIMITS = { files: 5000, fileBytes: 20 * 1024 * 1024, totalBytes: 500 * 1024 * 1024 } as const;

// ---------------------------------------------------------------------------------------------
// The method table: name → params and result schemas
// ---------------------------------------------------------------------------------------------
const NoParams = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });
const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });

export const methods = {
  'app.info': method(NoParams, AppInfo),
  'settings.get': method(NoParams, Settings),
  'settings.set': method(SettingsPatch.strict(), Settings),
  'app.openExternal': method(z.object({ url: z.string().url().max(2000) }), Ok),
  /** Native folder picker in the desktop app; null in browser mode (the form asks for a path). */
  'app.pickFolder': method(z.object({ title: Text(200).optional() }), z.object({ path: z.string().nullable() })),

  'device.probe': method(z.object({ refresh: z.boolean().default(false) }), DeviceReport),

  'datasets.list': method(NoParams, z.array(DatasetInfo)),
  'datasets.addFolder': method(z.object({ path: z.string().min(1).max(4096), scanId: Id, name: Text(200).optional() }), FolderScan),
  'datasets.cancelScan': method(z.object({ scanId: Id }), Ok),
  'datasets.remove': method(z.object({ id: Id }), Ok),
  'datasets.samples': method(z.object({ datasetId: Id, sampleIds: z.array(z.string().max(500)).max(200) }), z.array(SampleImage)),

  'models.list': method(NoParams, z.array(BackboneInfo)),
  'models.download': method(z.object({ id: Id }), BackboneInfo),
  'models.cancelDownload': method(z.object({ id: Id }), Ok),
  'models.remove': method(z.object({ id: Id }), Ok),
  'models.import': method(z.object({
    path: z.string().min(1).max(4096),
    name: Text(200).optional(),
    /** The pixels the model was trained on: [0,1], [-1,1], 0–255, or caffe (BGR, 0–255 minus ImageNet means). Default: [0,1]. */
    preprocess: z.enum(['unit', 'symmetric', 'bytes', 'caffe']).optional(),
  }), BackboneInfo),

  /** pairId: the first seed's pair; repeatId: shared by every run of a request over several seeds. */
  'training.start': method(TrainRequest, z.object({ runIds: z.array(Id), pairId: Id.nullable(), repeatId: Id.nullable().optional() })),
  'training.cancel': method(z.object({ runId: Id }), Ok),
  'training.queue': method(NoParams, QueueState),

  'runs.list': method(RunFilter, z.object({ runs: z.array(RunSummary), total: Count })),
  'runs.get': method(z.object({ id: Id }), RunDetail),
  'runs.update': method(z.object({ id: Id, name: Text(200).optional(), notes: Text(10_000).optional(), tags: z.array(Text(50)).max(50).optional(), reflection: Text(10_000).optional() }), RunSummary),
  'runs.delete': method(z.object({ ids: z.array(Id).min(1).max(10_000) }), z.object({ deleted: Count })),
  'runs.rerun': method(z.object({ id: Id }), z.object({ runIds: z.array(Id), pairId: Id.nullable(), repeatId: Id.nullable().optional() })),
  'runs.export': method(z.object({ ids: z.array(Id).min(1).max(10_000), format: z.enum(['csv', 'json']) }), z.object({ filename: z.string(), content: z.string() })),
  'runs.exportClass': method(z.object({ classSession: Text(100) }), z.object({ filename: z.string(), content: z.string() })),
  'runs.import': method(z.object({ content: z.string().min(1).max(200_000_000) }), z.object({ imported: Count, skipped: Count })),
  'runs.exportModel': method(z.object({ runId: Id }), z.object({ path: z.string(), parity: Parity })),

  'lessons.list': method(NoParams, z.array(LessonSummary)),
  'lessons.get': method(z.object({ id: Id }), Lesson),
  'lessons.getPosition': method(z.object({ lessonId: Id }), z.object({ page: Count })),
  'lessons.setPosition': method(z.object({ lessonId: Id, page: Count }), Ok),
  'guided.get': method(NoParams, GuidedState),
  'guided.set': method(GuidedState.partial().strict(), GuidedState),
  'flowchart.analyze': method(z.object({ dataset: DatasetRef, backboneId: Id }), FlowchartAnalysis),

  'lab.me': method(NoParams, LabMe),
  /** The teacher's class view: each student's runs and guided-lesson progress. */
  'lab.class': method(NoParams, LabClass),
  'lab.setShared': method(z.object({ shared: z.boolean() }), Ok),
  /** Frees a claimed name, so that it can be typed again (a student lost their browser's key). */
  'lab.release': method(z.object({ student: Text(100).min(1) }), Ok),

  /** A sweep: its runs are queued at once (one pair per size and seed) and it resumes after a restart. */
  'sweeps.start': method(SweepRequest, SweepSummary),
  'sweeps.list': method(NoParams, z.array(SweepSummary)),
  /** A stored sweep by id, or a shipped one by "shipped:<data set id>". */
  'sweeps.get': method(z.object({ id: Id }), SweepDetail),
  'sweeps.cancel': method(z.object({ id: Id }), SweepSummary),
  /** Trains the runs a cancelled or failed sweep has not finished; finished runs are kept. */
  'sweeps.resume': method(z.object({ id: Id }), SweepSummary),
  'sweeps.delete': method(z.object({ id: Id, withRuns: z.boolean().default(false) }), Ok),
  /** Every run as CSV (size, seed, strategy, test accuracy, interval, seconds), the figure as SVG or
   *  PNG (base64), or the whole sweep as JSON. */
  'sweeps.export': method(z.object({ id: Id, format: SweepExportFormat }), z.object({ filename: z.string(), content: z.string(), encoding: z.enum(['utf8', 'base64']) })),
} as const;

export const events = {
  'training.progress': TrainingProgress,
  'training.epoch': EpochEvent,
  'training.job': JobState,
  'training.queue': QueueState,
  'datasets.scanProgress': z.object({ scanId: Id, done: Count, total: Count }),
  'models.downloadProgress': TransferProgress,
  'sweeps.progress': SweepProgress,
} as const;

// ---------------------------------------------------------------------------------------------
// Shared rules: one owner each, used by the engine, the services and the renderer alike
// ---------------------------------------------------------------------------------------------
/** A run's per-batch loss curve is kept to at most this many points (averaged windows of steps). */
export const BATCH_CURVE_POINTS = 500;

/** How a strategy is named to a student, everywhere. */
export const STRATEGY_LABEL: Record<z.output<typeof Strategy>, string> = { 'feature-extraction': 'Feature extraction', 'fine-tuning': 'Fine-tuning' };
export const STRATEGY_CHOICE_LABEL: Record<z.output<typeof StrategyChoice>, string> = { ...STRATEGY_LABEL, both: 'Both (a pair)' };


// ---------------------------------------------------------------------------------------------
// Derived types
// ---------------------------------------------------------------------------------------------
export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type EventName = keyof typeof events;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type ParsedParams<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
/** Every service implementation must satisfy this: one handler per method, checked at compile time. */
export type Handlers = { [M in MethodName]: (params: ParsedParams<M>) => Promise<Result<M>> };
export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export const methodNames = Object.keys(methods) as MethodName[];
export const isMethodName = (s: unknown): s is MethodName => typeof s === 'string' && Object.hasOwn(methods, s);
export const isEventName = (s: unknown): s is EventName => typeof s === 'string' && Object.hasOwn(events, s);

/** Wire shapes shared by both transports. */
export const WireRequest = z.object({ id: z.number().int(), method: z.string().max(100), params: z.unknown() });
export type WireError = { code: 'validation' | 'not-found' | 'failed' | 'unknown-method' | 'unauthorized' | 'forbidden'; message: string; field?: string };
export type WireResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WireError };
export type WireEvent = { event: EventName; payload: unknown };

export type TrainConfig = z.output<typeof TrainConfig>;
export type StrategyChoice = z.output<typeof StrategyChoice>;
export type Optimizer = z.output<typeof Optimizer>;
export type Theme = z.output<typeof Theme>;
export type SettingsPatch = z.output<typeof SettingsPatch>;
export type AppInfo = z.output<typeof AppInfo>;
export type SkippedFile = z.output<typeof SkippedFile>;
export type UnfrozenBatchNorm = z.output<typeof UnfrozenBatchNorm>;
export type TrainingWorkers = z.output<typeof TrainingWorkers>;
export type TestScore = z.output<typeof TestScore>;
export type StopReason = z.output<typeof StopReason>;
export type EpochEvent = z.output<typeof EpochEvent>;
export type JobState = z.output<typeof JobState>;
export type TrainRequestInput = z.input<typeof TrainRequest>;
export type DatasetRef = z.output<typeof DatasetRef>;
export type BackendChoice = z.output<typeof BackendChoice>;
export type Phase = z.output<typeof Phase>;
export type TransferProgress = z.output<typeof TransferProgress>;
export type Similarity = z.output<typeof Similarity>;
export type Compute = z.output<typeof Compute>;
export type DataSize = z.output<typeof DataSize>;
export type TrainRequest = z.output<typeof TrainRequest>;
export type Settings = z.output<typeof Settings>;
export type DeviceReport = z.output<typeof DeviceReport>;
export type RungReport = z.output<typeof RungReport>;
export type DatasetInfo = z.output<typeof DatasetInfo>;
export type FolderScan = z.output<typeof FolderScan>;
export type BackboneInfo = z.output<typeof BackboneInfo>;
export type EpochMetrics = z.output<typeof EpochMetrics>;
export type BatchLoss = z.output<typeof BatchLoss>;
export type RunResult = z.output<typeof RunResult>;
export type RunSummary = z.output<typeof RunSummary>;
export type RunDetail = z.output<typeof RunDetail>;
export type RunFilter = z.output<typeof RunFilter>;
export type RunStatus = z.output<typeof RunStatus>;
export type Rung = z.output<typeof Rung>;
export type Strategy = z.output<typeof Strategy>;
export type TrainingProgress = z.output<typeof TrainingProgress>;
export type QueueState = z.output<typeof QueueState>;
export type Lesson = z.output<typeof Lesson>;
export type LessonSummary = z.output<typeof LessonSummary>;
export type FlowchartAnalysis = z.output<typeof FlowchartAnalysis>;
export type GuidedState = z.output<typeof GuidedState>;
export type Parity = z.output<typeof Parity>;
export type SampleImage = z.output<typeof SampleImage>;
export type Role = z.output<typeof Role>;
export type LabMe = z.output<typeof LabMe>;
export type LabStudent = z.output<typeof LabStudent>;
export type LabClass = z.output<typeof LabClass>;
export type JobWorker = z.output<typeof JobWorker>;
export type SweepStatus = z.output<typeof SweepStatus>;
export type SweepRequest = z.output<typeof SweepRequest>;
export type SweepRequestInput = z.input<typeof SweepRequest>;
export type SweepConfig = z.output<typeof SweepConfig>;
export type SweepRun = z.output<typeof SweepRun>;
export type SweepProgress = z.output<typeof SweepProgress>;
export type SweepSummary = z.output<typeof SweepSummary>;
export type SweepDetail = z.output<typeof SweepDetail>;
export type SweepExportFormat = z.output<typeof SweepExportFormat>;
