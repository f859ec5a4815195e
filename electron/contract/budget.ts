// The budget rule, one copy for the app, the build scripts and the bench. With few images a fixed
// number of epochs is too few optimizer steps to learn anything, so epochs scale with the data set
// size. Feature extraction trains a head on cached embeddings, where a step costs almost nothing:
// it gets a generous cap and early stopping decides when it has converged. Fine-tuning runs the
// whole network every step: it gets a fixed budget of steps.
import type { Strategy, TrainConfig } from './index.js';

/** The head's learning rate (the slide's Adam at 1e-3) and fine-tuning's, ten times lower. */
export const HEAD_LEARNING_RATE = 1e-3;
export const FINE_TUNE_LEARNING_RATE = 1e-4;

/** Feature extraction: up to this many steps (a few seconds on cached embeddings), within these epochs. */
export const FE_MAX_STEPS = 30_000;
const FE_EPOCHS = [50, 500] as const;
/** Validation loss of a linear head creeps down for a long time; a short patience stops it early.
 *  On a small set (a few steps per epoch, a handful of validation images) the loss also wobbles,
 *  so the patience is at least FE_PATIENCE_STEPS steps' worth of epochs. */
export const FE_PATIENCE = 20;
export const FE_PATIENCE_STEPS = 200;
const MAX_PATIENCE = 100;
/** Fine-tuning: about this many steps over the unfreezing phase, within these epochs. */
const FT_STEPS = 400;
const FT_EPOCHS = [4, 30] as const;
const FT_PATIENCE = 4;
/** Fine-tuning's head phase: about this many steps within these epochs, before unfreezing. */
const HEAD_PHASE_STEPS = 1000;
const HEAD_PHASE_EPOCHS = [5, 75] as const;
/** TrainConfig.epochs' upper bound. */
const MAX_EPOCHS = 500;

export function defaultBatchSize(datasetSize: number): number {
  return datasetSize < 500 ? 16 : datasetSize < 5_000 ? 32 : 64;
}

const clamp = (x: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, x));

/** Optimizer steps per epoch on `datasetSize` images (those a run trains and validates on). */
function stepsPerEpoch(datasetSize: number, batchSize: number, validationSplit: number): number {
  const trainSize = Math.max(1, Math.round(datasetSize * (1 - validationSplit)));
  return Math.max(1, Math.ceil(trainSize / batchSize));
}

/** Epochs of the main phase: feature extraction's cap, or fine-tuning's unfreezing phase. */
export function defaultEpochs(strategy: Strategy, datasetSize: number, validationSplit = 0.2, batchSize = defaultBatchSize(datasetSize)): number {
  const steps = stepsPerEpoch(datasetSize, batchSize, validationSplit);
  return strategy === 'feature-extraction'
    ? clamp(Math.round(FE_MAX_STEPS / steps), FE_EPOCHS)
    : clamp(Math.round(FT_STEPS / steps), FT_EPOCHS);
}

/** Early-stopping patience of a feature-extraction run, in epochs. */
export function fePatience(datasetSize: number, validationSplit = 0.2, batchSize = defaultBatchSize(datasetSize)): number {
  return Math.min(MAX_PATIENCE, Math.max(FE_PATIENCE, Math.ceil(FE_PATIENCE_STEPS / stepsPerEpoch(datasetSize, batchSize, validationSplit))));
}

/** Epochs of fine-tuning's head phase (on cached embeddings, before unfreezing). */
export function headPhaseEpochs(datasetSize: number, validationSplit = 0.2, batchSize = defaultBatchSize(datasetSize)): number {
  return clamp(Math.round(HEAD_PHASE_STEPS / stepsPerEpoch(datasetSize, batchSize, validationSplit)), HEAD_PHASE_EPOCHS);
}

/**
 * A complete TrainConfig for `strategy` on a data set of `datasetSize` images (all classes together,
 * the ones a run trains and validates on). Feature extraction: Adam at 1e-3 on the new head (the
 * slide's recipe) until early stopping. Fine-tuning: the head first at 1e-3, then the top two
 * blocks at 1e-4, so the pretrained filters are only nudged.
 */
export function defaultConfig(strategy: Strategy, datasetSize: number): TrainConfig {
  const fineTune = strategy === 'fine-tuning';
  return {
    strategy,
    backboneId: 'tl-resnet-s',
    dataset: { id: 'fashion-target', perClass: null },
    epochs: defaultEpochs(strategy, datasetSize),
    batchSize: defaultBatchSize(datasetSize),
    learningRate: fineTune ? FINE_TUNE_LEARNING_RATE : HEAD_LEARNING_RATE,
    optimizer: 'adam',
    validationSplit: 0.2,
    seed: 42,
    unfreezeBlocks: fineTune ? 2 : 0,
    twoPhase: fineTune,
    // The head phase runs on cached embeddings (cheap): train the head well before unfreezing.
    headEpochs: fineTune ? headPhaseEpochs(datasetSize) : 0,
    headLearningRate: HEAD_LEARNING_RATE,
    trainFrozenBatchNorm: false,
    unfrozenBatchNorm: 'batch-statistics',
    augment: false,
    earlyStopping: { enabled: true, patience: fineTune ? FT_PATIENCE : fePatience(datasetSize) },
    backend: 'auto',
  };
}

/** Epochs a run trains its head on the frozen base: all of them for feature extraction, the head
 *  phase for a two-phase fine-tuning run, none otherwise. */
export function headEpochsOf(config: Pick<TrainConfig, 'strategy' | 'epochs' | 'twoPhase' | 'headEpochs'>): number {
  if (config.strategy === 'feature-extraction') return config.epochs;
  return config.twoPhase ? config.headEpochs : 0;
}

/** Every epoch a run may train (head phase included): its cap. */
export function totalEpochsOf(config: Pick<TrainConfig, 'strategy' | 'epochs' | 'twoPhase' | 'headEpochs'>): number {
  return config.strategy === 'feature-extraction' ? config.epochs : headEpochsOf(config) + config.epochs;
}

/**
 * The pair rule: a feature-extraction run and a fine-tuning run on the same data, seed, batch size
 * and head. Fine-tuning keeps `config` as it is. Feature extraction trains only the new head, at the
 * head's learning rate, with early stopping on and a generous cap (its steps cost almost nothing, so
 * it is given enough to converge; it never gets fewer epochs than fine-tuning's whole run) and a
 * patience of at least FE_PATIENCE_STEPS steps. With `datasetSize` unknown the cap is the largest
 * TrainConfig allows and the patience FE_PATIENCE.
 */
export function pairConfigs(config: Omit<TrainConfig, 'strategy'>, datasetSize?: number | null): [TrainConfig, TrainConfig] {
  const ft: TrainConfig = { ...config, strategy: 'fine-tuning' };
  const cap = datasetSize == null
    ? MAX_EPOCHS
    : Math.min(MAX_EPOCHS, Math.max(defaultEpochs('feature-extraction', datasetSize, config.validationSplit, config.batchSize), totalEpochsOf(ft)));
  const fe: TrainConfig = {
    ...config,
    strategy: 'feature-extraction',
    learningRate: config.headLearningRate,
    epochs: cap,
    unfreezeBlocks: 0,
    twoPhase: false,
    headEpochs: 0,
    earlyStopping: { enabled: true, patience: Math.max(datasetSize == null ? FE_PATIENCE : fePatience(datasetSize, config.validationSplit, config.batchSize), config.earlyStopping.patience) },
  };
  return [fe, ft];
}

/** Seeds of a request repeated `count` times: seed, seed+1, … (TrainConfig.seed's range is kept). */
export function repeatSeeds(seed: number, count: number): number[] {
  const max = 2_147_483_647;
  if (seed + count - 1 > max) throw new Error(`Seed ${seed} repeated ${count} times would pass the largest seed (${max}); choose a smaller seed.`);
  return Array.from({ length: count }, (_, i) => seed + i);
}
