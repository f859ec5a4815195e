import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Strategy, SweepDetail, SweepRun } from '../../contract/index.js';
import { packCorrect } from '../../contract/stats.js';
import { exportSweep, sweepCsv } from './sweep-export.js';
import { sweepSvg } from './sweep-svg.js';

const N = 400;
function run(perClass: number, seed: number, strategy: Strategy, correct: number, seconds: number): SweepRun {
  return {
    perClass, images: perClass * 10, seed, strategy, runId: `r-${perClass}-${seed}-${strategy}`, status: 'completed', testAcc: correct / N,
    testLow: correct / N - 0.04, testHigh: correct / N + 0.04, testN: N, seconds, startedAt: null, finishedAt: null, setId: 'pool',
    correctFlags: packCorrect(Array.from({ length: N }, (_, i) => i < correct)), error: null,
  };
}
const sweep = (runs: SweepRun[]): SweepDetail => ({
  id: 's1', name: 'Sweep · digits', status: 'completed', done: runs.length, total: runs.length, failed: 0, etaSeconds: null,
  studentName: 'Ada', classSession: 'ML', createdAt: '2026-02-03T10:00:00.000Z', finishedAt: null, error: null, source: 'stored',
  config: {
    datasetId: 'digits', backboneId: 'tl-resnet-s', name: 'Sweep · digits', sizes: [10, 100, 1000], strategies: ['feature-extraction', 'fine-tuning'],
    unfreezeBlocks: 2, seeds: 1, seed: 42, similarity: 'very-different', compute: 'ample', backend: 'wasm', datasetName: 'Handwritten <digits>',
    classes: ['0', '1'], ladder: [{ perClass: 10, images: 100 }, { perClass: 100, images: 1000 }, { perClass: 1000, images: 10000 }], testImages: N,
  },
  runs,
});
const crossingSweep = sweep([
  run(10, 42, 'feature-extraction', 300, 2.04), run(10, 42, 'fine-tuning', 296, 30),
  run(100, 42, 'feature-extraction', 320, 3), run(100, 42, 'fine-tuning', 360, 60),
  run(1000, 42, 'feature-extraction', 330, 9), run(1000, 42, 'fine-tuning', 380, 600),
]);

describe('sweepCsv', () => {
  it('has one row per run: size, seed, strategy, test accuracy, interval, seconds', () => {
    const lines = sweepCsv(crossingSweep).trim().split('\r\n');
    expect(lines[0]).toBe('images_per_class,images,seed,strategy,status,test_accuracy,test_low,test_high,test_n,seconds,run_id');
    expect(lines[1]).toBe('10,100,42,feature-extraction,completed,0.75,0.71,0.79,400,2,r-10-42-feature-extraction');
    expect(lines).toHaveLength(7);
  });
});

describe('sweepSvg', () => {
  it('draws both panels, the flowchart thresholds inside the range and the crossing, with escaped text', () => {
    const svg = sweepSvg(crossingSweep);
    expect(svg).toContain('Handwritten &lt;digits&gt;: both strategies by training size');
    expect(svg).toContain('flowchart: under 1,000: feature extraction');
    expect(svg).toContain('flowchart: over 10,000: fine-tuning');
    expect(svg).toContain('crossing: fine-tuning better from here');
    expect(svg).toContain('Training time per run (log scale)');
    expect(svg).toMatch(/Crossing at 100 per class \(1,000 images\)/);
    // One line and one band per strategy in each panel.
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg.match(/<polygon /g)).toHaveLength(4);
  });

  it('says so when no run has finished and no crossing is found', () => {
    const svg = sweepSvg({ ...sweep([]), done: 0 });
    expect(svg).toContain('No finished runs yet.');
    expect(svg).not.toContain('crossing:');
  });
});

describe('exportSweep', () => {
  it('renders the SVG to a PNG of its size with sharp', async () => {
    const png = await exportSweep(crossingSweep, 'png');
    expect(png).toMatchObject({ filename: 'sweep-digits-2026-02-03.png', encoding: 'base64' });
    const meta = await sharp(Buffer.from(png.content, 'base64')).metadata();
    expect(meta.format).toBe('png');
    // Rendered at 144 dpi: twice the SVG's 960 px width.
    expect(meta.width).toBe(1920);
  });
});
