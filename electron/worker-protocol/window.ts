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
const CacheKey = z.string().regex(/^[a-f0-9]{16,128}$/);

/** What the window asks its host to do. */
export const HostCall = z.discriminatedUnion('op', [
  /** Decode a data set (LoadedData, pixels as bytes) exactly as the worker process would. */
  z.object({ op: z.literal('loadData'), dataset: DatasetRef, targetShape: Shape3, seed: z.number().int() }),
  /** Read a backbone's folder (model.json + shards, checked as the worker process checks them). */
  z.object({ op: z.literal('readBackbone'), id: z.string().min(1).max(200) }),
  /** The embedding cache: float rows by key; get answers null on a miss. */
  z.object({ op: z.literal('cacheGet'), key: CacheKey }),
  z.object({ op: z.literal('cachePut'), key: CacheKey, data: Floats }),
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

export type HostCall = z.output<typeof HostCall>;
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
