// A whole fine-tuning run cut into shards on helper threads (real worker threads, each with its own
// wasm backend): the threads a run gets never change what it trains, and where no BatchNorm uses
// batch statistics the shards train what one whole batch trains. Its shard threads then score the
// validation and test images beside this one, with the same scores.
import { describe, expect, it } from 'vitest';
import type { EpochMetrics, RunResult, TrainConfig } from '../../contract/index.js';
import type { EngineDeps } from './deps.js';
import { runTraining } from './run-training.js';
import { testDeps, testEnv, tinyConfig } from './testing/engine-fixtures.js';

const ft = (over: Partial<TrainConfig>) => tinyConfig({
  strategy: 'fine-tuning', dataset: { id: 'fashion-target', perClass: 20 },
  unfreezeBlocks: 2, twoPhase: false, headEpochs: 0, batchSize: 32, epochs: 2, ...over,
});

async function run(config: TrainConfig, parallel: { threads: number; cores: number }, deps: EngineDeps = testDeps().deps): Promise<{ result: RunResult; epochs: EpochMetrics[] }> {
  const epochs: EpochMetrics[] = [];
  const out = await runTraining('t', config, testEnv(), (m) => { if (m.type === 'epoch') epochs.push(m.metrics); }, new AbortController().signal, deps, parallel);
  if (out.status !== 'completed') throw new Error(`run ${out.status}: ${'error' in out ? out.error : ''}`);
  return { result: out.result, epochs };
}

const notes = (r: { result: RunResult }) => r.result.notes.join(' ');

describe('fine-tuning in shards', () => {
  it('trains the same bits on one thread and on two when the machine fixes two shards, BatchNorm on batch statistics', async () => {
    const config = ft({ unfrozenBatchNorm: 'batch-statistics' });
    const two = await run(config, { threads: 2, cores: 2 });
    const one = await run(config, { threads: 1, cores: 2 });
    expect(notes(two)).toMatch(/cut every batch of 32 images into 2 shards of about 16 .*started on 2 threads.*own statistics/);
    expect(notes(one)).toMatch(/into 2 shards of about 16 .*started on 1 thread,/);
    expect(two.epochs.map(({ seconds: _s, imagesPerSec: _i, ...e }) => e)).toEqual(one.epochs.map(({ seconds: _s, imagesPerSec: _i, ...e }) => e));
    expect(two.result.confusion).toEqual(one.result.confusion);
    expect(two.result.test?.accuracy).toBe(one.result.test?.accuracy);
    // The shard thread then scored images with a copy of the fine-tuned base: the same scores, image by image.
    expect(notes(two)).toMatch(/2 threads scored the validation and test images/);
    expect(notes(one)).not.toMatch(/threads scored/);
    expect(two.result.test?.correctFlags).toEqual(one.result.test?.correctFlags);
    expect(two.result.finalValAcc).toBe(one.result.finalValAcc);
  }, 120_000);

  it('with BatchNorm in inference mode, two shards on two threads train what one whole batch trains', async () => {
    const config = ft({ unfrozenBatchNorm: 'inference' });
    const whole = await run(config, { threads: 1, cores: 1 });
    const two = await run(config, { threads: 2, cores: 2 });
    expect(notes(whole)).not.toMatch(/shards/);
    expect(notes(two)).toMatch(/into 2 shards/);
    expect(notes(two)).not.toMatch(/own statistics/);
    // The same sums in another order: equal to float rounding, epoch by epoch.
    expect(two.epochs).toHaveLength(whole.epochs.length);
    two.epochs.forEach((e, i) => {
      expect(e.trainLoss).toBeCloseTo(whole.epochs[i].trainLoss, 4);
      expect(e.valLoss).toBeCloseTo(whole.epochs[i].valLoss, 4);
      expect(e.trainAcc).toBe(whole.epochs[i].trainAcc);
    });
    expect(two.result.confusion).toEqual(whole.result.confusion);
  }, 120_000);

  it('trains the same run on this thread alone when no helper thread can start, and says why', async () => {
    const config = ft({ unfrozenBatchNorm: 'batch-statistics' });
    const deps = testDeps().deps;
    const refused = { ...deps, host: { ...deps.host, shardThreads: async () => { throw new Error('threads are switched off here'); } } };
    const alone = await run(config, { threads: 2, cores: 2 }, refused);
    expect(notes(alone)).toMatch(/started on 1 thread\. No training thread could start \(threads are switched off here\), so this thread computed every shard\./);
    const two = await run(config, { threads: 2, cores: 2 });
    expect(alone.result.confusion).toEqual(two.result.confusion);
    expect(alone.epochs.map((e) => e.trainLoss)).toEqual(two.epochs.map((e) => e.trainLoss));
  }, 120_000);
});
