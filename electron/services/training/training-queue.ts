// One queue of training jobs over a pool of workers: each worker trains one job at a time, so a pair
// (or any set of queued runs) trains on as many processes as the pool has. Every event is recorded in
// the run store as it arrives, and a worker that dies fails only the job it was running; the next
// job on that slot starts in a fresh process.
import type { Emit, QueueState, TrainConfig } from '../../contract/index.js';
import type { FromWorker } from '../../worker-protocol/messages.js';
import type { RunRecorder } from './run-recorder.js';
import type { WorkerHost } from './worker-host.js';

interface Job { runId: string; config: TrainConfig }

/** Where jobs run: `size()` workers, each reached through its host. Built by the training service. */
export interface WorkerPool {
  size(): number;
  host(slot: number): WorkerHost;
}

/** If a worker has not confirmed a cancel after this long, it is killed (a kernel may be stuck). */
const CANCEL_GRACE_MS = 20_000;

interface Slot { job: Job | null; cancelRequested: boolean; cancelTimer: NodeJS.Timeout | null }

export type JobMessage = Exclude<FromWorker, { type: 'reply' | 'ready' | 'log' | 'describeModel' }>;

export class TrainingQueue {
  private queued: Job[] = [];
  private slots: Slot[] = [];

  constructor(private store: RunRecorder, private emit: Emit, private pool: WorkerPool) {}

  state(): QueueState {
    return { running: this.slots.flatMap((s) => (s.job ? [s.job.runId] : [])), queued: this.queued.map((j) => j.runId), workers: this.pool.size() };
  }

  enqueue(runId: string, config: TrainConfig) {
    this.queued.push({ runId, config });
    this.emitQueue();
    this.pump();
  }

  cancel(runId: string): boolean {
    const i = this.queued.findIndex((j) => j.runId === runId);
    if (i >= 0) {
      this.queued.splice(i, 1);
      this.finish(runId, 'cancelled', null);
      this.emitQueue();
      return true;
    }
    const index = this.slots.findIndex((s) => s.job?.runId === runId);
    if (index < 0) return false;
    const slot = this.slots[index];
    slot.cancelRequested = true;
    void this.pool.host(index).send({ type: 'cancel', runId });
    slot.cancelTimer ??= setTimeout(() => this.pool.host(index).kill(), CANCEL_GRACE_MS);
    return true;
  }

  /** A worker that is not training now, for request/reply work (describe, analyze, export); else the first. */
  idleHost(): WorkerHost {
    const size = this.pool.size();
    for (let i = 0; i < size; i++) if (!this.slots[i]?.job) return this.pool.host(i);
    return this.pool.host(0);
  }

  /** Routed here by slot `slot`'s WorkerHost for every job message. */
  onWorkerMessage(slot: number, m: JobMessage) {
    const runId = 'runId' in m ? m.runId : m.progress.runId;
    const s = this.slots[slot];
    if (!s?.job || runId !== s.job.runId) return; // late message from a job already settled
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
        this.settle(slot, 'completed', null);
        break;
      case 'cancelled':
        this.settle(slot, 'cancelled', null);
        break;
      case 'failed':
        this.settle(slot, 'failed', m.error);
        break;
    }
  }

  /** Slot `slot`'s process is gone: whatever it was running failed (or was cancelled, if asked). */
  onWorkerDied(slot: number, reason: string) {
    const s = this.slots[slot];
    if (!s?.job) return;
    if (s.cancelRequested) this.settle(slot, 'cancelled', null);
    else this.settle(slot, 'failed', `${reason} The epochs completed before that are kept.`);
  }

  private settle(slot: number, status: 'completed' | 'failed' | 'cancelled', error: string | null) {
    const s = this.slots[slot];
    const job = s?.job;
    if (!job) return;
    if (status !== 'completed') this.store.finish(job.runId, status, error);
    this.emit('training.job', { runId: job.runId, status, error });
    if (s.cancelTimer) clearTimeout(s.cancelTimer);
    this.slots[slot] = { job: null, cancelRequested: false, cancelTimer: null };
    this.emitQueue();
    this.pump();
  }

  private finish(runId: string, status: 'failed' | 'cancelled', error: string | null) {
    this.store.finish(runId, status, error);
    this.emit('training.job', { runId, status, error });
  }

  /** Starts queued jobs, in order, on every free slot. */
  private pump() {
    const size = this.pool.size();
    for (let i = 0; i < size && this.queued.length > 0; i++) {
      this.slots[i] ??= { job: null, cancelRequested: false, cancelTimer: null };
      if (this.slots[i].job) continue;
      const job = this.queued.shift()!;
      this.slots[i].job = job;
      void this.startOn(i, job);
    }
    this.emitQueue();
  }

  private async startOn(slot: number, job: Job) {
    try {
      await this.pool.host(slot).send({ type: 'start', runId: job.runId, config: job.config });
    } catch (e) {
      // The process could not even start: fail this job and go on with the next one.
      if (this.slots[slot]?.job === job) this.settle(slot, 'failed', e instanceof Error ? e.message : String(e));
    }
  }

  private emitQueue() {
    this.emit('training.queue', this.state());
  }
}
