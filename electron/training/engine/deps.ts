// The parts of the engine that live elsewhere (backend ladder, data sets, backbones, augmentation),
// gathered behind one interface. The worker's entry point builds the real ones (parts.ts) and
// passes them in; tests pass their own.
import type * as tf from '@tensorflow/tfjs';
import type { BackendChoice, DeviceReport } from '../../contract/index.js';
import type { ModelDescription } from '../../models/facts.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import type { BackendSelection, DataSource, LoadedBackbone, LoadedData, Split } from '../types.js';

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
}
