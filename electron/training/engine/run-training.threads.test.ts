// A whole fine-tuning run on helper threads (real worker threads, each with its own wasm backend)
// against the same run on one thread: where no BatchNorm uses batch statistics they must agree.
import { describe, expect, it } from 'vitest';
import type { EpochMetrics, TrainConfig } from '../../contract/index.js';
import { runTraining, type RunOutcome } from './run-training.js';
import { testDeps, testEnv, tinyConfig } from './testing/engine-fixtures.js';

const ft = (over: Partial<TrainConfig>) => tinyConfig({
  strategy: 'fine-tuning', unfreezeBlocks: 2, twoPhase: false, headEpochs: 0, batchSize: 16, epochs: 2, ...over,
});

async function run(config: TrainConfig, threads: number): Promise<{ result: Extract<RunOutcome, { status: 'completed' }>['result']; epochs: EpochMetrics[] }> {
  const epochs: EpochMetrics[] = [];
  const out = await runTraining(`t${threads}`, config, testEnv(), (m) => { if (m.type === 'epoch') epochs.push(m.metrics); }, new AbortController().signal, testDeps().deps, { threads });
  if (out.status !== 'completed') throw new Error(`run ${out.status}: ${'error' in out ? out.error : ''}`);
  return { result: out.result, epochs };
}

describe('fine-tuning on threads', () => {
  it('with BatchNorm in inference mode, two threads train the run one thread trains', async () => {
    const config = ft({ unfrozenBatchNorm: 'inference' });
    const one = await run(config, 1);
    const two = await run(config, 2);
    expect(two.result.notes.join(' ')).toMatch(/Fine-tuning ran on 2 threads/);
    expect(one.result.notes.join(' ')).not.toMatch(/threads/);
    expect(two.result.notes.join(' ')).not.toMatch(/own statistics/);
    // The same sums in another order: equal to float rounding, epoch by epoch.
    expect(two.epochs).toHaveLength(one.epochs.length);
    two.epochs.forEach((e, i) => {
      expect(e.trainLoss).toBeCloseTo(one.epochs[i].trainLoss, 4);
      expect(e.valLoss).toBeCloseTo(one.epochs[i].valLoss, 4);
      expect(e.trainAcc).toBe(one.epochs[i].trainAcc);
    });
    expect(two.result.confusion).toEqual(one.result.confusion);
    expect(two.result.test.accuracy).toBe(one.result.test.accuracy);
  }, 120_000);

  it('with batch statistics, says that each thread normalised its own share', async () => {
    const two = await run(ft({ unfrozenBatchNorm: 'batch-statistics' }), 2);
    expect(two.result.notes.join(' ')).toMatch(/Fine-tuning ran on 2 threads: each computed the gradient of about 8 of every batch's 16 images.*own statistics/);
  }, 120_000);
});
