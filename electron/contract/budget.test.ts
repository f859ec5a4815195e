import { describe, expect, it } from 'vitest';
import { defaultConfig, defaultEpochs, FE_PATIENCE, fePatience, pairConfigs, repeatSeeds, totalEpochsOf } from './budget.js';
import { TrainConfig } from './index.js';

describe('the budget rule', () => {
  it('gives feature extraction enough epochs to converge on a different-domain target', () => {
    // Measured: on 4,000 digits (batch 64) the head's validation loss still fell at epoch 32 and
    // early stopping (patience 20) ended it by itself at epoch 360.
    const fe = defaultConfig('feature-extraction', 5000);
    expect(fe.epochs).toBeGreaterThanOrEqual(360);
    expect(fe.earlyStopping).toEqual({ enabled: true, patience: FE_PATIENCE });
    // A big set still gets a cap of many steps, never fewer than 50 epochs.
    expect(defaultEpochs('feature-extraction', 60_000)).toBe(50);
  });

  it('gives a tiny set at least 200 steps of patience, not 20 epochs of 3 steps', () => {
    // 50 images: 40 train at batch 16 = 3 steps an epoch, judged on 10 validation images.
    expect(fePatience(50)).toBe(67);
    expect(defaultConfig('feature-extraction', 50).earlyStopping).toEqual({ enabled: true, patience: 67 });
    expect(fePatience(5000)).toBe(FE_PATIENCE);
    expect(fePatience(10)).toBe(100); // TrainConfig's largest patience
  });

  it('keeps fine-tuning as it was: ~400 steps of unfreezing after a ~1,000-step head phase', () => {
    expect(defaultConfig('fine-tuning', 5000)).toMatchObject({ epochs: 6, headEpochs: 16, batchSize: 64, learningRate: 1e-4, headLearningRate: 1e-3, unfreezeBlocks: 2, twoPhase: true, earlyStopping: { enabled: true, patience: 4 } });
    expect(defaultConfig('fine-tuning', 500)).toMatchObject({ epochs: 30, headEpochs: 75, batchSize: 32 });
    for (const s of ['feature-extraction', 'fine-tuning'] as const) {
      for (const n of [20, 500, 5_000, 60_000]) expect(TrainConfig.safeParse(defaultConfig(s, n)).success).toBe(true);
    }
  });

  it('pairs one fine-tuning config with a feature-extraction run on the same data, seed, batches and head', () => {
    const { strategy: _s, ...ftConfig } = { ...defaultConfig('fine-tuning', 500), seed: 9, dataset: { id: 'digits', perClass: 50 } };
    const [fe, ft] = pairConfigs(ftConfig, 500);
    expect(ft).toEqual({ ...ftConfig, strategy: 'fine-tuning' });
    expect(fe).toMatchObject({
      strategy: 'feature-extraction', dataset: ftConfig.dataset, seed: 9, batchSize: ftConfig.batchSize, validationSplit: ftConfig.validationSplit,
      learningRate: ftConfig.headLearningRate, earlyStopping: { enabled: true, patience: FE_PATIENCE }, unfreezeBlocks: 0, twoPhase: false,
    });
    expect(fe.epochs).toBe(defaultEpochs('feature-extraction', 500));
    expect(fe.epochs).toBeGreaterThanOrEqual(totalEpochsOf(ft));
    expect(TrainConfig.safeParse(fe).success).toBe(true);
  });

  it('never gives the feature-extraction run fewer epochs than its partner, and caps it when the size is unknown', () => {
    const { strategy: _s, ...c } = { ...defaultConfig('fine-tuning', 60_000), headEpochs: 70, epochs: 30 };
    expect(pairConfigs(c, 60_000)[0].epochs).toBe(100);
    expect(pairConfigs(c)[0].epochs).toBe(500);
    expect(pairConfigs({ ...c, earlyStopping: { enabled: false, patience: 40 } }, 500)[0].earlyStopping).toEqual({ enabled: true, patience: 40 });
  });

  it('repeats a request over consecutive seeds within the seed range', () => {
    expect(repeatSeeds(42, 3)).toEqual([42, 43, 44]);
    expect(() => repeatSeeds(2_147_483_646, 3)).toThrow(/would pass the largest seed/);
  });
});
