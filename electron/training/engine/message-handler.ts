// The worker's message handling, transport-free: validates every message, runs one training job at
// a time (tensor work from requests queues behind it), honours cancel, and turns every error into
// a 'failed' or error reply instead of a silent exit.
import { ToWorker, type FromWorker, type WorkerEnv } from '../../worker-protocol/messages.js';
import { analyzeDataset } from './analyze.js';
import type { EngineDeps } from './deps.js';
import type { ThreadAllowance } from './data-parallel.js';
import { outcomeMessage, runTraining } from './run-training.js';

export type Send = (message: FromWorker) => void;

export interface MessageHandler {
  handle(raw: unknown): void;
  /** Reports an error that escaped every handler (uncaught exception / rejection). */
  crash(err: unknown): void;
  /**
   * Ends the current job now, as failed with `reason` (the device it trains on went away, so its
   * tensor work may never finish); anything it reports later is dropped. False when none runs.
   */
  failCurrent(reason: string): boolean;
  /** Resolves when the current job and queued requests have finished (tests). */
  idle(): Promise<void>;
}

export function createMessageHandler(send: Send, deps: EngineDeps): MessageHandler {
  let env: WorkerEnv | null = null;
  let job: { runId: string; abort: AbortController; ended: boolean; threads: ThreadAllowance } | null = null;
  // Tensor work runs strictly one piece at a time, so a run's tensor accounting stays exact.
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(work: () => Promise<T>) => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const log = (level: 'info' | 'warn' | 'error', message: string) => send({ type: 'log', level, message });
  const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

  const reply = (requestId: number, work: () => Promise<unknown>) => {
    work().then(
      (result) => send({ type: 'reply', requestId, ok: true, result }),
      (err) => send({ type: 'reply', requestId, ok: false, error: message(err) }),
    );
  };
  const requireEnv = (): WorkerEnv => {
    if (!env) throw new Error('The training worker has not been initialised (no "init" message yet).');
    return env;
  };

  function start(runId: string, config: Parameters<typeof runTraining>[1], parallel: { threads?: number; cores?: number }): void {
    if (!env) return send({ type: 'failed', runId, error: 'The training worker has not been initialised (no "init" message yet).' });
    if (job) return send({ type: 'failed', runId, error: `The training worker is busy with run ${job.runId}; runs are started one at a time.` });
    const abort = new AbortController();
    const threads: ThreadAllowance = { now: parallel.threads ?? 1 };
    const current = { runId, abort, ended: false, threads };
    job = current;
    const workerEnv = env;
    void enqueue(() => runTraining(runId, config, workerEnv, send, abort.signal, deps, { threads, cores: parallel.cores }))
      .then((outcome) => { if (!current.ended) send(outcomeMessage(runId, outcome)); })
      .catch((err) => { if (!current.ended) send({ type: 'failed', runId, error: `Run failed unexpectedly: ${message(err)}` }); })
      .finally(() => { if (job === current) job = null; });
  }

  return {
    handle(raw) {
      const parsed = ToWorker.safeParse(raw);
      if (!parsed.success) {
        const type = typeof raw === 'object' && raw && 'type' in raw ? String((raw as { type: unknown }).type) : typeof raw;
        return log('error', `Ignored an invalid message (${type}): ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
      }
      const msg = parsed.data;
      switch (msg.type) {
        case 'init':
          env = msg.env;
          return send({ type: 'ready', pid: deps.host.pid });
        case 'start':
          return start(msg.runId, msg.config, { threads: msg.threads, cores: msg.cores });
        case 'threads':
          // The pool's share of cores for this run changed: the run adopts it between batches.
          if (job?.runId === msg.runId) job.threads.now = msg.threads;
          return;
        case 'cancel':
          if (job?.runId === msg.runId) job.abort.abort();
          else log('warn', `Cancel for run ${msg.runId} ignored: it is not running here.`);
          return;
        case 'device':
          return reply(msg.requestId, () => deps.probeDevice(requireEnv().backend, msg.refresh));
        case 'analyze':
          return reply(msg.requestId, () => enqueue(() => analyzeDataset(msg.dataset, msg.backboneId, requireEnv(), deps)));
        case 'exportModel':
          return reply(msg.requestId, () => enqueue(() => {
            const exportRunModel = deps.host.exportRunModel;
            if (!exportRunModel) throw new Error('Exporting a model runs in the training process; this worker trains on a window\'s GPU and cannot read the run\'s files.');
            return exportRunModel(msg.runId, msg.config, msg.outDir, requireEnv(), deps);
          }));
        case 'describeModel':
          // Loading creates tensors: it waits its turn like any other tensor work.
          return reply(msg.requestId, async () => {
            const workerEnv = requireEnv();
            return enqueue(() => deps.describeModel(msg.id, workerEnv));
          });
      }
    },
    crash(err) {
      const text = err instanceof Error ? `${err.message}${err.stack ? `\n${err.stack}` : ''}` : String(err);
      if (job) {
        send({ type: 'failed', runId: job.runId, error: `The training worker hit an unexpected error: ${message(err)}` });
        job.abort.abort();
      }
      log('error', `Unexpected error in the training worker: ${text}`);
    },
    failCurrent(reason) {
      const current = job;
      if (!current) return false;
      current.ended = true;
      job = null;
      send({ type: 'failed', runId: current.runId, error: reason });
      current.abort.abort();
      return true;
    },
    idle: () => queue.then(() => undefined),
  };
}
