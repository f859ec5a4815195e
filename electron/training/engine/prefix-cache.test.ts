import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runTraining } from './run-training.js';
import { testDeps, testEnv, tinyConfig } from './testing/engine-fixtures.js';

const signal = () => new AbortController().signal;

describe('the frozen-prefix cache', () => {
  it('gives the same run as running the frozen blocks every batch, and says it was used', async () => {
    const config = tinyConfig({ strategy: 'fine-tuning', unfreezeBlocks: 2, twoPhase: false, epochs: 2, learningRate: 1e-3 });
    const before = tf.memory().numTensors;
    const cached = await runTraining('cached', config, testEnv(), () => {}, signal(), testDeps().deps);
    const uncached = await runTraining('uncached', config, testEnv(), () => {}, signal(), testDeps().deps, { cachePrefix: false });
    expect(tf.memory().numTensors).toBe(before);
    if (cached.status !== 'completed' || uncached.status !== 'completed') throw new Error(`runs did not complete: ${JSON.stringify([cached, uncached])}`);
    expect(cached.result.notes.some((n) => /frozen blocks ran once over the training images/.test(n))).toBe(true);
    // The embedding pass kept the prefix's output: the training images' rows and the scored images'
    // came from it (each image on its own, so the same bits as the whole network gives).
    expect(cached.result.notes.some((n) => /for \d+ of the \d+ images it came from the embedding pass/.test(n))).toBe(true);
    expect(cached.result.notes.some((n) => /validation and test images went through the fine-tuned blocks only/.test(n))).toBe(true);
    expect(uncached.result.notes.some((n) => /embedding pass|fine-tuned blocks only/.test(n))).toBe(false);
    expect(uncached.result.notes.some((n) => /frozen blocks ran once/.test(n))).toBe(false);
    expect(cached.result.test?.correctFlags).toBe(uncached.result.test?.correctFlags);
    expect(cached.result.confusion).toEqual(uncached.result.confusion);
    expect(cached.result.finalValAcc).toBe(uncached.result.finalValAcc);
  }, 240_000);

  it('is not used with augmentation or when frozen BatchNorm trains', async () => {
    for (const over of [{ augment: true }, { trainFrozenBatchNorm: true }]) {
      const out = await runTraining('off', tinyConfig({ strategy: 'fine-tuning', unfreezeBlocks: 1, twoPhase: false, epochs: 1, ...over }), testEnv(), () => {}, signal(), testDeps().deps);
      if (out.status !== 'completed') throw new Error(JSON.stringify(out));
      expect(out.result.notes.some((n) => /frozen blocks ran once/.test(n))).toBe(false);
    }
  }, 240_000);
});
