import { describe, expect, it } from 'vitest';
import type { Strategy, SweepDetail, SweepRun } from '../electron/contract/index.js';
import { packCorrect } from '../electron/contract/stats.js';
import { sweepTable } from './sweep-table.js';

const N = 1000;
const run = (perClass: number, seed: number, strategy: Strategy, correct: number, seconds: number): SweepRun => ({
  perClass, images: perClass * 10, seed, strategy, runId: 'r', status: 'completed', testAcc: correct / N, testLow: 0, testHigh: 1, testN: N, seconds,
  startedAt: null, finishedAt: null, setId: 'pool', correctFlags: packCorrect(Array.from({ length: N }, (_, i) => i < correct)), error: null,
});
const sweep: SweepDetail = {
  id: 's', name: 'Sweep · digits', status: 'completed', done: 8, total: 8, failed: 0, etaSeconds: null, studentName: '', classSession: '',
  createdAt: '2026-02-03T10:00:00.000Z', finishedAt: null, error: null, source: 'stored',
  config: {
    datasetId: 'digits', backboneId: 'tl-resnet-s', name: 'Sweep · digits', sizes: [10, 800], strategies: ['feature-extraction', 'fine-tuning'], unfreezeBlocks: 2, seeds: 2, seed: 42,
    similarity: 'very-different', compute: 'ample', backend: 'wasm', datasetName: 'Handwritten digits', classes: [], ladder: [{ perClass: 10, images: 100 }, { perClass: 800, images: 8000 }], testImages: 2000,
  },
  runs: [
    run(10, 42, 'feature-extraction', 600, 2), run(10, 42, 'fine-tuning', 610, 20), run(10, 43, 'feature-extraction', 620, 4), run(10, 43, 'fine-tuning', 600, 22),
    run(800, 42, 'feature-extraction', 800, 10), run(800, 42, 'fine-tuning', 900, 300), run(800, 43, 'feature-extraction', 810, 12), run(800, 43, 'fine-tuning', 910, 320),
  ],
};

describe('sweepTable', () => {
  it('has a row per size with mean ± sd, the paired verdict and the flowchart\'s advice, then the crossing and the wall time', () => {
    const md = sweepTable(sweep, { seconds: 754.4, machine: 'a test CPU' });
    const lines = md.split('\n');
    expect(lines[0]).toBe('## Sweep: Handwritten digits');
    expect(lines).toContain('| 10 | 100 | 61.0 ± 1.4 % | 60.5 ± 0.7 % | −0.5 (p ≤ 1.000) | no clear difference | 3 | 21 | Feature extraction |');
    expect(lines).toContain('| 800 | 8,000 | 80.5 ± 0.7 % | 90.5 ± 0.7 % | +10.0 (p < 0.001) | Fine-tuning | 11 | 310 | Fine-tuning |');
    expect(md).toContain('Crossing at 800 per class (8,000 images)');
    expect(md).toContain('Wall time: 754 s on a test CPU.');
  });
});
