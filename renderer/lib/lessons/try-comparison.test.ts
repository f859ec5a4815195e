import { describe, expect, it } from 'vitest';
import { fashionTarget, shippedResnet } from '../train/testing/train-fixtures.js';
import { comparisonRequests } from './try-comparison.js';

const embed = {
  label: 'BatchNorm while fine-tuning', strategy: 'fine-tuning' as const, backboneId: 'tl-resnet-s', dataset: { id: 'fashion-target', perClass: 200 },
  unfreezeBlocks: 2, seeds: 2,
  variants: [{ label: 'batch statistics', unfrozenBatchNorm: 'batch-statistics' as const }, { label: 'inference mode', unfrozenBatchNorm: 'inference' as const }],
};

describe('comparisonRequests', () => {
  it('makes one request per variant that differ only in what the variant changes', () => {
    const out = comparisonRequests(embed, [fashionTarget], [shippedResnet]);
    if (!('requests' in out)) throw new Error(out.error);
    const [a, b] = out.requests;
    expect(a.name).toBe('BatchNorm while fine-tuning: batch statistics');
    expect(a.seeds).toBe(2);
    expect(a.config).toMatchObject({ strategy: 'fine-tuning', dataset: { id: 'fashion-target', perClass: 200 }, unfreezeBlocks: 2, unfrozenBatchNorm: 'batch-statistics', seed: 42 });
    expect(b.config.unfrozenBatchNorm).toBe('inference');
    expect({ ...b.config, unfrozenBatchNorm: 'batch-statistics' }).toEqual(a.config);
  });

  it('says which part is missing rather than starting anything', () => {
    expect(comparisonRequests({ ...embed, dataset: { id: 'nowhere' } }, [fashionTarget], [shippedResnet])).toEqual({ error: 'This comparison trains on "nowhere", which is not available here.' });
    const tooBig = comparisonRequests({ ...embed, batchSize: 5000 }, [fashionTarget], [shippedResnet]);
    expect('error' in tooBig && tooBig.error).toMatch(/^"batch statistics" cannot start: Batch size/);
  });
});
