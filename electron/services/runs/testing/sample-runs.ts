// Small, valid runs for the run store's tests and its benchmark.
import type { EpochMetrics, RunResult, TestScore, TrainConfig } from '../../../contract/index.js';
import { packCorrect, wilson } from '../../../contract/stats.js';

export function sampleConfig(over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    strategy: 'feature-extraction',
    backboneId: 'tiny-resnet',
    dataset: { id: 'shapes', perClass: 50 },
    epochs: 3,
    batchSize: 32,
    learningRate: 0.001,
    optimizer: 'adam',
    validationSplit: 0.2,
    seed: 42,
    unfreezeBlocks: 0,
    twoPhase: false,
    headEpochs: 0,
    headLearningRate: 0.001,
    trainFrozenBatchNorm: false,
    unfrozenBatchNorm: 'batch-statistics',
    augment: false,
    earlyStopping: { enabled: false, patience: 3 },
    backend: 'auto',
    ...over,
  };
}

export function sampleEpoch(epoch: number, valAcc = 0.5 + epoch * 0.1): EpochMetrics {
  return { epoch, phase: 'head', trainLoss: 1 / (epoch + 1), trainAcc: valAcc + 0.05, valLoss: 1.1 / (epoch + 1), valAcc, seconds: 1.25 + epoch, imagesPerSec: 321.5 };
}

/** A test score of `correct` out of 40 images (the first `correct` right), on test set `setId`. */
export function sampleTest(correct = 34, setId = 'set-a'): TestScore {
  const n = 40;
  const { low, high } = wilson(correct, n);
  return {
    n, correct, accuracy: correct / n, low, high,
    // The default score's matrix (34 right); the other counts are only stored and read back.
    confusion: [[14, 0, 0], [0, 13, 0], [3, 3, 7]],
    perClassAcc: [1, 1, 0.54],
    misclassified: [{ sampleId: 'shapes:101', actual: 2, predicted: 0 }],
    setId,
    correctFlags: packCorrect(Array.from({ length: n }, (_, i) => i < correct)),
  };
}

export function sampleResult(over: Partial<RunResult> = {}): RunResult {
  return {
    rung: 'wasm',
    device: 'wasm (XNNPACK, 1 thread)',
    trainableParams: 1290,
    frozenParams: 174_336,
    peakMemoryMB: 212.5,
    bestEpoch: 2,
    bestValAcc: 0.9,
    finalValAcc: 0.875,
    totalSeconds: 7.75,
    imagesPerSec: 310.25,
    classes: ['circle', 'square', 'triangle'],
    confusion: [
      [9, 1, 0],
      [0, 10, 0],
      [1, 1, 8],
    ],
    perClassAcc: [0.9, 1, 0.8],
    misclassified: [
      { sampleId: 'val/7', actual: 0, predicted: 1 },
      { sampleId: 'val/21', actual: 2, predicted: 0 },
      { sampleId: 'val/22', actual: 2, predicted: 1 },
    ],
    embeddingCache: 'memory',
    notes: ['Embeddings cached once in memory.'],
    valN: 30,
    test: sampleTest(),
    stopped: { kind: 'early-stopping', epoch: 3, cap: 3 },
    ...over,
  };
}
