// The two strategies as training phases over the shared loop. Feature extraction trains the head on
// the frozen base's embeddings (cached unless augmentation is on). Fine-tuning splits the base at
// the freeze boundary: the frozen prefix runs in inference mode (its BatchNorm statistics cannot
// drift) unless the experiment switch lets it train, and the unfrozen suffix trains with the head,
// its BatchNorm layers on batch statistics or, as Keras advises, in inference mode.
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../contract/index.js';
import type { LoadedBackbone, LoadedData, Split } from '../types.js';
import type { EmbeddingStore } from './deps.js';
import { cachedEmbeddings, computeEmbeddings, embeddingCacheNote, extractFeatures, type Embeddings } from './embeddings.js';
import { embedHelpers, type BaseThreads, type EmbedHelpers } from './embedding-threads.js';
import { splitAtBoundary, type SplitModel } from './graph.js';
import { createOptimizer, type Head } from './head.js';
import { hostHeadStep } from './host-head-step.js';
import { inputBatch, labelsOf } from './images.js';
import { buildPrefixCache, PREFIX_CACHE_MAX_BYTES, prefixCacheBytes, type PrefixCache } from './prefix-cache.js';
import type { PrefixRows } from './prefix-rows.js';
import { trainPhase, type LoopContext, type PhaseOutcome, type PhaseSpec } from './loop.js';
import { deriveSeed } from './random.js';
import { DataParallelStep, shardCount, ShardNet, type ShardLink, type ShardThreads, type ThreadAllowance } from './data-parallel.js';

export interface RunSetup {
  config: TrainConfig;
  /** Where the embedding cache keeps rows between runs (files, for the worker process). */
  embeddingStore: EmbeddingStore;
  /** Saves the trained model where the run's files live (the host's saveRunModel, for this run's env). */
  saveModel(runId: string, modelJson: Record<string, unknown>, weightData: Uint8Array, valPredictions: Float32Array): Promise<string>;
  backbone: LoadedBackbone;
  data: LoadedData;
  split: Split;
  /** 1 for every test image: the loop refuses any batch that holds one. */
  heldOut: Uint8Array;
  head: Head;
  augment: ((x: tf.Tensor4D, seed: number) => tf.Tensor4D) | null;
  notes: string[];
  /** Filled when embeddings were cached: where they came from. */
  embeddingCache: 'memory' | 'disk' | 'off' | 'n/a';
  /** false: fine-tuning runs the frozen blocks on every batch even where their output could be cached (tests compare both). */
  cachePrefix?: boolean;
  /** Threads fine-tuning may use (data-parallel shards), changed while it runs as other runs start
   *  and end; absent: this thread alone. */
  threads?: ThreadAllowance;
  /** The machine's physical cores: they fix how many shards a batch is cut into (default: threads). */
  cores?: number;
  /** The host's helper threads, when it has them: for fine-tuning's shards, and for the embedding pass. */
  shardThreads?: ShardThreads;
  baseThreads?: BaseThreads;
  /** Fine-tuning's shard threads, still up once it ended: they score the images next (scoring.ts). */
  idleThreads?: ShardLink[];
  /** The frozen prefix's output kept from the embedding pass, for the prefix cache and scoring. */
  prefixRows?: PrefixRows;
}

/** Rows of `e` at `indices`, as a [n, dim] tensor. */
export function rows(e: Embeddings, indices: Int32Array, position?: Map<number, number>): tf.Tensor2D {
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

function baseSpec(setup: RunSetup, over: Pick<PhaseSpec, 'phase' | 'progressPhase' | 'epochs' | 'firstEpoch' | 'prepare' | 'forwardTrain' | 'predict' | 'optimizer' | 'variables' | 'state' | 'earlyStopping' | 'step' | 'hostStep'>): PhaseSpec {
  return {
    ...over,
    train: setup.split.train, val: setup.split.val, heldOut: setup.heldOut, batchSize: setup.config.batchSize, seed: setup.config.seed,
    labels: (idx) => labelsOf(setup.data, idx), numClasses: setup.data.classes.length,
  };
}

/** Training images whose embeddings set the head's standardisation when augmentation is on. */
const STATS_SAMPLE = 1000;

/** Phase cost of embedding, in image forward passes. */
export function embeddingCost(setup: RunSetup, headEpochs: number): number {
  const { split, data } = setup;
  return setup.config.augment ? Math.min(STATS_SAMPLE, split.train.length) + (headEpochs > 0 ? split.val.length : 0) : data.labels.length;
}

/**
 * Runs the frozen base once in inference mode: every image's embedding (cached in memory and on
 * disk) unless augmentation is on, then sets the head's standardisation from the training images.
 * Returns the cached embeddings, or null when augmentation rules caching out.
 */
export async function embedOnce(setup: RunSetup, ctx: LoopContext): Promise<Embeddings | null> {
  const { backbone, data, split, head, config } = setup;
  const onProgress = (done: number, total: number) => ctx.progress.update(done / total, { message: `Embedding images ${done}/${total}` });
  ctx.progress.enter('caching-embeddings', config.augment ? 'Embedding a sample of training images (augmentation is on, so nothing is cached)' : 'Computing embeddings once with the frozen base');
  const helpers = embedHelpers(backbone.model, setup.baseThreads, setup.threads ?? { now: 1 }, tf.getBackend());
  try {
    if (config.augment) {
      const sample = split.train.subarray(0, Math.min(STATS_SAMPLE, split.train.length));
      const e = await computeEmbeddings(backbone, data, { indices: sample, signal: ctx.signal, onProgress, helpers });
      head.fitStandardization(e.features, e.count);
      return null;
    }
    return await cacheAll(setup, ctx, onProgress, helpers);
  } finally {
    if (helpers.used.size > 0) setup.notes.push(`${helpers.used.size + 1} threads embedded the images (the same features as one thread: each batch on its own).`);
    helpers.close();
  }
}

/** Every image's embedding through the cache; sets the head's standardisation from the training images. */
async function cacheAll(setup: RunSetup, ctx: LoopContext, onProgress: (done: number, total: number) => void, helpers: EmbedHelpers): Promise<Embeddings> {
  const { backbone, data, split, head } = setup;
  const cached = await cachedEmbeddings(backbone, data, setup.embeddingStore, { signal: ctx.signal, onProgress, helpers, prefixRows: setup.prefixRows });
  setup.embeddingCache = cached.source === 'memory' ? 'memory' : 'disk';
  setup.notes.push(embeddingCacheNote(cached));
  if (cached.diskError) {
    setup.embeddingCache = 'memory';
    setup.notes.push(`Could not write the embedding cache (${cached.diskError}); kept in memory only.`);
  }
  const train = rows(cached.embeddings, split.train);
  head.fitStandardization(train.dataSync() as Float32Array, split.train.length);
  train.dispose();
  return cached.embeddings;
}

/**
 * Trains the head alone on the frozen base (feature extraction, or fine-tuning's first phase), on
 * the cached embeddings; with augmentation every batch goes through the base again.
 */
export async function trainHeadOnFrozenBase(
  setup: RunSetup, ctx: LoopContext, embeddings: Embeddings | null,
  opts: { phase: PhaseSpec['phase']; epochs: number; learningRate: number; earlyStopping: PhaseSpec['earlyStopping'] },
): Promise<PhaseOutcome> {
  const { backbone, data, split, head, config } = setup;
  let features: (idx: Int32Array) => tf.Tensor2D;
  let valFeatures: (idx: Int32Array) => tf.Tensor2D;
  const augment = augmenter(setup);
  if (embeddings) {
    features = (idx) => rows(embeddings, idx);
    valFeatures = features;
  } else {
    const onProgress = (done: number, total: number) => ctx.progress.update(done / total, { message: `Embedding validation images ${done}/${total}` });
    const val = await computeEmbeddings(backbone, data, { indices: split.val, signal: ctx.signal, onProgress });
    const position = new Map(Array.from(split.val, (v, i) => [v, i] as [number, number]));
    features = (idx) => tf.tidy(() => extractFeatures(backbone, inputBatch(data, idx, backbone, augment)));
    valFeatures = (idx) => rows(val, idx, position);
  }
  ctx.progress.enter('training-head', `Training the new head (${head.dense.countParams()} parameters)`);
  const optimizer = createOptimizer(config.optimizer, opts.learningRate);
  try {
    return await trainPhase(baseSpec(setup, {
      phase: opts.phase, progressPhase: 'training-head', epochs: opts.epochs, firstEpoch: 0,
      prepare: features,
      forwardTrain: (f) => head.apply(f, true),
      predict: (idx) => tf.tidy(() => head.apply(valFeatures(idx))),
      optimizer, variables: head.variables(), state: head.variables(), earlyStopping: opts.earlyStopping,
      hostStep: embeddings ? hostHeadStep(head, optimizer, embeddings, data.classes.length) ?? undefined : undefined,
    }), ctx);
  } finally {
    optimizer.dispose();
  }
}

/** The variables fine-tuning may change: weights of the unfrozen layers (incl. BN statistics). */
function changeable(split: SplitModel, head: Head, trainFrozenBatchNorm: boolean): tf.Variable[] {
  const vars = [...split.trainableLayers.flatMap((l) => l.weights.map((w) => w.read() as tf.Variable)), ...head.variables()];
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
  // 'inference': the unfrozen part runs as Keras' base(x, training=False) — BatchNorm normalises with
  // its moving statistics and never updates them; its scale and offset still train.
  const suffixTraining = config.unfrozenBatchNorm !== 'inference';
  ctx.progress.enter('fine-tuning', `Fine-tuning ${split.trainableLayers.length} layers and the head at learning rate ${config.learningRate}`);
  const cache = await cachePrefix(setup, ctx, split, augment);
  const kept = setup.prefixRows;
  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  let parallel: DataParallelStep | null = null;
  try {
    parallel = await startDataParallel(setup, split, optimizer, suffixTraining);
    const trainable = split.trainableLayers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    return await trainPhase(baseSpec(setup, {
      phase: 'fine-tune', progressPhase: 'fine-tuning', epochs: opts.epochs, firstEpoch: opts.firstEpoch,
      prepare: (idx) => tf.tidy(() => {
        if (cache) return cache.batch(idx);
        const x = inputBatch(data, idx, backbone, augment);
        // The frozen prefix runs outside the gradient tape; in inference mode unless the experiment is on.
        return split.prefix ? split.prefix.apply(x, { training: prefixTraining }) as tf.Tensor : x;
      }),
      forwardTrain: (x) => {
        const f = split.suffix ? split.suffix.apply(x, { training: suffixTraining }) as tf.Tensor : x;
        return head.apply(f, true);
      },
      // Validation images whose prefix output the embedding pass kept run through the unfrozen blocks only.
      predict: (idx) => tf.tidy(() => head.apply(kept?.keptAll(idx) ? kept.keptFeatures(idx) : extractFeatures(backbone, inputBatch(data, idx, backbone)))),
      optimizer, variables: [...trainable, ...head.variables()],
      state: changeable(split, head, config.trainFrozenBatchNorm),
      earlyStopping: config.earlyStopping,
      step: parallel ? (x, labels) => parallel!.step(x, labels) : undefined,
    }), ctx);
  } finally {
    if (parallel) setup.idleThreads = parallel.release();
    optimizer.dispose();
  }
}

/**
 * Shards for fine-tuning on wasm (native backends use every core themselves): as many per batch as
 * the machine has cores (shardCount), computed on the threads this run was given, the rest here.
 * null when a batch stays whole. The run's notes say how it trained.
 */
async function startDataParallel(setup: RunSetup, split: SplitModel, optimizer: tf.Optimizer, suffixTraining: boolean): Promise<DataParallelStep | null> {
  const { config, head, data } = setup;
  const allowance = setup.threads ?? { now: 1 };
  const shards = shardCount(config.batchSize, setup.cores ?? allowance.now);
  if (shards <= 1 || !split.suffix || tf.getBackend() !== 'wasm') return null;
  const net = new ShardNet(split.suffix, head, suffixTraining);
  const spec = {
    suffixTopology: split.suffix.toJSON(null, false) as unknown as Record<string, unknown>,
    suffixTraining,
    head: { featureSize: head.featureSize, numClasses: data.classes.length, seed: config.seed },
  };
  const shardThreads = setup.shardThreads;
  const spawn = shardThreads ? (count: number) => shardThreads(count, spec, net.values('all')) : null;
  let threads = spawn ? Math.max(1, Math.min(allowance.now, shards)) : 1;
  let links: Awaited<ReturnType<NonNullable<typeof spawn>>> = [];
  let unavailable = '';
  try {
    if (threads > 1) links = await spawn!(threads - 1);
  } catch (err) {
    // The same shards on this thread alone train the same run, only slower.
    unavailable = ` No training thread could start (${err instanceof Error ? err.message : String(err)}), so this thread computed every shard.`;
    threads = 1;
  }
  const step = new DataParallelStep(net, links, optimizer, shards, spawn && !unavailable ? { allowance, spawn } : undefined);
  const share = Math.ceil(config.batchSize / shards);
  setup.notes.push(`Fine-tuning cut every batch of ${config.batchSize} images into ${shards} shards of about ${share} (one per core of this machine) and averaged their gradients for each step; it started on ${threads} thread${threads === 1 ? '' : 's'}${spawn && !unavailable ? ', and took more or fewer as other runs ended or started (that changes only the speed)' : ''}.${unavailable}${suffixTraining ? ' BatchNorm layers normalised each shard by its own statistics, so on a machine with another number of cores the same run differs slightly.' : ''}`);
  return step;
}

/**
 * The frozen prefix's output for every training image, when it cannot change between epochs (prefix
 * in inference mode, no augmentation) and fits in PREFIX_CACHE_MAX_BYTES; null otherwise. The run's
 * notes say which.
 */
async function cachePrefix(setup: RunSetup, ctx: LoopContext, split: SplitModel, augment: ReturnType<typeof augmenter>): Promise<PrefixCache | null> {
  const { config, data, backbone } = setup;
  if (!split.prefix || !split.suffix || augment || config.trainFrozenBatchNorm || setup.cachePrefix === false) return null;
  const bytes = prefixCacheBytes(split.prefix, setup.split.train.length);
  if (bytes == null || bytes > PREFIX_CACHE_MAX_BYTES) {
    setup.prefixRows?.forget(setup.split.train);
    setup.notes.push(`The frozen blocks ran on every batch: their output for the training images (${bytes == null ? 'of varying size' : `${(bytes / 1048576).toFixed(0)} MB`}) is too large to keep.`);
    return null;
  }
  const onProgress = (done: number, total: number) => ctx.progress.update(0, { message: `Running the frozen blocks once over the training images ${done}/${total}` });
  const cache = await buildPrefixCache(split.prefix, data, backbone, setup.split.train, { batchSize: config.batchSize, signal: ctx.signal, onProgress, kept: setup.prefixRows });
  const reused = cache.reused > 0 ? ` (for ${cache.reused} of the ${setup.split.train.length} images it came from the embedding pass)` : '';
  setup.notes.push(`The frozen blocks ran once over the training images${reused} (${(cache.bytes / 1048576).toFixed(1)} MB kept in memory), not in every epoch: they run in inference mode and see no augmentation, so their output cannot change.`);
  return cache;
}

/** Marks layers trainable/frozen and splits the base model at the boundary. */
export function prepareFineTuning(backbone: LoadedBackbone, frozen: Set<string>): SplitModel {
  const model = backbone.model;
  if (!model) throw new Error(`Backbone "${backbone.id}" is a graph model: it can only serve as a frozen feature extractor, not be fine-tuned.`);
  for (const layer of model.layers) layer.trainable = !frozen.has(layer.name);
  return splitAtBoundary(model, frozen);
}
