// The parts of the engine that live elsewhere (backend ladder, data sets, backbones, augmentation,
// and the host's services: the embedding cache, saving a model, process facts), gathered behind one
// interface. The worker process builds the real ones (parts.ts, node-host.ts) and the window worker
// its own (training/window/window-deps.ts); tests pass theirs. Nothing here may need Node, so the
// same engine runs in a renderer.
import type * as tf from '@tensorflow/tfjs';
import type { BackendChoice, DeviceReport, Parity, TrainConfig } from '../../contract/index.js';
import type { ModelDescription } from '../../models/facts.js';
import type { ShardThreads } from './data-parallel.js';
import type { BaseThreads } from './embedding-threads.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import type { BackendSelection, DataSource, LoadedBackbone, LoadedData, Split } from '../types.js';

/** The embedding cache's storage: float rows by key (a file per key for the worker process). */
export interface EmbeddingStore {
  get(key: string): Promise<Float32Array | null>;
  put(key: string, data: Float32Array): Promise<void>;
  /** Every stored key that starts with `prefix`: how a run finds rows that runs on other subsets
   *  stored. A store without it finds only the rows stored under the exact keys a run asks for. */
  list?(prefix: string): Promise<string[]>;
}

/** What the engine needs from the process it runs in. */
export interface EngineHost {
  embeddingStore(env: WorkerEnv): EmbeddingStore;
  /** Saves a trained layers model (artifacts without weights, plus the weight bytes) and the run's
   *  validation predictions where the run's files live; answers the model's folder. */
  saveRunModel(runId: string, modelJson: Record<string, unknown>, weightData: Uint8Array, valPredictions: Float32Array, env: WorkerEnv): Promise<string>;
  /** Memory beyond tensor bytes that the host can see: the process's resident set, or a window's
   *  GPU allocation (0 where it cannot be measured). */
  rssBytes(): number;
  /** What rssBytes measures, as the run's note names it (default "process memory"). */
  readonly memoryName?: string;
  /** The id reported in 'ready' (the process id; 0 for a window). */
  readonly pid: number;
  /** Copies a run's saved model out and re-scores it (worker process only: it reads the run's folder). */
  /** Helper threads for data-parallel fine-tuning on the wasm backend (worker process only). */
  shardThreads?: ShardThreads;
  /** Helper threads for the embedding pass on the wasm backend (worker process only). */
  baseThreads?: BaseThreads;
  exportRunModel?(runId: string, config: TrainConfig, outDir: string, env: WorkerEnv, deps: EngineDeps): Promise<{ path: string; parity: Parity }>;
}

export interface EngineDeps {
  selectBackend(choice: BackendChoice): Promise<BackendSelection>;
  probeDevice(choice: BackendChoice, refresh: boolean): Promise<DeviceReport>;
  dataSource(env: WorkerEnv): DataSource;
  loadBackbone(id: string, env: WorkerEnv): Promise<LoadedBackbone>;
  /** Loads a backbone as loadBackbone does and answers with its facts (or why it is unusable). */
  describeModel(id: string, env: WorkerEnv): Promise<ModelDescription>;
  /** Train / validation / test of the loaded data (its fixed test pool, when it has one, is the test set). */
  split(data: LoadedData, valFraction: number, seed: number): Split;
  augment(x: tf.Tensor4D, seed: number): tf.Tensor4D;
  host: EngineHost;
  /** Tensor memory a run may use (a window's GPU); runs that would pass it are refused. None: no cap. */
  memoryCapBytes?: number;
}
