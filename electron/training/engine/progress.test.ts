import { describe, expect, it } from 'vitest';
import type { FromWorker } from '../../worker-protocol/messages.js';
import { defaultConfig, defaultEpochs } from '../../contract/budget.js';
import { BatchRecorder, MAX_BATCH_POINTS, RunProgress } from './progress.js';
import { epochOrder } from './random.js';
import { TrainConfig } from '../../contract/index.js';

describe('progress reporting', () => {
  it('throttles updates to at most 10 per second but always reports phase changes', () => {
    const sent: FromWorker[] = [];
    const p = new RunProgress('r', (m) => sent.push(m), [{ phase: 'loading', cost: 1 }]);
    p.plan([{ phase: 'training-head', cost: 10 }]);
    p.enter('training-head');
    for (let i = 0; i < 1000; i++) p.update(i / 1000);
    expect(sent).toHaveLength(1);
    p.enter('evaluating');
    expect(sent).toHaveLength(2);
  });

  it('keeps the per-batch curve to about 500 points', () => {
    const r = new BatchRecorder(12_345);
    let points = 0;
    for (let i = 0; i < 12_345; i++) {
      r.add(1, 0.5);
      if (i % 100 === 0) points += r.flush().length;
    }
    points += r.flush(true).length;
    expect(points).toBeLessThanOrEqual(MAX_BATCH_POINTS);
    expect(points).toBeGreaterThan(MAX_BATCH_POINTS * 0.9);
  });
});

describe('defaults and batch order', () => {
  it('gives small data sets more epochs and valid configs', () => {
    expect(defaultEpochs('feature-extraction', 500)).toBeGreaterThan(defaultEpochs('feature-extraction', 50_000));
    for (const s of ['feature-extraction', 'fine-tuning'] as const) {
      for (const n of [20, 500, 5_000, 60_000]) expect(TrainConfig.safeParse(defaultConfig(s, n)).success).toBe(true);
    }
    expect(defaultConfig('fine-tuning', 500)).toMatchObject({ learningRate: 1e-4, headLearningRate: 1e-3, twoPhase: true });
  });

  it('shuffles by (seed, epoch) only', () => {
    const idx = Int32Array.from({ length: 50 }, (_, i) => i);
    expect(Array.from(epochOrder(idx, 1, 0))).toEqual(Array.from(epochOrder(idx, 1, 0)));
    expect(Array.from(epochOrder(idx, 1, 0))).not.toEqual(Array.from(epochOrder(idx, 1, 1)));
    expect([...epochOrder(idx, 1, 0)].sort((a, b) => a - b)).toEqual([...idx]);
  });
});
