// The two strategies as training phases over the shared loop. Feature extraction trains the head on
// the frozen base's embeddings (cached unless augmentation is on). Fine-tuning splits the base at
// the freeze boundary: the frozen prefix runs in inference mode (its BatchNorm statistics cannot
// drift) unless the experiment switch lets it train, and the unfrozen suffix trains with the head.
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../contract/index.js';
import type { LoadedBackbone, LoadedData, Split } from '../types.js';
import { cachedEmbeddings, computeEmbeddings, extractFeatures, type Embeddings } from './embeddings.js';
import { splitAtBoundary, type SplitModel } from './graph.js';
import { createOptimizer, headVariables } from './head.js';
import { inputBatch, labelsOf } from './images.js';
import { trainPhase, type LoopContext, type PhaseOutcome, type PhaseSpec } from './loop.js';
import { deriveSeed } from './random.js';

export interface RunSetup {
  config: TrainConfig;
  dataDir: string;
  backbone: LoadedBackbone;
  data: LoadedData;
  split: Split;
  head: tf.layers.Layer;
  augment: ((x: tf.Tensor4D, seed: number) => tf.Tensor4D) | null;
  notes: string[];
  /** Filled when embeddings were cached: where they came from. */
  embeddingCache: 'memory' | 'disk' | 'off' | 'n/a';
}

/** Rows of `e` at `indices`, as a [n, dim] tensor. */
function rows(e: Embeddings, indices: Int32Array, position?: Map<number, number>): tf.Tensor2D {
  const out = new Float32Array(indices.length * e.dim);
  for (let i = 0; i < indices.length; i++) {
    const r = position ? position.get(indices[i])! : indices[i];
    out.set(e.features.subarray(r * e.dim, (r + 1) * e.dim), i * e.dim);
  }
  return tf.tensor2d(out, [indices.length, e.dim]);
}

/** Per-batch augmentation seeded by (run seed, step), so augmented runs are reproducible too. */
function augmenter(setup: RunSetup): ((x: tf.Tensor4D) => tf.Tensor4D) | undefined {
  if (!setup.config.augment || !setup.augment) return undefined;
  let step = 0;
  const fn = setup.augment;
  return (x) => fn(x, deriveSeed(setup.config.seed, `augment:${step++}`));
}

function baseSpec(setup: RunSetup, over: Pick<PhaseSpec, 'phase' | 'progressPhase' | 'epochs' | 'firstEpoch' | 'prepare' | 'forwardTrain' | 'predict' | 'optimizer' | 'variables' | 'state' | 'earlyStopping'>): PhaseSpec {
  return {
    ...over,
    train: setup.split.train, val: setup.split.val, batchSize: setup.config.batchSize, seed: setup.config.seed,
    labels: (idx) => labelsOf(setup.data, idx), numClasses: setup.data.classes.length,
  };
}

/** Phase costs for progress, in image forward passes. */
export function embeddingCost(setup: RunSetup): number {
  return setup.config.augment ? setup.split.val.length : setup.data.labels.length;
}

/**
 * Trains the head alone on the frozen base (feature extraction, or fine-tuning's first phase).
 * With augmentation every batch goes through the base again, so nothing can be cached.
 */
export async function trainHeadOnFrozenBase(
  setup: RunSetup, ctx: LoopContext,
  opts: { phase: PhaseSpec['phase']; epochs: number; learningRate: number; earlyStopping: PhaseSpec['earlyStopping'] },
): Promise<PhaseOutcome> {
  const { backbone, data, split, head, config } = setup;
  const onProgress = (done: number, total: number) => ctx.progress.update(done / total, { message: `Embedding images ${done}/${total}` });
  ctx.progress.enter('caching-embeddings', config.augment ? 'Embedding the validation images (augmentation is on: training images go through the base every batch)' : 'Computing embeddings once with the frozen base');
  let features: (idx: Int32Array) => tf.Tensor2D;
  let valFeatures: (idx: Int32Array) => tf.Tensor2D;
  const augment = augmenter(setup);
  if (!augment) {
    const cached = await cachedEmbeddings(backbone, data, setup.dataDir, { signal: ctx.signal, onProgress });
    if (setup.embeddingCache === 'n/a' || setup.embeddingCache === 'off') {
      setup.embeddingCache = cached.source === 'memory' ? 'memory' : 'disk';
      setup.notes.push(cached.source === 'computed'
        ? `Embeddings of ${data.labels.length} images computed once with the frozen base and cached to disk.`
        : `Embeddings reused from the ${cached.source} cache: no image went through the base during training.`);
      if (cached.diskError) { setup.embeddingCache = 'memory'; setup.notes.push(`Could not write the embedding cache (${cached.diskError}); kept in memory only.`); }
    }
    features = (idx) => rows(cached.embeddings, idx);
    valFeatures = features;
  } else {
    const val = await computeEmbeddings(backbone, data, { indices: split.val, signal: ctx.signal, onProgress });
    const position = new Map(Array.from(split.val, (v, i) => [v, i] as [number, number]));
    features = (idx) => tf.tidy(() => extractFeatures(backbone, inputBatch(data, idx, backbone, augment)));
    valFeatures = (idx) => rows(val, idx, position);
    if (setup.embeddingCache !== 'disk' && setup.embeddingCache !== 'memory') setup.embeddingCache = 'off';
  }
  ctx.progress.enter('training-head', `Training the new head (${head.countParams()} parameters)`);
  const optimizer = createOptimizer(config.optimizer, opts.learningRate);
  try {
    const vars = headVariables(head);
    return await trainPhase(baseSpec(setup, {
      phase: opts.phase, progressPhase: 'training-head', epochs: opts.epochs, firstEpoch: 0,
      prepare: features,
      forwardTrain: (f) => head.apply(f, { training: true }) as tf.Tensor2D,
      predict: (idx) => tf.tidy(() => head.apply(valFeatures(idx)) as tf.Tensor2D),
      optimizer, variables: vars, state: vars, earlyStopping: opts.earlyStopping,
    }), ctx);
  } finally {
    optimizer.dispose();
  }
}

/** The variables fine-tuning may change: weights of the unfrozen layers (incl. BN statistics). */
function changeable(split: SplitModel, head: tf.layers.Layer, trainFrozenBatchNorm: boolean): tf.Variable[] {
  const layers = [...split.trainableLayers, head];
  const vars = layers.flatMap((l) => l.weights.map((w) => w.read() as tf.Variable));
  if (trainFrozenBatchNorm) {
    for (const l of split.frozenLayers) if (l.getClassName() === 'BatchNormalization') vars.push(...l.weights.filter((w) => !w.trainable).map((w) => w.read() as tf.Variable));
  }
  return vars;
}

/** Fine-tuning's main phase: the unfrozen top blocks and the head train together at a low LR. */
export async function fineTuneTopBlocks(
  setup: RunSetup, ctx: LoopContext, split: SplitModel, opts: { epochs: number; firstEpoch: number },
): Promise<PhaseOutcome> {
  const { backbone, data, head, config } = setup;
  const augment = augmenter(setup);
  const prefixTraining = config.trainFrozenBatchNorm;
  ctx.progress.enter('fine-tuning', `Fine-tuning ${split.trainableLayers.length} layers and the head at learning rate ${config.learningRate}`);
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  try {
    const trainable = split.trainableLayers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    return await trainPhase(baseSpec(setup, {
      phase: 'fine-tune', progressPhase: 'fine-tuning', epochs: opts.epochs, firstEpoch: opts.firstEpoch,
      prepare: (idx) => tf.tidy(() => {
        const x = inputBatch(data, idx, backbone, augment);
        // The frozen prefix runs outside the gradient tape; in inference mode unless the experiment is on.
        return split.prefix ? split.prefix.apply(x, { training: prefixTraining }) as tf.Tensor : x;
      }),
      forwardTrain: (x) => {
        const f = split.suffix ? split.suffix.apply(x, { training: true }) as tf.Tensor : x;
        return head.apply(f, { training: true }) as tf.Tensor2D;
      },
      predict: (idx) => tf.tidy(() => head.apply(extractFeatures(backbone, inputBatch(data, idx, backbone))) as tf.Tensor2D),
      optimizer, variables: [...trainable, ...headVariables(head)],
      state: changeable(split, head, config.trainFrozenBatchNorm),
      earlyStopping: config.earlyStopping,
    }), ctx);
  } finally {
    optimizer.dispose();
  }
}

/** Marks layers trainable/frozen and splits the base model at the boundary. */
export function prepareFineTuning(backbone: LoadedBackbone, frozen: Set<string>): SplitModel {
  const model = backbone.model;
  if (!model) throw new Error(`Backbone "${backbone.id}" is a graph model: it can only serve as a frozen feature extractor, not be fine-tuned.`);
  for (const layer of model.layers) layer.trainable = !frozen.has(layer.name);
  return splitAtBoundary(model, frozen);
}
