// Loading what a run needs (backbone, data, three-way split, head) with clear errors, and releasing
// it again.
import type * as tf from '@tensorflow/tfjs';
import { STRATEGY_LABEL, type TrainConfig } from '../../contract/index.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import { MIN_IMAGES_PER_CLASS } from '../../datasets/stratify.js';
import type { LoadedBackbone, LoadedData } from '../types.js';
import type { EngineDeps } from './deps.js';
import { createHead } from './head.js';
import { CancelledError } from './loop.js';
import type { RunProgress } from './progress.js';
import type { RunSetup } from './strategies.js';

export async function loadRunInputs(
  config: TrainConfig, env: WorkerEnv, deps: EngineDeps, signal: AbortSignal, progress: RunProgress,
  onProgress: (done: number, total: number) => void,
): Promise<RunSetup> {
  let backbone: LoadedBackbone;
  try {
    backbone = await deps.loadBackbone(config.backboneId, env);
  } catch (err) {
    throw new Error(`Could not load the backbone "${config.backboneId}": ${(err as Error).message}`);
  }
  try {
    if (config.strategy === 'fine-tuning' && (backbone.format === 'graph' || !backbone.model)) {
      throw new Error(`The backbone "${backbone.id}" is a graph model: it can only serve as a frozen feature extractor. Choose feature extraction or a layers model.`);
    }
    progress.enter('decoding', `Loading the data set "${config.dataset.id}"`);
    const data = await deps.dataSource(env).load(config.dataset, { targetShape: backbone.inputShape, seed: config.seed, signal, onProgress });
    if (signal.aborted) throw new CancelledError();
    const n = data.labels.length;
    if (n === 0) throw new Error(`The data set "${config.dataset.id}" has no images.`);
    if (data.classes.length < 2) throw new Error(`The data set "${config.dataset.id}" has ${data.classes.length} class; a classifier needs at least 2.`);
    checkClassSizes(data, config.dataset.id);
    const split = deps.split(data, config.validationSplit, config.seed);
    const empty = (['train', 'val', 'test'] as const).find((k) => split[k].length === 0);
    if (empty) throw new Error(`Splitting ${n} images with validation fraction ${config.validationSplit} left an empty ${{ train: 'training', val: 'validation', test: 'test' }[empty]} set.`);
    const heldOut = new Uint8Array(n);
    for (const i of split.test) heldOut[i] = 1;
    const head = createHead(backbone.featureSize, data.classes.length, config.seed);
    return {
      config, backbone, data, split, heldOut, head, augment: deps.augment,
      embeddingStore: deps.host.embeddingStore(env),
      saveModel: (runId, modelJson, weightData, valPredictions) => deps.host.saveRunModel(runId, modelJson, weightData, valPredictions, env),
      notes: [], embeddingCache: config.strategy === 'feature-extraction' && config.augment ? 'off' : 'n/a',
    };
  } catch (err) {
    disposeBackbone(backbone);
    throw err;
  }
}

/**
 * Every class needs images to train and validate on (2), and to test on (1 more) unless the data set
 * has a fixed test pool. Refuses with the classes that are short and how many images they need.
 */
function checkClassSizes(data: LoadedData, datasetId: string): void {
  const k = data.classes.length;
  const pool = new Array<number>(k).fill(0);
  const test = new Array<number>(k).fill(0);
  const held = new Uint8Array(data.labels.length);
  for (const i of data.fixedTest ?? []) held[i] = 1;
  data.labels.forEach((l, i) => { (held[i] ? test : pool)[l]++; });
  const fixed = (data.fixedTest?.length ?? 0) > 0;
  const need = fixed ? 2 : MIN_IMAGES_PER_CLASS;
  const why = fixed ? 'one to train, one to validate' : 'one each to train, validate and test';
  const short = data.classes.map((name, c) => ({ name, have: pool[c] })).filter((c) => c.have < need);
  if (short.length) {
    const list = short.map((c) => `"${c.name}" has ${c.have}, add ${need - c.have}`).join('; ');
    throw new Error(`Every class of "${datasetId}" needs at least ${need} images (${why}): ${list}.`);
  }
  if (fixed) {
    const untested = data.classes.filter((_, c) => test[c] === 0);
    if (untested.length) throw new Error(`The fixed test pool of "${datasetId}" has no image of ${untested.map((c) => `"${c}"`).join(', ')}, so those classes could not be scored.`);
  }
}

export function disposeLayerWeights(layers: tf.layers.Layer[]): void {
  for (const layer of layers) {
    for (const w of layer.weights) {
      const v = (w as unknown as { val: tf.Variable }).val;
      if (v && !v.isDisposed) v.dispose();
    }
  }
}

export function disposeBackbone(backbone: LoadedBackbone): void {
  if (backbone.model) disposeLayerWeights(backbone.model.layers);
  (backbone as { dispose?: () => void }).dispose?.();
}

/** Frees every weight of the run (base, head); models built on them share these variables. */
export function disposeRunTensors(setup: RunSetup): void {
  disposeBackbone(setup.backbone);
  disposeLayerWeights(setup.head.layers);
}

export function describeError(err: unknown, config: TrainConfig): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${STRATEGY_LABEL[config.strategy]} run failed: ${message}`;
}
