// The queue with the real training worker process: a killed worker fails its job with a reason,
// keeps what was recorded, and the next call gets a fresh process.
import { afterEach, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../contract/index.js';
import { trainingServiceHarness } from './testing/service-harness.js';

const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  strategy: 'fine-tuning',
  backboneId: 'tl-resnet-s',
  dataset: { id: 'fashion-target', perClass: 40 },
  epochs: 50,
  batchSize: 16,
  learningRate: 1e-4,
  optimizer: 'adam',
  validationSplit: 0.2,
  seed: 7,
  unfreezeBlocks: 1,
  twoPhase: false,
  headEpochs: 0,
  headLearningRate: 1e-3,
  trainFrozenBatchNorm: false,
  unfrozenBatchNorm: 'batch-statistics',
  augment: false,
  earlyStopping: { enabled: false, patience: 3 },
  backend: 'wasm',
  ...over,
});

function setup(poolSize = 1) {
  return trainingServiceHarness('queue', { poolSize: () => poolSize });
}

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

describe('training queue with the real worker process', () => {
  it('marks the job failed with a reason when the worker is killed mid-job, and keeps answering', async () => {
    const t = setup();
    cleanup = t.close;
    const { runIds } = await t.service.handlers['training.start']({ config: config(), seeds: 1 });
    await t.waitFor('training.job', (p) => p.runId === runIds[0] && p.status === 'running');
    await t.waitFor('training.progress', (p) => p.runId === runIds[0] && p.batch > 0);
    process.kill(t.service.hosts()[0].pid!, 'SIGKILL');
    const failed = await t.waitFor('training.job', (p) => p.runId === runIds[0] && p.status === 'failed');
    expect(failed.error).toMatch(/training process was stopped \(SIGKILL\)/);
    const run = t.store.get(runIds[0]);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/SIGKILL/);
    // A fresh worker answers the next call.
    const device = await t.service.handlers['device.probe']({ refresh: false });
    expect(device.rungs.length).toBe(4);
    expect(await t.service.handlers['training.queue']({})).toEqual({ running: [], queued: [], workers: 1 });
  });

  it('runs "both" as a linked pair in order and cancels a queued run without starting it', async () => {
    const t = setup();
    cleanup = t.close;
    const pair = await t.service.handlers['training.start']({ config: { ...config({ epochs: 1, twoPhase: true, headEpochs: 4 }), strategy: 'both' }, seeds: 1 });
    expect(pair.runIds).toHaveLength(2);
    expect(pair.pairId).toBeTruthy();
    const third = await t.service.handlers['training.start']({ config: config({ epochs: 1 }), seeds: 1 });
    expect((await t.service.handlers['training.queue']({})).queued).toContain(third.runIds[0]);
    await t.service.handlers['training.cancel']({ runId: third.runIds[0] });
    expect(t.store.get(third.runIds[0]).status).toBe('cancelled');
    const [fe, ft] = pair.runIds.map((id) => t.store.get(id));
    expect(fe.strategy).toBe('feature-extraction');
    expect(ft.strategy).toBe('fine-tuning');
    expect(fe.pairId).toBe(pair.pairId);
    // The pair rule (contract/budget.ts): the feature-extraction run trains its head at the head
    // learning rate with a generous cap (200 images: 500 epochs), and early stopping decides.
    expect(t.store.getConfig(fe.id)).toMatchObject({ learningRate: 1e-3, epochs: 500, earlyStopping: { enabled: true, patience: 20 } });
    expect(t.store.getConfig(ft.id)).toMatchObject({ learningRate: 1e-4, epochs: 1, headEpochs: 4 });
    expect(fe.studentName).toBe('Test Student');
    await t.service.handlers['training.cancel']({ runId: pair.runIds[1] });
    await t.service.handlers['training.cancel']({ runId: pair.runIds[0] }).catch(() => undefined);
    await t.waitFor('training.job', (p) => p.runId === pair.runIds[0] && ['completed', 'cancelled'].includes(p.status));
    await expect(t.service.handlers['training.cancel']({ runId: 'nope' })).rejects.toThrow(/not queued or running/);
  });
});

describe('describeModel', () => {
  it('asks the real worker for a model\'s facts and checks its answer', async () => {
    const t = setup();
    cleanup = t.close;
    const shipped = await t.service.describeModel('tl-resnet-s');
    expect(shipped).toMatchObject({ usable: true, facts: { family: 'tl-resnet', blockParams: [176, 4672, 14528, 57728], featureSize: 64 } });
    expect(await t.service.describeModel('no-such-model')).toEqual({ usable: false, reason: 'it is not shipped, downloaded or imported (no model.json found)' });
  });

  it('trains a pair on two workers at once, with the same results as one after the other', async () => {
    const pairConfig = { ...config({ epochs: 1, twoPhase: true, headEpochs: 2, dataset: { id: 'fashion-target', perClass: 12 } }), strategy: 'both' as const };
    const results = async (poolSize: number) => {
      const t = setup(poolSize);
      cleanup = t.close;
      const pair = await t.service.handlers['training.start']({ config: pairConfig, seeds: 1 });
      // Both runs are handed to a worker at once when the pool has two; one waits when it has one.
      const state = await t.service.handlers['training.queue']({});
      expect(state).toMatchObject({ workers: poolSize, running: pair.runIds.slice(0, poolSize), queued: pair.runIds.slice(poolSize) });
      for (const id of pair.runIds) await t.waitFor('training.job', (p) => p.runId === id && p.status === 'completed', 600_000);
      expect(t.service.hosts()).toHaveLength(poolSize);
      const out = pair.runIds.map((id) => {
        const r = t.store.get(id).result!;
        return { finalValAcc: r.finalValAcc, confusion: r.confusion, test: r.test?.correctFlags ?? null };
      });
      t.close();
      cleanup = null;
      return out;
    };
    expect(await results(2)).toEqual(await results(1));
  }, 900_000);
});
