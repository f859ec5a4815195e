import { describe, expect, it } from 'vitest';
import type { Strategy, SweepRun } from '../../../electron/contract/index.js';
import { packCorrect } from '../../../electron/contract/stats.js';
import { analyzeSweep } from '../../../electron/contract/sweep-analysis.js';
import { accuracyChart, etaText, timeChart } from './sweep-chart-data.js';

const N = 400;
const run = (perClass: number, strategy: Strategy, correct: number, seconds: number): SweepRun => ({
  perClass, images: perClass * 10, seed: 1, strategy, runId: `${perClass}${strategy}`, status: 'completed', testAcc: correct / N, testLow: correct / N - 0.05,
  testHigh: correct / N + 0.05, testN: N, seconds, startedAt: null, finishedAt: null, setId: 'p', correctFlags: packCorrect(Array.from({ length: N }, (_, i) => i < correct)), error: null,
});
const analysis = analyzeSweep({
  ladder: [{ perClass: 10, images: 100 }, { perClass: 100, images: 1000 }, { perClass: 300, images: 3000 }],
  similarity: 'very-similar', compute: 'ample',
  runs: [run(10, 'feature-extraction', 300, 2), run(10, 'fine-tuning', 298, 20), run(100, 'feature-extraction', 320, 3), run(100, 'fine-tuning', 360, 50), run(300, 'fine-tuning', 380, 90)],
});

describe('accuracyChart', () => {
  it('has one x per size and a line with its band per strategy, gaps where a size has no finished run', () => {
    const c = accuracyChart(analysis, ['feature-extraction', 'fine-tuning']);
    expect(c.x).toEqual([100, 1000, 3000]);
    expect(c.series.map((s) => s.label)).toEqual(['Feature extraction', 'Fine-tuning']);
    expect(c.series[0].y).toEqual([75, 80, null]);
    expect(c.series[0].low[0]).toBeCloseTo(70, 10);
    expect(c.series[1].high[2]).toBeCloseTo(100, 10);
  });

  it('draws the thresholds the sizes reach and marks the crossing in the winner\'s colour', () => {
    const c = accuracyChart(analysis, ['feature-extraction', 'fine-tuning']);
    // 10,000 is outside 100/1.5 … 3,000·1.5.
    expect(c.markers).toEqual([
      { x: 1000, label: '1,000', title: 'flowchart: under 1,000: feature extraction', color: 'var(--muted)', dash: true },
      { x: 1000, label: 'crossing', title: 'crossing: fine-tuning better from here', color: 'var(--ft)', dash: false },
    ]);
    // The time panel draws the same lines without labels.
    expect(timeChart(analysis, ['fine-tuning']).markers.map((m) => [m.label, m.title])).toEqual([['', 'flowchart: under 1,000: feature extraction'], ['', 'crossing: fine-tuning better from here']]);
  });
});

describe('etaText', () => {
  it.each([[null, 'estimating the time left after the first runs…'], [30, 'less than a minute left'], [600, 'about 10 min left'], [5400, 'about 1 h 30 min left']] as const)('%s s → %s', (s, text) => {
    expect(etaText(s)).toBe(text);
  });
});
