// Validation scoring of the finished model: predictions, confusion matrix, per-class accuracy and
// the misclassified images, plus the saved predictions export parity is checked against.
import * as tf from '@tensorflow/tfjs';
import type { RunResult } from '../../contract/index.js';
import { CancelledError } from './loop.js';
import { yieldToEventLoop } from './progress.js';

/** Misclassified ids reported per run; enough for the gallery, small enough for one message. */
export const MAX_MISCLASSIFIED = 500;

export interface Predictions { probs: Float32Array; numClasses: number; predicted: Int32Array }

/** Runs `predict` over `indices` in batches and collects class probabilities. */
export async function predictAll(
  indices: Int32Array, numClasses: number, predict: (idx: Int32Array) => tf.Tensor2D,
  opts: { batchSize?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<Predictions> {
  const batch = opts.batchSize ?? 128;
  const probs = new Float32Array(indices.length * numClasses);
  for (let i = 0; i < indices.length; i += batch) {
    if (opts.signal?.aborted) throw new CancelledError();
    const idx = indices.subarray(i, Math.min(indices.length, i + batch));
    const p = predict(idx);
    probs.set(await p.data() as Float32Array, i * numClasses);
    p.dispose();
    opts.onProgress?.(i + idx.length, indices.length);
    await yieldToEventLoop();
  }
  const predicted = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (probs[i * numClasses + c] > probs[i * numClasses + best]) best = c;
    predicted[i] = best;
  }
  return { probs, numClasses, predicted };
}

export function scoreValidation(
  pred: Predictions, labels: Int32Array, sampleIds: string[],
): Pick<RunResult, 'confusion' | 'perClassAcc' | 'misclassified' | 'finalValAcc'> & { misclassifiedTotal: number } {
  const k = pred.numClasses;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const misclassified: RunResult['misclassified'] = [];
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const actual = labels[i];
    const predicted = pred.predicted[i];
    confusion[actual][predicted]++;
    if (actual === predicted) correct++;
    else if (misclassified.length < MAX_MISCLASSIFIED) misclassified.push({ sampleId: sampleIds[i], actual, predicted });
  }
  const perClassAcc = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[c] / total : 0;
  });
  return { confusion, perClassAcc, misclassified, misclassifiedTotal: labels.length - correct, finalValAcc: labels.length ? correct / labels.length : 0 };
}

/** Compares two prediction sets of the same images (export parity). */
export function comparePredictions(a: Predictions, b: Predictions, labels: Int32Array) {
  let same = 0;
  let correct = 0;
  let maxAbsDiff = 0;
  for (let i = 0; i < labels.length; i++) {
    if (a.predicted[i] === b.predicted[i]) same++;
    if (b.predicted[i] === labels[i]) correct++;
  }
  for (let j = 0; j < a.probs.length; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a.probs[j] - b.probs[j]));
  return { total: labels.length, samePredictions: same, accuracy: labels.length ? correct / labels.length : 0, maxAbsDiff };
}
