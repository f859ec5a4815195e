// Loading a backbone by id into TensorFlow.js: found (electron/models/backbone-dirs.ts), read and
// checked (model-files.ts), then cut into a feature-extracting base by its family's recipe.
import * as tf from '@tensorflow/tfjs';
import type { LoadedBackbone } from '../types.js';
import { isValidBackboneId, locateBackbone, type BackboneDirs, type BackboneLocation, type BackboneSource } from '../../models/backbone-dirs.js';
import { Preprocess, type ModelFamily } from '../../models/facts.js';
import { fixedImageShape } from '../../models/input-shape.js';
import { readModelFolder, type ModelFolder } from '../../models/model-files.js';
import { readSidecar, type BackboneSidecar } from '../../models/sidecar.js';
import { modelArtifacts } from './model-io.js';
import { cutBase, defaultPreprocess, preprocessFn } from './recipes.js';

/** A loaded backbone plus what describing it needs. */
export interface LoadedWithFacts extends LoadedBackbone {
  source: BackboneSource;
  family: ModelFamily;
  preprocessKind: Preprocess;
  folder: ModelFolder;
  totalParams: number;
  /** Layers of the model as stored, before its classifier was cut off (0 for a graph model). */
  layerCount: number;
}

/** A backbone that cannot be used: says which and why (`reason` alone, for callers that name it). */
export class BackboneUnavailableError extends Error {
  constructor(readonly id: string, readonly reason: string) {
    super(`Model '${id}' is not available: ${reason}`);
  }
}

/** Frees a backbone loaded here: its layers model, or its graph model's weights. */
export function disposeLoaded(b: LoadedBackbone): void {
  b.model?.dispose();
  b.dispose?.();
}

/** A backbone takes one image; more layers than this is no model this app can train. */
const MAX_LAYERS = 5000;

function preprocessOf(folder: ModelFolder, sidecar: BackboneSidecar | null, family: ModelFamily): Preprocess {
  const fromMeta = folder.json.userDefinedMetadata?.preprocess;
  const p = sidecar?.preprocess ?? (typeof fromMeta === 'string' ? fromMeta : undefined);
  const known = Preprocess.safeParse(p);
  if (known.success) return known.data;
  return family === 'graph' ? 'unit' : defaultPreprocess(family);
}

/**
 * Loads a backbone; any failure (missing, corrupt, changed, unusable) says which model and why.
 * Callers apply `preprocess` to [0,1] images first (it always returns a new tensor to dispose), then
 * feed the result to `model` (layers) or `predictFeatures` (graph). The caller owns the backbone and
 * frees it with `model.dispose()` (or its layers' weights) and `dispose()`, which frees a graph model.
 */
export async function loadBackbone(id: string, dirs: BackboneDirs): Promise<LoadedBackbone> {
  return loadBackboneWithFacts(id, dirs);
}

export async function loadBackboneWithFacts(id: string, dirs: BackboneDirs): Promise<LoadedWithFacts> {
  if (!isValidBackboneId(id)) throw new BackboneUnavailableError(id, 'that is not a valid model id');
  const where = locateBackbone(id, dirs);
  if (!where) throw new BackboneUnavailableError(id, 'it is not shipped, downloaded or imported (no model.json found)');
  return loadBackboneAt(id, where);
}

/** Loads the backbone in `where.dir` (a shipped folder is trusted; a cached one is verified). */
export async function loadBackboneAt(id: string, where: BackboneLocation): Promise<LoadedWithFacts> {
  try {
    // Cached models were hashed when they entered the cache; a changed file is refused.
    const folder = await readModelFolder(where.dir, { verifyIntegrity: where.source !== 'shipped' });
    const sidecar = await readSidecar(where.dir);
    return folder.format === 'graph' ? await loadGraph(id, where.source, folder, sidecar) : await loadLayers(id, where.source, folder, sidecar);
  } catch (e) {
    throw new BackboneUnavailableError(id, (e as Error).message);
  }
}

/** Checks a loaded layers model is an image model with something pretrained in it. */
function checkLayersModel(full: tf.LayersModel): [number, number, number] {
  const layers = full.layers.length;
  if (full.inputs.length !== 1) throw new Error(`it has ${full.inputs.length} inputs; a backbone takes exactly one image input`);
  const inputShape = fixedImageShape(full.inputs[0].shape);
  if (!full.layers.some((l) => l.weights.length > 0)) throw new Error(`none of its ${layers} layers has weights: there is nothing pretrained to transfer`);
  if (layers > MAX_LAYERS) throw new Error(`it has ${layers} layers, more than the ${MAX_LAYERS} this app accepts`);
  return inputShape;
}

async function loadLayers(id: string, source: BackboneSource, folder: ModelFolder, sidecar: BackboneSidecar | null): Promise<LoadedWithFacts> {
  const full = await tf.loadLayersModel(tf.io.fromMemory(modelArtifacts(folder)));
  const layerCount = full.layers.length;
  let inputShape: [number, number, number];
  let cut;
  try {
    inputShape = checkLayersModel(full);
    cut = cutBase(full);
  } catch (e) {
    full.dispose();
    throw e;
  }
  const preprocessKind = preprocessOf(folder, sidecar, cut.family);
  return {
    id, format: 'layers', inputShape, featureSize: cut.featureSize, model: cut.model, blocks: cut.blocks,
    preprocess: preprocessFn(preprocessKind), preprocessKind, source, family: cut.family, folder, totalParams: cut.model.countParams(), layerCount,
  };
}

async function loadGraph(id: string, source: BackboneSource, folder: ModelFolder, sidecar: BackboneSidecar | null): Promise<LoadedWithFacts> {
  const graph = await tf.loadGraphModel(tf.io.fromMemory(modelArtifacts(folder)));
  // No layers model holds the graph's weights: every owner of the backbone frees them through this.
  let disposed = false;
  const dispose = () => {
    if (!disposed) graph.dispose();
    disposed = true;
  };
  try {
    return graphBackbone(id, source, folder, sidecar, graph, dispose);
  } catch (e) {
    dispose();
    throw e;
  }
}

function graphBackbone(id: string, source: BackboneSource, folder: ModelFolder, sidecar: BackboneSidecar | null, graph: tf.GraphModel, dispose: () => void): LoadedWithFacts {
  const shape = graph.inputs[0]?.shape;
  if (!shape) throw new Error('the graph model does not declare its input shape');
  const inputShape = fixedImageShape(shape.map((d) => (d != null && d < 0 ? null : d)));
  const predictFeatures = (x: tf.Tensor4D): tf.Tensor2D => tf.tidy(() => {
    const y = graph.predict(x) as tf.Tensor | tf.Tensor[];
    const out = Array.isArray(y) ? y[0] : y;
    if (out.rank === 4) return out.mean([1, 2]) as tf.Tensor2D; // a feature map: pool it
    return out.reshape([out.shape[0], -1]) as tf.Tensor2D;
  });
  const probe = tf.tidy(() => predictFeatures(tf.zeros([1, ...inputShape]) as tf.Tensor4D));
  const featureSize = probe.shape[1];
  probe.dispose();
  const totalParams = folder.json.weightsManifest.flatMap((g) => g.weights).reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0);
  const preprocessKind = preprocessOf(folder, sidecar, 'graph');
  return {
    id, format: 'graph', inputShape, featureSize, model: null, predictFeatures, blocks: [], dispose,
    preprocess: preprocessFn(preprocessKind), preprocessKind, source, family: 'graph', folder, totalParams, layerCount: 0,
  };
}
