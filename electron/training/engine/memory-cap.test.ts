// The GPU memory cap: the estimate grows with the batch (it measures one batch's forward pass), a
// run over the cap is refused before training with what to change, and a run whose tensors pass
// the cap mid-run stops at the next batch's check.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadRunInputs, disposeRunTensors } from './run-setup.js';
import { checkTrainingFits, estimateTrainingBytes } from './memory-cap.js';
import { PeakMemory, RunProgress } from './progress.js';
import { testDeps, testEnv, tinyConfig } from './testing/engine-fixtures.js';

async function setupFor(batchSize: number) {
  const { deps } = testDeps();
  await deps.selectBackend('wasm');
  const config = tinyConfig({ strategy: 'fine-tuning', twoPhase: false, unfreezeBlocks: 'all', batchSize, epochs: 1 });
  return loadRunInputs(config, testEnv(), deps, new AbortController().signal, new RunProgress('m', () => {}, []), () => {});
}

describe('the GPU memory cap', () => {
  it('estimates more for a larger batch and refuses what does not fit', async () => {
    const small = await setupFor(2);
    const large = await setupFor(16);
    try {
      const before = tf.memory().numTensors;
      const a = await estimateTrainingBytes(small);
      const b = await estimateTrainingBytes(large);
      expect(tf.memory().numTensors).toBe(before); // the probe batch is freed
      expect(b.bytes).toBeGreaterThan(a.bytes);
      await expect(checkTrainingFits(large, b.bytes + 1)).resolves.toBeUndefined();
      await expect(checkTrainingFits(large, b.bytes - 1)).rejects.toThrow(/the model and a batch of 16 need ~\d+ MB of GPU memory; the cap is \d+ MB — choose a smaller batch/);
    } finally {
      disposeRunTensors(small);
      disposeRunTensors(large);
    }
  }, 60_000);

  it('stops a run whose tensors pass the cap after a batch', () => {
    const held = tf.zeros([1024, 1024]); // 4 MB
    try {
      const capped = new PeakMemory(() => 0, tf.memory().numBytes - 1);
      expect(() => capped.sample()).toThrow(/past the cap of \d+ MB — choose a smaller batch/);
      expect(() => new PeakMemory(() => 0, tf.memory().numBytes + 1).sample()).not.toThrow();
      expect(() => new PeakMemory().sample()).not.toThrow();
    } finally {
      held.dispose();
    }
  });
});
