// THE api of Transfer Lab: every request/response method and every event stream, with zod schemas
// for each payload and result. Both transports (Electron IPC and the browser-mode WebSocket) and the
// renderer client are driven from the tables at the bottom; no channel is named anywhere else.
// The schemas live by area in the sibling files and are re-exported here: import from this file.
import { z } from 'zod';
import { Id, Text, Count } from './fields.js';
import { BackboneInfo, DatasetInfo, FolderScan, SampleImage } from './datasets-models.js';
import { LabClass, LabMe } from './lab.js';
import { FlowchartAnalysis, GuidedState, Lesson, LessonSummary } from './lessons.js';
import { EpochEvent, JobState, Parity, QueueState, RunDetail, RunFilter, RunSummary, TrainingProgress, TransferProgress } from './runs.js';
import { SweepDetail, SweepExportFormat, SweepProgress, SweepRequest, SweepSummary } from './sweeps.js';
import { AppInfo, DatasetRef, DeviceReport, Settings, SettingsPatch, Strategy, StrategyChoice, TrainRequest } from './vocabulary.js';

export * from './vocabulary.js';
export * from './datasets-models.js';
export * from './runs.js';
export * from './lessons.js';
export * from './sweeps.js';
export * from './lab.js';

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
