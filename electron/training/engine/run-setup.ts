// Loading what a run needs (backbone, data, split, head) with clear errors, and releasing it again.
import type * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { STRATEGY_LABEL, type TrainConfig } from '../../contract/index.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import type { LoadedBackbone } from '../types.js';
import type { EngineDeps } from './deps.js';
import { createHead } from './head.js';
import { CancelledError } from './loop.js';
import type { RunProgress } from './progress.js';
import type { RunSetup } from './strategies.js';

export const runModelDir = (dataDir: string, runId: string) => path.join(dataDir, 'runs', runId, 'model');

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
    const counts = new Array<number>(data.classes.length).fill(0);
    for (const l of data.labels) counts[l]++;
    const empty = data.classes.filter((_, c) => counts[c] < 2);
    if (empty.length) throw new Error(`Class${empty.length > 1 ? 'es' : ''} ${empty.map((c) => `"${c}"`).join(', ')} of "${config.dataset.id}" need at least 2 images (one to train, one to validate).`);
    const split = deps.split(data.labels, config.validationSplit, config.seed);
    if (!split.train.length || !split.val.length) throw new Error(`Splitting ${n} images with validation fraction ${config.validationSplit} left an empty ${split.train.length ? 'validation' : 'training'} set.`);
    const head = createHead(backbone.featureSize, data.classes.length, config.seed);
    return {
      config, dataDir: env.dataDir, backbone, data, split, head, augment: deps.augment,
      notes: [], embeddingCache: config.strategy === 'feature-extraction' && config.augment ? 'off' : 'n/a',
    };
  } catch (err) {
    disposeBackbone(backbone);
    throw err;
  }
}

function disposeLayerWeights(layers: tf.layers.Layer[]): void {
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
