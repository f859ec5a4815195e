// The queue's window rung with the real window engine (electron/training/window, tfjs' cpu backend
// standing in for the GPU) over an in-memory link, behind the real browser-mode slot, on the engine tests' small shipped subset: a job asking
// for window-gpu trains there; the tab going away mid-run fails that run with the reason and the
// queue goes on; with no tab connected such a job fails at once with what to do. Never a hang.
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceReport, TrainConfig } from '../../contract/index.js';
import { startWindowWorker } from '../../training/window/window-engine.js';
import { windowLinkPair } from './testing/window-links.js';
import { placeFor, withWindowRung } from './training-service.js';
import { TabWindowSlot } from './window-source.js';
import { smallResourcesDir } from '../../training/engine/testing/engine-fixtures.js';
import { trainingServiceHarness } from './testing/service-harness.js';

const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  strategy: 'feature-extraction', backboneId: 'tl-resnet-s', dataset: { id: 'digits', perClass: 4 },
  epochs: 2, batchSize: 8, learningRate: 1e-3, optimizer: 'adam', validationSplit: 0.25, seed: 3,
  unfreezeBlocks: 1, twoPhase: false, headEpochs: 0, headLearningRate: 1e-3, trainFrozenBatchNorm: false,
  unfrozenBatchNorm: 'batch-statistics', augment: false, earlyStopping: { enabled: false, patience: 3 },
  backend: 'window-gpu', ...over,
});

function setup() {
  const slot = new TabWindowSlot();
  const { store, service, events, waitFor, close } = trainingServiceHarness('window-queue', { windowGpu: slot }, { resourcesDir: smallResourcesDir() });
  /** A tab connects: its window worker runs the real engine on tfjs' cpu backend. */
  const connectTab = () => {
    const pair = windowLinkPair();
    startWindowWorker(pair.window, { backend: 'cpu' });
    expect(slot.attach(pair.host)).toBeNull();
    return pair;
  };
  const settled = (runId: string) => waitFor('training.job', (p) => p.runId === runId && ['completed', 'failed', 'cancelled'].includes(p.status));
  return { store, service, slot, events, connectTab, waitFor, settled, close };
}

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

describe('where a job trains', () => {
  const here = { windowConnected: true, cuda: false, remote: false };
  it('window-gpu by name always goes to the window runner (which fails it clearly without a window)', () => {
    expect(placeFor('window-gpu', here)).toBe('window');
    expect(placeFor('window-gpu', { ...here, windowConnected: false, cuda: true, remote: true })).toBe('window');
  });
  it("'auto' goes to a connected window only where there is no CUDA GPU and no lab worker takes it", () => {
    expect(placeFor('auto', here)).toBe('window');
    expect(placeFor('auto', { ...here, cuda: true })).toBe('local');
    expect(placeFor('auto', { ...here, windowConnected: false })).toBe('local');
    expect(placeFor('auto', { ...here, remote: true })).toBe('remote');
    // A software renderer (SwiftShader, llvmpipe) is slower than wasm: 'auto' stays on the CPU rungs.
    expect(placeFor('auto', { ...here, windowSoftware: true })).toBe('local');
    expect(placeFor('window-gpu', { ...here, windowSoftware: true })).toBe('window');
  });
  it('a named process rung stays on the worker processes', () => {
    for (const b of ['wasm', 'cpu', 'tfjs-node', 'tfjs-node-gpu'] as const) expect(placeFor(b, here)).toBe('local');
  });
});

describe('the device report with the window rung', () => {
  const processes: DeviceReport = {
    active: 'wasm', forced: 'auto',
    rungs: [
      { rung: 'tfjs-node-gpu', available: false, reason: 'no CUDA' },
      { rung: 'tfjs-node', available: false, reason: 'not installed' },
      { rung: 'wasm', available: true, reason: 'WebAssembly' },
      { rung: 'cpu', available: true, reason: 'JavaScript' },
    ],
  };
  const windowRung = { rung: 'window-gpu' as const, available: true, reason: 'WebGL', gpuName: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11)' };
  const connected = { offered: true, connected: true, gpuName: null, reason: 'a tab trains' };

  it('sits below CUDA and above the CPU rungs, and is what auto uses when connected without CUDA', () => {
    const r = withWindowRung(processes, windowRung, connected);
    expect(r.rungs.map((x) => x.rung)).toEqual(['tfjs-node-gpu', 'window-gpu', 'tfjs-node', 'wasm', 'cpu']);
    expect(r.active).toBe('window-gpu');
    expect(r.window).toEqual(connected);
  });
  it('keeps auto off a software renderer, which is slower than wasm, but serves it when asked by name', () => {
    const soft = { ...windowRung, gpuName: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)' };
    expect(withWindowRung(processes, soft, connected).active).toBe('wasm');
    expect(withWindowRung({ ...processes, forced: 'window-gpu' }, soft, connected).active).toBe('window-gpu');
  });
  it('leaves auto on CUDA where CUDA works, and on the processes when no window is connected', () => {
    const cuda = { ...processes, active: 'tfjs-node-gpu' as const, rungs: [{ rung: 'tfjs-node-gpu' as const, available: true, reason: 'GPU' }, ...processes.rungs.slice(1)] };
    expect(withWindowRung(cuda, windowRung, connected).active).toBe('tfjs-node-gpu');
    const away = { ...windowRung, available: false, reason: 'No tab trains on its GPU' };
    expect(withWindowRung(processes, away, { ...connected, connected: false }).active).toBe('wasm');
  });
});

describe('the window runner on the queue', () => {
  it('trains a window-gpu job in the connected tab, with its rung and device recorded', async () => {
    const t = setup();
    cleanup = t.close;
    t.connectTab();
    const { runIds } = await t.service.handlers['training.start']({ config: config(), seeds: 1 });
    const running = await t.waitFor('training.queue', (q) => q.where?.[runIds[0]]?.rung === 'window-gpu');
    expect(running.where[runIds[0]]).toMatchObject({ machine: "the tab's GPU", remote: false, rung: 'window-gpu' });
    expect(running.where[runIds[0]].gpu).toBeTruthy();
    const end = await t.settled(runIds[0]);
    expect(end.status, end.error ?? '').toBe('completed');
    const run = t.store.get(runIds[0]);
    expect(run.rung).toBe('window-gpu');
    expect(run.result?.device).toBeTruthy();
    // The device panel's report asks the connected window for its own rung.
    const device = await t.service.handlers['device.probe']({ refresh: false });
    expect(device.rungs.map((r) => r.rung)).toEqual(['tfjs-node-gpu', 'window-gpu', 'tfjs-node', 'wasm', 'cpu']);
    expect(device.rungs[1]).toMatchObject({ rung: 'window-gpu', available: true });
    expect(device.window).toMatchObject({ offered: true, connected: true });
  }, 600_000);

  it('a tab closed mid-run fails that run with the reason; the queue goes on (the next window job fails at once, clearly)', async () => {
    const t = setup();
    cleanup = t.close;
    const tab = t.connectTab();
    const first = await t.service.handlers['training.start']({ config: config({ strategy: 'fine-tuning', epochs: 200 }), seeds: 1 });
    const second = await t.service.handlers['training.start']({ config: config(), seeds: 1 });
    await t.waitFor('training.progress', (p) => p.runId === first.runIds[0] && p.phase === 'fine-tuning' && p.batch > 0);
    tab.drop("The tab training on this computer's GPU was closed.");
    const failed = await t.settled(first.runIds[0]);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/was closed.*The epochs completed before that are kept/);
    const next = await t.settled(second.runIds[0]);
    expect(next.status).toBe('failed');
    expect(next.error).toMatch(/^No window is training on this computer's GPU.*Train on this computer's GPU/);
    expect(await t.service.handlers['training.queue']({})).toMatchObject({ running: [], queued: [] });
    // Without a tab the rung is unavailable, and says how to get it back.
    const away = await t.service.handlers['device.probe']({ refresh: false });
    expect(away.rungs.find((r) => r.rung === 'window-gpu')).toMatchObject({ available: false, reason: expect.stringMatching(/^No tab trains on its GPU.*The last one ended: The tab training on this computer's GPU was closed/) });
    // A tab that connects again is the window rung once more (it answers for itself).
    t.connectTab();
    const device = await t.service.handlers['device.probe']({ refresh: false });
    expect(device.rungs.find((r) => r.rung === 'window-gpu')).toMatchObject({ available: true });
  }, 600_000);

  it('cancels a run on the window like one on a process', async () => {
    const t = setup();
    cleanup = t.close;
    t.connectTab();
    const { runIds } = await t.service.handlers['training.start']({ config: config({ strategy: 'fine-tuning', epochs: 200 }), seeds: 1 });
    await t.waitFor('training.progress', (p) => p.runId === runIds[0] && p.phase === 'fine-tuning' && p.batch > 0);
    await t.service.handlers['training.cancel']({ runId: runIds[0] });
    expect((await t.settled(runIds[0])).status).toBe('cancelled');
  }, 600_000);

  it('a second tab is refused while one trains', () => {
    const t = setup();
    cleanup = t.close;
    t.connectTab();
    expect(t.slot.attach(windowLinkPair().host)).toMatch(/Another tab is already training/);
  });
});
