import { describe, expect, it } from 'vitest';
import { sweepEta, type EtaRun } from './sweep-eta.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000).toISOString();
const done = (strategy: EtaRun['strategy'], images: number, seconds: number): EtaRun => ({ strategy, images, status: 'completed', startedAt: at(0), finishedAt: at(seconds) });
const queued = (strategy: EtaRun['strategy'], images: number): EtaRun => ({ strategy, images, status: 'queued', startedAt: null, finishedAt: null });

describe('sweepEta', () => {
  it('fits each strategy\'s seconds as a line in the images and shares the rest over the workers', () => {
    // Fine-tuning: 10 s + 0.1 s per image; feature extraction: 2 s + 0.01 s per image.
    const runs = [done('fine-tuning', 100, 20), done('fine-tuning', 300, 40), done('feature-extraction', 100, 3), done('feature-extraction', 300, 5),
      queued('fine-tuning', 1000), queued('feature-extraction', 1000)];
    expect(sweepEta(runs, 1, t0)).toBeCloseTo(110 + 12, 6);
    expect(sweepEta(runs, 2, t0)).toBeCloseTo(61, 6);
  });

  it('counts only what is left of a running run', () => {
    const runs = [done('fine-tuning', 100, 20), done('fine-tuning', 300, 40), { ...queued('fine-tuning', 300), status: 'running', startedAt: at(100) }];
    expect(sweepEta(runs, 1, t0 + 130_000)).toBeCloseTo(10, 6);
    expect(sweepEta(runs, 1, t0 + 200_000)).toBe(0);
  });

  it('has no estimate before a strategy still to run has finished once, and 0 when nothing is left', () => {
    expect(sweepEta([done('feature-extraction', 100, 3), queued('fine-tuning', 100)], 1, t0)).toBeNull();
    expect(sweepEta([done('fine-tuning', 100, 20)], 1, t0)).toBe(0);
    // From one size alone each run is expected to take as long as those did.
    expect(sweepEta([done('fine-tuning', 100, 20), queued('fine-tuning', 400), queued('fine-tuning', 10)], 1, t0)).toBeCloseTo(40, 6);
    // A line never predicts less than the fastest run seen.
    expect(sweepEta([done('fine-tuning', 100, 20), done('fine-tuning', 200, 40), queued('fine-tuning', 10)], 1, t0)).toBe(20);
  });
});
