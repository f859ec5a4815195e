// Scoring the finished model on validation (what the run optimised) and on test images (what it
// reports): predictions, confusion matrix, per-class accuracy, the misclassified images, and for the
// test set its Wilson interval, per-image correctness and an id that names the exact images.
import * as tf from '@tensorflow/tfjs';
import type { RunResult, TestScore } from '../../contract/index.js';
import { packCorrect, wilson } from '../../contract/stats.js';
import { createSha256 } from './hash.js';
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

/** Same id ⇔ same data set and the same test images in the same order. */
export function testSetId(datasetId: string, sampleIds: string[]): string {
  return createSha256().update(datasetId).update('\n').update(sampleIds.join('\n')).hex().slice(0, 32);
}

/** The run's score on its test images, with everything a paired comparison needs. */
export function scoreTest(pred: Predictions, labels: Int32Array, sampleIds: string[], datasetId: string): TestScore {
  const v = scoreValidation(pred, labels, sampleIds);
  const n = labels.length;
  const flags = Array.from(labels, (l, i) => pred.predicted[i] === l);
  const correct = n - v.misclassifiedTotal;
  const { low, high } = wilson(correct, n);
  return {
    n, correct, accuracy: n ? correct / n : 0, low, high,
    confusion: v.confusion, perClassAcc: v.perClassAcc, misclassified: v.misclassified,
    setId: testSetId(datasetId, sampleIds), correctFlags: packCorrect(flags),
  };
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
