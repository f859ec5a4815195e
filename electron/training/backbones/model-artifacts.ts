// Model folders ↔ tfjs models in memory, without touching a file: the artifacts tf.io.fromMemory
// loads from a folder's bytes, and the model.json + weight bytes a save writes. Runs in the worker
// process and in a window alike; reading and writing the files is the host's (model-io.ts,
// electron/files/run-model-files.ts).
import * as tf from '@tensorflow/tfjs';
import type { ModelJson } from '../../models/model-files.js';

type ModelArtifacts = tf.io.ModelArtifacts;

/** What a model folder holds, however it arrived: read from disk or sent by the host. */
export interface FolderBytes { json: ModelJson; contents: Map<string, Uint8Array> }

/** One buffer of all the parts, in order. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.byteLength; }
  return out;
}

/** What tf.io.fromMemory needs: topology, all weight specs and all shard bytes, in manifest order. */
export function modelArtifacts(folder: FolderBytes): ModelArtifacts {
  const { json, contents } = folder;
  const all = concatBytes(json.weightsManifest.flatMap((g) => g.paths.map((p) => {
    const bytes = contents.get(p);
    if (!bytes) throw new Error(`weight file ${p} is missing from the model folder`);
    return bytes;
  })));
  return {
    modelTopology: json.modelTopology as ModelArtifacts['modelTopology'],
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: all.buffer as ArrayBuffer,
    userDefinedMetadata: json.userDefinedMetadata as ModelArtifacts['userDefinedMetadata'],
    signature: json.signature as ModelArtifacts['signature'],
    modelInitializer: json.modelInitializer as ModelArtifacts['modelInitializer'],
  };
}

/** The weight file a saved layers model uses (the layout tfjs's own file saver writes). */
export const WEIGHTS_FILE = 'weights.bin';

/** A layers model as model.json (weights manifest naming WEIGHTS_FILE) and that file's bytes. */
export async function layersModelFiles(model: tf.LayersModel, meta?: Record<string, unknown>): Promise<{ modelJson: ModelJson; weightData: Uint8Array }> {
  let saved: ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!saved?.weightData || !saved.weightSpecs) throw new Error('tfjs returned no weights while saving');
  const weightData = new Uint8Array(tf.io.concatenateArrayBuffers(saved.weightData as ArrayBuffer | ArrayBuffer[]));
  const modelJson: ModelJson = {
    format: 'layers-model',
    generatedBy: saved.generatedBy,
    convertedBy: null,
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: saved.weightSpecs }],
    ...(meta ? { userDefinedMetadata: meta } : {}),
  };
  return { modelJson, weightData };
}
