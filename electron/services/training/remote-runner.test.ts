// The lab's second place to train, end to end with real parts: Debian's redis-server on a free
// loopback port, lab worker processes as `npm run worker` starts them (each with the real training
// worker and engine), and the server's queue writing to a real SQLite store. Skipped, with the
// reason printed, where redis-server is not installed.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueueState, TrainConfig } from '../../contract/index.js';
import { RunStore } from '../runs/index.js';
import { RemoteRunner, trainsRemotely } from './remote-runner.js';
import { startWorkerProcess, type WorkerProcess } from './testing/lab-worker-process.js';
import { redisMissing, startRedis, type TestRedis } from './testing/redis-server.js';
import { repo, trainingServiceHarness } from './testing/service-harness.js';

const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;
if (redisMissing) console.log(`Skipping the lab (BullMQ) tests: ${redisMissing}.`);

const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  strategy: 'feature-extraction', backboneId: 'tl-resnet-s', dataset: { id: 'fashion-target', perClass: 12 },
  epochs: 3, batchSize: 16, learningRate: 1e-3, optimizer: 'adam', validationSplit: 0.2, seed: 7,
  unfreezeBlocks: 0, twoPhase: false, headEpochs: 0, headLearningRate: 1e-3, trainFrozenBatchNorm: false,
  unfrozenBatchNorm: 'batch-statistics', augment: false, earlyStopping: { enabled: false, patience: 3 }, backend: 'wasm',
  ...over,
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function lab() {
  const redis: TestRedis = await startRedis();
  cleanups.push(() => redis.stop());
  const dataDir = mkdtempSync(join(tmpdir(), 'tl-lab-server-'));
  const runner = await RemoteRunner.connect({ redisUrl: redis.url, version, artifactRoot: join(dataDir, 'runs'), heartbeatMs: 500 });
  const workers: WorkerProcess[] = [];
  const { store, service, events, waitFor, close } = trainingServiceHarness('lab-server', {
    identity: () => ({ studentName: 'Ana', classSession: 'lab' }),
    remote: { runner, accepts: trainsRemotely(join(repo, 'resources')) },
  }, { dataDir, runsDir: true, explain: () => `worker output:\n${workers.map((w) => w.output()).join('\n---\n')}` });
  cleanups.push(async () => {
    service.close();
    await runner.close();
    close();
  });
  const startWorker = async (name: string, env: Record<string, string> = {}) => {
    const w = startWorkerProcess(redis.url, name, env);
    workers.push(w.process);
    cleanups.push(() => void w.process.child.kill('SIGKILL'));
    await w.ready;
    return w.process;
  };
  const queueStates = () => events.filter((e) => e.event === 'training.queue').map((e) => e.payload as QueueState);
  const start = async (c: TrainConfig) => (await service.handlers['training.start']({ config: c, seeds: 1 })).runIds[0];
  return { redis, store, dataDir, service, events, startWorker, waitFor, queueStates, start };
}

/** The run as recorded: completed once, every epoch exactly once, its model on the server. */
function expectRecordedOnce(store: RunStore, runId: string, epochs: number) {
  const run = store.get(runId);
  expect(run.status).toBe('completed');
  expect(run.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  expect(run.result?.test?.n).toBeGreaterThan(0);
  const modelDir = store.getModelDir(runId);
  expect(modelDir && existsSync(join(modelDir, 'model.json'))).toBe(true);
}

describe.skipIf(!!redisMissing)('training on lab workers through BullMQ on Redis', () => {
  it('two workers drain the queue in parallel and every run lands in SQLite exactly once', async () => {
    const t = await lab();
    await Promise.all([t.startWorker('machine-a'), t.startWorker('machine-b')]);
    const runIds: string[] = [];
    for (let seed = 1; seed <= 4; seed++) runIds.push(await t.start(config({ seed })));
    for (const id of runIds) await t.waitFor('training.job', (p) => p.runId === id && ['completed', 'failed'].includes(p.status));
    for (const id of runIds) expectRecordedOnce(t.store, id, 3);
    expect(t.events.filter((e) => e.event === 'training.job' && (e.payload as { status: string }).status === 'completed')).toHaveLength(4);
    // Both machines trained at the same moment, and the queue panel said where.
    const machines = (s: QueueState) => new Set(Object.values(s.where ?? {}).map((w) => w.machine));
    const both = t.queueStates().find((s) => s.running.length === 2 && machines(s).has('machine-a') && machines(s).has('machine-b'));
    expect(both, 'a moment with a run training on each machine').toBeDefined();
    expect(Object.values(both!.where!).every((w) => w.remote)).toBe(true);
    expect(t.queueStates().some((s) => Object.values(s.where ?? {}).some((w) => w.rung === 'wasm'))).toBe(true);
    expect(t.queueStates().at(-1)).toMatchObject({ running: [], queued: [] });
  }, 600_000);

  it('a worker killed mid-job (kill -9): the run is trained again on another and recorded once', async () => {
    const t = await lab();
    const a = await t.startWorker('doomed');
    // Fine-tuning (about a second an epoch on wasm), so that training outlasts the kill, which follows
    // the first epoch, by many epochs.
    const long = config({ strategy: 'fine-tuning', unfreezeBlocks: 1, learningRate: 1e-4, epochs: 12, dataset: { id: 'fashion-target', perClass: 30 } });
    const runId = await t.start(long);
    await t.waitFor('training.queue', (s: QueueState) => s.where?.[runId]?.machine === 'doomed');
    await t.startWorker('survivor');
    await t.waitFor('training.epoch', (p) => p.runId === runId);
    a.child.kill('SIGKILL');
    const requeued = await t.waitFor('training.progress', (p) => p.runId === runId && p.phase === 'queued');
    expect(requeued.message).toMatch(/stopped answering|Training it again/);
    await t.waitFor('training.job', (p) => p.runId === runId && ['completed', 'failed'].includes(p.status));
    expectRecordedOnce(t.store, runId, 12);
    expect(t.queueStates().some((s) => s.where?.[runId]?.machine === 'survivor')).toBe(true);
  }, 600_000);

  it('Redis restarting mid-queue: the jobs resume and every run lands once', async () => {
    const t = await lab();
    await t.startWorker('steady');
    const runIds: string[] = [];
    for (let seed = 1; seed <= 3; seed++) runIds.push(await t.start(config({ seed })));
    await t.waitFor('training.epoch', (p) => p.runId === runIds[0]);
    await t.redis.restart();
    for (const id of runIds) await t.waitFor('training.job', (p) => p.runId === id && ['completed', 'failed'].includes(p.status));
    for (const id of runIds) expectRecordedOnce(t.store, id, 3);
  }, 600_000);

  it('refuses a worker of another app version, saying why', async () => {
    const t = await lab();
    const w = startWorkerProcess(t.redis.url, 'old-machine', { TL_APP_VERSION: '0.0.1-old' });
    cleanups.push(() => void w.process.child.kill('SIGKILL'));
    expect(await w.process.exited).toBe(1);
    expect(w.process.output()).toContain(`Refused: the lab server runs Transfer Lab ${version}; this worker runs 0.0.1-old. Install the same version on old-machine`);
  }, 120_000);

  it('keeps uploaded folders and other backbones on this machine: lab workers have only the shipped ones', () => {
    const remote = trainsRemotely(join(repo, 'resources'));
    expect(remote(config())).toBe(true);
    expect(remote(config({ dataset: { id: 'folder-0123456789ab', perClass: null } }))).toBe(false);
    expect(remote(config({ backboneId: 'mobilenet-v1-0.25' }))).toBe(false);
  });
});

describe('without a Redis to reach', () => {
  it('says so at once, for the server and for a worker', async () => {
    const closed = 'redis://127.0.0.1:1';
    await expect(RemoteRunner.connect({ redisUrl: closed, version, artifactRoot: tmpdir() })).rejects.toThrow(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*Start redis-server there, or leave out --redis/);
    const w = startWorkerProcess(closed, 'lonely');
    expect(await w.process.exited).toBe(1);
    expect(w.process.output()).toContain('Cannot reach Redis at redis://127.0.0.1:1');
  }, 60_000);
});
