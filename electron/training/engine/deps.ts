// The parts of the engine that live elsewhere (backend ladder, data sets, backbones, augmentation),
// gathered behind one interface so the engine can be tested with any of them swapped.
import type * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { BackendChoice as BackendChoiceSchema, DeviceReport } from '../../contract/index.js';
import type { WorkerEnv } from '../protocol.js';
import type { BackendSelection, DataSource, LoadedBackbone, Split } from '../types.js';

type BackendChoice = z.output<typeof BackendChoiceSchema>;

export interface EngineDeps {
  selectBackend(choice: BackendChoice): Promise<BackendSelection>;
  probeDevice(choice: BackendChoice, refresh: boolean): Promise<DeviceReport>;
  dataSource(env: WorkerEnv): DataSource;
  loadBackbone(id: string, env: WorkerEnv): Promise<LoadedBackbone>;
  split(labels: Int32Array, valFraction: number, seed: number): Split;
  augment(x: tf.Tensor4D, seed: number): tf.Tensor4D;
}

let defaults: Promise<EngineDeps> | null = null;

/** The real parts, loaded on first use. */
export function defaultEngineDeps(): Promise<EngineDeps> {
  defaults ??= import('./parts.js').then((m) => m.realEngineDeps());
  return defaults;
}

export async function resolveDeps(overrides: Partial<EngineDeps> = {}): Promise<EngineDeps> {
  const complete = ['selectBackend', 'probeDevice', 'dataSource', 'loadBackbone', 'split', 'augment'].every((k) => k in overrides);
  return complete ? overrides as EngineDeps : { ...(await defaultEngineDeps()), ...overrides };
}
