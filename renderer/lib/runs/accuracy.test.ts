import { describe, expect, it } from 'vitest';
import { wilson } from '../../../electron/contract/stats.js';
import { formatAccuracy, formatMeanSd, NO_TEST_SCORE, stopReasonText, summaryTestText, testAccuracyText } from './accuracy.js';

describe('accuracy formatting', () => {
  it('writes an accuracy with its 95 % interval and n', () => {
    expect(formatAccuracy(0.902, 0.8934, 0.9102, 5000)).toBe('90.2 % (89.3–91.0, n = 5,000)');
    const ci = wilson(451, 500);
    expect(formatAccuracy(451 / 500, ci.low, ci.high, 500)).toBe('90.2 % (87.3–92.5, n = 500)');
  });

  it('says a run from before the test set has no test score, never a number', () => {
    expect(testAccuracyText(null)).toBe(NO_TEST_SCORE);
    expect(NO_TEST_SCORE).toBe('no test score (recorded before the test set)');
    expect(summaryTestText({ testAcc: null, testLow: null, testHigh: null, testN: null })).toBe(NO_TEST_SCORE);
    expect(summaryTestText({ testAcc: 0.5, testLow: 0.4, testHigh: 0.6, testN: 100 })).toBe('50.0 % (40.0–60.0, n = 100)');
  });

  it('aggregates seeds as mean ± sd', () => {
    expect(formatMeanSd([0.9, 0.92, 0.94])).toBe('92.0 ± 2.0 %');
    expect(formatMeanSd([0.8])).toBe('80.0 ± 0.0 %');
    expect(formatMeanSd([])).toBeNull();
  });

  it('says why a run stopped', () => {
    expect(stopReasonText({ kind: 'early-stopping', epoch: 14, cap: 30 })).toBe('early stopping at epoch 14 (cap 30)');
    expect(stopReasonText({ kind: 'epoch-cap', epoch: 30, cap: 30 })).toBe('hit the cap of 30 epochs');
    expect(stopReasonText(null)).toBeNull();
  });
});
