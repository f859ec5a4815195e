// EngineDeps for the window worker: the same engine as the worker process, on the window's GPU
// (window-backend.ts). What a renderer cannot do goes to the host as calls: decoding a data set,
// reading a backbone's files, the embedding cache and saving the trained model. Splitting and
// augmenting are the same pure functions the worker process uses.
import * as tf from '@tensorflow/tfjs';
import type { DeviceReport, RungReport } from '../../contract/index.js';
import { threeWaySplit } from '../../datasets/stratify.js';
import type { ModelDescription } from '../../models/facts.js';
import type { BackboneSidecar } from '../../models/sidecar.js';
import { BackboneUnavailableError, buildBackbone, type BackboneFolder } from '../backbones/build-backbone.js';
import type { EngineDeps, EngineHost, EmbeddingStore } from '../engine/deps.js';
import { augmentBatch } from '../engine/augment.js';
import type { BackendSelection, DataSource } from '../types.js';
import type { HostClient } from './host-client.js';
import { chooseWindowBackend, NoWindowGpuError, type ChosenBackend, type WindowBackend } from './window-backend.js';

/** GPU memory a run may use unless the shell says otherwise: a shared or integrated GPU's share. */
export const DEFAULT_GPU_MEMORY_CAP_MB = 1024;

export interface WindowDepsOptions {
  backend?: WindowBackend;
  memoryCapMB?: number;
  /** The GPU went away (context or device lost): called once. */
  onGpuLost(reason: string): void;
}

/** The window's EngineDeps, plus losing its GPU context on purpose (false: there is none to lose). */

export function windowEngineDeps(host: HostClient, opts: WindowDepsOptions): EngineDeps {
  let chosen: Promise<ChosenBackend> | null = null;
  let watched = false;
  let active = false;
  const choose = async (): Promise<ChosenBackend> => {
    chosen ??= chooseWindowBackend(opts.backend);
    const c = await chosen.catch((e) => { chosen = null; throw e; });
    if (!watched) { watched = true; c.watch(opts.onGpuLost); }
    return c;
  };
  const report = async (): Promise<RungReport> => {
    try {
      const c = await choose();
      return { rung: 'window-gpu', available: true, reason: `Trains in this window through ${c.backend === 'cpu' ? 'the tfjs cpu backend' : c.backend === 'webgpu' ? 'WebGPU' : 'WebGL'} on ${c.gpuName}.`, device: c.device, gpuName: c.gpuName };
    } catch (e) {
      return { rung: 'window-gpu', available: false, reason: e instanceof Error ? e.message : String(e) };
    }
  };

  const dataSource = (): DataSource => ({
    async load(dataset, o) {
      const data = await host.call({ op: 'loadData', dataset, targetShape: o.targetShape, seed: o.seed });
      o.onProgress?.(data.labels.length, data.labels.length);
      return data;
    },
  });

  const engineHost: EngineHost = {
    embeddingStore: (): EmbeddingStore => ({
      // A cache the host cannot read is a miss, not a failed run.
      get: (key) => host.call({ op: 'cacheGet', key }).catch(() => null),
      // A copy: the engine keeps the rows in memory, and a carrier may transfer what it sends.
      put: async (key, data) => { await host.call({ op: 'cachePut', key, data: data.slice() }); },
      list: (prefix) => host.call({ op: 'cacheList', prefix }).catch(() => []),
    }),
    saveRunModel: async (runId, modelJson, weightData, valPredictions) => {
      const { modelDir } = await host.call({ op: 'saveModel', runId, modelJson, weightData: weightData.slice(), valPredictions: valPredictions.slice() });
      return modelDir;
    },
    // A renderer cannot see its process's memory; what matters there is the GPU memory the backend
    // holds (WebGL keeps freed textures pooled, so this is the run's high-water mark on the GPU).
    rssBytes: () => gpuBytesHeld(),
    memoryName: 'GPU memory held by the backend',
    pid: 0,
  };

  return {
    async selectBackend(): Promise<BackendSelection> {
      const c = await choose().catch((e) => { throw e instanceof NoWindowGpuError ? e : new NoWindowGpuError(`The window's GPU backend did not start: ${(e as Error).message}`); });
      // Another backend may have been selected since (one tfjs per realm); this run uses the window's.
      if (tf.getBackend() !== c.backend) await tf.setBackend(c.backend);
      active = true;
      return { rung: 'window-gpu', device: c.device, reports: [await report()] };
    },
    async probeDevice(choice): Promise<DeviceReport> {
      const rung = await report();
      return { active: active || rung.available ? 'window-gpu' : null, forced: choice, rungs: [rung] };
    },
    dataSource,
    async loadBackbone(id) {
      const r = await host.call({ op: 'readBackbone', id });
      const folder: BackboneFolder = {
        dir: '', json: r.json as unknown as BackboneFolder['json'], format: r.format, files: r.files, sizeBytes: r.sizeBytes,
        contents: new Map(Object.entries(r.contents)),
      };
      try {
        return await buildBackbone(id, r.source, folder, r.sidecar as BackboneSidecar | null);
      } catch (e) {
        throw new BackboneUnavailableError(id, (e as Error).message);
      }
    },
    async describeModel(): Promise<ModelDescription> {
      return { usable: false, reason: 'Models are described by the training process, not on the window GPU rung.' };
    },
    split: (data, valFraction, seed) => threeWaySplit(data.labels, valFraction, seed, data.fixedTest),
    augment: (x, seed) => augmentBatch(x, seed),
    host: engineHost,
    memoryCapBytes: (opts.memoryCapMB ?? DEFAULT_GPU_MEMORY_CAP_MB) * 1048576,
  };
}

/** Bytes of GPU memory the active backend has allocated (WebGL: textures in use and pooled); 0 where
 *  the backend does not say (WebGPU, cpu). */
function gpuBytesHeld(): number {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPUAllocated?: number; numBytesInGPU?: number };
  return m.numBytesInGPUAllocated ?? m.numBytesInGPU ?? 0;
}
