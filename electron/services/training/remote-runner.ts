// Training on the lab's other machines: with --redis the queue hands jobs it can send away (shipped
// data sets and backbones) to this runner, which puts them on a BullMQ queue that lab workers
// (`npm run worker`) drain. Their progress comes back as job progress events and is shown live;
// the completion carries the whole record (epochs, batches, result, model files), which the
// queue's one recording path then writes: the server stays the only writer of SQLite, and an
// attempt that dies half-way writes nothing. A job whose worker died is tried once more (BullMQ's
// stalled check or attempts), else it fails with the reason. Workers of another app version are
// refused with a message saying so.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { TrainConfig } from '../../contract/index.js';
import { isShippedDatasetId } from '../../datasets/shipped.js';
import { isValidBackboneId, shippedDir } from '../../models/backbone-dirs.js';
import { MODEL_JSON } from '../../models/model-files.js';
import { ProgressData, JobOutcome, SERVER_KEY, WorkerInfo, CANCEL_CHANNEL, PREFIX, queueName, refusedKey, workerKey, type JobData } from './remote-protocol.js';
import { unpackRunFolder } from './remote-artifacts.js';
import type { Job, JobReport, JobRunner } from './training-queue.js';

export interface RemoteRunnerOptions {
  redisUrl: string;
  version: string;
  /** Where run folders live on the server (<data>/runs). */
  artifactRoot: string;
  log?: (msg: string) => void;
  /** How often the server announces itself and counts its workers. */
  heartbeatMs?: number;
}

const STALLED = /stalled more than allowable limit/i;

/** BullMQ's words for a lost job, in ours. */
export function explainFailure(reason: string): string {
  if (STALLED.test(reason)) return 'The lab workers training this run stopped answering twice (killed, or cut off from Redis), so it was not tried again.';
  return reason || 'The lab worker reported a failure without a reason.';
}

/** Fails at once, and clearly, when nothing answers at `url` (later outages are waited out). */
export async function reachable(url: string): Promise<void> {
  const probe = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000, lazyConnect: true });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new Error(`Cannot reach Redis at ${url} (${e instanceof Error ? e.message : String(e)}). Start redis-server there, or leave out --redis.`);
  } finally {
    probe.disconnect();
  }
}

/** One connection that waits out a Redis restart (commands queue until it is back). Its errors are
 *  reported once per outage, not once per reconnect attempt. */
export function redisConnection(url: string, log: (msg: string) => void = () => {}): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: null });
  let down = false;
  r.on('error', (e: Error) => {
    if (!down) log(`Redis at ${url}: ${e.message}; reconnecting.`);
    down = true;
  });
  r.on('ready', () => (down = false));
  return r;
}

export class RemoteRunner implements JobRunner {
  private reports = new Map<string, JobReport>();
  private slotsOnline = 0;
  private refused = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private opts: RemoteRunnerOptions,
    private queue: Queue,
    private events: QueueEvents,
    private redis: Redis,
    private connections: Redis[],
  ) {}

  /** Connects, announces this server, and starts listening; jobs left waiting by an earlier server are dropped. */
  static async connect(opts: RemoteRunnerOptions): Promise<RemoteRunner> {
    await reachable(opts.redisUrl);
    const name = queueName(opts.version);
    const connections = [0, 1, 2].map(() => redisConnection(opts.redisUrl, opts.log));
    const [redis, queueConnection, eventsConnection] = connections;
    const queue = new Queue(name, { connection: queueConnection, prefix: PREFIX });
    const events = new QueueEvents(name, { connection: eventsConnection, prefix: PREFIX });
    const runner = new RemoteRunner(opts, queue, events, redis, connections);
    queue.on('error', (e) => opts.log?.(`lab queue: ${e.message}`));
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), redis.ping()]);
    // Their runs were marked interrupted when this server started; nobody is waiting for them.
    await queue.drain();
    runner.listen();
    await runner.heartbeat();
    runner.timer = setInterval(() => void runner.heartbeat().catch((e) => opts.log?.(`lab heartbeat failed: ${String(e)}`)), opts.heartbeatMs ?? 5000);
    runner.timer.unref?.();
    return runner;
  }

  capacity() {
    return Infinity;
  }
  workers() {
    return this.slotsOnline;
  }

  async start(job: Job, report: JobReport): Promise<void> {
    this.reports.set(job.runId, report);
    const data: JobData = { runId: job.runId, config: job.config, version: this.opts.version };
    try {
      await this.queue.add('train', data, { jobId: job.runId, attempts: 2, removeOnComplete: true, removeOnFail: true });
    } catch (e) {
      this.reports.delete(job.runId);
      throw e;
    }
  }

  cancel(runId: string) {
    void this.cancelJob(runId).catch((e) => this.opts.log?.(`cancelling ${runId} failed: ${String(e)}`));
  }

  private async cancelJob(runId: string) {
    const job = await this.queue.getJob(runId);
    const state = job ? await job.getState() : 'unknown';
    if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
      try {
        await job.remove();
        return this.end(runId)?.message({ type: 'cancelled', runId });
      } catch {
        // Taken by a worker meanwhile: ask it to stop.
      }
    }
    await this.redis.publish(CANCEL_CHANNEL, runId);
  }

  private end(runId: string): JobReport | undefined {
    const r = this.reports.get(runId);
    this.reports.delete(runId);
    return r;
  }

  private listen() {
    const log = this.opts.log ?? (() => {});
    this.events.on('active', ({ jobId }) => {
      this.reports.get(jobId)?.running({ machine: 'a lab worker', remote: true, rung: null, gpu: null });
    });
    this.events.on('progress', ({ jobId, data }) => {
      const report = this.reports.get(jobId);
      const parsed = ProgressData.safeParse(data);
      if (!report || !parsed.success) return;
      if (parsed.data.kind === 'where') return report.running(parsed.data.where);
      const m = parsed.data.message;
      // Shown as it arrives; epochs are recorded with the completion, so a lost attempt leaves none.
      if (m.type === 'started') report.message(m);
      else if (m.type === 'progress' || m.type === 'epoch') report.message(m, { live: true });
    });
    this.events.on('completed', ({ jobId, returnvalue }) => void this.completed(jobId, returnvalue).catch((e) => log(`recording run ${jobId} failed: ${String(e)}`)));
    this.events.on('failed', ({ jobId, failedReason }) => {
      this.end(jobId)?.message({ type: 'failed', runId: jobId, error: explainFailure(failedReason) });
    });
    // Back to waiting after a failed attempt (prev 'active') or a lost worker ('stalled'): tried again.
    this.events.on('waiting', ({ jobId, prev }) => {
      if (prev === 'active') void this.requeued(jobId, null);
    });
    this.events.on('stalled', ({ jobId }) => void this.requeued(jobId, 'Its lab worker stopped answering (killed, or cut off from Redis).'));
    this.events.on('error', (e) => log(`lab queue events: ${e.message}`));
  }

  private async requeued(runId: string, reason: string | null) {
    const report = this.reports.get(runId);
    if (!report) return;
    const why = reason ?? (await this.queue.getJob(runId).catch(() => undefined))?.failedReason ?? 'Its lab worker failed.';
    report.requeued(`${why} Training it again from the start on another worker.`);
  }

  private async completed(runId: string, value: unknown) {
    const report = this.reports.get(runId);
    if (!report) return; // settled already, or a job of an earlier server
    const parsed = JobOutcome.safeParse(typeof value === 'string' ? JSON.parse(value) : value);
    this.reports.delete(runId);
    if (!parsed.success) return report.message({ type: 'failed', runId, error: 'The lab worker sent a result this server cannot read (is it another version of the app?).' });
    const outcome = parsed.data;
    if (outcome.kind === 'cancelled') return report.message({ type: 'cancelled', runId });
    let modelDir: string | null = null;
    try {
      modelDir = outcome.artifacts.length ? await unpackRunFolder(this.opts.artifactRoot, runId, outcome.artifacts, outcome.modelDir) : null;
    } catch (e) {
      this.opts.log?.(`run ${runId}: its model files could not be kept: ${String(e)}`);
    }
    for (const metrics of outcome.epochs) report.message({ type: 'epoch', runId, metrics });
    report.message({ type: 'batches', runId, batches: outcome.batches });
    report.message({ type: 'result', runId, result: outcome.result, modelDir });
  }

  /** Says this server is here, and counts (or refuses) the workers that say they are. */
  private async heartbeat() {
    await this.redis.set(SERVER_KEY, JSON.stringify({ version: this.opts.version, startedAt: new Date().toISOString() }), 'EX', 60);
    let slots = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', workerKey('*'), 'COUNT', 200);
      cursor = next;
      const values = keys.length ? await this.redis.mget(...keys) : [];
      for (const v of values) {
        let info;
        try {
          info = WorkerInfo.safeParse(JSON.parse(v ?? ''));
        } catch {
          continue;
        }
        if (!info.success) continue;
        if (info.data.version === this.opts.version) slots += info.data.concurrency;
        else await this.refuse(info.data);
      }
    } while (cursor !== '0');
    this.slotsOnline = slots;
  }

  private async refuse(w: WorkerInfo) {
    const reason = `The lab server runs Transfer Lab ${this.opts.version}; this worker runs ${w.version}. Install the same version on ${w.machine} and start the worker again.`;
    await this.redis.set(refusedKey(w.id), reason, 'EX', 300);
    if (!this.refused.has(w.id)) {
      this.refused.add(w.id);
      this.opts.log?.(`Refused the lab worker on ${w.machine} (pid ${w.pid}): it runs Transfer Lab ${w.version}, this server ${this.opts.version}.`);
    }
  }

  async close() {
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    // BullMQ leaves connections it was handed open.
    for (const c of this.connections) c.disconnect();
  }
}

/** A lab worker has the shipped data sets and backbones only; uploads and downloads train here. */
export function trainsRemotely(resourcesDir: string) {
  return (config: TrainConfig) =>
    isShippedDatasetId(resourcesDir, config.dataset.id) && existsSync(join(shippedDir(resourcesDir, config.backboneId), MODEL_JSON)) && isValidBackboneId(config.backboneId);
}
