// A lab worker (`npm run worker -- --redis URL`): takes training jobs from the lab server's BullMQ
// queue and trains each in a training process of its own (the same worker and engine as local
// training), `concurrency` at a time. It writes nothing the server keeps: progress goes back as job
// progress, and the completion carries the whole record, model files included. It refuses to work
// for a server of another app version, and stops when that server refuses it.
import { rm } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import type { JobWorker } from '../../contract/index.js';
import type { WorkerEnv } from '../../worker-protocol/messages.js';
import { physicalCores, threadsPerRun } from './pool-size.js';
import { packRunFolder } from './remote-artifacts.js';
import { CANCEL_CHANNEL, JobData, PREFIX, SERVER_KEY, ServerInfo, queueName, refusedKey, workerKey, type JobOutcome, type ProgressData, type WorkerInfo } from './remote-protocol.js';
import { reachable, redisConnection } from './remote-runner.js';
import type { JobMessage } from './training-queue.js';
import { WorkerHost, type SpawnWorker } from './worker-host.js';

export interface LabWorkerOptions {
  redisUrl: string;
  version: string;
  machine: string;
  concurrency: number;
  spawnWorker: SpawnWorker;
  workerEnv: () => WorkerEnv;
  log?: (msg: string) => void;
  heartbeatMs?: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is tried again after about this long. */
  lockMs?: number;
}

export class RefusedError extends Error {}

/** If a training process has not confirmed a cancel after this long, it is killed. */
const CANCEL_GRACE_MS = 20_000;
/** Live progress (not epochs) is sent at most this often per job. */
const PROGRESS_EVERY_MS = 400;

interface Current { runId: string; onMessage(m: JobMessage): void; onDied(reason: string): void }

export interface LabWorker {
  /** Resolves with the server's reason when it refuses this worker. */
  refused: Promise<string>;
  close(): Promise<void>;
}

export async function startLabWorker(opts: LabWorkerOptions): Promise<LabWorker> {
  const log = opts.log ?? (() => {});
  const id = `${opts.machine}-${process.pid}-${randomBytes(3).toString('hex')}`;
  await reachable(opts.redisUrl);
  const redis = redisConnection(opts.redisUrl, log);
  const server = await redis.get(SERVER_KEY);
  const info = server ? ServerInfo.safeParse(JSON.parse(server)) : null;
  if (info?.success && info.data.version !== opts.version) {
    redis.disconnect();
    throw new RefusedError(`Refused: the lab server runs Transfer Lab ${info.data.version}; this worker runs ${opts.version}. Install the same version on ${opts.machine} and start the worker again.`);
  }
  if (!server) log('No lab server has announced itself on this Redis yet; waiting for jobs anyway.');

  // One training process per concurrent job, started on first use and kept for the next job.
  const slots: Array<{ host: WorkerHost; current: Current | null }> = [];
  const slotFor = () => {
    let slot = slots.find((s) => !s.current);
    if (!slot) {
      const s: { host: WorkerHost; current: Current | null } = { host: null!, current: null };
      s.host = new WorkerHost(opts.spawnWorker, opts.workerEnv, (m) => s.current?.onMessage(m as JobMessage), (reason) => s.current?.onDied(reason), (m) => log(m));
      slots.push((slot = s));
    }
    return slot;
  };
  const cancels = new Map<string, () => void>();

  async function train(job: BullJob): Promise<JobOutcome> {
    const parsed = JobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('The job is malformed (is the server another version of the app?).');
    const { runId, config } = parsed.data;
    if (parsed.data.version !== opts.version) throw new UnrecoverableError(`This job was queued by Transfer Lab ${parsed.data.version}; this worker runs ${opts.version}.`);
    const progress = (data: ProgressData) => job.updateProgress(data as object).catch(() => undefined); // best effort: Redis may be away
    const where: JobWorker = { machine: opts.machine, remote: true, rung: null, gpu: null };
    void progress({ kind: 'where', where });
    const slot = slotFor();
    const epochs: Extract<JobMessage, { type: 'epoch' }>['metrics'][] = [];
    const batches: Extract<JobMessage, { type: 'batches' }>['batches'] = [];
    let lastProgress = 0;
    let killTimer: NodeJS.Timeout | null = null;
    try {
      return await new Promise<JobOutcome>((resolve, reject) => {
        cancels.set(runId, () => {
          void slot.host.send({ type: 'cancel', runId });
          killTimer ??= setTimeout(() => slot.host.kill(), CANCEL_GRACE_MS);
        });
        slot.current = {
          runId,
          onMessage: (m) => {
            if (('runId' in m ? m.runId : m.progress.runId) !== runId) return;
            switch (m.type) {
              case 'started':
                void progress({ kind: 'where', where: { ...where, rung: m.rung, gpu: m.rung === 'tfjs-node-gpu' ? m.device : null } });
                void progress({ kind: 'message', message: m });
                break;
              case 'progress': {
                const now = Date.now();
                if (now - lastProgress < PROGRESS_EVERY_MS && m.progress.fraction < 1) return;
                lastProgress = now;
                void progress({ kind: 'message', message: m });
                break;
              }
              case 'epoch':
                epochs.push(m.metrics);
                void progress({ kind: 'message', message: m });
                break;
              case 'batches':
                batches.push(...m.batches);
                break;
              case 'result':
                void completed(runId, m.modelDir).then((files) => resolve({ kind: 'completed', epochs, batches, result: m.result, ...files }), reject);
                break;
              case 'cancelled':
                resolve({ kind: 'cancelled' });
                break;
              case 'failed':
                // The engine refused or failed this run: another worker would do the same.
                reject(new UnrecoverableError(m.error));
                break;
            }
          },
          onDied: (reason) => reject(new Error(`${reason} (on lab worker ${opts.machine})`)),
        };
        slot.host.send({ type: 'start', runId, config, threads: threadsPerRun(opts.concurrency), cores: physicalCores() }).catch((e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
      });
    } finally {
      if (killTimer) clearTimeout(killTimer);
      cancels.delete(runId);
      slot.current = null;
    }
  }

  /** Packs the run's files for the server and removes them here (the server keeps the only copy). */
  async function completed(runId: string, modelDir: string | null): Promise<{ modelDir: string | null; artifacts: { path: string; base64: string }[] }> {
    if (!modelDir) return { modelDir: null, artifacts: [] };
    const folder = dirname(modelDir);
    const artifacts = await packRunFolder(folder);
    await rm(folder, { recursive: true, force: true }).catch(() => undefined);
    if (!artifacts) {
      log(`run ${runId}: its model files are larger than the server takes; the run is recorded without them.`);
      return { modelDir: null, artifacts: [] };
    }
    return { modelDir: relative(folder, modelDir).split(sep).join('/'), artifacts };
  }

  const workerConnection = redisConnection(opts.redisUrl);
  const worker = new Worker(queueName(opts.version), train, {
    connection: workerConnection,
    prefix: PREFIX,
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs ?? 30_000,
    stalledInterval: opts.lockMs ?? 30_000,
    maxStalledCount: 1,
  });
  worker.on('error', (e) => log(`lab worker: ${e.message}`));
  worker.on('failed', (job, e) => log(`run ${job?.id ?? '?'} failed here: ${e.message}`));

  // Cancels come to every worker; the one training the run stops it.
  const subscriber = redisConnection(opts.redisUrl);
  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on('message', (_channel, runId: string) => cancels.get(runId)?.());

  let refuse: (reason: string) => void = () => {};
  const refused = new Promise<string>((resolve) => (refuse = resolve));
  const me: WorkerInfo = { id, machine: opts.machine, version: opts.version, concurrency: opts.concurrency, pid: process.pid };
  const heartbeatMs = opts.heartbeatMs ?? 5000;
  const beat = async () => {
    await redis.set(workerKey(id), JSON.stringify(me), 'PX', heartbeatMs * 3);
    const reason = await redis.get(refusedKey(id));
    if (reason) refuse(reason);
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), heartbeatMs);
  timer.unref?.();

  return {
    refused,
    async close() {
      clearInterval(timer);
      // Unfinished jobs are not waited for: their locks lapse and another worker trains them.
      await worker.close(true).catch(() => undefined);
      for (const s of slots) s.host.stop();
      await redis.del(workerKey(id)).catch(() => undefined);
      for (const c of [redis, subscriber, workerConnection]) c.disconnect();
    },
  };
}
