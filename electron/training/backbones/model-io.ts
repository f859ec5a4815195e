// Model folders on disk ↔ tfjs models, for the Node host (worker process, build scripts, bench)
// where tfjs has no file:// handler without tfjs-node. Reading and checking the files is shared
// (electron/models/model-files.ts), writing them too (electron/files/run-model-files.ts); the
// in-memory conversion both sides use is model-artifacts.ts.
import * as tf from '@tensorflow/tfjs';
import { writeModelFolder } from '../../files/run-model-files.js';
import { readModelFolder } from '../../models/model-files.js';
import { layersModelFiles, modelArtifacts } from './model-artifacts.js';

export { modelArtifacts } from './model-artifacts.js';

/** Writes a layers model as model.json + one weights.bin (the layout tfjs's own file saver uses). */
export async function saveLayersModelToDir(model: tf.LayersModel, dir: string, meta?: Record<string, unknown>): Promise<void> {
  const { modelJson, weightData } = await layersModelFiles(model, meta);
  await writeModelFolder(dir, modelJson as unknown as Record<string, unknown>, weightData);
}

/** Loads a layers model folder written by saveLayersModelToDir (or any tfjs layers folder). */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(modelArtifacts(await readModelFolder(dir))));
}
