// The window worker: the training engine running in a renderer context (a hidden Electron window,
// or a Web Worker of a browser-mode tab) on that machine's GPU through WebGL/WebGPU. It speaks the
// same ToWorker / FromWorker messages as the worker process, plus calls back to its host for what a
// renderer cannot do itself: decoding images (sharp), reading model files, the embedding cache and
// saving a trained model. Bulk data travels as typed arrays (structured clone / transfer, or the
// WebSocket framing of the browser transport), never as JSON numbers.
import { z } from 'zod';
import { DatasetRef } from '../contract/index.js';
import { FromWorker, ToWorker } from './messages.js';

const Shape3 = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]);
const Bytes = z.instanceof(Uint8Array);
const Floats = z.instanceof(Float32Array);
/** The engine's cache keys: a backbone id made safe, then hex digests (one file name, no folders). */
const CacheKey = z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/).refine((k) => !k.includes('..'), 'a cache key has no ".."');
const Ints = z.instanceof(Int32Array);

/** What the window asks its host to do. */
export const HostCall = z.discriminatedUnion('op', [
  /** Decode a data set (LoadedData, pixels as bytes) exactly as the worker process would. */
  z.object({ op: z.literal('loadData'), dataset: DatasetRef, targetShape: Shape3, seed: z.number().int() }),
  /** Read a backbone's folder (model.json + shards, checked as the worker process checks them). */
  z.object({ op: z.literal('readBackbone'), id: z.string().min(1).max(200) }),
  /** The embedding cache: float rows by key; get answers null on a miss. */
  z.object({ op: z.literal('cacheGet'), key: CacheKey }),
  z.object({ op: z.literal('cachePut'), key: CacheKey, data: Floats }),
  /** Keys the cache holds that start with `prefix` (segments of one data set). */
  z.object({ op: z.literal('cacheList'), prefix: CacheKey }),
  /** Save a trained layers model (tfjs ModelArtifacts minus weights, plus the weight bytes). */
  z.object({
    op: z.literal('saveModel'), runId: z.string().min(1).max(200),
    modelJson: z.record(z.string(), z.unknown()), weightData: Bytes, valPredictions: Floats,
  }),
]);

export const ToWindow = z.union([
  ToWorker,
  z.object({ type: z.literal('hostReply'), callId: z.number().int(), ok: z.boolean(), result: z.unknown().optional(), error: z.string().optional() }),
]);

export const FromWindow = z.union([
  FromWorker,
  z.object({ type: z.literal('hostCall'), callId: z.number().int(), call: HostCall }),
  /** The window's GPU went away mid-run (context lost, adapter lost): the run it had is failed with this. */
  z.object({ type: z.literal('gpuLost'), reason: z.string().max(2000) }),
]);

/** What each host call answers with (`hostReply.result`); the window validates it on arrival. */
export const LoadedDataReply = z.object({
  datasetId: z.string(), classes: z.array(z.string()).min(1), shape: Shape3, pixels: Bytes, labels: Ints,
  sampleIds: z.array(z.string()), fingerprint: z.string(),
  fixedTest: Ints.optional(), testFingerprint: z.string().optional(), setFingerprint: z.string().optional(), sampleDigests: z.array(z.string()).optional(),
});
/** A backbone's folder as read and checked by the host (files by name, since maps do not cross every carrier). */
export const BackboneFolderReply = z.object({
  source: z.enum(['shipped', 'catalog', 'imported']),
  format: z.enum(['layers', 'graph']),
  json: z.object({ weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(z.object({ name: z.string(), shape: z.array(z.number()), dtype: z.string() }).passthrough()) })) }).passthrough(),
  files: z.array(z.object({ file: z.string(), bytes: z.number() })),
  sizeBytes: z.number(),
  contents: z.record(z.string(), Bytes),
  sidecar: z.object({ name: z.string(), description: z.string(), license: z.string(), origin: z.string(), preprocess: z.string().optional(), card: z.string().optional() }).passthrough().nullable(),
});
export const HostReplies = {
  loadData: LoadedDataReply,
  readBackbone: BackboneFolderReply,
  cacheGet: Floats.nullable(),
  cachePut: z.null(),
  cacheList: z.array(z.string()),
  saveModel: z.object({ modelDir: z.string() }),
} satisfies Record<HostCall['op'], z.ZodType>;

export type HostCall = z.output<typeof HostCall>;
export type HostReply<Op extends HostCall['op']> = z.output<(typeof HostReplies)[Op]>;
export type ToWindow = z.output<typeof ToWindow>;
export type FromWindow = z.output<typeof FromWindow>;

/**
 * One end of the channel between a window worker and its host, whatever carries it (an Electron
 * MessagePort, a Worker's postMessage, the browser-mode WebSocket). Messages are structured-clone
 * objects; typed arrays inside them arrive as typed arrays. Every message is validated on arrival.
 */
export interface WindowLink<Out> {
  post(message: Out): void;
  onMessage(handler: (raw: unknown) => void): void;
  /** The other end went away (window crashed or closed, tab closed, socket dropped). */
  onClose(handler: (reason: string) => void): void;
  close(): void;
}
