// The training loop shared by both strategies: seeded batch order, one optimizer step per batch,
// per-batch progress, cancel checked before every batch, validation each epoch, early stopping on
// validation loss with the best epoch's weights restored. No test image may enter a batch: the
// loop checks every training and validation batch against the run's held-out mask.
import * as tf from '@tensorflow/tfjs';
import type { EpochMetrics } from '../../contract/index.js';
import { lossOf, predictedCorrect } from './loss.js';
import { epochOrder } from './random.js';
import { BatchRecorder, PeakMemory, RunProgress, yieldToEventLoop, type EmitFn } from './progress.js';

export class CancelledError extends Error {
  constructor() { super('Run cancelled.'); this.name = 'CancelledError'; }
}

export interface PhaseSpec {
  phase: EpochMetrics['phase'];
  progressPhase: 'training-head' | 'fine-tuning';
  epochs: number;
  /** Epoch number (0-based, over the whole run) of this phase's first epoch; also seeds batch order. */
  firstEpoch: number;
  train: Int32Array;
  val: Int32Array;
  /** 1 for every test image (by index): such an image in any batch stops the run. */
  heldOut?: Uint8Array;
  batchSize: number;
  seed: number;
  /** Work done outside the gradient tape (e.g. the frozen prefix, in inference mode). */
  prepare: (indices: Int32Array) => tf.Tensor;
  /** Training-mode forward pass from prepare()'s output to class probabilities. */
  forwardTrain: (input: tf.Tensor) => tf.Tensor2D;
  /** Inference-mode probabilities for validation images. */
  predict: (indices: Int32Array) => tf.Tensor2D;
  labels: (indices: Int32Array) => Int32Array;
  numClasses: number;
  /** Takes the place of optimizer.minimize for a batch (data-parallel shards over threads);
   *  answers the batch's mean loss and correct count, and whether it waited for its threads. */
  step?: (input: tf.Tensor, labels: Int32Array) => Promise<StepOutcome>;
  /** Takes the place of prepare and step where a batch needs no tensor (the head on cached
   *  embeddings, host-head-step.ts). */
  hostStep?: HostStep;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  /** Everything that can change in this phase (incl. BN moving stats), to restore the best epoch. */
  state: tf.Variable[];
  earlyStopping: { enabled: boolean; patience: number } | null;
}

/** What a step reports: the batch's mean loss and correct count; `awaitedThreads` when it waited
 *  for a helper's answer, a turn of the event loop (the loop need not yield again for that batch). */
export interface StepOutcome { loss: number; correct: number; awaitedThreads?: boolean }

/** A training step computed outside tfjs: its weights are written to the variables at the end of
 *  every epoch, before validation or a snapshot reads them. */
export interface HostStep {
  step(indices: Int32Array, labels: Int32Array): StepOutcome;
  writeBack(): void;
}

/** Batches between two yields to the event loop take at least this long: a cheap step (a host
 *  step of 64 images takes ~0.2 ms) would otherwise spend about as long yielding as training. */
const YIELD_EVERY_MS = 8;

export interface LoopContext {
  runId: string;
  emit: EmitFn;
  signal: AbortSignal;
  progress: RunProgress;
  recorder: BatchRecorder;
  memory: PeakMemory;
}

export interface PhaseOutcome {
  epochs: EpochMetrics[];
  bestEpoch: number;
  bestValAcc: number;
  stoppedEarly: boolean;
  restored: boolean;
  /** Epoch number (over the whole run) this phase would have ended at without early stopping. */
  cap: number;
}

export class TestImageLeakError extends Error {
  constructor(kind: 'training' | 'validation', index: number) {
    super(`A test image (index ${index}) reached a ${kind} batch; the run was stopped so that its test score stays honest.`);
    this.name = 'TestImageLeakError';
  }
}

function checkHeldOut(idx: Int32Array, heldOut: Uint8Array | undefined, kind: 'training' | 'validation'): void {
  if (!heldOut) return;
  for (let i = 0; i < idx.length; i++) if (heldOut[idx[i]]) throw new TestImageLeakError(kind, idx[i]);
}

function* batchesOf(indices: Int32Array, size: number): Generator<Int32Array> {
  for (let i = 0; i < indices.length; i += size) yield indices.subarray(i, Math.min(indices.length, i + size));
}

/** Validation loss and accuracy in inference mode. */
export async function evaluate(spec: PhaseSpec, ctx: LoopContext): Promise<{ loss: number; acc: number }> {
  let loss = 0;
  let correct = 0;
  for (const idx of batchesOf(spec.val, Math.max(spec.batchSize, 64))) {
    if (ctx.signal.aborted) throw new CancelledError();
    checkHeldOut(idx, spec.heldOut, 'validation');
    const labels = spec.labels(idx);
    const probs = spec.predict(idx);
    const l = lossOf(probs, labels, spec.numClasses);
    loss += (await l.data())[0] * idx.length;
    correct += predictedCorrect(probs, labels);
    tf.dispose([probs, l]);
    await yieldToEventLoop();
  }
  const n = Math.max(1, spec.val.length);
  return { loss: loss / n, acc: correct / n };
}

/** One optimizer step on this thread: the loop's own path. */
async function minimize(spec: PhaseSpec, idx: Int32Array, labels: Int32Array): Promise<StepOutcome> {
  const input = spec.prepare(idx);
  let probs: tf.Tensor2D | null = null;
  const loss = spec.optimizer.minimize(() => {
    const p = spec.forwardTrain(input);
    probs = tf.keep(p);
    return lossOf(p, labels, spec.numClasses);
  }, true, spec.variables);
  const batchLoss = loss ? (await loss.data())[0] : NaN;
  const batchCorrect = probs ? predictedCorrect(probs, labels) : 0;
  tf.dispose([input, loss as tf.Scalar, probs as unknown as tf.Tensor]);
  return { loss: batchLoss, correct: batchCorrect };
}

async function stepOn(step: NonNullable<PhaseSpec['step']>, input: tf.Tensor, labels: Int32Array): Promise<StepOutcome> {
  try {
    return await step(input, labels);
  } finally {
    input.dispose();
  }
}

export async function trainPhase(spec: PhaseSpec, ctx: LoopContext): Promise<PhaseOutcome> {
  const batches = Math.ceil(spec.train.length / spec.batchSize);
  const out: PhaseOutcome = { epochs: [], bestEpoch: spec.firstEpoch + 1, bestValAcc: 0, stoppedEarly: false, restored: false, cap: spec.firstEpoch + spec.epochs };
  let bestLoss = Infinity;
  let sinceBest = 0;
  let snapshot: tf.Tensor[] | null = null;
  try {
    for (let e = 0; e < spec.epochs; e++) {
      const epoch = spec.firstEpoch + e;
      const order = epochOrder(spec.train, spec.seed, epoch);
      const t0 = performance.now();
      let lastYield = t0;
      let lossSum = 0;
      let correct = 0;
      let b = 0;
      for (const idx of batchesOf(order, spec.batchSize)) {
        if (ctx.signal.aborted) throw new CancelledError();
        checkHeldOut(idx, spec.heldOut, 'training');
        const labels = spec.labels(idx);
        const { loss: batchLoss, correct: batchCorrect, awaitedThreads } = spec.hostStep ? spec.hostStep.step(idx, labels)
          : await (spec.step ? stepOn(spec.step, spec.prepare(idx), labels) : minimize(spec, idx, labels));
        if (!Number.isFinite(batchLoss)) throw new Error(`Training diverged (loss is ${batchLoss}) in epoch ${epoch + 1}; try a lower learning rate.`);
        lossSum += batchLoss * idx.length;
        correct += batchCorrect;
        ctx.recorder.add(batchLoss, batchCorrect / idx.length);
        // A host step allocates no tensors: its epoch is sampled once, at the end.
        if (!spec.hostStep) ctx.memory.sample();
        b++;
        const seconds = (performance.now() - t0) / 1000;
        ctx.progress.update((e * batches + b) / (spec.epochs * batches), {
          epoch: epoch + 1, epochs: spec.firstEpoch + spec.epochs, batch: b, batches,
          loss: batchLoss, acc: batchCorrect / idx.length, imagesPerSec: seconds > 0 ? (b * spec.batchSize) / seconds : null,
        });
        // A step that waited for its threads' answers has been through the event loop already; a
        // yield on top would leave those threads idle for it.
        if (awaitedThreads) lastYield = performance.now();
        else if (performance.now() - lastYield >= YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      if (spec.hostStep) {
        spec.hostStep.writeBack();
        ctx.memory.sample();
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      const val = await evaluate(spec, ctx);
      const metrics: EpochMetrics = {
        epoch: epoch + 1, phase: spec.phase,
        trainLoss: lossSum / spec.train.length, trainAcc: correct / spec.train.length,
        valLoss: val.loss, valAcc: val.acc,
        seconds: (performance.now() - t0) / 1000,
        imagesPerSec: trainSeconds > 0 ? spec.train.length / trainSeconds : 0,
      };
      out.epochs.push(metrics);
      ctx.emit({ type: 'epoch', runId: ctx.runId, metrics });
      ctx.emit({ type: 'batches', runId: ctx.runId, batches: ctx.recorder.flush() });
      if (val.loss < bestLoss) {
        bestLoss = val.loss;
        sinceBest = 0;
        out.bestEpoch = epoch + 1;
        out.bestValAcc = val.acc;
        if (spec.earlyStopping?.enabled) {
          tf.dispose(snapshot ?? []);
          snapshot = spec.state.map((v) => tf.clone(v));
        }
      } else if (spec.earlyStopping?.enabled && ++sinceBest >= spec.earlyStopping.patience) {
        out.stoppedEarly = e < spec.epochs - 1;
        break;
      }
    }
    if (snapshot && out.bestEpoch !== out.epochs[out.epochs.length - 1]?.epoch) {
      spec.state.forEach((v, i) => v.assign(snapshot![i]));
      out.restored = true;
    }
    return out;
  } finally {
    tf.dispose(snapshot ?? []);
  }
}
