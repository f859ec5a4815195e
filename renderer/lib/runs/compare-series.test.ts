import { describe, expect, it } from 'vitest';
import type { EpochMetrics } from '../../../electron/contract/index.js';
import { compareSeries, unfreezeMarkers } from './compare-series.js';

const epochs = (head: number, fineTune: number): EpochMetrics[] =>
  Array.from({ length: head + fineTune }, (_, i) => ({
    epoch: i < head ? i + 1 : i - head + 1, phase: i < head ? 'head' : 'fine-tune', trainLoss: 1, trainAcc: 0.5, valLoss: 1, valAcc: 0.5, seconds: 1, imagesPerSec: 1,
  }));
const fe = { id: 'fe', name: 'Feature extraction · fashion-target', strategy: 'feature-extraction' as const, epochs: epochs(6, 0) };
const ft = { id: 'ft', name: 'Fine-tuning · fashion-target', strategy: 'fine-tuning' as const, epochs: epochs(4, 2) };
const colors = new Map([['fe', 'var(--fe)'], ['ft', 'var(--ft)']]);
const labels = new Map([['fe', 'FE · seed 42'], ['ft', 'FT · seed 42']]);

describe('compare curves', () => {
  it('draws fine-tuning first and wide, feature extraction on top and narrow, with short labels and full titles', () => {
    const s = compareSeries([fe, ft], colors, labels, (e) => [e.valAcc, e.trainAcc]);
    expect(s.map((x) => x.label)).toEqual(['FT · seed 42 · val', 'FT · seed 42 · train', 'FE · seed 42 · val', 'FE · seed 42 · train']);
    expect(s[0].width).toBeGreaterThan(s[2].width!);
    expect(s[2].title).toBe('Feature extraction · fashion-target: validation');
    expect(s[1].dash).toBe(true);
    expect(s[0].x).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('marks where each two-phase fine-tuning run unfreezes, between its head and fine-tuning epochs', () => {
    expect(unfreezeMarkers([fe, ft], colors, labels)).toEqual([{ x: 4.5, color: 'var(--ft)', label: 'FT · seed 42 unfreezes' }]);
    expect(unfreezeMarkers([fe, { ...ft, epochs: epochs(0, 3) }], colors, labels)).toEqual([]);
  });
});
