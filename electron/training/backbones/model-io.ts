// Model folders ↔ tfjs models, under plain Node where tfjs has no file:// handler without tfjs-node.
// Reading and checking the files is shared (electron/models/model-files.ts); turning them into a
// model needs TensorFlow.js, so it lives here, in the worker.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MODEL_JSON, readModelFolder, type ModelFolder, type ModelJson } from '../../models/model-files.js';

type ModelArtifacts = tf.io.ModelArtifacts;

/** What tf.io.fromMemory needs: topology, all weight specs and all shard bytes, in manifest order. */
export function modelArtifacts(folder: ModelFolder): ModelArtifacts {
  const { json, contents } = folder;
  const all = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => contents.get(p)!)));
  return {
    modelTopology: json.modelTopology as ModelArtifacts['modelTopology'],
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
    userDefinedMetadata: json.userDefinedMetadata as ModelArtifacts['userDefinedMetadata'],
    signature: json.signature as ModelArtifacts['signature'],
    modelInitializer: json.modelInitializer as ModelArtifacts['modelInitializer'],
  };
}

/** Writes a layers model as model.json + one weights.bin (the layout tfjs's own file saver uses). */
export async function saveLayersModelToDir(model: tf.LayersModel, dir: string, meta?: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  let saved: ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!saved?.weightData || !saved.weightSpecs) throw new Error('tfjs returned no weights while saving');
  const data = Buffer.from(tf.io.concatenateArrayBuffers(saved.weightData as ArrayBuffer | ArrayBuffer[]));
  const json: ModelJson = {
    format: 'layers-model',
    generatedBy: saved.generatedBy,
    convertedBy: null,
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: saved.weightSpecs }],
    ...(meta ? { userDefinedMetadata: meta } : {}),
  };
  await writeFile(path.join(dir, 'weights.bin'), data);
  await writeFile(path.join(dir, MODEL_JSON), JSON.stringify(json));
}

/** Loads a layers model folder written by saveLayersModelToDir (or any tfjs layers folder). */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(modelArtifacts(await readModelFolder(dir))));
}
