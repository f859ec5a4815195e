// The host side of a window worker (a hidden window or a browser tab training on its GPU): answers
// its host calls from the same folders and files the worker process uses (data sets decoded with
// sharp, model folders read and checked, the embedding cache, a run's saved model), and adapts the
// window to SpawnWorker, so the WorkerHost and the queue drive it exactly like a worker process.
import type { z } from 'zod';
import { createDataSource } from '../../datasets/index.js';
import { embeddingFileStore } from '../../files/embedding-files.js';
import { saveRunModelFiles } from '../../files/run-model-files.js';
import { isValidBackboneId, locateBackbone } from '../../models/backbone-dirs.js';
import { readModelFolder } from '../../models/model-files.js';
import { readSidecar } from '../../models/sidecar.js';
import type { ToWorker, WorkerEnv } from '../../worker-protocol/messages.js';
import { FromWindow, HostCall, type ToWindow, type WindowLink } from '../../worker-protocol/window.js';
import type { SpawnWorker } from './worker-host.js';

/** A data set's pixels travel in one message; more than this is more than a window should hold. */
export const MAX_HOST_DATA_BYTES = 512 * 1024 * 1024;
/** The largest model folder sent to a window (MobileNet v1 is 17 MB; a few hundred MB is a big model). */
export const MAX_HOST_MODEL_BYTES = 512 * 1024 * 1024;

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
const mb = (bytes: number) => Math.ceil(bytes / 1048576);

/** A view covering exactly its bytes (a Buffer may be a slice of a larger pool, which a clone would copy whole). */
function ownBytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.constructor === Uint8Array && b.buffer instanceof ArrayBuffer;
  return whole ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b);
}

async function loadData(call: Extract<HostCall, { op: 'loadData' }>, env: WorkerEnv): Promise<object> {
  const data = await createDataSource({ resourcesDir: env.resourcesDir, dataDir: env.dataDir }).load(call.dataset, { targetShape: call.targetShape, seed: call.seed });
  if (data.pixels.byteLength > MAX_HOST_DATA_BYTES) {
    throw new Error(`The data set "${call.dataset.id}" decodes to ${mb(data.pixels.byteLength)} MB of pixels, more than the ${mb(MAX_HOST_DATA_BYTES)} MB sent to a GPU window: train on fewer images per class.`);
  }
  return { ...data, pixels: ownBytes(data.pixels) };
}

async function readBackbone(id: string, env: WorkerEnv): Promise<object> {
  // The same checks and words as the worker process's loader (training/backbones/load.ts).
  const unavailable = (reason: string) => new Error(`Model '${id}' is not available: ${reason}`);
  if (!isValidBackboneId(id)) throw unavailable('that is not a valid model id');
  const where = locateBackbone(id, { resourcesDir: env.resourcesDir, dataDir: env.dataDir });
  if (!where) throw unavailable('it is not shipped, downloaded or imported (no model.json found)');
  try {
    const folder = await readModelFolder(where.dir, { verifyIntegrity: where.source !== 'shipped' });
    if (folder.sizeBytes > MAX_HOST_MODEL_BYTES) throw new Error(`its files hold ${mb(folder.sizeBytes)} MB, more than the ${mb(MAX_HOST_MODEL_BYTES)} MB sent to a GPU window`);
    const sidecar = await readSidecar(where.dir);
    const contents: Record<string, Uint8Array> = {};
    for (const [name, bytes] of folder.contents) contents[name] = ownBytes(bytes);
    return {
      source: where.source, format: folder.format, json: folder.json,
      files: folder.files, sizeBytes: folder.sizeBytes, contents, sidecar,
    };
  } catch (e) {
    throw unavailable((e as Error).message);
  }
}

async function saveModel(call: Extract<HostCall, { op: 'saveModel' }>, env: WorkerEnv): Promise<{ modelDir: string }> {
  const manifest = (call.modelJson as { weightsManifest?: Array<{ paths?: unknown }> }).weightsManifest;
  const paths = Array.isArray(manifest) ? manifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths : [null])) : [];
  if (paths.length !== 1 || paths[0] !== 'weights.bin') throw new Error('A saved model\'s model.json must name exactly one weight file, weights.bin.');
  return { modelDir: await saveRunModelFiles(env.dataDir, call.runId, call.modelJson, call.weightData, call.valPredictions) };
}

/** Answers one host call of a window worker; throws an Error saying why it could not. */
export async function answerHostCall(call: HostCall, env: WorkerEnv): Promise<{ result: unknown }> {
  const parsed = HostCall.safeParse(call);
  if (!parsed.success) throw new Error(`Refused a malformed host call: ${issues(parsed.error)}`);
  const c = parsed.data;
  const store = embeddingFileStore(env.dataDir);
  switch (c.op) {
    case 'loadData': return { result: await loadData(c, env) };
    case 'readBackbone': return { result: await readBackbone(c.id, env) };
    case 'cacheGet': return { result: await store.get(c.key) };
    case 'cachePut': await store.put(c.key, c.data); return { result: null };
    case 'cacheList': return { result: await store.list(c.prefix) };
    case 'saveModel': return { result: await saveModel(c, env) };
  }
}

/**
 * A connected window as SpawnWorker: ToWorker messages go to the link; host calls are answered
 * here; FromWorker messages go to `onMessage`; a lost GPU or a closed link is the worker's exit,
 * with the reason in words. kill() closes the link. The same link may be spawned on again after
 * a stop: handlers of an earlier spawn go quiet.
 */
export function windowSpawner(link: WindowLink<ToWindow>, env: WorkerEnv, log: (msg: string) => void = () => {}): SpawnWorker {
  return ({ onMessage, onExit }) => {
    let live = true;
    const exit = (reason: string) => {
      if (!live) return;
      live = false;
      onExit(reason);
    };
    const post = (m: ToWindow) => {
      if (!live) return;
      try { link.post(m); } catch (e) { exit(`the GPU window could not be reached: ${(e as Error).message}`); }
    };
    const answer = (callId: number, raw: unknown) => {
      const call = HostCall.safeParse(raw);
      if (!call.success) return post({ type: 'hostReply', callId, ok: false, error: `Refused a malformed host call: ${issues(call.error)}` });
      answerHostCall(call.data, env).then(
        ({ result }) => post({ type: 'hostReply', callId, ok: true, result }),
        (e) => post({ type: 'hostReply', callId, ok: false, error: e instanceof Error ? e.message : String(e) }),
      );
    };
    link.onMessage((raw) => {
      if (!live) return;
      const m = raw as { type?: unknown; callId?: unknown; call?: unknown } | null;
      // A host call is answered even when its payload is bad, so the window hears why.
      if (m && typeof m === 'object' && m.type === 'hostCall' && Number.isInteger(m.callId)) return answer(m.callId as number, m.call);
      const parsed = FromWindow.safeParse(raw);
      if (!parsed.success) return log(`ignored a malformed message from the GPU window: ${issues(parsed.error)}`);
      const msg = parsed.data;
      if (msg.type === 'hostCall') return; // handled above
      if (msg.type === 'gpuLost') {
        exit(`the window's GPU context was lost: ${msg.reason}`);
        link.close();
        return;
      }
      onMessage(msg);
    });
    link.onClose((reason) => exit(`the tab or window training on its GPU was closed (${reason})`));
    return {
      send: (m: ToWorker) => post(m),
      kill: () => {
        const wasLive = live;
        exit('the GPU window was stopped');
        if (wasLive) link.close();
      },
      pid: undefined,
    };
  };
}
