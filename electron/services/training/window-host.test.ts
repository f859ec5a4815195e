// The window worker and its host, end to end in one process: the window engine (the tfjs cpu backend
// standing in for a GPU) behind an in-memory link, driven by the real WorkerHost through
// windowSpawner, its host calls answered from real files (the shipped subset, a backbone folder on
// disk, the embedding cache, the run's saved model). Also: a bad host call, a closed link, a lost
// GPU and the memory cap, each ending the run with its reason instead of hanging.
import * as tf from '@tensorflow/tfjs';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../contract/index.js';
import { loadLayersModelFromDir } from '../../training/backbones/model-io.js';
import { createMessageHandler } from '../../training/engine/message-handler.js';
import { realEngineDeps } from '../../training/engine/parts.js';
import { testEnv, tinyConfig } from '../../training/engine/testing/engine-fixtures.js';
import { startWindowWorker, type WindowWorkerOptions } from '../../training/window/window-engine.js';
import type { FromWorker, WorkerEnv } from '../../worker-protocol/messages.js';
import { HostReplies, type HostCall } from '../../worker-protocol/window.js';
import { windowLinkPair } from './testing/window-links.js';
import { answerHostCall, windowSpawner } from './window-host.js';
import { WorkerHost } from './worker-host.js';

// The shipped pretrained backbone of the engine tests (its folder read by the host, as the worker
// process's loader reads it), so the runs learn something and their accuracies can be compared.
const BACKBONE = 'tl-resnet-s';
let env: WorkerEnv;

beforeAll(() => {
  env = { ...testEnv(), backend: 'window-gpu' };
});

type End = Extract<FromWorker, { type: 'result' | 'failed' | 'cancelled' }>;

/** A WorkerHost over a window worker started on the other end of a fresh link. */
function windowSession(opts: WindowWorkerOptions = { backend: 'cpu' }) {
  const links = windowLinkPair();
  const messages: FromWorker[] = [];
  const died: string[] = [];
  const waiters: Array<(m: FromWorker) => void> = [];
  const worker = startWindowWorker(links.window, opts);
  const host = new WorkerHost(
    windowSpawner(links.host, env),
    () => env,
    (m) => { messages.push(m); for (const w of waiters) w(m); },
    (reason) => { died.push(reason); },
  );
  const next = (pred: (m: FromWorker) => boolean) => new Promise<FromWorker>((resolve) => {
    const seen = messages.find(pred);
    if (seen) return resolve(seen);
    waiters.push((m) => { if (pred(m)) resolve(m); });
  });
  const end = (runId: string) => next((m) => ['result', 'failed', 'cancelled'].includes(m.type) && (m as End).runId === runId) as Promise<End>;
  return { links, host, worker, messages, died, next, end };
}

const windowConfig = (over: Partial<TrainConfig> = {}) => tinyConfig({ backboneId: BACKBONE, backend: 'window-gpu', ...over });
const FT = { strategy: 'fine-tuning', twoPhase: true, headEpochs: 1, unfreezeBlocks: 1 } as const;
// Runs that learn well past chance (the head trains on cached embeddings, cheap even on cpu), so
// equal accuracies mean equal training, not two untrained heads. The cpu backend is pure JavaScript
// (tens of times slower than wasm): one fine-tuning epoch is enough here.
const FE_TRAINED = { epochs: 15, dataset: { id: 'fashion-target', perClass: 12 } } as const;
const FT_TRAINED = { ...FT, headEpochs: 15, epochs: 1, dataset: { id: 'fashion-target', perClass: 12 } } as const;

/** The same run through the worker process's handler on wasm. */
async function workerProcessRun(runId: string, config: TrainConfig): Promise<End> {
  const sent: FromWorker[] = [];
  const handler = createMessageHandler((m) => { sent.push(m); }, realEngineDeps());
  handler.handle({ type: 'init', env: { ...env, backend: 'wasm' } });
  handler.handle({ type: 'start', runId, config: { ...config, backend: 'wasm' } });
  await handler.idle();
  await new Promise((r) => setTimeout(r, 20));
  return sent.find((m) => ['result', 'failed', 'cancelled'].includes(m.type)) as End;
}

describe('a window worker driven by WorkerHost', () => {
  it.each([
    ['feature extraction', FE_TRAINED],
    ['fine-tuning', FT_TRAINED],
  ] as const)('trains %s, saves through the host, frees every tensor, and scores as the wasm worker does', async (_, over) => {
    const s = windowSession();
    const config = windowConfig(over);
    const runId = `window-${config.strategy}`;
    const startTensors = tf.memory().numTensors;
    await s.host.send({ type: 'start', runId, config });
    const end = await s.end(runId);
    await s.worker.idle();
    expect(end.type, JSON.stringify(end)).toBe('result');
    const result = (end as Extract<End, { type: 'result' }>).result;
    expect(result.rung).toBe('window-gpu');
    expect(s.messages.find((m) => m.type === 'started')).toMatchObject({ rung: 'window-gpu', device: expect.stringMatching(/cpu backend/) });
    expect(s.messages.filter((m) => m.type === 'epoch').length).toBeGreaterThan(0);
    // Disposed per batch and at the end: the run left no tensor behind.
    expect(tf.memory().numTensors).toBe(startTensors);

    // Saved by the host where the worker process saves: the run's folder, with its predictions.
    const modelDir = (end as Extract<End, { type: 'result' }>).modelDir!;
    expect(modelDir).toBe(path.join(env.dataDir, 'runs', runId, 'model'));
    const numClasses = result.classes.length;
    expect(statSync(path.join(modelDir, '..', 'val-predictions.bin')).size).toBe(result.valN * numClasses * 4);
    const saved = await loadLayersModelFromDir(modelDir);
    expect(saved.outputs[0].shape).toEqual([null, numClasses]);
    saved.dispose();

    // Same seed, data, backbone and config on wasm. Both runs start from the same weights and see the
    // same batches in the same order; only the kernels' float rounding differs (cpu vs wasm, ~1e-7
    // relative per op), which moves no weight far enough to change more than a few borderline test
    // images. Tolerance: 3 of the 100 test images (0.03), far below what a different seed or
    // strategy moves (several points), so a real difference between the two engines would show.
    const wasm = await workerProcessRun(`wasm-${config.strategy}`, config);
    expect(wasm.type, JSON.stringify(wasm)).toBe('result');
    const wasmTest = (wasm as Extract<End, { type: 'result' }>).result.test!;
    expect(result.test!.n).toBe(wasmTest.n);
    expect(result.test!.setId).toBe(wasmTest.setId);
    expect(Math.abs(result.test!.accuracy - wasmTest.accuracy)).toBeLessThanOrEqual(0.03);
    s.host.stop();
  }, 180_000);

  it('refuses a run whose model and batch pass the GPU memory cap, with the sizes and what to do', async () => {
    const s = windowSession({ backend: 'cpu', memoryCapMB: 1 });
    await s.host.send({ type: 'start', runId: 'capped', config: windowConfig({ ...FT, batchSize: 16 }) });
    const end = await s.end('capped');
    expect(end.type).toBe('failed');
    expect((end as Extract<End, { type: 'failed' }>).error).toMatch(/a batch of 16 need ~\d+ MB of GPU memory; the cap is 1 MB — choose a smaller batch/);
    s.host.stop();
  }, 60_000);

  it("fails the run with the reason when the GPU context is lost (as the backend's listener reports one), and the host sees the window die", async () => {
    const s = windowSession();
    await s.host.send({ type: 'start', runId: 'lost', config: windowConfig({ ...FT, batchSize: 2, epochs: 5 }) });
    await s.next((m) => m.type === 'progress' && m.progress.runId === 'lost' && m.progress.phase === 'fine-tuning');
    // The cpu stand-in has no context to lose: the loss is reported the way the WebGL/WebGPU listener reports one.
    s.worker.gpuLost('context loss simulated on the cpu stand-in');
    const end = await s.end('lost');
    expect(end).toMatchObject({ type: 'failed', error: expect.stringMatching(/GPU context was lost \(context loss simulated on the cpu stand-in\)/) });
    await s.worker.idle();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.died).toEqual([expect.stringMatching(/the window's GPU context was lost: context loss simulated/)]);
    // A lost window takes no more runs.
    s.links.host.post({ type: 'start', runId: 'after', config: windowConfig() });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.messages.some((m) => m.type === 'started' && m.runId === 'after')).toBe(false);
  }, 60_000);

  it('reports the window as died with the reason when its link closes mid-run, and the window stops the run', async () => {
    const s = windowSession();
    await s.host.send({ type: 'start', runId: 'closed', config: windowConfig({ ...FT, batchSize: 2, epochs: 5 }) });
    await s.next((m) => m.type === 'progress' && m.progress.runId === 'closed' && m.progress.phase === 'fine-tuning');
    s.links.drop('the tab was closed');
    // The window's engine stops within a batch (its run is aborted), so this resolves.
    await s.worker.idle();
    expect(s.died).toEqual([expect.stringMatching(/training on its GPU was closed \(the tab was closed\)/)]);
    expect(s.messages.some((m) => m.type === 'result' && m.runId === 'closed')).toBe(false);
  }, 60_000);
});

describe('host calls', () => {
  it('get an error reply for a bad payload, and answers that match the reply schemas', async () => {
    const links = windowLinkPair();
    windowSpawner(links.host, env)({ onMessage: () => {}, onExit: () => {} });
    const replies: Array<{ callId: number; ok: boolean; error?: string; result?: unknown }> = [];
    links.window.onMessage((m) => { replies.push(m as (typeof replies)[number]); });
    const ask = async (callId: number, call: unknown) => {
      links.window.post({ type: 'hostCall', callId, call } as never);
      while (!replies.some((r) => r.callId === callId)) await new Promise((r) => setTimeout(r, 5));
      return replies.find((r) => r.callId === callId)!;
    };
    expect(await ask(1, { op: 'cacheGet', key: '../../etc/passwd' })).toMatchObject({ ok: false, error: expect.stringMatching(/malformed host call: key/) });
    expect(await ask(2, { op: 'nope' })).toMatchObject({ ok: false, error: expect.stringMatching(/malformed host call/) });
    expect(await ask(3, { op: 'readBackbone', id: 'no-such-model' })).toMatchObject({ ok: false, error: "Model 'no-such-model' is not available: it is not shipped, downloaded or imported (no model.json found)" });
    expect(await ask(4, { op: 'saveModel', runId: '../escape', modelJson: { weightsManifest: [{ paths: ['weights.bin'], weights: [] }] }, weightData: new Uint8Array(4), valPredictions: new Float32Array(2) })).toMatchObject({ ok: false, error: expect.stringMatching(/not a valid run id/) });
    expect(await ask(5, { op: 'saveModel', runId: 'r', modelJson: { weightsManifest: [{ paths: ['../x.bin'], weights: [] }] }, weightData: new Uint8Array(4), valPredictions: new Float32Array(2) })).toMatchObject({ ok: false, error: expect.stringMatching(/exactly one weight file, weights\.bin/) });
    expect(existsSync(path.join(env.dataDir, 'runs', 'r'))).toBe(false);

    const backbone = await ask(6, { op: 'readBackbone', id: BACKBONE });
    expect(backbone.ok).toBe(true);
    expect(HostReplies.readBackbone.safeParse(backbone.result).success).toBe(true);
    expect(HostReplies.cacheGet.parse((await ask(7, { op: 'cacheGet', key: 'absent-key' })).result)).toBeNull();
  }, 60_000);

  it('decode a data set as the worker process loads it', async () => {
    const call: HostCall = { op: 'loadData', dataset: { id: 'digits', perClass: 5 }, targetShape: [28, 28, 1], seed: 3 };
    const { result } = await answerHostCall(call, env);
    const data = HostReplies.loadData.parse(structuredClone(result));
    const direct = await realEngineDeps().dataSource(env).load({ id: 'digits', perClass: 5 }, { targetShape: [28, 28, 1], seed: 3 });
    expect(data.fingerprint).toBe(direct.fingerprint);
    expect(Array.from(data.labels)).toEqual(Array.from(direct.labels));
    expect(data.pixels.byteLength).toBe(direct.pixels.byteLength);
  });
});
