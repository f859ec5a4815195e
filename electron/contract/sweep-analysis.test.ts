import { describe, expect, it } from 'vitest';
import type { Strategy, SweepRun } from './index.js';
import { packCorrect } from './stats.js';
import { analyzeSweep, combineSeeds, type SeedComparison } from './sweep-analysis.js';

const N = 1000;
/** A run scored on the shared N test images, right on the first `correct` of them. */
function run(perClass: number, seed: number, strategy: Strategy, correct: number, seconds: number, over: Partial<SweepRun> = {}): SweepRun {
  const flags = Array.from({ length: N }, (_, i) => i < correct);
  return {
    perClass, images: perClass * 5, seed, strategy, runId: `${perClass}-${seed}-${strategy}`, status: 'completed',
    testAcc: correct / N, testLow: correct / N - 0.03, testHigh: correct / N + 0.03, testN: N, seconds, startedAt: null, finishedAt: null,
    setId: 'pool', correctFlags: packCorrect(flags), error: null, ...over,
  };
}
const ladder = (sizes: number[]) => sizes.map((perClass) => ({ perClass, images: perClass * 5 }));
const input = (sizes: number[], runs: SweepRun[], similarity: 'very-similar' | 'very-different' = 'very-different') =>
  ({ ladder: ladder(sizes), similarity, compute: 'ample' as const, runs });

describe('analyzeSweep: per size and strategy', () => {
  it('gives mean ± sd of test accuracy and time over seeds, with mean ± sd as the band', () => {
    const a = analyzeSweep(input([10], [
      run(10, 1, 'feature-extraction', 700, 2), run(10, 2, 'feature-extraction', 720, 4), run(10, 3, 'feature-extraction', 740, 6),
    ]));
    const fe = a.sizes[0].strategies['feature-extraction']!;
    expect(fe.runs).toBe(3);
    expect(fe.acc.mean).toBeCloseTo(0.72, 10);
    expect(fe.acc.sd).toBeCloseTo(0.02, 10);
    expect(fe.band.low).toBeCloseTo(0.70, 10);
    expect(fe.band.high).toBeCloseTo(0.74, 10);
    expect(fe.seconds).toEqual({ mean: 4, sd: 2 });
    expect(a.sizes[0].strategies['fine-tuning']).toBeUndefined();
  });

  it('uses the Wilson interval as the band of a single run, and leaves unfinished runs out', () => {
    const a = analyzeSweep(input([10], [
      run(10, 1, 'fine-tuning', 800, 30),
      run(10, 2, 'fine-tuning', 0, 0, { status: 'interrupted', testAcc: null }),
    ]));
    const ft = a.sizes[0].strategies['fine-tuning']!;
    expect(ft.runs).toBe(1);
    expect(ft.band.low).toBeCloseTo(0.77, 10);
    expect(ft.band.high).toBeCloseTo(0.83, 10);
  });
});

describe('combineSeeds: the conservative rule', () => {
  const c = (difference: number, p: number): SeedComparison => ({ seed: 0, n: N, difference, interval: { low: 0, high: 0 }, p });
  it('names a winner only when every seed is better the same way beyond the noise; p is the largest', () => {
    expect(combineSeeds([c(0.05, 0.001), c(0.04, 0.01), c(0.06, 0.0001)])).toEqual({ winner: 'fine-tuning', p: 0.01 });
    expect(combineSeeds([c(-0.05, 0.001), c(-0.04, 0.002)])).toEqual({ winner: 'feature-extraction', p: 0.002 });
  });
  it('calls it no clear difference when one seed is within the noise or the seeds disagree', () => {
    expect(combineSeeds([c(0.05, 0.001), c(0.01, 0.3)])).toEqual({ winner: null, p: 0.3 });
    expect(combineSeeds([c(0.05, 0.001), c(-0.05, 0.001)])).toEqual({ winner: null, p: 1 });
    expect(combineSeeds([])).toEqual({ winner: null, p: 1 });
  });
});

describe('analyzeSweep: the paired test per size', () => {
  it('runs the exact McNemar test per seed pair on the shared test images', () => {
    const a = analyzeSweep(input([100], [
      run(100, 1, 'feature-extraction', 700, 3), run(100, 1, 'fine-tuning', 760, 60),
      run(100, 2, 'feature-extraction', 710, 3), run(100, 2, 'fine-tuning', 765, 62),
    ]));
    const p = a.sizes[0].paired!;
    expect(p.comparisons.map((x) => x.seed)).toEqual([1, 2]);
    expect(p.comparisons[0].difference).toBeCloseTo(0.06, 10);
    // 60 discordant images, all one way: p = 2 · 2^-60.
    expect(p.comparisons[0].p).toBeCloseTo(2 * 2 ** -60, 25);
    expect(p.winner).toBe('fine-tuning');
    expect(p.difference).toBeCloseTo(0.0575, 10);
  });

  it('skips a pair whose runs were scored on different test images', () => {
    const a = analyzeSweep(input([100], [run(100, 1, 'feature-extraction', 700, 3), run(100, 1, 'fine-tuning', 760, 60, { setId: 'other' })]));
    expect(a.sizes[0].paired).toBeNull();
  });
});

describe('analyzeSweep: the crossing point', () => {
  it('is where fine-tuning becomes better beyond the noise after feature extraction led', () => {
    const a = analyzeSweep(input([5, 30, 300, 3000], [
      run(5, 1, 'feature-extraction', 600, 2), run(5, 1, 'fine-tuning', 540, 20), // FE clearly ahead
      run(30, 1, 'feature-extraction', 700, 2), run(30, 1, 'fine-tuning', 702, 25), // noise
      run(300, 1, 'feature-extraction', 780, 3), run(300, 1, 'fine-tuning', 850, 90), // FT clearly ahead
      run(3000, 1, 'feature-extraction', 800, 9), run(3000, 1, 'fine-tuning', 900, 700),
    ]));
    expect(a.sizes.map((s) => s.paired?.winner ?? null)).toEqual(['feature-extraction', null, 'fine-tuning', 'fine-tuning']);
    expect(a.crossing).toEqual({ perClass: 300, images: 1500, winner: 'fine-tuning', kind: 'crossing' });
    expect(a.crossingText).toMatch(/^Crossing at 300 per class \(1,500 images\): from there on fine-tuning is better beyond the noise\./);
    // 1,500 images of a very different domain with ample compute: the flowchart says fine-tuning.
    expect(a.flowchartSwitch).toEqual({ perClass: 300, images: 1500 });
    expect(a.crossingText).toMatch(/switches to fine-tuning at 1,500 images\.$/);
  });

  it('ignores an early win that a larger size reverses, and says when a strategy led throughout', () => {
    const a = analyzeSweep(input([5, 30, 300], [
      run(5, 1, 'feature-extraction', 600, 2), run(5, 1, 'fine-tuning', 700, 20),
      run(30, 1, 'feature-extraction', 700, 2), run(30, 1, 'fine-tuning', 600, 25),
      run(300, 1, 'feature-extraction', 800, 2), run(300, 1, 'fine-tuning', 700, 25),
    ]));
    expect(a.crossing).toMatchObject({ perClass: 30, winner: 'feature-extraction', kind: 'crossing' });
    const b = analyzeSweep(input([5, 30], [
      run(5, 1, 'feature-extraction', 700, 2), run(5, 1, 'fine-tuning', 703, 20),
      run(30, 1, 'feature-extraction', 700, 2), run(30, 1, 'fine-tuning', 800, 25),
    ]));
    expect(b.crossing).toMatchObject({ perClass: 30, winner: 'fine-tuning', kind: 'ahead-throughout' });
    expect(b.crossingText).toMatch(/^Fine-tuning is ahead throughout and better beyond the noise from 30 per class \(150 images\) on\./);
  });

  it('says "no crossing in this range" when no size separates the strategies', () => {
    const a = analyzeSweep(input([5, 30], [
      run(5, 1, 'feature-extraction', 700, 2), run(5, 1, 'fine-tuning', 702, 20),
      run(30, 1, 'feature-extraction', 750, 2), run(30, 1, 'fine-tuning', 748, 25),
    ]));
    expect(a.crossing).toBeNull();
    expect(a.crossingText).toBe('No crossing in this range: at no size is one strategy better beyond the noise. The flowchart advises feature extraction at every size of this sweep.');
  });
});

describe('analyzeSweep: the verdict in words', () => {
  it('says what the flowchart advised and what following it cost or saved', () => {
    const a = analyzeSweep(input([10, 3000], [
      run(10, 1, 'feature-extraction', 700, 2), run(10, 1, 'fine-tuning', 760, 42),
      run(3000, 1, 'feature-extraction', 800, 10), run(3000, 1, 'fine-tuning', 900, 610),
    ]));
    const [small, large] = a.sizes.map((s) => s.verdict);
    expect(small).toMatchObject({ advice: 'feature-extraction', route: '< 1,000' });
    expect(small.points).toBeCloseTo(-0.06, 10);
    expect(small.seconds).toBe(40);
    expect(small.text).toBe('10 per class (50 images): the flowchart says feature extraction (< 1,000). Fine-tuning was better beyond the noise (p < 0.001), against the advice. Following it cost 6.0 points and saved 40 s per run.');
    expect(large).toMatchObject({ advice: 'fine-tuning', route: '> 10,000 → ample' });
    expect(large.text).toMatch(/as advised\. Following it gained 10\.0 points and took 600 s longer per run\.$/);
  });

  it('follows the flowchart between 1,000 and 10,000 images with the domain answer', () => {
    const runs = [run(400, 1, 'feature-extraction', 800, 5), run(400, 1, 'fine-tuning', 801, 100)];
    const similar = analyzeSweep(input([400], runs, 'very-similar')).sizes[0].verdict;
    expect(similar).toMatchObject({ advice: 'feature-extraction', route: '1,000–10,000 → very similar' });
    expect(similar.text).toMatch(/No clear difference here: fine-tuning − feature extraction = \+0\.1 points \(p = 1\.000\)\. Following it cost 0\.1 points \(within the noise\) and saved 95 s per run\.$/);
    const different = analyzeSweep(input([400], runs, 'very-different')).sizes[0].verdict;
    expect(different).toMatchObject({ advice: 'fine-tuning', route: '1,000–10,000 → very different → ample' });
  });

  it('waits for runs of both strategies before judging', () => {
    const a = analyzeSweep(input([10], [run(10, 1, 'feature-extraction', 700, 2)]));
    expect(a.sizes[0].verdict.text).toMatch(/Not enough finished runs of both strategies to check it yet\.$/);
    expect(a.crossingText).toBe('Only one strategy has finished runs: there is nothing to cross yet.');
  });
});
