// Forks the real worker entry (as the app's job queue does under Node) and runs a tiny job end to
// end through the protocol: init → ready, a bad message → log, start → progress/epoch/result,
// device and exportModel requests → replies.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTlResnet } from './backbones/tl-resnet.js';
import { saveLayersModelToDir } from './backbones/model-io.js';
import { writeIntegrity } from '../models/model-files.js';
import { FromWorker, type ToWorker } from '../worker-protocol/messages.js';
import { smallResourcesDir, tinyConfig } from './engine/testing/engine-fixtures.js';

const workerPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), './worker.ts');

class WorkerClient {
  readonly messages: FromWorker[] = [];
  private waiters: { pred: (m: FromWorker) => boolean; resolve: (m: FromWorker) => void }[] = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const parsed = FromWorker.safeParse(raw);
      if (!parsed.success) throw new Error(`invalid message from worker: ${JSON.stringify(raw)}`);
      this.messages.push(parsed.data);
      this.waiters = this.waiters.filter((w) => (w.pred(parsed.data) ? (w.resolve(parsed.data), false) : true));
    });
  }
  send(m: ToWorker | Record<string, unknown>) { this.child.send(m); }
  next<T extends FromWorker>(pred: (m: FromWorker) => m is T, timeoutMs = 60_000): Promise<T> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; got ${this.messages.map((m) => m.type).join(',')}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (m) => { clearTimeout(timer); resolve(m as T); } });
    });
  }
}

describe('training worker process', () => {
  let child: ChildProcess | null = null;
  afterAll(() => { child?.kill(); });

  it('runs a tiny job end to end through the protocol', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tl-worker-'));
    // An imported backbone in the data dir, found and loaded by the real backbone loader.
    const modelDir = path.join(dataDir, 'models', 'imported', 'tl-test');
    const base = buildTlResnet({ seed: 3 });
    await saveLayersModelToDir(base, modelDir);
    base.dispose();
    await writeIntegrity(modelDir, 'test');

    child = fork(workerPath, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const w = new WorkerClient(child);
    w.send({ type: 'init', env: { resourcesDir: smallResourcesDir(), dataDir, backend: 'wasm' } });
    await w.next((m): m is Extract<FromWorker, { type: 'ready' }> => m.type === 'ready');

    w.send({ type: 'start', runId: 42 });
    const log = await w.next((m): m is Extract<FromWorker, { type: 'log' }> => m.type === 'log');
    expect(log.level).toBe('error');
    expect(log.message).toMatch(/invalid message \(start\).*runId/);

    const config = tinyConfig({ backboneId: 'tl-test', epochs: 2 });
    w.send({ type: 'start', runId: 'r1', config });
    const done = await w.next((m): m is Extract<FromWorker, { type: 'result' | 'failed' }> => m.type === 'result' || m.type === 'failed');
    expect(done.type, JSON.stringify(done)).toBe('result');
    const types = w.messages.map((m) => m.type);
    expect(types).toEqual(expect.arrayContaining(['started', 'progress', 'epoch', 'batches', 'result']));
    expect(w.messages.filter((m) => m.type === 'epoch')).toHaveLength(2);

    w.send({ type: 'device', requestId: 1, refresh: false });
    const device = await w.next((m): m is Extract<FromWorker, { type: 'reply' }> => m.type === 'reply' && m.requestId === 1);
    expect(device.ok).toBe(true);
    expect(device.result).toMatchObject({ rungs: expect.arrayContaining([expect.objectContaining({ rung: 'wasm', available: true })]) });

    const outDir = path.join(dataDir, 'exported');
    w.send({ type: 'exportModel', requestId: 2, runId: 'r1', config, outDir });
    const exported = await w.next((m): m is Extract<FromWorker, { type: 'reply' }> => m.type === 'reply' && m.requestId === 2);
    expect(exported.ok, exported.error).toBe(true);
    expect(exported.result).toMatchObject({ path: outDir, parity: { total: 10, samePredictions: 10 } });

    // Cancel reaches the worker between batches (batch 2 → many batches) and ends the run.
    w.send({ type: 'start', runId: 'r2', config: { ...config, strategy: 'fine-tuning', twoPhase: false, unfreezeBlocks: 1, batchSize: 2, epochs: 5 } });
    await w.next((m): m is Extract<FromWorker, { type: 'progress' }> => m.type === 'progress' && m.progress.runId === 'r2' && m.progress.phase === 'fine-tuning');
    w.send({ type: 'cancel', runId: 'r2' });
    const end = await w.next((m): m is Extract<FromWorker, { type: 'cancelled' | 'result' | 'failed' }> => ['cancelled', 'result', 'failed'].includes(m.type) && 'runId' in m && m.runId === 'r2', 20_000);
    expect(end.type).toBe('cancelled');
    expect(w.messages.some((m) => m.type === 'epoch' && m.runId === 'r2')).toBe(false);
  }, 120000);
});
