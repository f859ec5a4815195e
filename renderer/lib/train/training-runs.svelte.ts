// The runs the Train view follows, kept for the whole session so switching views loses nothing.
// Subscribes once to the training events; runs started elsewhere (e.g. "re-run" in History) join
// the list as soon as their first event arrives.
import type { QueueState } from '../../../electron/contract/index.js';
import { api, errorMessage } from '../api.js';
import type { TrainRequestInput } from '../../../electron/contract/index.js';
import { applyEpoch, applyJob, applyProgress, isFinished, liveRunFromDetail, newLiveRun, type LiveRun } from './live-run.js';

class TrainingRuns {
  /** Newest first. */
  runs = $state<LiveRun[]>([]);
  queue = $state<QueueState>({ running: [], queued: [], workers: 1 });
  error = $state<string | null>(null);
  private connected = false;
  private loading = new Set<string>();

  find(runId: string): LiveRun | undefined {
    return this.runs.find((r) => r.runId === runId);
  }

  /** Starts listening (idempotent) and catches up with the queue as it stands. */
  connect(): void {
    if (this.connected) return;
    this.connected = true;
    api.on('training.progress', (p) => applyProgress(this.ensure(p.runId), p));
    api.on('training.epoch', (e) => applyEpoch(this.ensure(e.runId), e.metrics));
    api.on('training.job', (j) => {
      const run = this.ensure(j.runId);
      applyJob(run, j.status, j.error);
      if (isFinished(j.status)) void this.loadDetail(j.runId);
    });
    api.on('training.queue', (q) => this.setQueue(q));
    void this.refreshQueue();
  }

  async refreshQueue(): Promise<void> {
    try {
      this.setQueue(await api.call('training.queue', {}));
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  private setQueue(q: QueueState): void {
    this.queue = q;
    for (const id of [...q.running, ...q.queued]) this.ensure(id);
  }

  /** The run with this id, added (and its stored record fetched) when first seen. */
  private ensure(runId: string): LiveRun {
    const known = this.find(runId);
    if (known) return known;
    this.runs.unshift(newLiveRun(runId));
    void this.loadDetail(runId);
    return this.runs[0];
  }

  /** Reads the stored run: its name and config at first sight, its results once finished. */
  async loadDetail(runId: string): Promise<void> {
    if (this.loading.has(runId)) return;
    this.loading.add(runId);
    try {
      const d = await api.call('runs.get', { id: runId });
      const run = this.find(runId);
      if (!run) return;
      if (run.epochs.length === 0 && run.batchX.length === 0) {
        // Nothing live yet: the stored record is the better picture (view opened mid-run).
        const rebuilt = liveRunFromDetail(d);
        Object.assign(run, { ...rebuilt, status: isFinished(run.status) ? run.status : d.status, progress: run.progress });
      } else {
        Object.assign(run, { name: d.name, strategy: d.strategy, pairId: d.pairId, datasetId: d.datasetId, config: d.config });
        if (isFinished(d.status)) {
          run.status = d.status;
          run.error = d.error;
          run.detail = d;
          if (d.epochs.length >= run.epochs.length) run.epochs = [...d.epochs];
        }
      }
    } catch (e) {
      this.error = `Could not read run ${runId}: ${errorMessage(e)}`;
    } finally {
      this.loading.delete(runId);
    }
    // A run that finished while its record was being read: read the final record too.
    const run = this.find(runId);
    if (run && isFinished(run.status) && !run.detail) void this.loadDetail(runId);
  }

  async start(request: TrainRequestInput): Promise<{ runIds: string[]; pairId: string | null }> {
    this.connect();
    const res = await api.call('training.start', request);
    const strategies = request.config.strategy === 'both' ? (['feature-extraction', 'fine-tuning'] as const) : [request.config.strategy];
    // Newest first, a pair in its own order (feature extraction above fine-tuning).
    [...res.runIds].reverse().forEach((id) => {
      if (!this.find(id)) this.runs.unshift(newLiveRun(id));
    });
    // One run or one pair: strategy and pair are known now. Repeats over seeds learn theirs from
    // the stored records, as the order of their ids is the service's to choose.
    const single = res.runIds.length === strategies.length;
    res.runIds.forEach((id, i) => {
      const run = this.find(id)!;
      if (single) {
        run.strategy = strategies[i] ?? null;
        run.pairId = res.pairId;
      }
      run.datasetId = request.config.dataset.id;
      void this.loadDetail(id);
    });
    return res;
  }

  async cancel(runId: string): Promise<void> {
    const run = this.find(runId);
    if (run) run.cancelRequested = true;
    try {
      await api.call('training.cancel', { runId });
    } catch (e) {
      if (run) run.cancelRequested = false;
      throw e;
    }
  }

  /** Removes a finished run from the view (it stays in History). */
  dismiss(runId: string): void {
    this.runs = this.runs.filter((r) => r.runId !== runId || !isFinished(r.status));
  }
}

export const trainingRuns = new TrainingRuns();
