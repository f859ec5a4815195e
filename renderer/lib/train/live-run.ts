// One run as the Train view follows it: folded from the training events (progress, epoch, job), or
// rebuilt from the stored run when the view opens mid-run. Pure functions over plain data.
import { BATCH_CURVE_POINTS, type EpochMetrics, type RunDetail, type RunStatus, type Strategy, type TrainConfig, type TrainingProgress } from '../../../electron/contract/index.js';

export interface LiveRun {
  runId: string;
  name: string;
  strategy: Strategy | null;
  pairId: string | null;
  datasetId: string | null;
  /** The settings it runs with, once its stored record was read. */
  config: TrainConfig | null;
  status: RunStatus;
  error: string | null;
  progress: TrainingProgress | null;
  /** Per-batch loss, x in epochs (2.5 = halfway through the third epoch), counted across phases. */
  batchX: number[];
  batchLoss: number[];
  epochs: EpochMetrics[];
  /** Set once the run finished and its stored record was read. */
  detail: RunDetail | null;
  cancelRequested: boolean;
}

/** The live curve keeps as many points as a stored run (halving when it grows past them). */
const MAX_BATCH_POINTS = BATCH_CURVE_POINTS;

export function newLiveRun(runId: string, init: Partial<LiveRun> = {}): LiveRun {
  return {
    runId, name: runId, strategy: null, pairId: null, datasetId: null, config: null, status: 'queued', error: null,
    progress: null, batchX: [], batchLoss: [], epochs: [], detail: null, cancelRequested: false, ...init,
  };
}

export const isFinished = (s: RunStatus): boolean => s === 'completed' || s === 'failed' || s === 'cancelled' || s === 'interrupted';

/**
 * Folds a progress event in. The batch's x is "epochs finished so far + fraction of this epoch", so
 * it lines up with the epoch curves whatever numbering each phase uses.
 */
export function applyProgress(run: LiveRun, p: TrainingProgress): void {
  run.progress = p;
  if (!isFinished(run.status)) run.status = 'running';
  if (p.loss != null && Number.isFinite(p.loss) && p.batches > 0) {
    const x = run.epochs.length + Math.min(1, p.batch / p.batches);
    const last = run.batchX.length ? run.batchX[run.batchX.length - 1] : -Infinity;
    if (x > last) {
      run.batchX.push(x);
      run.batchLoss.push(p.loss);
      if (run.batchX.length > MAX_BATCH_POINTS) {
        run.batchX = run.batchX.filter((_, i) => i % 2 === 1);
        run.batchLoss = run.batchLoss.filter((_, i) => i % 2 === 1);
      }
    }
  }
}

export function applyEpoch(run: LiveRun, m: EpochMetrics): void {
  run.epochs.push(m);
  if (!isFinished(run.status)) run.status = 'running';
}

export function applyJob(run: LiveRun, status: RunStatus, error: string | null): void {
  run.status = status;
  run.error = error;
  if (isFinished(status)) run.cancelRequested = false;
}

/** Rebuilds a run from its stored record; batch steps are spread evenly over the epochs recorded. */
export function liveRunFromDetail(d: RunDetail): LiveRun {
  const run = newLiveRun(d.id, {
    name: d.name, strategy: d.strategy, pairId: d.pairId, datasetId: d.datasetId, config: d.config, status: d.status, error: d.error,
    epochs: [...d.epochs], detail: isFinished(d.status) ? d : null,
  });
  const maxStep = d.batches.reduce((m, b) => Math.max(m, b.step), 0);
  const stepsPerEpoch = d.epochs.length > 0 && maxStep > 0 ? maxStep / d.epochs.length : 0;
  if (stepsPerEpoch > 0) {
    run.batchX = d.batches.map((b) => b.step / stepsPerEpoch);
    run.batchLoss = d.batches.map((b) => b.loss);
  }
  return run;
}

/** Epoch curves as chart series data: x is the epoch's position across phases (1, 2, …). */
export function epochSeries(run: LiveRun) {
  const x = run.epochs.map((_, i) => i + 1);
  return {
    x,
    trainLoss: run.epochs.map((e) => e.trainLoss),
    valLoss: run.epochs.map((e) => e.valLoss),
    trainAcc: run.epochs.map((e) => e.trainAcc),
    valAcc: run.epochs.map((e) => e.valAcc),
  };
}

/** One line with the settings that matter for comparing runs. */
export function configLine(c: TrainConfig): string {
  const parts = [c.backboneId, `${c.dataset.id}${c.dataset.perClass ? ` ×${c.dataset.perClass}/class` : ''}`];
  if (c.strategy === 'fine-tuning') {
    parts.push(c.unfreezeBlocks === 'all' ? 'all layers unfrozen' : `${c.unfreezeBlocks} block${c.unfreezeBlocks === 1 ? '' : 's'} unfrozen`);
    if (c.twoPhase) parts.push(`head first ${c.headEpochs} epochs`);
  }
  parts.push(`${c.epochs} epochs`, `batch ${c.batchSize}`, `${c.optimizer} lr ${c.learningRate}`, `seed ${c.seed}`);
  if (c.augment) parts.push('augmented');
  if (c.strategy === 'fine-tuning' && c.unfrozenBatchNorm === 'inference') parts.push('unfrozen BN in inference mode');
  if (c.trainFrozenBatchNorm) parts.push('frozen BN trains');
  return parts.join(' · ');
}

export const phaseLabels: Record<TrainingProgress['phase'], string> = {
  queued: 'Waiting in the queue',
  loading: 'Loading the backbone',
  decoding: 'Decoding images',
  'caching-embeddings': 'Caching embeddings (frozen base, once)',
  'training-head': 'Training the head',
  'fine-tuning': 'Fine-tuning the unfrozen blocks',
  evaluating: 'Scoring the validation and test images',
  done: 'Done',
};

export { statusLabel as statusLabels } from '../runs/format.js';
