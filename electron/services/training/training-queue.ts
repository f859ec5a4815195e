// One queue of training jobs over the places that run them (JobRunner): the local pool of worker
// processes and, with --redis, BullMQ workers on other machines. The queue keeps the order, hands
// each job to its runner when the runner has room, and is the one recording path: every message a
// runner reports is written to the run store and emitted as it arrives, whichever place trained it.
// A job whose process dies fails alone (with the reason); the next one goes on.
import type { Emit, JobWorker, QueueState, TrainConfig } from '../../contract/index.js';
import type { FromWorker } from '../../worker-protocol/messages.js';
import type { RunRecorder } from './run-recorder.js';

export interface Job { runId: string; config: TrainConfig }

export type JobMessage = Exclude<FromWorker, { type: 'reply' | 'ready' | 'log' | 'describeModel' }>;

/** What a runner tells the queue about a job it was handed. */
export interface JobReport {
  /** A message of the job. `live: true`: show it now; it is recorded later with the completion (remote). */
  message(m: JobMessage, opts?: { live?: boolean }): void;
  /** The job is training now, on this worker (a remote job may wait in its runner's own queue first). */
  running(where: JobWorker): void;
  /** The job went back to waiting (its remote worker was lost and it will be tried again). */
  requeued(reason: string): void;
  /** The process training it is gone. */
  died(reason: string): void;
}

/** A place that trains jobs. */
export interface JobRunner {
  /** Jobs it may hold at once (Infinity: it queues them itself). */
  capacity(): number;
  /** Workers that train at once, for the queue panel. */
  workers(): number;
  start(job: Job, report: JobReport): Promise<void>;
  /** Asks the job to stop; it reports 'cancelled' (or dies) when it has. */
  cancel(runId: string): void;
}

interface Entry { job: Job; runner: JobRunner; where: JobWorker | null; cancelRequested: boolean }

export class TrainingQueue {
  private queued: Job[] = [];
  private handed = new Map<string, Entry>();

  /** `route` picks the runner of each job (the local pool when there is one place). */
  constructor(
    private store: RunRecorder,
    private emit: Emit,
    private runners: JobRunner[],
    private route: (job: Job) => JobRunner = () => runners[0],
  ) {}

  state(): QueueState {
    const entries = [...this.handed.values()];
    const running = entries.filter((e) => e.where);
    const where = Object.fromEntries(running.map((e) => [e.job.runId, e.where!]));
    return {
      running: running.map((e) => e.job.runId),
      // Waiting in a runner's own queue comes before waiting here: it was handed over first.
      queued: [...entries.filter((e) => !e.where).map((e) => e.job.runId), ...this.queued.map((j) => j.runId)],
      workers: this.runners.reduce((n, r) => n + r.workers(), 0),
      ...(running.length ? { where } : {}),
    };
  }

  enqueue(runId: string, config: TrainConfig) {
    this.queued.push({ runId, config });
    this.pump();
  }

  cancel(runId: string): boolean {
    const i = this.queued.findIndex((j) => j.runId === runId);
    if (i >= 0) {
      this.queued.splice(i, 1);
      this.settle(runId, 'cancelled', null);
      return true;
    }
    const entry = this.handed.get(runId);
    if (!entry) return false;
    entry.cancelRequested = true;
    entry.runner.cancel(runId);
    return true;
  }

  /** Writes and emits one message of a job the queue handed out; late messages of settled jobs are dropped. */
  private onMessage(runId: string, m: JobMessage, live: boolean) {
    const entry = this.handed.get(runId);
    if (!entry || ('runId' in m ? m.runId : m.progress.runId) !== runId) return;
    switch (m.type) {
      case 'started':
        this.store.markStarted(runId, m);
        if (entry.where?.rung === null) entry.where = { ...entry.where, rung: m.rung, gpu: m.rung === 'tfjs-node-gpu' || m.rung === 'window-gpu' ? m.device : entry.where.gpu };
        this.emit('training.job', { runId, status: 'running', error: null });
        this.emitQueue();
        break;
      case 'progress':
        this.emit('training.progress', m.progress);
        break;
      case 'epoch':
        if (live) this.shownLive.add(runId);
        else this.store.appendEpoch(runId, m.metrics);
        // A completion that records epochs already shown live does not show them again.
        if (live || !this.shownLive.has(runId)) this.emit('training.epoch', { runId, metrics: m.metrics });
        break;
      case 'batches':
        if (!live) this.store.appendBatches(runId, m.batches);
        break;
      case 'result':
        this.store.complete(runId, m.result, m.modelDir);
        this.settle(runId, 'completed', null);
        break;
      case 'cancelled':
        this.settle(runId, 'cancelled', null);
        break;
      case 'failed':
        this.settle(runId, entry.cancelRequested ? 'cancelled' : 'failed', entry.cancelRequested ? null : m.error);
        break;
    }
  }
  /** Runs whose epochs were emitted live (remote), so their recorded copies are not emitted twice. */
  private shownLive = new Set<string>();

  private report(runId: string): JobReport {
    return {
      message: (m, opts) => this.onMessage(runId, m, opts?.live ?? false),
      running: (where) => {
        const entry = this.handed.get(runId);
        if (!entry) return;
        entry.where = where;
        this.emitQueue();
      },
      requeued: (reason) => {
        const entry = this.handed.get(runId);
        if (!entry) return;
        entry.where = null;
        this.shownLive.delete(runId);
        this.emit('training.job', { runId, status: 'queued', error: null });
        this.emit('training.progress', { runId, phase: 'queued', epoch: 0, epochs: 0, batch: 0, batches: 0, fraction: 0, etaSeconds: null, imagesPerSec: null, loss: null, acc: null, message: reason });
        this.emitQueue();
      },
      died: (reason) => {
        const entry = this.handed.get(runId);
        if (!entry) return;
        if (entry.cancelRequested) this.settle(runId, 'cancelled', null);
        else this.settle(runId, 'failed', `${reason} The epochs completed before that are kept.`);
      },
    };
  }

  private settle(runId: string, status: 'completed' | 'failed' | 'cancelled', error: string | null) {
    const entry = this.handed.get(runId);
    const wasQueued = !entry;
    if (entry) this.handed.delete(runId);
    this.shownLive.delete(runId);
    if (status !== 'completed') this.store.finish(runId, status, error);
    this.emit('training.job', { runId, status, error });
    if (wasQueued) this.emitQueue();
    else this.pump();
  }

  /** Hands queued jobs, in order, to their runners while each has room. */
  private pump() {
    const held = new Map<JobRunner, number>();
    for (const e of this.handed.values()) held.set(e.runner, (held.get(e.runner) ?? 0) + 1);
    const rest: Job[] = [];
    for (const job of this.queued) {
      const runner = this.route(job);
      const n = held.get(runner) ?? 0;
      if (n >= runner.capacity()) {
        rest.push(job);
        continue;
      }
      held.set(runner, n + 1);
      this.handed.set(job.runId, { job, runner, where: null, cancelRequested: false });
      void this.startOn(runner, job);
    }
    this.queued = rest;
    this.emitQueue();
  }

  private async startOn(runner: JobRunner, job: Job) {
    try {
      await runner.start(job, this.report(job.runId));
    } catch (e) {
      // The job could not even be handed over: fail it and go on with the next one.
      if (this.handed.has(job.runId)) this.settle(job.runId, 'failed', e instanceof Error ? e.message : String(e));
    }
  }

  private emitQueue() {
    this.emit('training.queue', this.state());
  }
}
