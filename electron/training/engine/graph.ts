// Re-wiring a layers model's graph: split a backbone at its freeze boundary into a frozen prefix
// (run in inference mode) and a trainable suffix, and compose base + head into one model to save.
// Layers are re-applied, not copied, so every piece shares the same weight variables.
import * as tf from '@tensorflow/tfjs';

type Sym = tf.SymbolicTensor;

interface LayerNode { inputTensors: Sym[]; outputTensors: Sym[]; callArgs?: Record<string, unknown> }

/** The node that created this layer's outputs in the model it was built in (its first call). */
function firstNode(layer: tf.layers.Layer): LayerNode {
  const node = (layer as unknown as { inboundNodes: LayerNode[] }).inboundNodes[0];
  if (!node) throw new Error(`Layer "${layer.name}" is not connected to a graph.`);
  return node;
}

const isInputLayer = (layer: tf.layers.Layer) => layer.getClassName() === 'InputLayer';

/**
 * Applies `layers` (in the model's topological order) again, starting from `mapping` (original
 * symbolic tensor id → its replacement). Returns the extended mapping.
 */
function replay(layers: tf.layers.Layer[], mapping: Map<number, Sym>): Map<number, Sym> {
  for (const layer of layers) {
    if (isInputLayer(layer)) continue;
    const node = firstNode(layer);
    const inputs = node.inputTensors.map((t) => {
      const mapped = mapping.get(t.id);
      if (!mapped) throw new Error(`Cannot re-wire layer "${layer.name}": its input "${t.name}" comes from outside the part being rebuilt (a skip connection crosses the freeze boundary).`);
      return mapped;
    });
    const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs, node.callArgs ?? {}) as Sym | Sym[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => mapping.set(t.id, outs[i]));
  }
  return mapping;
}

export interface SplitModel {
  /** Frozen layers, input → boundary activations; null when everything is trainable. */
  prefix: tf.LayersModel | null;
  /** Trainable layers, boundary activations → features; null when nothing of the base trains. */
  suffix: tf.LayersModel | null;
  frozenLayers: tf.layers.Layer[];
  trainableLayers: tf.layers.Layer[];
}

/**
 * Names of the layers that stay frozen when the top `unfreeze` blocks train. Layers that belong to
 * no block (pooling, flatten, ...) go with whichever side of the boundary they sit on.
 */
export function frozenLayerNames(model: tf.LayersModel, blocks: string[][], unfreeze: number | 'all'): Set<string> {
  const n = unfreeze === 'all' ? blocks.length : Math.min(unfreeze, blocks.length);
  const unfrozen = new Set(blocks.slice(blocks.length - n).flat());
  const frozen = new Set<string>();
  for (const layer of model.layers) {
    if (unfrozen.has(layer.name)) break;
    frozen.add(layer.name);
  }
  if (n === 0) model.layers.forEach((l) => frozen.add(l.name));
  return frozen;
}

/** Splits `model` so that the layers named in `frozen` form the prefix and the rest the suffix. */
export function splitAtBoundary(model: tf.LayersModel, frozen: Set<string>): SplitModel {
  const frozenLayers = model.layers.filter((l) => frozen.has(l.name));
  const trainableLayers = model.layers.filter((l) => !frozen.has(l.name));
  if (trainableLayers.every(isInputLayer)) return { prefix: model, suffix: null, frozenLayers, trainableLayers: [] };
  if (frozenLayers.every(isInputLayer)) return { prefix: null, suffix: model, frozenLayers: [], trainableLayers };

  const producedByPrefix = new Map<number, Sym>();
  for (const layer of frozenLayers) {
    if (isInputLayer(layer)) continue;
    for (const t of firstNode(layer).outputTensors) producedByPrefix.set(t.id, t);
  }
  model.inputs.forEach((t) => producedByPrefix.set(t.id, t));
  const boundary = new Map<number, Sym>();
  for (const layer of trainableLayers) {
    if (isInputLayer(layer)) continue;
    for (const t of firstNode(layer).inputTensors) if (producedByPrefix.has(t.id)) boundary.set(t.id, t);
  }
  if (boundary.size !== 1) {
    throw new Error(`Cannot split the backbone here: ${boundary.size} tensors cross the freeze boundary (expected exactly 1). Unfreeze a different number of blocks.`);
  }
  const [cut] = [...boundary.values()];
  const prefix = tf.model({ inputs: model.inputs, outputs: cut, name: `${model.name}_frozen` });
  const input = tf.input({ shape: cut.shape.slice(1) as number[], name: `${model.name}_boundary_in` });
  const mapping = replay(trainableLayers, new Map([[cut.id, input]]));
  const out = mapping.get(model.outputs[0].id);
  if (!out) throw new Error('The backbone output does not depend on the trainable layers.');
  const suffix = tf.model({ inputs: input, outputs: out, name: `${model.name}_trainable` });
  return { prefix, suffix, frozenLayers, trainableLayers };
}

/** One flat model: image → backbone layers → head, sharing the live weights (for saving). */
export function composeModel(base: tf.LayersModel, head: { applySymbolic(f: Sym): Sym }, name: string): tf.LayersModel {
  const input = tf.input({ shape: base.inputs[0].shape.slice(1) as number[], name: 'image' });
  const mapping = replay(base.layers, new Map([[base.inputs[0].id, input]]));
  const features = mapping.get(base.outputs[0].id);
  if (!features) throw new Error('Cannot compose the model: the backbone output was not reached.');
  return tf.model({ inputs: input, outputs: head.applySymbolic(features), name });
}

export function countParams(layers: tf.layers.Layer[], trainableOnly: boolean): number {
  let n = 0;
  for (const layer of layers) {
    for (const w of trainableOnly ? layer.trainableWeights : layer.weights) n += w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
  }
  return n;
}
