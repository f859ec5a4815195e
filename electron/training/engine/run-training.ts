// One training run from config to result: backend, data, backbone, the chosen strategy, scoring on
// validation and test images, saving the trained model, and releasing every tensor. Streams progress through `emit` (worker
// protocol messages), returns how the run ended (the caller reports that, once), and honours
// `signal` within one batch.
import * as tf from '@tensorflow/tfjs';
import { headEpochsOf } from '../../contract/budget.js';
import type { RunResult, TrainConfig } from '../../contract/index.js';
import type { FromWorker, WorkerEnv } from '../../worker-protocol/messages.js';
import type { EngineDeps } from './deps.js';
import { composeModel, countParams, frozenLayerNames } from './graph.js';
import { foldedHead } from './head.js';
import { CancelledError, type LoopContext, type PhaseOutcome } from './loop.js';
import { layersModelFiles } from '../backbones/model-artifacts.js';
import { checkTrainingFits } from './memory-cap.js';
import { BatchRecorder, PeakMemory, RunProgress, type EmitFn, type Stage } from './progress.js';
import { scoreTest, scoreValidation } from './results.js';
import { prefixRowsFor } from './prefix-rows.js';
import { scoreFinishedModel } from './scoring.js';
import { embedOnce, embeddingCost, fineTuneTopBlocks, prepareFineTuning, trainHeadOnFrozenBase, type RunSetup } from './strategies.js';
import { describeError, disposeLayerWeights, disposeRunTensors, loadRunInputs } from './run-setup.js';
import type { ThreadAllowance } from './data-parallel.js';
import { describePreprocessing } from './preprocessing.js';
import { stopNote, stopReasonOf, testNotes, unfrozenBatchNormNote } from './run-notes.js';

export type RunOutcome =
  | { status: 'completed'; result: RunResult; modelDir: string | null }
  | { status: 'cancelled' }
  | { status: 'failed'; error: string };

/** The worker message that reports how a run ended. */
export function outcomeMessage(runId: string, outcome: RunOutcome): FromWorker {
  switch (outcome.status) {
    case 'completed': return { type: 'result', runId, result: outcome.result, modelDir: outcome.modelDir };
    case 'cancelled': return { type: 'cancelled', runId };
    case 'failed': return { type: 'failed', runId, error: outcome.error };
  }
}

function plannedStages(setup: RunSetup): Stage[] {
  const { config, split } = setup;
  const nTrain = split.train.length;
  const fe = config.strategy === 'feature-extraction';
  const headEpochs = headEpochsOf(config);
  const headCostPerImage = config.augment ? 1 : 0.02;
  return [
    { phase: 'caching-embeddings', cost: embeddingCost(setup, headEpochs) },
    { phase: 'training-head', cost: headEpochs * nTrain * headCostPerImage },
    { phase: 'fine-tuning', cost: fe ? 0 : config.epochs * (nTrain * 3 + split.val.length) },
    { phase: 'evaluating', cost: (split.val.length + split.test.length) * (fe && !config.augment ? 0.02 : 1) },
  ];
}

export async function runTraining(
  runId: string, config: TrainConfig, env: WorkerEnv, emit: EmitFn, signal: AbortSignal,
  deps: EngineDeps, options: { cachePrefix?: boolean; threads?: number | ThreadAllowance; cores?: number } = {},
): Promise<RunOutcome> {
  const started = performance.now();
  const progress = new RunProgress(runId, emit, [{ phase: 'loading', cost: 1 }, { phase: 'decoding', cost: 2 }]);
  let setup: RunSetup | null = null;
  let startTensors: number | null = null;
  try {
    progress.enter('loading', 'Selecting the backend and loading the backbone');
    const backend = await deps.selectBackend(config.backend === 'auto' ? env.backend : config.backend);
    startTensors = tf.memory().numTensors;
    setup = await loadRunInputs(config, env, deps, signal, progress, (done, total) => progress.update(done / Math.max(1, total), { message: `Decoding images ${done}/${total}` }));
    if (options.cachePrefix === false) setup.cachePrefix = false;
    setup.threads = typeof options.threads === 'number' ? { now: options.threads } : options.threads;
    setup.cores = options.cores;
    setup.shardThreads = deps.host.shardThreads;
    setup.baseThreads = deps.host.baseThreads;
    if (signal.aborted) throw new CancelledError();
    if (deps.memoryCapBytes) await checkTrainingFits(setup, deps.memoryCapBytes);
    const outcome = await train(runId, setup, backend, emit, signal, started, progress, new PeakMemory(deps.host.rssBytes, deps.memoryCapBytes, deps.host.memoryName));
    return outcome;
  } catch (err) {
    if (err instanceof CancelledError || signal.aborted) return { status: 'cancelled' };
    return { status: 'failed', error: describeError(err, config) };
  } finally {
    if (setup) {
      setup.idleThreads?.splice(0).forEach((l) => l.close());
      disposeRunTensors(setup);
    }
    const leaked = startTensors === null ? 0 : tf.memory().numTensors - startTensors;
    if (leaked > 0) emit({ type: 'log', level: 'warn', message: `Run ${runId} left ${leaked} tensors allocated.` });
  }
}

async function train(
  runId: string, setup: RunSetup, backend: { rung: RunResult['rung']; device: string }, emit: EmitFn, signal: AbortSignal, started: number,
  progress: RunProgress, memory: PeakMemory,
): Promise<RunOutcome> {
  const { config, backbone, data, split, head } = setup;
  const fe = config.strategy === 'feature-extraction';
  const baseLayers = backbone.model?.layers ?? [];
  const frozen = fe ? new Set(baseLayers.map((l) => l.name)) : frozenLayerNames(backbone.model!, backbone.blocks, config.unfreezeBlocks);
  const splitModel = fe ? null : prepareFineTuning(backbone, frozen);
  if (fe) baseLayers.forEach((l) => { l.trainable = false; });
  const trainableParams = countParams(splitModel?.trainableLayers ?? [], true) + countParams(head.layers, true);
  const totalParams = countParams(baseLayers, false) + countParams(head.layers, false);
  emit({ type: 'started', runId, rung: backend.rung, device: backend.device, trainableParams, frozenParams: totalParams - trainableParams });

  progress.plan(plannedStages(setup));
  const headEpochs = headEpochsOf(config);
  const steps = Math.ceil(split.train.length / config.batchSize) * (headEpochs + (fe ? 0 : config.epochs));
  const ctx: LoopContext = { runId, emit, signal, progress, recorder: new BatchRecorder(steps), memory };
  const phases: PhaseOutcome[] = [];
  // The embedding pass keeps the frozen prefix's output of the images fine-tuning needs again.
  const needed = new Uint8Array(data.labels.length);
  for (const part of [split.train, split.val, split.test]) for (const i of part) needed[i] = 1;
  setup.prefixRows = prefixRowsFor(splitModel, needed, { augment: config.augment, trainFrozenBatchNorm: config.trainFrozenBatchNorm, cachePrefix: setup.cachePrefix !== false }) ?? undefined;
  const embeddings = await embedOnce(setup, ctx);
  if (headEpochs > 0) {
    phases.push(await trainHeadOnFrozenBase(setup, ctx, embeddings, {
      phase: 'head', epochs: headEpochs, learningRate: fe ? config.learningRate : config.headLearningRate,
      earlyStopping: fe ? config.earlyStopping : null,
    }));
  }
  if (!fe) phases.push(await fineTuneTopBlocks(setup, ctx, splitModel!, { epochs: config.epochs, firstEpoch: headEpochs }));
  if (config.augment) setup.notes.push(fe
    ? 'Augmentation was on, so embeddings could not be cached: every training image went through the frozen base in every epoch (slower, but the head sees varied images).'
    : 'Augmentation was on: each batch was randomly flipped/shifted before the base.');
  const main = phases[phases.length - 1];
  const stopped = stopReasonOf(main);
  setup.notes.push(stopNote(stopped, config));
  if (main.restored) setup.notes.push(`Weights restored from the best epoch (${main.bestEpoch}, lowest validation loss).`);
  if (config.trainFrozenBatchNorm && !fe) setup.notes.push('Experiment: BatchNorm layers in the frozen part ran in training mode, so their moving statistics changed.');
  const bnNote = unfrozenBatchNormNote(splitModel, config);
  if (bnNote) setup.notes.push(bnNote);
  if (!fe && splitModel && !splitModel.suffix) setup.notes.push('No block was unfrozen, so only the head trained: feature extraction without the embedding cache.');
  if (config.optimizer === 'sgd') setup.notes.push('SGD used momentum 0.9.');

  progress.enter('evaluating', 'Scoring the validation and test images');
  const idsOf = (idx: Int32Array) => Array.from(idx, (i) => data.sampleIds[i]);
  const labelsAt = (idx: Int32Array) => Int32Array.from(idx, (i) => data.labels[i]);
  const { val: pred, test: testPred } = await scoreFinishedModel(setup, fe ? embeddings : null, signal, (d, total) => progress.update(d / total));
  const scores = scoreValidation(pred, labelsAt(split.val), idsOf(split.val));
  const test = scoreTest(testPred, labelsAt(split.test), idsOf(split.test), data.datasetId);
  ctx.memory.sample();
  if (scores.misclassifiedTotal > scores.misclassified.length) setup.notes.push(`${scores.misclassifiedTotal} validation images were misclassified; the first ${scores.misclassified.length} are listed.`);
  setup.notes.push(...testNotes(test, split.val.length));

  const modelDir = await saveRunModel(runId, setup, pred.probs);
  ctx.emit({ type: 'batches', runId, batches: ctx.recorder.flush(true) });
  const epochs = phases.flatMap((p) => p.epochs);
  const trainedImages = epochs.length * split.train.length;
  const trainSeconds = epochs.reduce((s, e) => s + (e.imagesPerSec > 0 ? split.train.length / e.imagesPerSec : 0), 0);
  setup.notes.push(`Peak tensor memory ${(ctx.memory.tensorBytes / 1048576).toFixed(1)} MB; peak ${ctx.memory.name} ${(ctx.memory.rssBytes / 1048576).toFixed(0)} MB.`);
  const result: RunResult = {
    rung: backend.rung, device: backend.device, trainableParams, frozenParams: totalParams - trainableParams,
    peakMemoryMB: ctx.memory.peakMB, bestEpoch: main.bestEpoch, bestValAcc: main.bestValAcc,
    finalValAcc: scores.finalValAcc, totalSeconds: (performance.now() - started) / 1000,
    imagesPerSec: trainSeconds > 0 ? trainedImages / trainSeconds : 0,
    classes: [...data.classes], confusion: scores.confusion, perClassAcc: scores.perClassAcc, misclassified: scores.misclassified,
    embeddingCache: setup.embeddingCache, notes: setup.notes,
    valN: split.val.length, test, stopped,
  };
  progress.update(1, {}, true);
  return { status: 'completed', result, modelDir };
}

/**
 * Saves base + head as one layers model, the head's standardisation folded into its Dense layer,
 * with the validation predictions export parity checks and the preprocessing named.
 */
async function saveRunModel(runId: string, setup: RunSetup, probs: Float32Array): Promise<string | null> {
  const { backbone, data, config, head } = setup;
  if (!backbone.model) {
    setup.notes.push('The backbone is a graph model, so the trained model could not be saved as one layers model.');
    return null;
  }
  const folded = foldedHead(head);
  let files: Awaited<ReturnType<typeof layersModelFiles>>;
  try {
    const full = composeModel(backbone.model, folded, `transfer_${config.strategy.replace('-', '_')}`);
    const preprocessing = describePreprocessing(backbone);
    files = await layersModelFiles(full, {
      classes: data.classes, backboneId: backbone.id, strategy: config.strategy, inputShape: backbone.inputShape,
      // Read back by the backbone loader if this model is ever imported as a backbone itself.
      preprocess: preprocessing.kind,
      preprocessing,
      head: 'one Dense layer with softmax; the standardisation of the features it was trained with is folded into its kernel and bias',
    });
  } finally {
    disposeLayerWeights([folded.layer]);
  }
  return setup.saveModel(runId, files.modelJson as unknown as Record<string, unknown>, files.weightData, probs);
}
