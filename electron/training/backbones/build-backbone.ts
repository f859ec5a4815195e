// Building a LoadedBackbone from a model folder's bytes and its sidecar, without touching a file:
// the worker process reads the folder itself (load.ts), a window gets it from its host. Cut into a
// feature-extracting base by its family's recipe.
import * as tf from '@tensorflow/tfjs';
import type { LoadedBackbone } from '../types.js';
import type { BackboneSource } from '../../models/backbone-dirs.js';
import type { ModelFamily, Preprocess } from '../../models/facts.js';
import { fixedImageShape } from '../../models/input-shape.js';
import type { ModelJson, ShardCheck } from '../../models/model-files.js';
import type { BackboneSidecar } from '../../models/sidecar.js';
import { modelArtifacts } from './model-artifacts.js';
import { cutBase, defaultPreprocess, preprocessFn } from './recipes.js';

/** A model folder as read and checked (electron/models/model-files.ts ModelFolder has this shape). */
export interface BackboneFolder {
  dir: string;
  json: ModelJson;
  format: 'layers' | 'graph';
  files: ShardCheck[];
  sizeBytes: number;
  /** model.json and every shard exactly as read. */
  contents: Map<string, Uint8Array>;
}

/** A loaded backbone plus what describing it needs. */
export interface BuiltBackbone extends LoadedBackbone {
  source: BackboneSource;
  family: ModelFamily;
  preprocessKind: Preprocess;
  folder: BackboneFolder;
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

// The kinds electron/models/facts.ts's Preprocess names (that file reads and writes facts on disk,
// so it cannot come along into a window); the two types must stay equal, which these lines check.
const PREPROCESS_KINDS = ['unit', 'symmetric', 'bytes', 'caffe'] as const satisfies readonly Preprocess[];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const samePreprocessKinds: Same<Preprocess, (typeof PREPROCESS_KINDS)[number]> = true;
void samePreprocessKinds;
const isPreprocess = (p: unknown): p is Preprocess => (PREPROCESS_KINDS as readonly unknown[]).includes(p);

function preprocessOf(folder: BackboneFolder, sidecar: BackboneSidecar | null, family: ModelFamily): Preprocess {
  const fromMeta = folder.json.userDefinedMetadata?.preprocess;
  const p = sidecar?.preprocess ?? (typeof fromMeta === 'string' ? fromMeta : undefined);
  if (isPreprocess(p)) return p;
  return family === 'graph' ? 'unit' : defaultPreprocess(family);
}

/**
 * Builds the backbone `id` from its folder; throws an Error saying why it is unusable (callers wrap
 * it in BackboneUnavailableError). The caller owns the result (see load.ts's loadBackbone).
 */
export async function buildBackbone(id: string, source: BackboneSource, folder: BackboneFolder, sidecar: BackboneSidecar | null): Promise<BuiltBackbone> {
  return folder.format === 'graph' ? loadGraph(id, source, folder, sidecar) : loadLayers(id, source, folder, sidecar);
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

async function loadLayers(id: string, source: BackboneSource, folder: BackboneFolder, sidecar: BackboneSidecar | null): Promise<BuiltBackbone> {
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

async function loadGraph(id: string, source: BackboneSource, folder: BackboneFolder, sidecar: BackboneSidecar | null): Promise<BuiltBackbone> {
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

function graphBackbone(id: string, source: BackboneSource, folder: BackboneFolder, sidecar: BackboneSidecar | null, graph: tf.GraphModel, dispose: () => void): BuiltBackbone {
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
