// Hands training jobs to the worker one at a time, records every event in the run store as it
// arrives, and survives the worker dying: the job it was running is marked failed with the reason
// and the next queued job starts in a fresh process.
import type { Emit, QueueState, TrainConfig } from '../../contract/index.js';
import type { FromWorker } from '../../worker-protocol/messages.js';
import type { RunRecorder } from './run-recorder.js';
import type { WorkerHost } from './worker-host.js';

interface Job { runId: string; config: TrainConfig }

/** If the worker has not confirmed a cancel after this long, it is killed (a kernel may be stuck). */
const CANCEL_GRACE_MS = 20_000;

export class TrainingQueue {
  private queued: Job[] = [];
  private active: Job | null = null;
  private cancelTimer: NodeJS.Timeout | null = null;
  private cancelRequested = false;

  constructor(private store: RunRecorder, private emit: Emit, private host: () => WorkerHost) {}

  state(): QueueState {
    return { active: this.active?.runId ?? null, queued: this.queued.map((j) => j.runId) };
  }

  enqueue(runId: string, config: TrainConfig) {
    this.queued.push({ runId, config });
    this.emitQueue();
    void this.pump();
  }

  cancel(runId: string): boolean {
    const i = this.queued.findIndex((j) => j.runId === runId);
    if (i >= 0) {
      this.queued.splice(i, 1);
      this.finish(runId, 'cancelled', null);
      this.emitQueue();
      return true;
    }
    if (this.active?.runId !== runId) return false;
    this.cancelRequested = true;
    void this.host().send({ type: 'cancel', runId });
    this.cancelTimer ??= setTimeout(() => this.host().kill(), CANCEL_GRACE_MS);
    return true;
  }

  /** Routed here by the WorkerHost for every job message. */
  onWorkerMessage(m: Exclude<FromWorker, { type: 'reply' | 'ready' | 'log' }>) {
    const runId = 'runId' in m ? m.runId : m.progress.runId;
    if (runId !== this.active?.runId) return; // late message from a job already settled
    switch (m.type) {
      case 'started':
        this.store.markStarted(runId, m);
        this.emit('training.job', { runId, status: 'running', error: null });
        break;
      case 'progress':
        this.emit('training.progress', m.progress);
        break;
      case 'epoch':
        this.store.appendEpoch(runId, m.metrics);
        this.emit('training.epoch', { runId, metrics: m.metrics });
        break;
      case 'batches':
        this.store.appendBatches(runId, m.batches);
        break;
      case 'result':
        this.store.complete(runId, m.result, m.modelDir);
        this.settle('completed', null);
        break;
      case 'cancelled':
        this.settle('cancelled', null);
        break;
      case 'failed':
        this.settle('failed', m.error);
        break;
    }
  }

  /** The worker process is gone: whatever it was running failed (or was cancelled, if asked). */
  onWorkerDied(reason: string) {
    if (!this.active) return;
    if (this.cancelRequested) this.settle('cancelled', null);
    else this.settle('failed', `${reason} The epochs completed before that are kept.`);
  }

  private settle(status: 'completed' | 'failed' | 'cancelled', error: string | null) {
    const job = this.active;
    if (!job) return;
    if (status !== 'completed') this.store.finish(job.runId, status, error);
    this.emit('training.job', { runId: job.runId, status, error });
    this.active = null;
    this.cancelRequested = false;
    if (this.cancelTimer) clearTimeout(this.cancelTimer);
    this.cancelTimer = null;
    this.emitQueue();
    void this.pump();
  }

  private finish(runId: string, status: 'failed' | 'cancelled', error: string | null) {
    this.store.finish(runId, status, error);
    this.emit('training.job', { runId, status, error });
  }

  private async pump() {
    if (this.active || this.queued.length === 0) return;
    const job = this.queued.shift()!;
    this.active = job;
    this.emitQueue();
    try {
      await this.host().send({ type: 'start', runId: job.runId, config: job.config });
    } catch (e) {
      // The process could not even start: fail this job and try the next one.
      if (this.active === job) this.settle('failed', e instanceof Error ? e.message : String(e));
    }
  }

  private emitQueue() {
    this.emit('training.queue', this.state());
  }
}
