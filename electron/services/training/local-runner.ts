// The default place to train: this machine's pool of worker processes, one job per process. Slot
// i's messages belong to the job on slot i; a worker that does not confirm a cancel in time is
// killed (a kernel may be stuck), and its death is reported like any other.
import { freemem, hostname } from 'node:os';
import type { Job, JobMessage, JobReport, JobRunner } from './training-queue.js';
import { physicalCores, threadsPerRun } from './pool-size.js';
import type { WorkerHost } from './worker-host.js';

/** Where local jobs run: `size()` workers, each reached through its host. Built by the training service. */
export interface WorkerPool {
  size(): number;
  host(slot: number): WorkerHost;
  /** Cores the pool's runs share (default: the machine's physical cores). */
  cores?(): number;
  /** Free memory, which caps the threads (default: the machine's). */
  freeBytes?(): number;
  /** A cap on any run's threads (default: none). */
  maxThreads?(): number;
}

/** If a worker has not confirmed a cancel after this long, it is killed. */
const CANCEL_GRACE_MS = 20_000;

interface Slot { job: Job; report: JobReport; cancelTimer: NodeJS.Timeout | null; threads: number | null }

const ENDS = new Set<JobMessage['type']>(['result', 'cancelled', 'failed']);

export class LocalPoolRunner implements JobRunner {
  private slots: Array<Slot | null> = [];

  constructor(private pool: WorkerPool, private machine = hostname()) {}

  capacity() {
    return this.pool.size();
  }
  workers() {
    return this.pool.size();
  }

  async start(job: Job, report: JobReport): Promise<void> {
    const size = this.pool.size();
    let slot = 0;
    while (slot < size && this.slots[slot]) slot++;
    if (slot >= size) throw new Error('No free training process (the queue handed over more jobs than the pool holds).');
    const entry: Slot = { job, report, cancelTimer: null, threads: null };
    this.slots[slot] = entry;
    report.running({ machine: this.machine, remote: false, rung: null, gpu: null });
    try {
      // The queue hands over every job that fits in one go; after this tick all of them hold their
      // slots, so a pair's two runs split the cores instead of each taking them all.
      await Promise.resolve();
      const cores = this.cores();
      entry.threads = this.share();
      this.rebalance();
      await this.pool.host(slot).send({ type: 'start', runId: job.runId, config: job.config, threads: entry.threads, cores });
    } catch (e) {
      if (this.slots[slot] === entry) this.free(slot);
      throw e;
    }
  }

  cancel(runId: string) {
    const slot = this.slots.findIndex((s) => s?.job.runId === runId);
    if (slot < 0) return;
    const s = this.slots[slot]!;
    void this.pool.host(slot).send({ type: 'cancel', runId });
    s.cancelTimer ??= setTimeout(() => this.pool.host(slot).kill(), CANCEL_GRACE_MS);
  }

  /** A worker that is not training now, for request/reply work (describe, analyze, export); else the first. */
  idleHost(): WorkerHost {
    const size = this.pool.size();
    for (let i = 0; i < size; i++) if (!this.slots[i]) return this.pool.host(i);
    return this.pool.host(0);
  }

  /** Routed here by slot `slot`'s WorkerHost for every job message. */
  onWorkerMessage(slot: number, m: JobMessage) {
    const s = this.slots[slot];
    const runId = 'runId' in m ? m.runId : m.progress.runId;
    if (!s || runId !== s.job.runId) return; // late message from a job already settled
    // The slot is free before the queue hears the end, so the next job can take it at once.
    if (ENDS.has(m.type)) this.free(slot);
    s.report.message(m);
  }

  /** Slot `slot`'s process is gone: whatever it was running is over. */
  onWorkerDied(slot: number, reason: string) {
    const s = this.slots[slot];
    if (!s) return;
    this.free(slot);
    s.report.died(reason);
  }

  private free(slot: number) {
    const s = this.slots[slot];
    if (s?.cancelTimer) clearTimeout(s.cancelTimer);
    this.slots[slot] = null;
    this.rebalance();
  }

  private cores(): number {
    return this.pool.cores?.() ?? physicalCores();
  }

  /** Threads for each running job now. */
  private share(): number {
    const share = threadsPerRun(this.slots.filter(Boolean).length, this.cores(), this.pool.freeBytes?.() ?? freemem());
    return Math.max(1, Math.min(share, this.pool.maxThreads?.() ?? share));
  }

  /** Gives every running job its share of the cores again (a job started or ended): the others
   *  take fewer or more threads between batches, which changes only how fast they train. */
  private rebalance() {
    const threads = this.share();
    this.slots.forEach((s, slot) => {
      if (!s || s.threads === null || s.threads === threads) return;
      s.threads = threads;
      void this.pool.host(slot).send({ type: 'threads', runId: s.job.runId, threads }).catch(() => undefined);
    });
  }
}
