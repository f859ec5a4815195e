import { describe, expect, it } from 'vitest';
import type { EpochMetrics, RunDetail, TrainingProgress } from '../../../electron/contract/index.js';
import { applyEpoch, applyJob, applyProgress, liveRunFromDetail, newLiveRun } from './live-run.js';

const progress = (over: Partial<TrainingProgress>): TrainingProgress => ({
  runId: 'r1', phase: 'training-head', epoch: 1, epochs: 4, batch: 0, batches: 10, fraction: 0.1, etaSeconds: 30, imagesPerSec: 500, loss: null, acc: null, ...over,
});
const epoch = (n: number, phase: EpochMetrics['phase'] = 'head'): EpochMetrics => ({
  epoch: n, phase, trainLoss: 1 / n, trainAcc: 0.5, valLoss: 1.1 / n, valAcc: 0.4, seconds: 1, imagesPerSec: 500,
});

describe('live run', () => {
  it('places batch losses between epochs, counted across phases', () => {
    const run = newLiveRun('r1');
    applyProgress(run, progress({ phase: 'decoding' }));
    expect(run.status).toBe('running');
    expect(run.batchX).toEqual([]); // no loss yet
    applyProgress(run, progress({ batch: 5, loss: 2 }));
    applyProgress(run, progress({ batch: 10, loss: 1.5 }));
    applyEpoch(run, epoch(1));
    applyProgress(run, progress({ phase: 'fine-tuning', epoch: 2, batch: 5, loss: 1.2 }));
    expect(run.batchX).toEqual([0.5, 1, 1.5]);
    expect(run.batchLoss).toEqual([2, 1.5, 1.2]);
  });

  it('ignores a repeated or older batch position', () => {
    const run = newLiveRun('r1');
    applyProgress(run, progress({ batch: 5, loss: 2 }));
    applyProgress(run, progress({ batch: 5, loss: 3 }));
    expect(run.batchLoss).toEqual([2]);
  });

  it('keeps a finished status when a late progress event arrives', () => {
    const run = newLiveRun('r1');
    run.cancelRequested = true;
    applyJob(run, 'cancelled', 'Cancelled by the user.');
    applyProgress(run, progress({ batch: 3, loss: 1 }));
    expect(run.status).toBe('cancelled');
    expect(run.error).toBe('Cancelled by the user.');
    expect(run.cancelRequested).toBe(false);
  });

  it('rebuilds curves from a stored run', () => {
    const detail = {
      id: 'r2', name: 'FE', pairId: null, status: 'running', strategy: 'feature-extraction', datasetId: 'd', error: null,
      epochs: [epoch(1), epoch(2)], batches: [{ step: 10, loss: 2, acc: 0 }, { step: 20, loss: 1, acc: 0 }, { step: 40, loss: 0.5, acc: 0 }],
    } as unknown as RunDetail;
    const run = liveRunFromDetail(detail);
    expect(run.batchX).toEqual([0.5, 1, 2]);
    expect(run.detail).toBeNull();
    expect(run.epochs).toHaveLength(2);
  });
});
