// The sweeps.* methods. A sweep's runs are ordinary runs in the history, queued at once as one batch
// on the training queue (so they use every worker); the sweep follows them through the queue's
// job events and reports one progress (runs done / total, ETA). Cancel cancels its unfinished
// runs; resume (asked for, or at start for a sweep the app stopped during) trains every run that
// did not complete again, from the config stored for it, and never touches a finished one.
import { STRATEGY_LABEL, type Emit, type Handlers, type SweepDetail, type SweepProgress, type SweepSummary, type TrainConfig, type WireEvent } from '../../contract/index.js';
import type { RunStore } from '../runs/index.js';
import type { Db } from '../store/database.js';
import { describeSweepData } from './sweep-data.js';
import { sweepEta } from './sweep-eta.js';
import { exportSweep } from './sweep-export.js';
import { planSweep } from './sweep-plan.js';
import { SweepStore, type SweepSlot } from './sweep-store.js';
import { readShippedSweep, shippedSweepIds, SHIPPED_PREFIX } from './shipped-sweeps.js';

export type SweepsHandlers = Pick<Handlers, 'sweeps.start' | 'sweeps.list' | 'sweeps.get' | 'sweeps.cancel' | 'sweeps.resume' | 'sweeps.delete' | 'sweeps.export'>;

export interface SweepsServiceDeps {
  db: Db;
  runs: Pick<RunStore, 'createPair' | 'createRun' | 'delete'>;
  /** The training queue the runs go to. */
  queue: { enqueue(runId: string, config: TrainConfig): void; cancel(runId: string): boolean; workers(): number };
  emit: Emit;
  identity: () => { studentName: string; classSession: string };
  resourcesDir: string;
  dataDir: string;
  now?: () => number;
  log?: (msg: string) => void;
}

const ACTIVE = new Set(['queued', 'running']);

export function createSweepsService(deps: SweepsServiceDeps) {
  const store = new SweepStore(deps.db);
  const now = deps.now ?? Date.now;

  function progressOf(id: string): SweepProgress {
    const sweep = store.get(id);
    const runs = store.runs(id).map((s) => s.run);
    const done = runs.filter((r) => r.status === 'completed').length;
    const failed = runs.filter((r) => r.status !== null && !ACTIVE.has(r.status) && r.status !== 'completed').length;
    const etaSeconds = sweep.status === 'running' ? sweepEta(runs, deps.queue.workers(), now()) : null;
    return { sweepId: id, status: sweep.status, done, total: runs.length, failed, etaSeconds };
  }

  function summary(id: string): SweepSummary {
    const s = store.get(id);
    const { sweepId: _id, ...progress } = progressOf(id);
    return { id, name: s.name, config: s.config, studentName: s.studentName, classSession: s.classSession, createdAt: s.createdAt, finishedAt: s.finishedAt, error: s.error, source: 'stored', ...progress };
  }

  function detail(id: string): SweepDetail {
    if (id.startsWith(SHIPPED_PREFIX)) return readShippedSweep(deps.resourcesDir, id.slice(SHIPPED_PREFIX.length));
    return { ...summary(id), runs: store.runs(id).map((s) => s.run) };
  }

  /** After a run of the sweep settled: once none is left queued or running, the sweep is done. */
  function settle(id: string) {
    const sweep = store.get(id);
    if (sweep.status === 'running') {
      const runs = store.runs(id).map((s) => s.run);
      if (!runs.some((r) => r.status !== null && ACTIVE.has(r.status))) {
        const unfinished = runs.filter((r) => r.status !== 'completed');
        if (unfinished.length === 0) store.setStatus(id, 'completed');
        else {
          const first = unfinished.find((r) => r.error)?.error;
          store.setStatus(id, 'failed', `${unfinished.length} of ${runs.length} runs did not finish${first ? ` (${first})` : ''}. Resume trains them again; the finished runs are kept.`);
        }
      }
    }
    deps.emit('sweeps.progress', progressOf(id));
  }

  /** Creates and queues a run for every slot that has none that completed or is still training. */
  function queueUnfinished(id: string): number {
    const sweep = store.get(id);
    const slots = store.runs(id);
    const todo = slots.filter((s) => s.run.status === null || (!ACTIVE.has(s.run.status) && s.run.status !== 'completed'));
    const jobs: Array<{ runId: string; config: TrainConfig }> = [];
    const replaced: string[] = [];
    deps.db.transaction(() => {
      const pairs = new Map<string, string | null>();
      for (const slot of todo) {
        const group = `${slot.perClass}:${slot.seed}`;
        const paired = slots.filter((s) => s.perClass === slot.perClass && s.seed === slot.seed).length > 1;
        if (!pairs.has(group)) pairs.set(group, !paired ? null : slot.pairId && store.pairExists(slot.pairId) ? slot.pairId : deps.runs.createPair());
        const pairId = pairs.get(group)!;
        const run = deps.runs.createRun({ name: runName(sweep.name, slot), pairId, config: slot.config, studentName: sweep.studentName, classSession: sweep.classSession });
        store.setRun(id, slot, run.id, pairId);
        if (slot.runId) replaced.push(slot.runId);
        jobs.push({ runId: run.id, config: slot.config });
      }
      store.setStatus(id, 'running');
    })();
    // The unfinished runs are replaced by the new ones (their partial epochs mean nothing to the sweep).
    if (replaced.length > 0) deps.runs.delete(replaced);
    for (const job of jobs) deps.queue.enqueue(job.runId, job.config);
    settle(id);
    return jobs.length;
  }

  const handlers: SweepsHandlers = {
    'sweeps.start': async (request) => {
      const data = await describeSweepData(request, deps);
      const name = request.name?.trim() || `Sweep · ${data.info.name}`;
      const config = { ...request, name, similarity: data.similarity, datasetName: data.info.name, classes: data.info.classes, ladder: data.ladder, testImages: data.testImages, testPerClass: data.testPerClass };
      const planned = planSweep(config);
      const slots: SweepSlot[] = planned.map((slot) => ({ ...slot, pairId: null, runId: null }));
      const id = store.create({ name, config, ...deps.identity() }, slots);
      queueUnfinished(id);
      return summary(id);
    },
    'sweeps.list': async () => [...store.list().map((s) => summary(s.id)), ...shippedSweepIds(deps.resourcesDir).map((d) => {
      const { runs: _runs, ...rest } = readShippedSweep(deps.resourcesDir, d);
      return rest;
    })],
    'sweeps.get': async ({ id }) => detail(id),
    'sweeps.cancel': async ({ id }) => {
      const sweep = store.get(id);
      if (sweep.status !== 'running') throw new Error(`This sweep is ${sweep.status}, not running: there is nothing to cancel.`);
      store.setStatus(id, 'cancelled', 'Cancelled. Resume trains the runs that did not finish; the finished runs are kept.');
      for (const slot of store.runs(id)) if (slot.runId && slot.run.status && ACTIVE.has(slot.run.status)) deps.queue.cancel(slot.runId);
      settle(id);
      return summary(id);
    },
    'sweeps.resume': async ({ id }) => {
      if (id.startsWith(SHIPPED_PREFIX)) throw new Error('A shipped sweep is read-only: start your own sweep on the same data set to train it again.');
      const sweep = store.get(id);
      if (sweep.status === 'running') throw new Error('This sweep is still running.');
      if (sweep.status === 'completed') throw new Error('This sweep has finished: every run completed.');
      queueUnfinished(id);
      return summary(id);
    },
    'sweeps.delete': async ({ id, withRuns }) => {
      const sweep = store.get(id);
      if (sweep.status === 'running') throw new Error('Cancel the sweep before deleting it.');
      const runIds = store.runs(id).flatMap((s) => (s.runId ? [s.runId] : []));
      store.delete(id);
      if (withRuns && runIds.length > 0) deps.runs.delete(runIds);
      return { ok: true };
    },
    'sweeps.export': async ({ id, format }) => exportSweep(detail(id), format),
  };

  return {
    handlers,
    /** Every event the app emits passes here; a sweep's run settling moves the sweep on. */
    onEvent(e: WireEvent) {
      if (e.event !== 'training.job') return;
      const { runId, status } = e.payload as { runId: string; status: string };
      const id = store.sweepOf(runId);
      // Started runs change the estimate; settled ones may finish the sweep.
      if (id && status !== 'queued') settle(id);
    },
    /** At start: sweeps the app stopped during carry on, without their finished runs. */
    resumeInterrupted(): number {
      let n = 0;
      for (const id of store.withStatus('running')) {
        const queued = queueUnfinished(id);
        if (queued > 0) deps.log?.(`Sweep "${store.get(id).name}" resumed: ${queued} run(s) queued again, the finished ones kept.`);
        n += queued;
      }
      return n;
    },
  };
}

function runName(sweepName: string, slot: Pick<SweepSlot, 'perClass' | 'seed' | 'strategy'>): string {
  return `${sweepName} · ${slot.perClass}/class · ${STRATEGY_LABEL[slot.strategy]} · seed ${slot.seed}`;
}

export type SweepsService = ReturnType<typeof createSweepsService>;
