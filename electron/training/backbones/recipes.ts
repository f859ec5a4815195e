// How a pretrained layers model becomes a base: where to cut off its classifier, how its layers
// group into unfreezable blocks, and what pixel range it expects. One recipe per model family,
// plus a generic one for imported models.
import * as tf from '@tensorflow/tfjs';
import type { ModelFamily, Preprocess } from '../../models/facts.js';
import { looksLikeTlResnet, tlResnetBlocks, TL_RESNET_POOL } from './tl-resnet.js';

/** The families a layers model can belong to (a graph model has no recipe). */
export type Family = Exclude<ModelFamily, 'graph'>;

export interface CutBase {
  family: Family;
  /** Input images → pooled feature vector. */
  model: tf.LayersModel;
  blocks: string[][];
  featureSize: number;
}

export const POOL_NAME = TL_RESNET_POOL;
const MOBILENET_CUT = 'conv_pw_13_relu';

/** [0,1] pixels → the range the network was trained on. */
export function preprocessFn(kind: Preprocess): (x: tf.Tensor4D) => tf.Tensor4D {
  if (kind === 'symmetric') return (x) => tf.tidy(() => x.mul(2).sub(1));
  if (kind === 'bytes') return (x) => tf.tidy(() => x.mul(255));
  if (kind === 'caffe') return caffe;
  return (x) => x.clone(); // a clone, so callers may always dispose what they get
}

/** Keras' "caffe" mode (ResNet50, VGG): ImageNet channel means, in BGR order, subtracted from 0–255 pixels. */
export const CAFFE_BGR_MEANS = [103.939, 116.779, 123.68];

/** RGB → BGR, 0–255, minus the means. A one-channel model gets gray minus the mean of the means. */
function caffe(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const bytes = x.mul(255);
    if (x.shape[3] !== 3) return bytes.sub(CAFFE_BGR_MEANS.reduce((a, b) => a + b) / 3);
    return tf.reverse(bytes, 3).sub(tf.tensor1d(CAFFE_BGR_MEANS)) as tf.Tensor4D;
  });
}

export function familyOf(model: tf.LayersModel): Family {
  const names = model.layers.map((l) => l.name);
  if (looksLikeTlResnet(names)) return 'tl-resnet';
  if (names.includes(MOBILENET_CUT) && names.includes('conv1')) return 'mobilenet-v1';
  return 'generic';
}

export function defaultPreprocess(family: Family): Preprocess {
  return family === 'mobilenet-v1' ? 'symmetric' : 'unit';
}

const outShape = (l: tf.layers.Layer): (number | null)[] | null => {
  const s = l.outputShape;
  return Array.isArray(s) && !s.some((d) => Array.isArray(d)) ? (s as (number | null)[]) : null;
};

/** Adds global average pooling on top of `layerName`'s output. */
function cutAndPool(full: tf.LayersModel, layerName: string): tf.LayersModel {
  const at = full.getLayer(layerName).output as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: POOL_NAME }).apply(at) as tf.SymbolicTensor;
  return tf.model({ inputs: full.inputs, outputs: pooled, name: `${full.name}_base` });
}

/** The last layer that still has a spatial map (H or W > 1): the natural place to cut and pool. */
function lastSpatialLayer(full: tf.LayersModel): string | null {
  let found: string | null = null;
  for (const l of full.layers) {
    const s = outShape(l);
    if (s && s.length === 4 && ((s[1] ?? 2) > 1 || (s[2] ?? 2) > 1)) found = l.name;
  }
  return found;
}

interface NodeTensors { inputTensors: tf.SymbolicTensor[]; outputTensors: tf.SymbolicTensor[] }
const firstNode = (l: tf.layers.Layer) => (l as unknown as { inboundNodes: NodeTensors[] }).inboundNodes[0];

/**
 * For each position i in `layers` (topological order): whether exactly one tensor produced by
 * layers[0..i] or the input is used after i. Only there can the model be split into a frozen
 * prefix and a trainable suffix; inside a residual block the skip tensor also crosses.
 */
export function singleTensorCuts(base: tf.LayersModel): boolean[] {
  const layers = base.layers;
  const lastUse = new Map<number, number>(); // tensor id → index of its last consumer
  const producedAt = new Map<number, number>(); // tensor id → index of its producer (-1: the input)
  base.inputs.forEach((t) => producedAt.set(t.id, -1));
  layers.forEach((l, i) => {
    if (l.getClassName() === 'InputLayer') return;
    const node = firstNode(l);
    for (const t of node.inputTensors) lastUse.set(t.id, i);
    for (const t of node.outputTensors) if (!producedAt.has(t.id)) producedAt.set(t.id, i);
  });
  return layers.map((_, i) => {
    let live = 0;
    for (const [id, at] of producedAt) if (at <= i && (lastUse.get(id) ?? -1) > i) live++;
    return live === 1;
  });
}

/**
 * Generic grouping: a new block starts at a layer with weights (BatchNorm joins the current one),
 * but only where a single tensor crosses from the layers before it, so that every "unfreeze the
 * top N blocks" can be split; weighted layers between such cut points share one block.
 */
function genericBlocks(base: tf.LayersModel): string[][] {
  const cuts = singleTensorCuts(base);
  const blocks: string[][] = [];
  let current: string[] = [];
  base.layers.forEach((l, i) => {
    if (l.getClassName() === 'InputLayer') return;
    const startsBlock = l.trainableWeights.length > 0 && l.getClassName() !== 'BatchNormalization';
    if (startsBlock && cuts[i - 1] && current.some((n) => base.getLayer(n).trainableWeights.length > 0)) {
      blocks.push(current);
      current = [];
    }
    current.push(l.name);
  });
  if (current.length) blocks.push(current);
  return blocks;
}

function mobilenetBlocks(base: tf.LayersModel): string[][] {
  const blocks: string[][] = Array.from({ length: 14 }, () => []);
  for (const l of base.layers) {
    if (l.getClassName() === 'InputLayer') continue;
    const m = /^conv_(?:pad|dw|pw)_(\d+)(?:_|$)/.exec(l.name);
    if (m) blocks[Number(m[1])].push(l.name);
    else if (/^conv1(?:_|$)/.test(l.name)) blocks[0].push(l.name);
    else if (l.name === POOL_NAME) blocks[13].push(l.name);
    else throw new Error(`MobileNet layer '${l.name}' belongs to no block`);
  }
  if (blocks.some((b) => b.length === 0)) throw new Error('MobileNet v1 needs a stem and 13 depthwise-separable blocks');
  return blocks;
}

/** Turns a loaded layers model into its feature-extracting base, following its family's recipe. */
export function cutBase(full: tf.LayersModel): CutBase {
  const family = familyOf(full);
  let model: tf.LayersModel;
  let blocks: string[][];
  if (family === 'tl-resnet') {
    model = full; // shipped without a head: already ends in the pooled features
    blocks = tlResnetBlocks(model);
  } else if (family === 'mobilenet-v1') {
    model = cutAndPool(full, MOBILENET_CUT);
    blocks = mobilenetBlocks(model);
  } else {
    const cut = lastSpatialLayer(full);
    if (cut == null) throw new Error('it has no convolutional feature map to take features from (no layer with a 4-D spatial output)');
    model = cutAndPool(full, cut);
    blocks = genericBlocks(model);
  }
  const out = model.outputs[0].shape;
  if (out.length !== 2 || out[1] == null) throw new Error(`its features have shape [${out.join(', ')}], expected [batch, features]`);
  if (model !== full) disposeUnused(full, model);
  return { family, model, blocks, featureSize: out[1] };
}

/** Frees the weights of the dropped classifier layers; the base keeps its own. */
function disposeUnused(full: tf.LayersModel, base: tf.LayersModel): void {
  const kept = new Set(base.layers.map((l) => l.name));
  for (const l of full.layers) {
    if (kept.has(l.name)) continue;
    try {
      l.dispose();
    } catch {
      // an unbuilt or already disposed layer holds nothing
    }
  }
}

/** Trainable parameters per block (what unfreezing that block makes trainable). */
export function blockParams(model: tf.LayersModel, blocks: string[][]): number[] {
  return blocks.map((names) => names.reduce((sum, n) => sum + model.getLayer(n).trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0), 0));
}
