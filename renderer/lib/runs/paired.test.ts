import { describe, expect, it } from 'vitest';
import { flags, runDetail, testScore } from './testing/run-fixtures.js';
import { pairedPlan } from './paired.js';
import { shortLabels } from './run-labels.js';

describe('pairedPlan', () => {
  it('tests the runs of each linked pair on their shared test images, feature extraction first', () => {
    // FT gets 900 of 1,000 right, FE 836: 64 images only FT got right.
    const fe = runDetail('fe', 'feature-extraction', testScore(flags(1000, 836)), { pairId: 'p1' });
    const ft = runDetail('ft', 'fine-tuning', testScore(flags(1000, 900)), { pairId: 'p1' });
    const plan = pairedPlan([ft, fe], shortLabels([ft, fe]));
    expect(plan.unpairedNote).toBeNull();
    expect(plan.results).toHaveLength(1);
    const r = plan.results[0];
    expect('verdict' in r && r.firstId).toBe('fe');
    expect('verdict' in r && r.verdict).toMatch(/^Fine-tuning is better than feature extraction by 6\.4 points on 1,000 test images \(95 % CI [\d.]+ to [\d.]+ points\); a difference this large by chance: p < 0\.001\.$/);
  });

  it('gives the winner\'s margin with an interval in the same direction when the reference run wins', () => {
    const fe = runDetail('fe', 'feature-extraction', testScore(flags(1000, 900)), { pairId: 'p2' });
    const ft = runDetail('ft', 'fine-tuning', testScore(flags(1000, 836)), { pairId: 'p2' });
    const r = pairedPlan([fe, ft], shortLabels([fe, ft])).results[0];
    if (!('verdict' in r)) throw new Error(r.error);
    expect(r.verdict).toMatch(/^Feature extraction is better than fine-tuning by 6\.4 points on 1,000 test images \(95 % CI (\d+\.\d) to (\d+\.\d) points\)/);
    expect(r.comparison.interval.low).toBeGreaterThan(0);
    expect([r.firstId, r.secondId]).toEqual(['ft', 'fe']);
  });

  it('says when runs were scored on different test images', () => {
    const a = runDetail('a', 'feature-extraction', testScore(flags(100, 80), 'digits:test'));
    const b = runDetail('b', 'fine-tuning', testScore(flags(100, 90), 'fashion-target:test'));
    const plan = pairedPlan([a, b], shortLabels([a, b]));
    expect(plan.results).toEqual([]);
    expect(plan.unpairedNote).toMatch(/different test images/);
  });

  it('names the BatchNorm modes when that is all that differs, and skips runs without a test score', () => {
    const bs = runDetail('bs', 'fine-tuning', testScore(flags(200, 150)), { config: { unfrozenBatchNorm: 'batch-statistics' } });
    const inf = runDetail('inf', 'fine-tuning', testScore(flags(200, 152, 3)), { config: { unfrozenBatchNorm: 'inference' } });
    const old = runDetail('old', 'fine-tuning', null, { seed: 7 });
    const labels = shortLabels([bs, inf, old]);
    expect(labels.get('bs')).toBe('FT · seed 42 · BN batch stats');
    const plan = pairedPlan([bs, inf, old], labels);
    expect(plan.results).toHaveLength(1);
    expect('verdict' in plan.results[0] && plan.results[0].verdict).toMatch(/^No clear difference on these 200 test images: BatchNorm in inference mode − BatchNorm with batch statistics = \+1\.0 points/);
  });

  it('reports stored flags that do not match the image count instead of a verdict', () => {
    const a = runDetail('a', 'feature-extraction', testScore(flags(16, 8)));
    const b = runDetail('b', 'fine-tuning', { ...testScore(flags(16, 9)), n: 40 });
    const r = pairedPlan([a, b], shortLabels([a, b])).results[0];
    expect('error' in r && r.error).toMatch(/^No paired test: Stored test results hold 16 flags, expected 40/);
  });
});

describe('shortLabels', () => {
  it('labels by strategy and seed, and numbers runs nothing else tells apart', () => {
    const a = runDetail('a', 'feature-extraction', null);
    const b = runDetail('b', 'feature-extraction', null);
    const c = runDetail('c', 'fine-tuning', null, { seed: 43 });
    expect([...shortLabels([a, b, c]).values()]).toEqual(['FE · seed 42 #1', 'FE · seed 42 #2', 'FT · seed 43']);
  });
});
