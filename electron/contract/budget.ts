// The budget rule, one copy for the app, the build scripts and the bench: sensible starting budgets. With few images a fixed number of epochs
// is too few optimizer steps to learn anything, so epochs scale with the data set size: small sets
// get more passes, large sets fewer (each pass already holds many steps).
import type { Strategy, TrainConfig } from './index.js';

/** Optimizer steps we aim for in a run, before the per-strategy clamps below. A head trained on
 *  cached embeddings costs almost nothing per step, so feature extraction gets many more. */
const TARGET_STEPS = { 'feature-extraction': 2000, 'fine-tuning': 400 } as const;
const EPOCH_LIMITS = { 'feature-extraction': [10, 150], 'fine-tuning': [4, 30] } as const;

export function defaultBatchSize(datasetSize: number): number {
  return datasetSize < 500 ? 16 : datasetSize < 5_000 ? 32 : 64;
}

/** Epochs such that a run takes about TARGET_STEPS optimizer steps on `datasetSize` images. */
export function defaultEpochs(strategy: Strategy, datasetSize: number, validationSplit = 0.2): number {
  const trainSize = Math.max(1, Math.round(datasetSize * (1 - validationSplit)));
  const stepsPerEpoch = Math.max(1, Math.ceil(trainSize / defaultBatchSize(datasetSize)));
  const [min, max] = EPOCH_LIMITS[strategy];
  return Math.min(max, Math.max(min, Math.round(TARGET_STEPS[strategy] / stepsPerEpoch)));
}

/**
 * A complete TrainConfig for `strategy` on a data set of `datasetSize` images (all classes together).
 * Feature extraction: Adam at 1e-3 on the new head (the slide's recipe). Fine-tuning: the head
 * first at 1e-3, then the top two blocks at 1e-4, so the pretrained filters are only nudged.
 */
export function defaultConfig(strategy: Strategy, datasetSize: number): TrainConfig {
  const fineTune = strategy === 'fine-tuning';
  const epochs = defaultEpochs(strategy, datasetSize);
  return {
    strategy,
    backboneId: 'tl-resnet-s',
    dataset: { id: 'fashion-target', perClass: null },
    epochs,
    batchSize: defaultBatchSize(datasetSize),
    learningRate: fineTune ? 1e-4 : 1e-3,
    optimizer: 'adam',
    validationSplit: 0.2,
    seed: 42,
    unfreezeBlocks: fineTune ? 2 : 0,
    twoPhase: fineTune,
    // The head phase runs on cached embeddings (cheap): train the head well before unfreezing.
    headEpochs: fineTune ? Math.max(2, Math.round(defaultEpochs('feature-extraction', datasetSize) / 2)) : 0,
    headLearningRate: 1e-3,
    trainFrozenBatchNorm: false,
    augment: false,
    earlyStopping: { enabled: true, patience: fineTune ? 4 : 6 },
    backend: 'auto',
  };
}

/** Epochs a run trains its head on the frozen base: all of them for feature extraction, the head
 *  phase for a two-phase fine-tuning run, none otherwise. */
export function headEpochsOf(config: Pick<TrainConfig, 'strategy' | 'epochs' | 'twoPhase' | 'headEpochs'>): number {
  if (config.strategy === 'feature-extraction') return config.epochs;
  return config.twoPhase ? config.headEpochs : 0;
}
